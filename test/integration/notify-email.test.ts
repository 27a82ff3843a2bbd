import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts';
import { createEmailProvider } from '../../server/notify/email';
import type { Delivery, Provider } from '../../server/notify/types';
import { type RunningSmtp, startSmtpServer } from '../helpers/smtp';
import { alertFixture } from '../helpers/alert-fixture';

const RAISED = Date.parse('2026-12-08T02:12:00Z');
const ALERT: Alert = alertFixture({ id: 7, raisedAt: RAISED });

const delivery = (key: string): Delivery => ({ id: 1, key, channel: 'email', to: 'gestionnaire@example.org', lang: 'fr', event: { type: 'alert:raised', alert: ALERT, at: RAISED }, attempts: 0 });
const common = { from: 'Le Numérique <supervision@example.org>', publicUrl: 'https://supervision.example.org', siteName: 'Le Numérique' };
const LINK = 'https://supervision.example.org/alerts?alert=7';

describe('e-mail provider against a real SMTP server', () => {
  let smtp: RunningSmtp;
  let provider: Provider;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    provider = createEmailProvider({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, ...common });
  });
  afterAll(async () => {
    await provider?.close?.();
    await smtp?.stop();
  });

  it('delivers the alert with its idempotent Message-ID, French subject, text and HTML parts', async () => {
    await provider.send(delivery('a7-raised-1765159920000-0123456789ab'));
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0]!;
    expect(m.messageId).toBe('<a7-raised-1765159920000-0123456789ab@lenumerique>');
    // Header names are case-insensitive; nodemailer writes this one "X-Lenumerique-Delivery".
    expect(m.raw).toMatch(/^X-LeNumerique-Delivery: a7-raised-1765159920000-0123456789ab\r?$/im);
    expect(m.to).toEqual(['gestionnaire@example.org']);
    expect(m.from).toBe('supervision@example.org');
    expect(m.subject).toBe('[Le Numérique] CRITIQUE — CO₂ élevé — Ambiance Salle de réunion · CO₂');
    expect(m.text).toContain(LINK);
    expect(m.text).toContain('8 déc. 2026 à 03:12');
    expect(m.html).toContain(`href="${LINK}"`);
    expect(m.html).toContain('CO₂ élevé');
  });

  it('keeps the Message-ID of a resent delivery', async () => {
    smtp.messages.length = 0;
    await provider.send(delivery('retry-key'));
    await provider.send({ ...delivery('retry-key'), attempts: 1 });
    expect(smtp.messages.map((m) => m.messageId)).toEqual(['<retry-key@lenumerique>', '<retry-key@lenumerique>']);
  });

  it('rejects with the 451 while the relay answers with a temporary failure', async () => {
    smtp.messages.length = 0;
    smtp.setDown(true);
    try {
      await expect(provider.send(delivery('down-key'))).rejects.toThrow(/451/);
    } finally {
      smtp.setDown(false);
    }
    expect(smtp.messages).toHaveLength(0);
    await provider.send(delivery('up-again'));
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('e-mail provider with SMTP authentication', () => {
  let smtp: RunningSmtp;
  const closers: Provider[] = [];
  beforeAll(async () => {
    smtp = await startSmtpServer({ auth: { user: 'notify', pass: 'right-Secret-42' } });
  });
  afterAll(async () => {
    for (const p of closers) await p.close?.();
    await smtp?.stop();
  });
  const make = (o: { smtpUrl?: string; user?: string; password?: string }) => {
    const p = createEmailProvider({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, ...common, ...o });
    closers.push(p);
    return p;
  };

  it('logs in with the configured user and password', async () => {
    await make({ user: 'notify', password: 'right-Secret-42' }).send(delivery('auth-ok'));
    expect(smtp.messages.map((m) => m.messageId)).toEqual(['<auth-ok@lenumerique>']);
  });

  it('rejects a wrong password without writing it in the error', async () => {
    const err = await make({ user: 'notify', password: 'wrong-Secret-99' }).send(delivery('auth-bad')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/535|auth|login/i);
    expect((err as Error).message).not.toContain('wrong-Secret-99');
  });

  it('rejects wrong credentials given in the URL without writing them in the error', async () => {
    const err = await make({ smtpUrl: `smtp://notify:url%2FSecret-77@127.0.0.1:${smtp.port}` }).send(delivery('auth-url')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toMatch(/url%2FSecret-77|url\/Secret-77/);
    expect(smtp.messages.map((m) => m.messageId)).not.toContain('<auth-url@lenumerique>');
  });
});
