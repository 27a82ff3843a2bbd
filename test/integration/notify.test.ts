import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertListResponse } from '../../shared/alerts';
import type { NotifySettings, WebhookView } from '../../shared/notify';
import type { RunningServer } from '../../server/app';
import { testNow } from '../helpers/clock';
import { stuffyRoom } from '../helpers/publish';
import { type RunningSmtp, startSmtpServer } from '../helpers/smtp';
import { apiFetch, getJson, startTestServer, tempDir, tokenFor, waitFor } from '../helpers/server';
import { type WebhookReceiver, startWebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Alerts reach people and systems (docs/notifications.md): a real SMTP server
 * and a real HTTP receiver, a real server configured as a new user would
 * (SMTP_URL, ADMIN_EMAIL, NOTIFY_WEBHOOK_URL and its secret), real MQTT
 * readings raising the shipped CO2 rule. Then both receivers down while three
 * alerts are raised, and a restart: each message arrives once, in order.
 */
const SECRET = 'webhook-secret-of-the-test-0123';
const ADMIN = 'gestionnaire@le-numerique.example';
const PUBLIC = 'https://supervision.le-numerique.example';

let smtp: RunningSmtp;
let hook: WebhookReceiver;
let server: (RunningServer & { dataDir: string }) | undefined;
let dataDir: string;

async function start(): Promise<RunningServer & { dataDir: string }> {
  return startTestServer(
    { DATA_DIR: dataDir, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ADMIN_EMAIL: ADMIN, NOTIFY_WEBHOOK_URL: `${hook.url}?token=in-the-url`, NOTIFY_WEBHOOK_SECRET: SECRET, PUBLIC_URL: PUBLIC },
    // Retries after 200 ms, doubling: an outage of seconds is retried within the test.
    { notifyRetryBaseMs: 200 },
  );
}

/** The shipped CO2 rule raises a warning for this room. */
async function stuffy(device: string): Promise<void> {
  const s = server as RunningServer & { dataDir: string };
  await stuffyRoom(s.mqttPort, s.dataDir, device, testNow());
}

const base = () => `http://127.0.0.1:${(server as RunningServer).httpPort}`;
const openAlert = async (device: string) =>
  (await getJson<AlertListResponse>(`${base()}/api/v1/alerts?state=open&rule=co2-occupied`)).body.alerts.find((a) => a.target.deviceId === device);

beforeAll(async () => {
  smtp = await startSmtpServer();
  hook = await startWebhookReceiver(SECRET);
  dataDir = tempDir();
  server = await start();
});

afterAll(async () => {
  await server?.close();
  await hook?.stop();
  await smtp?.stop();
});

describe('notifications', () => {
  it('an alert raised by readings reaches the admin by e-mail and the webhook, signed, with a link to it', async () => {
    await stuffy('room-r1-reunion');
    const alert = await waitFor(() => openAlert('room-r1-reunion'), 'the CO2 alert');
    const mail = await waitFor(() => smtp.messages.find((m) => m.to.includes(ADMIN)), 'the e-mail');
    expect(mail.subject).toMatch(/CO2/);
    expect(mail.text).toContain(`${PUBLIC}/alerts`);
    expect(mail.text).toContain(String(alert.id));
    expect(mail.html).toContain(PUBLIC);
    const call = await waitFor(() => hook.received.find((r) => (r.json as { alert?: { id?: number } } | null)?.alert?.id === alert.id), 'the webhook');
    expect(call.signatureValid).toBe(true);
    expect(call.json).toMatchObject({ version: 1, event: 'alert:raised', alert: { id: alert.id, severity: 'warning', target: { deviceId: 'room-r1-reunion' } } });
    // The delivery id is the e-mail's Message-ID too: one key per event and recipient, kept across retries.
    expect(mail.messageId).toMatch(/^<a\d+-raised-\d+-[0-9a-f]{12}@/);
    expect(call.headers['x-lenumerique-delivery']).toMatch(/^a\d+-raised-\d+-[0-9a-f]{12}$/);
  });

  it('while the relay and the receiver are down three alerts wait in the outbox, across a restart; back up, each arrives once, in order', async () => {
    smtp.setDown(true);
    hook.setDown(503);
    const mailsBefore = smtp.messages.length;
    const hooksBefore = hook.received.length;
    const rooms = ['room-r1-coworking', 'room-rdc-formation-1', 'room-rdc-accueil'];
    const raised: number[] = [];
    for (const room of rooms) {
      await stuffy(room);
      raised.push((await waitFor(() => openAlert(room), `the alert of ${room}`)).id);
    }
    // Tried and refused: pending in the delivery log, with the receivers' answers.
    const s = server as RunningServer & { dataDir: string };
    await waitFor(() => smtp.messages.length === mailsBefore && hook.received.length === hooksBefore && s, 'nothing received');
    // A restart with the messages still pending.
    await s.close();
    server = await start();
    expect(smtp.messages.length).toBe(mailsBefore);
    smtp.setDown(false);
    hook.setDown(null);
    const mails = await waitFor(() => {
      const m = smtp.messages.slice(mailsBefore);
      return m.length >= 3 && m;
    }, 'three e-mails once the relay is back', 30_000);
    const hooks = await waitFor(() => {
      const h = hook.received.slice(hooksBefore).filter((r) => (r.json as { event?: string } | null)?.event === 'alert:raised');
      return h.length >= 3 && h;
    }, 'three webhooks once the receiver is back', 30_000);
    // Give a duplicate the time to show up, then count.
    await new Promise((r) => setTimeout(r, 1500));
    const raisedMails = smtp.messages.slice(mailsBefore).filter((m) => !/retour|normal/i.test(m.subject));
    expect(raisedMails.map((m) => m.messageId)).toEqual([...new Set(raisedMails.map((m) => m.messageId))]);
    expect(hooks.map((h) => (h.json as { alert: { id: number } }).alert.id)).toEqual(raised);
    expect(hooks.every((h) => h.signatureValid)).toBe(true);
    expect(mails.slice(0, 3).map((m) => raised.findIndex((id) => m.text.includes(`alert=${id}`)))).toEqual([0, 1, 2]);
    expect(new Set(hook.received.slice(hooksBefore).map((h) => h.headers['x-lenumerique-delivery'])).size).toBe(hook.received.slice(hooksBefore).length);
  });

  it('each user sets their own address and filters; admins manage webhooks, whose secret never comes back; the log says what went where', async () => {
    // ADMIN_EMAIL gave the first admin an address on the first start.
    expect((await getJson<NotifySettings>(`${base()}/api/v1/me/notifications`)).body).toMatchObject({ email: ADMIN, lang: 'fr', severities: ['warning', 'critical'], digest: true });
    const operator = await tokenFor(base(), 'operator');
    const put = await apiFetch(`${base()}/api/v1/me/notifications`, { method: 'PUT', token: operator, body: JSON.stringify({ email: 'technicien@le-numerique.example', lang: 'en', zones: ['rdc-fablab'], quietHours: { start: '22:00', end: '07:00' } }) });
    expect(put.status).toBe(200);
    expect((await put.json()) as NotifySettings).toMatchObject({ email: 'technicien@le-numerique.example', lang: 'en', zones: ['rdc-fablab'], severities: ['warning', 'critical'] });
    const bad = await apiFetch(`${base()}/api/v1/me/notifications`, { method: 'PUT', token: operator, body: JSON.stringify({ email: 'not an address', quietHours: { start: '25:00', end: '07:00' } }) });
    expect(bad.status).toBe(400);
    // An operator may test their own address, not a webhook, and may not read the log.
    expect((await apiFetch(`${base()}/api/v1/notifications/test`, { method: 'POST', token: operator, body: JSON.stringify({ channel: 'email' }) })).status).toBe(202);
    expect((await apiFetch(`${base()}/api/v1/notifications/test`, { method: 'POST', token: operator, body: JSON.stringify({ channel: 'webhook', to: 'default' }) })).status).toBe(403);
    expect((await getJson(`${base()}/api/v1/notifications/deliveries`, operator)).status).toBe(403);
    const test = await waitFor(() => smtp.messages.find((m) => m.to.includes('technicien@le-numerique.example')), 'the test e-mail');
    expect(test.subject).toMatch(/test/i);
    // A webhook added over the API: its secret goes in and never comes out.
    const created = await apiFetch(`${base()}/api/v1/notifications/webhooks`, { method: 'POST', body: JSON.stringify({ name: 'Astreinte', url: `${hook.url}?token=astreinte`, secret: 'another-secret-0123456789', format: 'json', severities: ['critical'] }) });
    expect(created.status).toBe(201);
    const view = (await created.json()) as WebhookView;
    const { body: list } = await getJson<{ webhooks: WebhookView[] }>(`${base()}/api/v1/notifications/webhooks`);
    expect(list.webhooks.map((w) => w.id)).toEqual(['default', view.id]);
    expect(JSON.stringify(list)).not.toContain('another-secret');
    expect(JSON.stringify(list)).not.toContain(SECRET);
    expect(JSON.stringify(list)).not.toContain('astreinte');
    expect((await apiFetch(`${base()}/api/v1/notifications/webhooks/default`, { method: 'DELETE' })).status).toBe(409);
    expect((await apiFetch(`${base()}/api/v1/notifications/webhooks/${view.id}`, { method: 'DELETE' })).status).toBe(204);
    // The log: the messages of this file, sent, each with its recipient and attempts.
    const { body: log } = await getJson<{ deliveries: { channel: string; recipient: string; status: string; attempts: number; event: string }[]; channels: { email: boolean; webhook: boolean } }>(`${base()}/api/v1/notifications/deliveries`);
    expect(log.channels).toEqual({ email: true, webhook: true });
    expect(log.deliveries.some((d) => d.recipient === ADMIN && d.status === 'sent' && d.attempts > 1)).toBe(true);
    expect(log.deliveries.some((d) => d.recipient === 'technicien@le-numerique.example' && d.event === 'test')).toBe(true);
    expect(JSON.stringify(log)).not.toContain(SECRET);
  });
});
