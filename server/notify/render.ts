import type { Alert, Severity } from '../../shared/alerts';
import { renderDigestEmail } from './digest';
import type { Delivery, NotifyLang } from './types';

/**
 * The e-mail of one delivery: subject, plain text and HTML, in the recipient's
 * language. Pure: every date comes from the alert or the event, formatted in the
 * building's time zone, so the same delivery always renders the same message
 * (a retried e-mail is the same e-mail).
 */

export interface RenderOptions {
  /** The dashboard's address as its users reach it, without a trailing "/". */
  publicUrl: string;
  siteName: string;
  /** A zone's label ("Salle de réunion R+1"); the zone id is shown without it. */
  zoneLabel?: (zone: string) => string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const TIME_ZONE = 'Europe/Paris';
/** en-GB like the dashboard (web/src/lib/i18n.tsx): 24-hour clock, day before month. */
export const LOCALE: Record<NotifyLang, string> = { fr: 'fr-FR', en: 'en-GB' };

export const SEVERITY: Record<NotifyLang, Record<Severity, string>> = {
  fr: { info: 'Information', warning: 'Avertissement', critical: 'Critique' },
  en: { info: 'Information', warning: 'Warning', critical: 'Critical' },
};

/** Background of the severity badge; white text on each passes WCAG AA, in light and in inverted (dark) rendering. */
export const SEVERITY_COLOUR: Record<Severity, string> = { info: '#1f5f99', warning: '#8a4b00', critical: '#b3261e' };

const T = {
  fr: {
    raised: 'Alerte',
    cleared: 'Retour à la normale',
    escalated: 'Escalade',
    test: 'Test de notification',
    clearedLine: (at: string) => `Retour à la normale le ${at}.`,
    flood: 'Beaucoup d’alertes en peu de temps : les suivantes ne vous sont plus envoyées pendant une heure. Le tableau de bord les montre toutes.',
    /** The second and later escalations say which one they are: "2e escalade". */
    escalatedN: (level: number) => `${level}e escalade`,
    escalatedNUpper: (level: number) => `${level}e ESCALADE`,
    escalatedLine: (since: string, late: string, level: number) =>
      `${level > 1 ? `${level}e escalade` : 'Escalade'}\u00a0: non acquittée depuis le ${since} (${late}).`,
    severity: 'Gravité',
    zone: 'Zone',
    device: 'Appareil',
    point: 'Point de mesure',
    since: 'Depuis',
    value: 'Valeur',
    occurrences: 'Occurrences',
    message: 'Message',
    parisTime: 'heure de Paris',
    open: 'Voir l’alerte dans le tableau de bord',
    testBody: (site: string) => `Ceci est un message de test envoyé par la supervision ${site}. Si vous le lisez, les alertes vous parviendront par e-mail.`,
    openDashboard: 'Ouvrir le tableau de bord',
    footer: (site: string) => `Message automatique de la supervision ${site}. Ne pas répondre.`,
    at: ' à ',
    // French typography: a no-break space before the colon.
    colon: '\u00a0: ',
    day: 'j',
  },
  en: {
    raised: 'Alert',
    cleared: 'Back to normal',
    escalated: 'Escalation',
    flood: 'Many alerts in a short time: the next ones are not sent to you for an hour. The dashboard shows them all.',
    test: 'Notification test',
    clearedLine: (at: string) => `Back to normal on ${at}.`,
    escalatedN: (level: number) => `Escalation ${level}`,
    escalatedNUpper: (level: number) => `ESCALATION ${level}`,
    escalatedLine: (since: string, late: string, level: number) => `${level > 1 ? `Escalation ${level}` : 'Escalation'}: not acknowledged since ${since} (${late}).`,
    severity: 'Severity',
    zone: 'Zone',
    device: 'Device',
    point: 'Measuring point',
    since: 'Since',
    value: 'Value',
    occurrences: 'Occurrences',
    // Alert messages are written by the server in French (server/alerts/format.ts).
    message: 'Message (in French)',
    parisTime: 'Paris time',
    open: 'View the alert in the dashboard',
    testBody: (site: string) => `This is a test message from the ${site} monitoring. If you can read it, alerts will reach you by e-mail.`,
    openDashboard: 'Open the dashboard',
    footer: (site: string) => `Automatic message from the ${site} monitoring. Do not reply.`,
    at: ', ',
    colon: ': ',
    day: 'd',
  },
} satisfies Record<NotifyLang, unknown>;

const formats = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<F extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => F): F {
  let f = formats.get(key) as F | undefined;
  if (!f) formats.set(key, (f = make()));
  return f;
}

/** "8 déc. 2026 à 03:12" / "8 Dec 2026, 03:12", Paris time. */
export function formatWhen(ms: number, lang: NotifyLang): string {
  const locale = LOCALE[lang];
  const date = cached(`d:${locale}`, () => new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'medium' }));
  const time = cached(`t:${locale}`, () => new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
  return `${date.format(ms)}${T[lang].at}${time.format(ms)}`;
}

function formatNumber(value: number, lang: NotifyLang): string {
  const locale = LOCALE[lang];
  return cached(`n:${locale}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: 2, signDisplay: 'negative' })).format(value);
}

/** A number with exactly `decimals` decimals, as the dashboard shows a figure with its unit ("123,4" / "123.4"); never "-0". */
export function formatFixed(value: number, decimals: number, lang: NotifyLang): string {
  const locale = LOCALE[lang];
  return cached(`f${decimals}:${locale}`, () => new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals, signDisplay: 'negative' })).format(value);
}

/** A Paris calendar date ("2026-12-08") as "8 déc. 2026" / "8 Dec 2026"; anything else as given. */
export function formatDate(date: string, lang: NotifyLang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!Number.isFinite(ms)) return date;
  const locale = LOCALE[lang];
  // The date is already Paris's: formatted as a UTC midnight, it cannot move to another day.
  return cached(`D:${locale}`, () => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' })).format(ms);
}

/** 45 min, 1 h 05, 2 j 3 h: how long an alert has waited for an acknowledgement. */
function formatDuration(ms: number, lang: NotifyLang): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')}`;
  return `${Math.floor(h / 24)} ${T[lang].day} ${h % 24} h`;
}

/** Every string put into the HTML goes through this: rule names, messages and labels come from configuration and devices. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The dashboard's address of one alert (the alerts page opens it from the `alert` query parameter). */
export function alertLink(publicUrl: string, alert: Alert): string {
  return `${publicUrl.replace(/\/+$/, '')}/alerts?alert=${alert.id}`;
}

/** The e-mail of any delivery: an alert event, the test message, or the daily digest (server/notify/digest.ts). */
export function renderAlertEmail(d: Delivery, opts: RenderOptions): RenderedEmail {
  const lang: NotifyLang = d.lang === 'en' ? 'en' : 'fr';
  const t = T[lang];
  const { event } = d;
  if (event.type === 'test') return renderTest(lang, opts);
  if (event.type === 'digest') return renderDigestEmail(d, opts);
  const alert = event.alert;
  // The outbox only queues alert events with their alert: one without is a bug upstream, logged with the delivery.
  if (!alert) throw new Error(`${event.type} notification without its alert`);

  const severity = SEVERITY[lang][alert.severity];
  const level = event.type === 'alert:escalated' ? escalationLevel(event.level) : 1;
  const heading = event.type === 'alert:cleared' ? t.cleared : event.type === 'alert:escalated' ? `${level > 1 ? t.escalatedN(level) : t.escalated} — ${severity}` : severity;
  // Upper case, but not the ordinal's "e" of "2e escalade".
  const headingUpper =
    event.type === 'alert:escalated' && level > 1 ? `${t.escalatedNUpper(level)} — ${severity.toLocaleUpperCase(LOCALE[lang])}` : heading.toLocaleUpperCase(LOCALE[lang]);
  const subject = `[${opts.siteName}] ${headingUpper} — ${alert.ruleName} — ${alert.target.label}`;

  const lead =
    event.type === 'alert:escalated'
      ? t.escalatedLine(formatWhen(alert.raisedAt, lang), formatDuration(event.at - alert.raisedAt, lang), level)
      : event.type === 'alert:cleared'
        ? t.clearedLine(formatWhen(alert.clearedAt ?? event.at, lang))
        : null;
  const message = event.type === 'alert:cleared' && alert.clearMessage ? alert.clearMessage : alert.message;
  // Past the flood limit (policy.ts): this message is the last one for a while, and says so.
  const flood = event.flood ? t.flood : null;
  const zone = opts.zoneLabel?.(alert.target.zone) ?? alert.target.zone;
  const facts: Array<[string, string]> = [
    [t.severity, severity],
    [t.message, message],
    [t.zone, zone],
    [t.device, alert.target.deviceId],
    ...(alert.target.seriesId ? [[t.point, alert.target.seriesId] as [string, string]] : []),
    [t.since, `${formatWhen(alert.raisedAt, lang)} (${t.parisTime})`],
    ...(alert.value !== null ? [[t.value, `${formatNumber(alert.value, lang)} — ${alert.target.label}`] as [string, string]] : []),
    ...(alert.occurrences > 1 ? [[t.occurrences, String(alert.occurrences)] as [string, string]] : []),
  ];
  const link = alertLink(opts.publicUrl, alert);
  const title = `${alert.ruleName} — ${alert.target.label}`;

  const text = [
    `${heading}${t.colon}${title}`,
    '',
    ...(lead ? [lead, ''] : []),
    ...(flood ? [flood, ''] : []),
    ...facts.map(([k, v]) => `${k}${t.colon}${v}`),
    '',
    `${t.open}${t.colon.trimEnd()}`,
    link,
    '',
    '-- ',
    t.footer(opts.siteName),
  ].join('\n');

  const html = page(lang, subject, [
    badge(headingUpper, event.type === 'alert:cleared' ? '#2e6b30' : SEVERITY_COLOUR[alert.severity], false),
    `<h1 style="${H1}">${escapeHtml(title)}</h1>`,
    lead ? `<p style="${P};font-weight:bold">${escapeHtml(lead)}</p>` : '',
    flood ? `<p style="${P}">${escapeHtml(flood)}</p>` : '',
    `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;margin:0 0 16px">${facts
      .map(([k, v]) => `<tr><th scope="row" style="${TH}">${escapeHtml(k)}</th><td style="${TD}">${escapeHtml(v)}</td></tr>`)
      .join('')}</table>`,
    button(link, t.open),
    `<p style="${SMALL}">${escapeHtml(t.footer(opts.siteName))}</p>`,
  ]);
  return { subject, text, html };
}

/** An escalation's number: 1 when the event does not say (the first, or an older outbox row). */
function escalationLevel(level: number | undefined): number {
  return level !== undefined && Number.isInteger(level) && level > 1 ? level : 1;
}

function renderTest(lang: NotifyLang, opts: RenderOptions): RenderedEmail {
  const t = T[lang];
  const link = `${opts.publicUrl.replace(/\/+$/, '')}/alerts`;
  const subject = `[${opts.siteName}] ${t.test}`;
  const body = t.testBody(opts.siteName);
  const text = [body, '', link, '', '-- ', t.footer(opts.siteName)].join('\n');
  const html = page(lang, subject, [badge(t.test, SEVERITY_COLOUR.info), `<p style="${P}">${escapeHtml(body)}</p>`, button(link, t.openDashboard), `<p style="${SMALL}">${escapeHtml(t.footer(opts.siteName))}</p>`]);
  return { subject, text, html };
}

// Inline styles only (mail clients drop <style> blocks and external CSS). Every
// block sets its text colour together with its background, so a client that
// inverts colours for dark mode inverts both and the text stays readable.
// Exported for the digest (server/notify/digest.ts), which must only read them
// inside its functions: it and this module import each other.
export const FONT = 'font-family:Arial,Helvetica,sans-serif';
export const H1 = `${FONT};font-size:20px;line-height:1.3;margin:0 0 12px;color:#1a1a1a`;
export const P = `${FONT};font-size:15px;line-height:1.5;margin:0 0 12px;color:#1a1a1a`;
export const TH = `${FONT};font-size:14px;text-align:left;vertical-align:top;padding:6px 12px 6px 0;color:#444444;font-weight:normal;white-space:nowrap;border-bottom:1px solid #dddddd`;
export const TD = `${FONT};font-size:14px;vertical-align:top;padding:6px 0;color:#1a1a1a;border-bottom:1px solid #dddddd`;
export const SMALL = `${FONT};font-size:12px;line-height:1.4;margin:16px 0 0;color:#555555`;

/** A coloured label; `upper` false when the caller already cased it (an ordinal's "2e" stays lower case). */
export function badge(label: string, colour: string, upper = true): string {
  return `<p style="margin:0 0 12px"><span style="${FONT};display:inline-block;padding:4px 10px;border-radius:4px;background-color:${colour};color:#ffffff;font-size:13px;font-weight:bold;letter-spacing:0.03em">${escapeHtml(upper ? label.toUpperCase() : label)}</span></p>`;
}

export function button(href: string, label: string): string {
  return `<p style="margin:0 0 12px"><a href="${escapeHtml(href)}" style="${FONT};display:inline-block;padding:10px 16px;border-radius:4px;background-color:#1f5f99;color:#ffffff;font-size:15px;font-weight:bold;text-decoration:none">${escapeHtml(label)}</a></p><p style="${SMALL};margin-top:0;word-break:break-all"><a href="${escapeHtml(href)}" style="color:#1f5f99">${escapeHtml(href)}</a></p>`;
}

export function page(lang: NotifyLang, title: string, blocks: string[]): string {
  // color-scheme "light": the message is designed on white; clients that force a
  // dark mode invert it whole, which keeps each colour pair readable.
  return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light"><title>${escapeHtml(title)}</title></head><body style="margin:0;padding:16px;background-color:#f2f2f2;color:#1a1a1a"><table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;max-width:600px;margin:0 auto;background-color:#ffffff;color:#1a1a1a;border:1px solid #dddddd"><tr><td style="padding:20px">${blocks.join('')}</td></tr></table></body></html>`;
}
