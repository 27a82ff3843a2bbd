import nodemailer from 'nodemailer';
import { renderAlertEmail } from './render';
import type { Delivery, Provider } from './types';

export interface EmailProviderOptions {
  /** smtp://host:587 (STARTTLS when the server offers it) or smtps://host:465; may carry user:password. */
  smtpUrl: string;
  user?: string;
  password?: string;
  /** The From header, e.g. "Le Numérique <supervision@example.org>". */
  from: string;
  publicUrl: string;
  siteName: string;
  zoneLabel?: (zone: string) => string;
}

/** An SMTP relay is either answering within seconds or down: fail fast, the outbox retries later. */
const TIMEOUT_MS = 10_000;

/** E-mail through an SMTP relay (nodemailer), one connection per message: alerts are rare. */
export function createEmailProvider(opts: EmailProviderOptions): Provider {
  const transport = nodemailer.createTransport({
    url: opts.smtpUrl,
    // Credentials in the URL win over these (nodemailer merges the URL last).
    ...(opts.user !== undefined ? { auth: { user: opts.user, pass: opts.password ?? '' } } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  const secrets = secretsOf(opts);

  return {
    channel: 'email',
    async send(d: Delivery): Promise<void> {
      const { subject, text, html } = renderAlertEmail(d, opts);
      try {
        await transport.sendMail({
          from: opts.from,
          to: d.to,
          subject,
          text,
          html,
          // The same key on every attempt: a message resent after a lost reply keeps
          // its Message-ID, so mail clients and archives show it once.
          messageId: `<${messageIdPart(d.key)}@lenumerique>`,
          headers: { 'X-LeNumerique-Delivery': d.key },
        });
      } catch (err) {
        // No `cause`: a logger serialising it would print nodemailer's error unredacted.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(redact(`SMTP: ${describe(err)}`, secrets));
      }
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}

/** The outbox's keys are already letters, digits and "-"; anything else would break the Message-ID header. */
function messageIdPart(key: string): string {
  return key.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-');
}

/** nodemailer's message, with the SMTP reply code when the message lacks it (the delivery log shows why). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && !err.message.includes(String(code)) ? `${err.message} (${code})` : err.message;
}

function secretsOf(opts: EmailProviderOptions): string[] {
  const secrets = opts.password ? [opts.password] : [];
  try {
    const p = new URL(opts.smtpUrl).password;
    if (p) secrets.push(p, decodeURIComponent(p));
  } catch {
    // Not a URL nodemailer could use either: it fails on its own.
  }
  return secrets.filter((s) => s.length > 0);
}

/**
 * The delivery log is shown to admins and kept: no password in it, even if a
 * server echoed one or an error quoted the connection URL.
 */
function redact(message: string, secrets: readonly string[]): string {
  let out = message.replace(/\b(smtps?:\/\/)[^/\s@]*@/gi, '$1***@');
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}
