import type { Alert, AlertState, Severity } from '../../shared/alerts';
import { FONT, H1, P, SEVERITY, SEVERITY_COLOUR, SMALL, TD, TH, alertLink, badge, button, escapeHtml, formatDate, formatFixed, formatWhen, page } from './render';
import type { RenderedEmail, RenderOptions } from './render';
import type { Delivery, DigestContent, NotifyLang } from './types';

/**
 * The daily digest (docs/notifications.md): open alerts, the alerts of the last
 * 24 h, what quiet hours held back, devices offline or stale, and yesterday's
 * energy, as an e-mail in the recipient's language, and as the short summary a
 * Slack or ntfy webhook shows. Pure, like render.ts: everything comes from the
 * delivery, so a retried digest is the same digest.
 *
 * render.ts dispatches digest deliveries here and this module uses render.ts's
 * helpers: the two import each other, so nothing of render.ts may be read at
 * this module's top level, only inside its functions.
 */

/** At most this many alerts of the last 24 h are listed, then "and N more". */
export const DIGEST_MAX_RECENT = 20;
/** Open alerts are all listed up to this many: past it the dashboard says it better. */
export const DIGEST_MAX_OPEN = 50;

const T = {
  fr: {
    subject: (date: string) => `Synthèse du ${date}`,
    badge: 'Synthèse quotidienne',
    title: (site: string, date: string) => `${site} — synthèse du ${date}`,
    period: (from: string, to: string) => `Du ${from} au ${to} (heure de Paris).`,
    openTitle: (n: number) => `Alertes ouvertes (${n})`,
    noOpen: 'Aucune alerte ouverte.',
    recentTitle: (n: number) => `Alertes des dernières 24 h (${n})`,
    noRecent: 'Aucune alerte dans les dernières 24 h.',
    more: (n: number) => `… et ${n} autre${n > 1 ? 's' : ''}.`,
    heldTitle: 'Messages retenus',
    held: (n: number) =>
      n > 1 ? `${n} messages non critiques ont été retenus pendant vos heures de silence.` : '1 message non critique a été retenu pendant vos heures de silence.',
    devicesTitle: (n: number) => `Équipements hors ligne ou muets (${n})`,
    noDevices: 'Tous les équipements communiquent.',
    deviceStatus: { offline: 'Hors ligne', stale: 'Muet' } as Record<'offline' | 'stale', string>,
    lastSeen: (at: string) => `dernier message le ${at}`,
    neverSeen: 'aucun message reçu',
    energyTitle: (date: string | null) => (date ? `Énergie d’hier (${date})` : 'Énergie d’hier'),
    pv: 'Production PV',
    consumption: 'Consommation',
    selfSufficiency: 'Autosuffisance',
    since: (at: string) => `depuis le ${at}`,
    raisedAt: (at: string) => `le ${at}`,
    state: { active: 'Active', acknowledged: 'Acquittée', cleared: 'Terminée, non acquittée', closed: 'Close' } as Record<AlertState, string>,
    shelvedUntil: (at: string) => `mise de côté jusqu’au ${at}`,
    openAlert: 'Voir l’alerte',
    openDashboard: 'Ouvrir le tableau de bord',
    footer: (site: string) => `Synthèse quotidienne automatique de la supervision ${site}. Ne pas répondre. Pour ne plus la recevoir, décochez la synthèse dans vos préférences de notification.`,
    colon: '\u00a0: ',
    percent: '\u202f%',
    // Webhook summary (plain spaces, as webhook.ts's other French texts).
    summaryLead: (date: string) => `Synthèse du ${date} : `,
    openCount: (n: number) => (n === 0 ? 'aucune alerte ouverte' : `${n} alerte${n > 1 ? 's' : ''} ouverte${n > 1 ? 's' : ''}`),
    criticalCount: (n: number) => `${n} critique${n > 1 ? 's' : ''}`,
    recentCount: (n: number) => `${n} alerte${n > 1 ? 's' : ''} en 24 h`,
    devicesCount: (n: number) => `${n} équipement${n > 1 ? 's' : ''} hors ligne`,
    heldCount: (n: number) => `${n} message${n > 1 ? 's' : ''} retenu${n > 1 ? 's' : ''}`,
    pvYesterday: (v: string) => `PV hier ${v}`,
  },
  en: {
    subject: (date: string) => `Daily digest, ${date}`,
    badge: 'Daily digest',
    title: (site: string, date: string) => `${site} — daily digest, ${date}`,
    period: (from: string, to: string) => `From ${from} to ${to} (Paris time).`,
    openTitle: (n: number) => `Open alerts (${n})`,
    noOpen: 'No open alerts.',
    recentTitle: (n: number) => `Alerts of the last 24 hours (${n})`,
    noRecent: 'No alerts in the last 24 hours.',
    more: (n: number) => `… and ${n} more.`,
    heldTitle: 'Messages held back',
    held: (n: number) => (n > 1 ? `${n} non-critical messages were held back during your quiet hours.` : '1 non-critical message was held back during your quiet hours.'),
    devicesTitle: (n: number) => `Devices offline or stale (${n})`,
    noDevices: 'All devices are reporting.',
    deviceStatus: { offline: 'Offline', stale: 'Stale' } as Record<'offline' | 'stale', string>,
    lastSeen: (at: string) => `last message ${at}`,
    neverSeen: 'no message received',
    energyTitle: (date: string | null) => (date ? `Yesterday’s energy (${date})` : 'Yesterday’s energy'),
    pv: 'PV production',
    consumption: 'Consumption',
    selfSufficiency: 'Self-sufficiency',
    since: (at: string) => `since ${at}`,
    raisedAt: (at: string) => at,
    state: { active: 'Active', acknowledged: 'Acknowledged', cleared: 'Cleared, not acknowledged', closed: 'Closed' } as Record<AlertState, string>,
    shelvedUntil: (at: string) => `shelved until ${at}`,
    openAlert: 'View alert',
    openDashboard: 'Open the dashboard',
    footer: (site: string) => `Automatic daily digest from the ${site} monitoring. Do not reply. To stop receiving it, turn the digest off in your notification settings.`,
    colon: ': ',
    percent: '%',
    summaryLead: (date: string) => `Daily digest, ${date}: `,
    openCount: (n: number) => (n === 0 ? 'no open alerts' : `${n} open alert${n > 1 ? 's' : ''}`),
    criticalCount: (n: number) => `${n} critical`,
    recentCount: (n: number) => `${n} alert${n > 1 ? 's' : ''} in 24 h`,
    devicesCount: (n: number) => `${n} device${n > 1 ? 's' : ''} offline`,
    heldCount: (n: number) => `${n} message${n > 1 ? 's' : ''} held back`,
    pvYesterday: (v: string) => `PV yesterday ${v}`,
  },
} satisfies Record<NotifyLang, unknown>;

const NONE = '—';
const NBSP = '\u00a0';

/** The digest's content, or the error a delivery without it deserves (a bug upstream, logged with the delivery). */
function contentOf(d: Delivery): DigestContent {
  if (d.event.type !== 'digest' || !d.event.digest) throw new Error(`${d.event.type} notification without its digest`);
  return d.event.digest;
}

const langOf = (d: Delivery): NotifyLang => (d.lang === 'en' ? 'en' : 'fr');
const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

/** The dashboard's home page. */
export function dashboardLink(publicUrl: string): string {
  return `${base(publicUrl)}/`;
}

/** "123,4 kWh" / "123.4 kWh"; "—" when unknown. */
function kWh(v: number | null | undefined, lang: NotifyLang): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NONE : `${formatFixed(v, 1, lang)}${NBSP}kWh`;
}

function pct(v: number | null | undefined, lang: NotifyLang): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NONE : `${formatFixed(v, 0, lang)}${T[lang].percent}`;
}

/** "Active", "Acquittée, mise de côté jusqu’au …". */
function stateOf(a: Alert, lang: NotifyLang, now: number): string {
  const t = T[lang];
  const state = t.state[a.state] ?? a.state;
  return a.shelved && a.shelved.until > now ? `${state}, ${t.shelvedUntil(formatWhen(a.shelved.until, lang))}` : state;
}

interface Line {
  alert: Alert;
  severity: Severity;
  /** "Critique — CO₂ élevé — Ambiance salle · CO₂" */
  title: string;
  /** "Salle de réunion R+1 · depuis le … · Active" */
  detail: string;
  link: string;
}

/** An open alert says since when; one of the last 24 h says when it was raised. */
function alertLine(a: Alert, kind: 'open' | 'recent', lang: NotifyLang, opts: RenderOptions, now: number): Line {
  const t = T[lang];
  const zone = opts.zoneLabel?.(a.target.zone) ?? a.target.zone;
  const when = formatWhen(a.raisedAt, lang);
  return {
    alert: a,
    severity: a.severity,
    title: `${SEVERITY[lang][a.severity]} — ${a.ruleName} — ${a.target.label}`,
    detail: [zone, kind === 'open' ? t.since(when) : t.raisedAt(when), stateOf(a, lang, now)].join(' · '),
    link: alertLink(opts.publicUrl, a),
  };
}

function deviceLine(dev: DigestContent['devices'][number], lang: NotifyLang): { label: string; status: string; seen: string } {
  const t = T[lang];
  return { label: dev.label || dev.id, status: t.deviceStatus[dev.status] ?? dev.status, seen: dev.lastSeen === null ? t.neverSeen : t.lastSeen(formatWhen(dev.lastSeen, lang)) };
}

/** The daily digest e-mail: subject, plain text and HTML, in the recipient's language (French unless English). */
export function renderDigestEmail(d: Delivery, opts: RenderOptions): RenderedEmail {
  const lang = langOf(d);
  const t = T[lang];
  const g = contentOf(d);
  const now = g.toMs;
  const date = formatDate(g.date, lang);
  const subject = `[${opts.siteName}] ${t.subject(date)}`;
  const title = t.title(opts.siteName, date);
  const period = t.period(formatWhen(g.fromMs, lang), formatWhen(g.toMs, lang));

  const open = g.open.slice(0, DIGEST_MAX_OPEN).map((a) => alertLine(a, 'open', lang, opts, now));
  const openMore = g.open.length - open.length;
  const recent = g.recent.slice(0, DIGEST_MAX_RECENT).map((a) => alertLine(a, 'recent', lang, opts, now));
  const recentMore = g.recent.length - recent.length;
  const devices = g.devices.map((dev) => deviceLine(dev, lang));
  const energyTitle = t.energyTitle(g.energy ? formatDate(g.energy.date, lang) : null);
  const energy: Array<[string, string]> = [
    [t.pv, kWh(g.energy?.pvKWh, lang)],
    [t.consumption, kWh(g.energy?.consumptionKWh, lang)],
    [t.selfSufficiency, pct(g.energy?.selfSufficiencyPct, lang)],
  ];
  const home = dashboardLink(opts.publicUrl);

  // --- Plain text
  const textAlerts = (lines: Line[], withLink: boolean) => lines.flatMap((l) => [`- ${l.title}`, `  ${l.detail}`, ...(withLink ? [`  ${l.link}`] : [])]);
  const text = [
    title,
    period,
    '',
    t.openTitle(g.open.length),
    ...(open.length ? textAlerts(open, true) : [t.noOpen]),
    ...(openMore > 0 ? [t.more(openMore)] : []),
    '',
    t.recentTitle(g.recent.length),
    ...(recent.length ? textAlerts(recent, false) : [t.noRecent]),
    ...(recentMore > 0 ? [t.more(recentMore)] : []),
    '',
    ...(g.held > 0 ? [t.heldTitle, t.held(g.held), ''] : []),
    t.devicesTitle(g.devices.length),
    ...(devices.length ? devices.map((v) => `- ${v.label} — ${v.status} — ${v.seen}`) : [t.noDevices]),
    '',
    energyTitle,
    ...energy.map(([k, v]) => `${k}${t.colon}${v}`),
    '',
    `${t.openDashboard}${t.colon.trimEnd()}`,
    home,
    '',
    '-- ',
    t.footer(opts.siteName),
  ].join('\n');

  // --- HTML
  const h2 = (s: string) => `<h2 style="${H2()}">${escapeHtml(s)}</h2>`;
  const note = (s: string) => `<p style="${P}">${escapeHtml(s)}</p>`;
  const table = (rows: string[]) => `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;margin:0 0 16px">${rows.join('')}</table>`;
  const alertRows = (lines: Line[]) =>
    lines.map(
      (l) =>
        `<tr><td style="${TD}"><span style="${SEVERITY_TAG()};background-color:${SEVERITY_COLOUR[l.severity]}">${escapeHtml(SEVERITY[lang][l.severity])}</span> <a href="${escapeHtml(l.link)}" style="color:#1f5f99;font-weight:bold">${escapeHtml(l.alert.ruleName)}</a> — ${escapeHtml(l.alert.target.label)}<br><span style="color:#444444">${escapeHtml(l.detail)}</span></td></tr>`,
    );
  const moreLine = (n: number) => (n > 0 ? note(t.more(n)) : '');

  const html = page(lang, subject, [
    badge(t.badge, SEVERITY_COLOUR.info),
    `<h1 style="${H1}">${escapeHtml(title)}</h1>`,
    note(period),
    h2(t.openTitle(g.open.length)),
    open.length ? table(alertRows(open)) : note(t.noOpen),
    moreLine(openMore),
    h2(t.recentTitle(g.recent.length)),
    recent.length ? table(alertRows(recent)) : note(t.noRecent),
    moreLine(recentMore),
    g.held > 0 ? h2(t.heldTitle) + note(t.held(g.held)) : '',
    h2(t.devicesTitle(g.devices.length)),
    devices.length
      ? table(devices.map((v) => `<tr><td style="${TD}"><strong>${escapeHtml(v.label)}</strong> — ${escapeHtml(v.status)}<br><span style="color:#444444">${escapeHtml(v.seen)}</span></td></tr>`))
      : note(t.noDevices),
    h2(energyTitle),
    table(energy.map(([k, v]) => `<tr><th scope="row" style="${TH}">${escapeHtml(k)}</th><td style="${TD}">${escapeHtml(v)}</td></tr>`)),
    button(home, t.openDashboard),
    `<p style="${SMALL}">${escapeHtml(t.footer(opts.siteName))}</p>`,
  ]);
  return { subject, text, html };
}

// Styles of the digest's own blocks, built from render.ts's at call time (see the module's comment).
const H2 = () => H1.replace('font-size:20px', 'font-size:17px').replace('margin:0 0 12px', 'margin:20px 0 8px');
const SEVERITY_TAG = () => `${FONT};display:inline-block;padding:1px 6px;border-radius:3px;color:#ffffff;font-size:12px;font-weight:bold`;

/** The one-line summary a Slack message or an ntfy notification shows; `title` is its first part ("Synthèse du 8 déc. 2026"). */
export function digestSummary(d: Delivery): { title: string; summary: string; text: string } {
  const lang = langOf(d);
  const t = T[lang];
  const g = contentOf(d);
  const date = formatDate(g.date, lang);
  const critical = g.open.filter((a) => a.severity === 'critical').length;
  const parts = [
    `${t.openCount(g.open.length)}${critical > 0 ? ` (${t.criticalCount(critical)})` : ''}`,
    ...(g.recent.length > 0 ? [t.recentCount(g.recent.length)] : []),
    ...(g.devices.length > 0 ? [t.devicesCount(g.devices.length)] : []),
    ...(g.held > 0 ? [t.heldCount(g.held)] : []),
    t.pvYesterday(kWh(g.energy?.pvKWh, lang)),
  ];
  const summary = parts.join(', ');
  const lead = t.summaryLead(date);
  return { title: lead.replace(/\s*:\s*$/, ''), summary, text: `${lead}${summary}` };
}
