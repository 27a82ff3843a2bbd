import crypto from 'node:crypto';
import type { Alert, AlertEvent, Severity } from '../../shared/alerts';
import type { QuietHours } from '../../shared/notify';
import type { AppDb } from '../db/app-db';
import type { Logger } from '../logger';
import { type DeliveryLogEntry, type DeliveryStatus, type NewDelivery, Outbox } from './outbox';
import { DEFAULT_ESCALATION_MS, SendLimiter, escalationLevelDue, inQuietHours, nextLocalTime } from './policy';
import type { NotifySettingsStore } from './settings';
import type { Delivery, DigestContent, NotifyChannel, NotifyEvent, NotifyLang, Provider } from './types';

/**
 * Notifications (docs/notifications.md): alert events become messages to the
 * people and systems that want them, through the outbox (outbox.ts) and one
 * provider per channel (email.ts, webhook.ts). Events are taken from the alerts
 * engine as they happen and written to the outbox off the reading path (the
 * next turn of the event loop, in one transaction), so that sending never slows
 * ingest; a dispatcher sends what is due, in order per recipient, and retries.
 */

/** Who gets what. */
export interface Recipient {
  channel: NotifyChannel;
  /** An e-mail address, or a webhook's id. */
  to: string;
  lang: NotifyLang;
  severities: readonly Severity[];
  /** Whether a return to normal is sent too. */
  cleared: boolean;
  /** Only alerts of these zones, device types, rules; empty or absent: all. */
  zones?: readonly string[];
  deviceTypes?: readonly string[];
  rules?: readonly string[];
  /** Paris local time during which only critical alerts are sent (the rest wait for the digest). */
  quietHours?: QuietHours | null;
  /** Gets the daily digest. */
  digest?: boolean;
  /** Gets escalations (the chain: every admin by default). */
  escalation?: boolean;
}

export interface NotifyOptions {
  db: AppDb;
  log: Logger;
  now: () => number;
  providers: readonly Provider[];
  /** Read at each event, so that a change of subscriptions applies at once. */
  recipients: () => readonly Recipient[];
  /** First retry delay, doubling up to 30 min (outbox.ts). Default 15 s. */
  retryBaseMs?: number;
  /** A message still refused after this long is given up (and stays in the log as failed). Default 48 h. */
  giveUpAfterMs?: number;
  /** How often the dispatcher looks for due retries. Default 1 s. */
  pollMs?: number;
  /** How long the delivery log keeps sent and failed messages. Default 30 days. */
  keepLogMs?: number;
  /** The device type of a device id, for the device-type filters. */
  deviceType?: (deviceId: string) => string | undefined;
  /** Escalation and digest need these; without them neither runs. */
  settings?: NotifySettingsStore;
  /** Alerts open now (for escalation and the digest). */
  openAlerts?: () => Alert[];
  /** Unacknowledged alerts go to the escalation chain after these delays. */
  escalationMs?: Partial<Record<Severity, number>>;
  /** The daily digest's Paris local time (HH:MM), and what it says. */
  digestTime?: string;
  digestContent?: (now: number) => Promise<Omit<DigestContent, 'held'>>;
  /** Flapping and flood limits (policy.ts). */
  limiter?: SendLimiter;
  /**
   * Scaled out: whether this instance is the alerts leader, the one that escalates
   * and makes the digest (alert events come from the leader's engine alone). Default: always.
   */
  leading?: () => boolean;
}

export interface NotifyStats {
  pending: number;
  sent: number;
  failed: number;
  /** Delivery attempts refused by a receiver since start. */
  refusals: number;
}

export interface Notify {
  /** An alert event from the engine: which recipients get it is decided here, and written off the reading path. */
  onAlert(event: AlertEvent): void;
  /** Escalates what is due now (the timer does it every 30 s). */
  escalate(): void;
  /** Makes the digest if its time has come (the timer checks every 30 s). */
  digest(): Promise<void>;
  /** The "send a test" action: one message on one channel to one recipient. Returns its key. */
  test(channel: NotifyChannel, to: string, lang?: NotifyLang): string;
  log(opts?: { limit?: number; status?: DeliveryStatus }): DeliveryLogEntry[];
  stats(): NotifyStats;
  /** Writes what is buffered and sends what is due now; resolves once that round is over. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const DAY = 86_400_000;

/** Whether an alert is one the recipient subscribed to: its severity, zone, device type and rule. */
export function subscribed(a: Alert, r: Recipient, deviceType?: (deviceId: string) => string | undefined): boolean {
  if (!r.severities.includes(a.severity)) return false;
  if (r.zones?.length && !r.zones.includes(a.target.zone)) return false;
  if (r.rules?.length && !r.rules.includes(a.ruleId)) return false;
  if (r.deviceTypes?.length) {
    const type = deviceType?.(a.target.deviceId);
    if (type === undefined || !r.deviceTypes.includes(type)) return false;
  }
  return true;
}

/**
 * What an alert event becomes for one recipient at `now`: sent, held for the
 * digest (quiet hours, not critical), or nothing (not theirs, or shelved).
 */
export function notificationFor(event: AlertEvent, r: Recipient, now: number, deviceType?: (deviceId: string) => string | undefined): { event: NotifyEvent; held: boolean } | undefined {
  const a = event.alert;
  // A shelved alert sends nothing: the operator chose not to hear of it for a while.
  if (a.shelved) return undefined;
  if (!subscribed(a, r, deviceType)) return undefined;
  let n: NotifyEvent | undefined;
  if (event.type === 'alert:raised') n = { type: 'alert:raised', alert: a, at: a.lastRaisedAt };
  else if (event.type === 'alert:cleared' && r.cleared) n = { type: 'alert:cleared', alert: a, at: a.clearedAt ?? a.updatedAt };
  if (!n) return undefined;
  // Quiet hours: only what is critical wakes anyone; the rest is in the morning digest.
  const held = a.severity !== 'critical' && inQuietHours(now, r.quietHours ?? null);
  return { event: n, held };
}

/**
 * The idempotency key of a message: the same event to the same recipient always
 * gets the same key (an event handed over twice is kept once), and a receiver
 * can drop a repeat by it. No address in it: it travels in headers.
 */
export function deliveryKey(event: NotifyEvent, channel: NotifyChannel, to: string): string {
  const who = crypto.createHash('sha256').update(`${channel}\n${to}`).digest('hex').slice(0, 12);
  const what = event.alert ? `a${event.alert.id}-${event.type.replace('alert:', '')}-${event.at}` : `${event.type}-${event.at}`;
  return `${what}-${who}`;
}

export function startNotify(opts: NotifyOptions): Notify {
  const { log, now } = opts;
  const outbox = new Outbox(opts.db, now);
  const providers = new Map(opts.providers.map((p) => [p.channel, p]));
  const retryBaseMs = opts.retryBaseMs ?? 15_000;
  const giveUpAfterMs = opts.giveUpAfterMs ?? 2 * DAY;
  // One message per alert and event in 10 min, 20 a recipient in an hour (policy.ts).
  const limiter = opts.limiter ?? new SendLimiter();
  const held = new Map<string, number>();
  let buffered: NewDelivery[] = [];
  let writeScheduled = false;
  let refusals = 0;
  let stopped = false;
  let round: Promise<void> | undefined;
  let again = false;

  const write = () => {
    writeScheduled = false;
    if (buffered.length === 0) return;
    const items = buffered;
    buffered = [];
    try {
      outbox.add(items);
    } catch (err) {
      // The app database refusing a write is the server's own failure: said loudly, never silent.
      log.error({ err: (err as Error).message, messages: items.length }, 'notifications could not be written to the outbox');
      return;
    }
    kick();
  };

  const enqueue = (items: NewDelivery[]) => {
    if (items.length === 0 || stopped) return;
    buffered.push(...items);
    if (!writeScheduled) {
      writeScheduled = true;
      setImmediate(write);
    }
  };

  const sendOne = async (d: Delivery): Promise<boolean> => {
    const provider = providers.get(d.channel);
    try {
      if (!provider) throw new Error(`no ${d.channel} channel is configured`);
      await provider.send(d);
      outbox.sent(d.id);
      log.info({ key: d.key, channel: d.channel, event: d.event.type, attempts: d.attempts + 1 }, 'notification sent');
      return true;
    } catch (err) {
      refusals++;
      const message = err instanceof Error ? err.message : String(err);
      const status = outbox.failed(d.id, message, { baseMs: retryBaseMs, giveUpAfterMs });
      log[status === 'failed' ? 'error' : 'warn']({ key: d.key, channel: d.channel, attempts: d.attempts + 1, err: message }, status === 'failed' ? 'notification given up' : 'notification refused, will retry');
      return false;
    }
  };

  /** Sends the due head of every recipient, then the next heads, until nothing is due. */
  const dispatch = async () => {
    for (;;) {
      again = false;
      const due = stopped ? [] : outbox.due();
      if (due.length === 0) break;
      const results = await Promise.all(due.map(sendOne));
      // Only what was accepted moves its recipient's queue on; a refusal waits for its retry.
      if (!results.some(Boolean) && !again) break;
    }
  };

  const kick = () => {
    if (round) {
      again = true;
      return;
    }
    round = dispatch()
      .catch((err: unknown) => log.error({ err: (err as Error).message }, 'notification dispatch failed'))
      .finally(() => {
        round = undefined;
        if (again && !stopped) kick();
      });
  };

  /** Applies the flapping and flood limits to what one recipient is about to get. */
  const limited = (r: Recipient, n: NotifyEvent): NewDelivery[] => {
    const key = `${r.channel}:${r.to}`;
    const decision = limiter.decide(key, n.alert?.id ?? null, n.type, now());
    if (decision === 'suppress') return [];
    const d = { key: deliveryKey(n, r.channel, r.to), channel: r.channel, to: r.to, lang: r.lang, event: n };
    if (decision === 'send') return [d];
    // Past the flood limit: this message says it is the last for a while, then silence until the window ends (the dashboard has them all).
    log.warn({ recipient: key }, 'notification flood: the recipient is told, the next messages are held until the window ends');
    return [{ ...d, event: { ...n, flood: true } }];
  };

  /** Escalation: an alert still unacknowledged after its delay goes to the chain, once per level. */
  const escalate = () => {
    const store = opts.settings;
    if (!store || !opts.openAlerts || opts.leading?.() === false) return;
    const delays = { ...DEFAULT_ESCALATION_MS, ...opts.escalationMs };
    const chain = opts.recipients().filter((r) => r.escalation);
    const items: NewDelivery[] = [];
    for (const a of opts.openAlerts()) {
      const level = store.escalationLevel(a.id);
      const due = escalationLevelDue(a, now(), level, delays);
      if (due <= level) continue;
      store.setEscalationLevel(a.id, due);
      const n: NotifyEvent = { type: 'alert:escalated', alert: a, at: now(), level: due };
      for (const r of chain) items.push({ key: deliveryKey(n, r.channel, r.to), channel: r.channel, to: r.to, lang: r.lang, event: n });
      log.info({ alertId: a.id, level: due, recipients: chain.length }, 'alert escalated: not acknowledged in time');
    }
    enqueue(items);
  };

  /** The daily digest, once a day at its Paris time; a server down at that time sends it when it is back. */
  let digestRunning = false;
  const digest = async () => {
    const store = opts.settings;
    if (!store || !opts.digestContent || digestRunning || opts.leading?.() === false) return;
    const t = now();
    const last = Number(store.meta('digest-at') ?? NaN);
    // The first start only sets the clock going: no digest of a time it did not watch.
    if (!Number.isFinite(last)) {
      store.setMeta('digest-at', String(t));
      return;
    }
    if (nextLocalTime(last, opts.digestTime ?? '07:30') > t) return;
    digestRunning = true;
    try {
      const content = await opts.digestContent(t);
      store.setMeta('digest-at', String(t));
      const items: NewDelivery[] = [];
      for (const r of opts.recipients()) {
        if (!r.digest || r.channel !== 'email') continue;
        const key = `${r.channel}:${r.to}`;
        const n: NotifyEvent = { type: 'digest', alert: null, at: t, digest: { ...content, held: held.get(key) ?? 0 } };
        held.delete(key);
        items.push({ key: deliveryKey(n, r.channel, r.to), channel: r.channel, to: r.to, lang: r.lang, event: n });
      }
      enqueue(items);
      log.info({ recipients: items.length }, 'daily digest made');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'the daily digest could not be made; tried again in a minute');
    } finally {
      digestRunning = false;
    }
  };

  // Due retries, and what a previous run left pending (a restart, a kill -9).
  let ticks = 0;
  const pollMs = opts.pollMs ?? 1000;
  const timer = setInterval(() => {
    const next = outbox.nextDueAt();
    if (next !== undefined && next <= now()) kick();
    // Escalations and the digest every 30 s: minutes matter to them, not milliseconds.
    if (++ticks % Math.max(1, Math.round(30_000 / pollMs)) === 0) {
      escalate();
      void digest();
    }
  }, pollMs);
  timer.unref();
  const pruneTimer = setInterval(() => outbox.prune(opts.keepLogMs ?? 30 * DAY), 3_600_000);
  pruneTimer.unref();
  kick();

  return {
    onAlert(event) {
      const items: NewDelivery[] = [];
      const t = now();
      for (const r of opts.recipients()) {
        const n = notificationFor(event, r, t, opts.deviceType);
        if (!n) continue;
        if (n.held) {
          const key = `${r.channel}:${r.to}`;
          held.set(key, (held.get(key) ?? 0) + 1);
          continue;
        }
        items.push(...limited(r, n.event));
      }
      enqueue(items);
    },
    escalate,
    digest,
    test(channel, to, lang = 'fr') {
      const event: NotifyEvent = { type: 'test', alert: null, at: now() };
      const key = deliveryKey(event, channel, to);
      outbox.add([{ key, channel, to, lang, event }]);
      kick();
      return key;
    },
    log: (o) => outbox.log(o),
    stats() {
      const counts = opts.db.prepare('SELECT status, count(*) AS n FROM notify_outbox GROUP BY status').all() as { status: DeliveryStatus; n: number }[];
      const of = (s: DeliveryStatus) => counts.find((c) => c.status === s)?.n ?? 0;
      return { pending: of('pending'), sent: of('sent'), failed: of('failed'), refusals };
    },
    async flush() {
      write();
      kick();
      while (round) await round;
    },
    async stop() {
      write();
      stopped = true;
      clearInterval(timer);
      clearInterval(pruneTimer);
      while (round) await round;
      for (const p of opts.providers) await p.close?.();
    },
  };
}
