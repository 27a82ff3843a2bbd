import { afterEach, describe, expect, it } from 'vitest';
import { testNow } from '../helpers/clock';
import { type ServerProcess, startServerProcess } from '../helpers/faults';
import { stuffyRoom } from '../helpers/publish';
import { getJson, tempDir, waitFor } from '../helpers/server';
import { type RunningSmtp, startSmtpServer } from '../helpers/smtp';

/**
 * The outbox survives a kill -9 (docs/notifications.md): the server process,
 * as `npm start` runs it, raises an alert while the SMTP relay refuses mail,
 * is killed with SIGKILL with the e-mail still pending, and the next start
 * sends it once the relay is back.
 */
const ADMIN = 'gestionnaire@le-numerique.example';
const running: ServerProcess[] = [];
let smtp: RunningSmtp | undefined;
afterEach(async () => {
  for (const p of running.splice(0)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  await smtp?.stop();
});

describe('notifications across a kill -9', () => {
  it('an e-mail pending when the server is killed is sent by the next start, once', async () => {
    smtp = await startSmtpServer();
    smtp.setDown(true);
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ADMIN_EMAIL: ADMIN };
    const first = await startServerProcess(env);
    running.push(first);
    // The shipped CO2 rule raises a warning.
    await stuffyRoom(first.mqtt, dataDir, 'room-r1-reunion', testNow());
    // Pending in the outbox, refused at least once by the relay.
    type Log = { deliveries: { recipient: string; status: string; attempts: number; lastError: string | null }[] };
    const pending = await waitFor(async () => {
      const { body } = await getJson<Log>(`${first.base}/api/v1/notifications/deliveries`);
      return body.deliveries.find((d) => d.recipient === ADMIN && d.status === 'pending' && d.attempts >= 1);
    }, 'the e-mail pending after a refusal');
    expect(pending.lastError).toMatch(/451/);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(smtp.messages).toHaveLength(0);

    smtp.setDown(false);
    const second = await startServerProcess(env);
    running.push(second);
    // The first retry is due 15 s after the refusal.
    await waitFor(() => smtp?.messages.some((m) => m.to.includes(ADMIN)), 'the e-mail after the restart', 45_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages.filter((m) => m.to.includes(ADMIN))).toHaveLength(1);
    const { body } = await getJson<Log>(`${second.base}/api/v1/notifications/deliveries`);
    expect(body.deliveries.find((d) => d.recipient === ADMIN)).toMatchObject({ status: 'sent' });
  }, 90_000);
});
