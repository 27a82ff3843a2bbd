import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Alert, Severity } from '../../shared/alerts';
import { dashboardLink, digestSummary } from './digest';
import type { Delivery, NotifyLang, Provider } from './types';

/**
 * Webhook notifications: one signed HTTP POST per delivery, as JSON (our own
 * versioned document), a Slack/Mattermost incoming-webhook message, or an ntfy
 * publication.
 *
 * Signature (docs for receivers): `X-LeNumerique-Signature: sha256=<hex>` where
 * hex = HMAC-SHA256(secret, `${timestamp}.${body}`) and timestamp is the
 * `X-LeNumerique-Timestamp` header (Unix seconds). Signing the timestamp with
 * the body, as Stripe and Slack do, lets a receiver refuse an old request
 * replayed by someone who captured it: check the signature, then that the
 * timestamp is recent (a few minutes). `X-LeNumerique-Delivery` is stable
 * across retries: a receiver that already saw it can ignore the duplicate.
 */

export interface WebhookTarget {
  id: string;
  /** For 'ntfy': the topic's URL (https://ntfy.sh/my-topic); the message is posted to the server root with the topic in the body. */
  url: string;
  secret: string;
  format: 'json' | 'slack' | 'ntfy';
}

export const SIGNATURE_HEADER = 'X-LeNumerique-Signature';
export const DELIVERY_HEADER = 'X-LeNumerique-Delivery';
export const EVENT_HEADER = 'X-LeNumerique-Event';
export const TIMESTAMP_HEADER = 'X-LeNumerique-Timestamp';

const USER_AGENT = 'le-numerique-monitor';
/** Enough of a refusal's body to say why, not enough to flood the delivery log. */
const MAX_ERROR_BODY = 200;
/** Read more than we show, so that secrets echoed in it are whole when redacted. */
const MAX_ERROR_READ = 4096;

export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Constant-time check of a signature header. With `maxAgeSeconds`, also refuses a
 * timestamp further than that from `nowMs` (the replay protection).
 */
export function verifySignature(secret: string, timestamp: string, body: string, header: string, opts: { maxAgeSeconds?: number; nowMs?: number } = {}): boolean {
  const expected = Buffer.from(signBody(secret, timestamp, body));
  const given = Buffer.from(header);
  // timingSafeEqual throws on different lengths; a length is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  if (opts.maxAgeSeconds === undefined) return true;
  const ts = Number(timestamp);
  return Number.isFinite(ts) && Math.abs((opts.nowMs ?? Date.now()) / 1000 - ts) <= opts.maxAgeSeconds;
}

// --- Bodies

const TEXT = {
  fr: {
    severity: { critical: 'CRITIQUE', warning: 'AVERTISSEMENT', info: 'INFO' } as Record<Severity, string>,
    escalated: 'NON ACQUITTÉE',
    cleared: 'TERMINÉE',
    test: 'Le Numérique : notification de test, le webhook fonctionne.',
    testTitle: 'Le Numérique : test',
    view: 'Voir l’alerte',
    open: 'Ouvrir les alertes',
    dashboard: 'Ouvrir le tableau de bord',
  },
  en: {
    severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' } as Record<Severity, string>,
    escalated: 'NOT ACKNOWLEDGED',
    cleared: 'CLEARED',
    test: 'Le Numérique: test notification, the webhook works.',
    testTitle: 'Le Numérique: test',
    view: 'View alert',
    open: 'Open alerts',
    dashboard: 'Open the dashboard',
  },
} satisfies Record<NotifyLang, unknown>;

const NTFY_PRIORITY: Record<Severity, number> = { critical: 5, warning: 4, info: 3 };

/** The alerts page; `?alert=<id>` names the alert the message is about. */
export function alertLink(publicUrl: string, alert: Alert | null): string {
  const base = `${publicUrl.replace(/\/+$/, '')}/alerts`;
  return alert ? `${base}?alert=${alert.id}` : base;
}

/** "[CRITIQUE]", "[CRITIQUE, TERMINÉE]"…: what and how bad, before anything else. */
function prefix(d: Delivery, alert: Alert): string {
  const t = TEXT[d.lang];
  const extra = d.event.type === 'alert:escalated' ? `, ${t.escalated}` : d.event.type === 'alert:cleared' ? `, ${t.cleared}` : '';
  return `[${t.severity[alert.severity]}${extra}]`;
}

/** The cleared message says how it ended; otherwise why it was raised. */
function why(d: Delivery, alert: Alert): string {
  return d.event.type === 'alert:cleared' && alert.clearMessage ? alert.clearMessage : alert.message;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The digest as data: what is open (ids, to fetch more from the API), counts, devices, energy. */
function jsonDigest(d: Delivery, publicUrl: string): unknown {
  const g = d.event.digest;
  if (!g) throw new Error('digest notification without its digest');
  return {
    version: 1,
    deliveryId: d.key,
    event: d.event.type,
    at: iso(d.event.at),
    digest: {
      date: g.date,
      from: iso(g.fromMs),
      to: iso(g.toMs),
      open: g.open.map((a) => ({ id: a.id, severity: a.severity, state: a.state, rule: { id: a.ruleId, name: a.ruleName }, target: a.target, raisedAt: iso(a.raisedAt) })),
      recentCount: g.recent.length,
      held: g.held,
      devices: g.devices.map((dev) => ({ id: dev.id, label: dev.label, status: dev.status, lastSeen: dev.lastSeen === null ? null : iso(dev.lastSeen) })),
      energy: g.energy && { date: g.energy.date, pvKWh: g.energy.pvKWh, consumptionKWh: g.energy.consumptionKWh, selfSufficiencyPct: g.energy.selfSufficiencyPct },
    },
    link: dashboardLink(publicUrl),
  };
}

function jsonDocument(d: Delivery, publicUrl: string): unknown {
  if (d.event.type === 'digest') return jsonDigest(d, publicUrl);
  const a = d.event.alert;
  return {
    version: 1,
    deliveryId: d.key,
    event: d.event.type,
    at: iso(d.event.at),
    // How many times it was escalated (1 the first time).
    ...(d.event.type === 'alert:escalated' ? { level: d.event.level ?? 1 } : {}),
    alert: a && {
      id: a.id,
      rule: { id: a.ruleId, name: a.ruleName, kind: a.kind },
      severity: a.severity,
      state: a.state,
      message: a.message,
      clearMessage: a.clearMessage,
      value: a.value,
      target: a.target,
      raisedAt: iso(a.raisedAt),
      lastRaisedAt: iso(a.lastRaisedAt),
      occurrences: a.occurrences,
      acknowledged: a.acknowledged && { by: a.acknowledged.by, at: iso(a.acknowledged.at), comment: a.acknowledged.comment },
    },
    link: alertLink(publicUrl, a),
  };
}

/** Slack's mrkdwn (and Mattermost's) gives &, < and > a meaning: escape them in our text. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function slackMessage(d: Delivery, publicUrl: string): unknown {
  const t = TEXT[d.lang];
  if (d.event.type === 'digest') return { text: `${slackEscape(digestSummary(d).text)} <${dashboardLink(publicUrl)}|${t.dashboard}>` };
  const a = d.event.alert;
  const link = alertLink(publicUrl, a);
  const line = a ? `${prefix(d, a)} ${a.ruleName} — ${a.target.label}: ${why(d, a)}` : `[TEST] ${t.test}`;
  return { text: `${slackEscape(line)} <${link}|${a ? t.view : t.open}>` };
}

function ntfyMessage(d: Delivery, publicUrl: string, topic: string | undefined): unknown {
  const t = TEXT[d.lang];
  if (d.event.type === 'digest') {
    const { title, summary } = digestSummary(d);
    // A morning summary, not an emergency: low priority (no sound on ntfy's apps).
    return { ...(topic ? { topic } : {}), title, message: summary, priority: 2, click: dashboardLink(publicUrl), tags: ['digest'] };
  }
  const a = d.event.alert;
  // A "cleared" message is good news: it must not ring like an emergency.
  const priority = a && d.event.type !== 'alert:cleared' ? NTFY_PRIORITY[a.severity] : 3;
  return {
    ...(topic ? { topic } : {}),
    title: a ? `${prefix(d, a)} ${a.ruleName}` : t.testTitle,
    message: a ? `${a.target.label}: ${why(d, a)}` : t.test,
    priority,
    click: alertLink(publicUrl, a),
    tags: a ? [a.severity, d.event.type.replace('alert:', '')] : ['test'],
  };
}

/** The POST body for a delivery. `topic` is used by 'ntfy' only (see ntfyEndpoint). */
export function webhookBody(d: Delivery, format: WebhookTarget['format'], publicUrl: string, topic?: string): string {
  switch (format) {
    case 'json':
      return JSON.stringify(jsonDocument(d, publicUrl));
    case 'slack':
      return JSON.stringify(slackMessage(d, publicUrl));
    case 'ntfy':
      return JSON.stringify(ntfyMessage(d, publicUrl, topic));
  }
}

/**
 * ntfy takes a JSON publication only at its root (POST /, topic in the body);
 * people configure the topic's URL. Split it: the last path segment is the topic,
 * what precedes it the root (which may be a sub-path behind a proxy). The query
 * stays: ntfy reads `?auth=` on any endpoint.
 */
export function ntfyEndpoint(url: URL): { url: URL; topic: string | undefined } {
  const root = new URL(url);
  const segments = root.pathname.split('/');
  const topic = segments.pop() || undefined;
  root.pathname = `${segments.join('/')}/`;
  return { url: root, topic: topic && safeDecode(topic) };
}

// --- Sending

/**
 * A URL as it may appear in a log: scheme and host only. Webhook URLs carry
 * their secret in the path (Slack), the query (?token=) or the user info.
 */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/${u.pathname === '/' && !u.search ? '' : '…'}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * What must never reach the delivery log: the signing secret and every part of the URL that may be one.
 * Redacted from what others wrote (a response body, an error from the network stack); our own
 * words around it name the URL by safeUrl() only.
 */
function secretsOf(target: WebhookTarget, url: URL): string[] {
  const always = [target.secret, url.password, safeDecode(url.password)];
  if (url.username || url.password) always.push(basicCredentials(url));
  const pieces = [target.url, url.href, url.username, safeDecode(url.username), url.search, url.pathname];
  for (const [k, v] of url.searchParams) pieces.push(v, `${k}=${v}`);
  for (const seg of url.pathname.split('/')) pieces.push(seg, safeDecode(seg));
  // Very short pieces of a URL ("a", "v1") would mangle the message for nothing; longest first, so that a whole URL goes before its pieces.
  return [...new Set([...always.filter((p) => p.length > 0), ...pieces.filter((p) => p.length >= 4)])].sort((a, b) => b.length - a.length);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const basicCredentials = (url: URL) => Buffer.from(`${safeDecode(url.username)}:${safeDecode(url.password)}`).toString('base64');

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * What the delivery log shows of a response body: secrets redacted, whitespace
 * collapsed, at most `max` characters. A body `cut` when read may end with the
 * start of a secret, which redaction could not recognise: that end is dropped.
 */
export function logSnippet(text: string, max: number, secrets: string[], cut = false): string {
  let out = redact(text, secrets);
  if (cut) out = dropSecretStart(out, secrets);
  out = out.replace(/\s+/g, ' ').trim();
  if (out.length <= max) return out;
  // Secrets are whole markers by now; only a marker itself can be cut in two.
  return `${out.slice(0, max).replace(/\[(?:r(?:e(?:d(?:a(?:c(?:t(?:e(?:d)?)?)?)?)?)?)?)?$/, '')}…`;
}

function dropSecretStart(text: string, secrets: string[]): string {
  let drop = 0;
  for (const s of secrets) {
    for (let k = Math.min(s.length - 1, text.length); k > drop; k--) {
      if (text.endsWith(s.slice(0, k))) {
        drop = k;
        break;
      }
    }
  }
  return text.slice(0, text.length - drop);
}

/** The start of a response body (`max` characters), without reading a huge one whole. */
async function bodyStart(res: Response, max: number): Promise<{ text: string; cut: boolean }> {
  if (!res.body) return { text: '', cut: false };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let cut = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length > max) {
        cut = true;
        break;
      }
    }
  } catch {
    // A body broken off still tells what came before; it may end in the middle of anything.
    cut = true;
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return { text: text.slice(0, max), cut };
}

function networkMessage(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timeout after ${timeoutMs} ms`;
  if (!(err instanceof Error)) return String(err);
  // undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, TLS…) is in the cause.
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return cause && cause !== err.message ? `${err.message}: ${cause}` : err.message;
}

export function createWebhookProvider(opts: { targets: () => WebhookTarget[]; publicUrl: string; timeoutMs?: number; now?: () => number }): Provider {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? Date.now;

  async function send(d: Delivery): Promise<void> {
    const target = opts.targets().find((t) => t.id === d.to);
    if (!target) throw new Error(`unknown webhook ${d.to}`);
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new Error(`webhook ${target.id}: invalid URL`);
    }
    const secrets = secretsOf(target, url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`webhook ${target.id}: only http and https URLs (${url.protocol})`);

    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
    // fetch refuses URLs with user:pass@; send them the way a browser would, as Basic auth (ntfy and others accept it).
    if (url.username || url.password) {
      headers.authorization = `Basic ${basicCredentials(url)}`;
      url.username = '';
      url.password = '';
    }
    let topic: string | undefined;
    if (target.format === 'ntfy') ({ url, topic } = ntfyEndpoint(url));
    const body = webhookBody(d, target.format, opts.publicUrl, topic);
    const timestamp = String(Math.floor(now() / 1000));
    headers[SIGNATURE_HEADER] = signBody(target.secret, timestamp, body);
    headers[DELIVERY_HEADER] = d.key;
    headers[EVENT_HEADER] = d.event.type;
    headers[TIMESTAMP_HEADER] = timestamp;

    const where = safeUrl(url);
    let res: Response;
    try {
      // A redirect is never followed: it would carry the signed body (and any Authorization) to a host nobody configured.
      res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      // No `cause`: the original error's message may hold the URL with its credentials, and whoever logs this error may log its cause too.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`${redact(networkMessage(err, timeoutMs), secrets)} (${where})`);
    }
    if (res.status >= 200 && res.status < 300) {
      // Nothing to read, but the connection is only reused once the body is done with.
      await res.body?.cancel().catch(() => undefined);
      return;
    }
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel().catch(() => undefined);
      const location = res.headers.get('location');
      const to = location ? safeUrl(URL.canParse(location, url) ? new URL(location, url) : location) : 'an unknown location';
      throw new Error(`redirect refused (${res.status || '3xx'} to ${to}) from ${where}`);
    }
    const { text, cut } = await bodyStart(res, MAX_ERROR_READ);
    const snippet = logSnippet(text, MAX_ERROR_BODY, secrets, cut);
    throw new Error(`HTTP ${res.status} from ${where}${snippet ? `: ${snippet}` : ''}`);
  }

  return { channel: 'webhook', send };
}
