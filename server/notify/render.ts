import type { Alert, Severity } from '../../shared/alerts';
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

const TIME_ZONE = 'Europe/Paris';
/** en-GB like the dashboard (web/src/lib/i18n.tsx): 24-hour clock, day before month. */
const LOCALE: Record<NotifyLang, string> = { fr: 'fr-FR', en: 'en-GB' };

const SEVERITY: Record<NotifyLang, Record<Severity, string>> = {
  fr: { info: 'Information', warning: 'Avertissement', critical: 'Critique' },
  en: { info: 'Information', warning: 'Warning', critical: 'Critical' },
};

/** Background of the severity badge; white text on each passes WCAG AA, in light and in inverted (dark) rendering. */
const SEVERITY_COLOUR: Record<Severity, string> = { info: '#1f5f99', warning: '#8a4b00', critical: '#b3261e' };

const T = {
  fr: {
    raised: 'Alerte',
    cleared: 'Retour à la normale',
    escalated: 'Escalade',
    test: 'Test de notification',
    clearedLine: (at: string) => `Retour à la normale le ${at}.`,
    escalatedLine: (since: string, late: string) => `Escalade\u00a0: non acquittée depuis le ${since} (${late}).`,
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
    test: 'Notification test',
    clearedLine: (at: string) => `Back to normal on ${at}.`,
    escalatedLine: (since: string, late: string) => `Escalation: not acknowledged since ${since} (${late}).`,
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

export function renderAlertEmail(d: Delivery, opts: RenderOptions): RenderedEmail {
  const lang: NotifyLang = d.lang === 'en' ? 'en' : 'fr';
  const t = T[lang];
  const { event } = d;
  if (event.type === 'test') return renderTest(lang, opts);
  const alert = event.alert;
  // The outbox only queues alert events with their alert: one without is a bug upstream, logged with the delivery.
  if (!alert) throw new Error(`${event.type} notification without its alert`);

  const severity = SEVERITY[lang][alert.severity];
  const heading = event.type === 'alert:cleared' ? t.cleared : event.type === 'alert:escalated' ? `${t.escalated} — ${severity}` : severity;
  const subject = `[${opts.siteName}] ${heading.toLocaleUpperCase(LOCALE[lang])} — ${alert.ruleName} — ${alert.target.label}`;

  const lead =
    event.type === 'alert:escalated'
      ? t.escalatedLine(formatWhen(alert.raisedAt, lang), formatDuration(event.at - alert.raisedAt, lang))
      : event.type === 'alert:cleared'
        ? t.clearedLine(formatWhen(alert.clearedAt ?? event.at, lang))
        : null;
  const message = event.type === 'alert:cleared' && alert.clearMessage ? alert.clearMessage : alert.message;
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
    ...facts.map(([k, v]) => `${k}${t.colon}${v}`),
    '',
    `${t.open}${t.colon.trimEnd()}`,
    link,
    '',
    '-- ',
    t.footer(opts.siteName),
  ].join('\n');

  const html = page(lang, subject, [
    badge(heading, event.type === 'alert:cleared' ? '#2e6b30' : SEVERITY_COLOUR[alert.severity]),
    `<h1 style="${H1}">${escapeHtml(title)}</h1>`,
    lead ? `<p style="${P};font-weight:bold">${escapeHtml(lead)}</p>` : '',
    `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;margin:0 0 16px">${facts
      .map(([k, v]) => `<tr><th scope="row" style="${TH}">${escapeHtml(k)}</th><td style="${TD}">${escapeHtml(v)}</td></tr>`)
      .join('')}</table>`,
    button(link, t.open),
    `<p style="${SMALL}">${escapeHtml(t.footer(opts.siteName))}</p>`,
  ]);
  return { subject, text, html };
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
const FONT = 'font-family:Arial,Helvetica,sans-serif';
const H1 = `${FONT};font-size:20px;line-height:1.3;margin:0 0 12px;color:#1a1a1a`;
const P = `${FONT};font-size:15px;line-height:1.5;margin:0 0 12px;color:#1a1a1a`;
const TH = `${FONT};font-size:14px;text-align:left;vertical-align:top;padding:6px 12px 6px 0;color:#444444;font-weight:normal;white-space:nowrap;border-bottom:1px solid #dddddd`;
const TD = `${FONT};font-size:14px;vertical-align:top;padding:6px 0;color:#1a1a1a;border-bottom:1px solid #dddddd`;
const SMALL = `${FONT};font-size:12px;line-height:1.4;margin:16px 0 0;color:#555555`;

function badge(label: string, colour: string): string {
  return `<p style="margin:0 0 12px"><span style="${FONT};display:inline-block;padding:4px 10px;border-radius:4px;background-color:${colour};color:#ffffff;font-size:13px;font-weight:bold;letter-spacing:0.03em">${escapeHtml(label.toUpperCase())}</span></p>`;
}

function button(href: string, label: string): string {
  return `<p style="margin:0 0 12px"><a href="${escapeHtml(href)}" style="${FONT};display:inline-block;padding:10px 16px;border-radius:4px;background-color:#1f5f99;color:#ffffff;font-size:15px;font-weight:bold;text-decoration:none">${escapeHtml(label)}</a></p><p style="${SMALL};margin-top:0;word-break:break-all"><a href="${escapeHtml(href)}" style="color:#1f5f99">${escapeHtml(href)}</a></p>`;
}

function page(lang: NotifyLang, title: string, blocks: string[]): string {
  // color-scheme "light": the message is designed on white; clients that force a
  // dark mode invert it whole, which keeps each colour pair readable.
  return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light"><title>${escapeHtml(title)}</title></head><body style="margin:0;padding:16px;background-color:#f2f2f2;color:#1a1a1a"><table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;max-width:600px;margin:0 auto;background-color:#ffffff;color:#1a1a1a;border:1px solid #dddddd"><tr><td style="padding:20px">${blocks.join('')}</td></tr></table></body></html>`;
}
