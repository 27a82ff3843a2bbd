import crypto from 'node:crypto';
import type { AlertEvent, Severity } from '../../shared/alerts';
import type { AppDb } from '../db/app-db';
import type { Logger } from '../logger';
import { type DeliveryLogEntry, type DeliveryStatus, type NewDelivery, Outbox } from './outbox';
import type { Delivery, NotifyChannel, NotifyEvent, NotifyLang, Provider } from './types';

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
  /** The "send a test" action: one message on one channel to one recipient. Returns its key. */
  test(channel: NotifyChannel, to: string, lang?: NotifyLang): string;
  log(opts?: { limit?: number; status?: DeliveryStatus }): DeliveryLogEntry[];
  stats(): NotifyStats;
  /** Writes what is buffered and sends what is due now; resolves once that round is over. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const DAY = 86_400_000;

/** What an alert event becomes for one recipient, or undefined when it is not theirs. */
export function notificationFor(event: AlertEvent, r: Recipient): NotifyEvent | undefined {
  const a = event.alert;
  // A shelved alert sends nothing: the operator chose not to hear of it for a while.
  if (a.shelved) return undefined;
  if (!r.severities.includes(a.severity)) return undefined;
  if (event.type === 'alert:raised') return { type: 'alert:raised', alert: a, at: a.lastRaisedAt };
  if (event.type === 'alert:cleared' && r.cleared) return { type: 'alert:cleared', alert: a, at: a.clearedAt ?? a.updatedAt };
  return undefined;
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

  // Due retries, and what a previous run left pending (a restart, a kill -9).
  const timer = setInterval(() => {
    const next = outbox.nextDueAt();
    if (next !== undefined && next <= now()) kick();
  }, opts.pollMs ?? 1000);
  timer.unref();
  const pruneTimer = setInterval(() => outbox.prune(opts.keepLogMs ?? 30 * DAY), 3_600_000);
  pruneTimer.unref();
  kick();

  return {
    onAlert(event) {
      const items: NewDelivery[] = [];
      for (const r of opts.recipients()) {
        const n = notificationFor(event, r);
        if (n) items.push({ key: deliveryKey(n, r.channel, r.to), channel: r.channel, to: r.to, lang: r.lang, event: n });
      }
      enqueue(items);
    },
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
