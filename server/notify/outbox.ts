import { type AppDb, migrateModule } from '../db/app-db';
import type { Delivery, NotifyChannel, NotifyEvent, NotifyLang } from './types';

/**
 * The outbox (docs/notifications.md): every notification is a row in the app's
 * SQLite file before anything is sent, so that an SMTP relay or a webhook
 * receiver that is down, a restart or a kill -9 loses none. A row is retried
 * with backoff until it is accepted or too old; its key (the e-mail's
 * Message-ID, the webhook's delivery id) stays the same across retries, so a
 * receiver that got a message twice (sent, then the process died before the
 * row was marked) can drop the repeat: delivery is at least once.
 *
 * Per recipient, messages go in the order they were made: only the oldest
 * pending row of a recipient is ever due, so the alerts raised while a
 * receiver was down reach it in order once it is back.
 */

const MIGRATIONS = [
  `CREATE TABLE notify_outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     key TEXT NOT NULL UNIQUE,
     channel TEXT NOT NULL,
     recipient TEXT NOT NULL,
     lang TEXT NOT NULL,
     event TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     sent_at INTEGER,
     last_error TEXT
   );
   CREATE INDEX notify_outbox_pending ON notify_outbox (status, channel, recipient, id);
   CREATE INDEX notify_outbox_created ON notify_outbox (created_at);`,
];

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** A row of the delivery log (admins): what was sent to whom, how it went. */
export interface DeliveryLogEntry {
  id: number;
  key: string;
  channel: NotifyChannel;
  recipient: string;
  event: NotifyEvent['type'];
  alertId: number | null;
  status: DeliveryStatus;
  attempts: number;
  createdAt: number;
  sentAt: number | null;
  nextAt: number | null;
  lastError: string | null;
}

export interface NewDelivery {
  key: string;
  channel: NotifyChannel;
  to: string;
  lang: NotifyLang;
  event: NotifyEvent;
}

interface Row {
  id: number;
  key: string;
  channel: NotifyChannel;
  recipient: string;
  lang: NotifyLang;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  next_at: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
}

/**
 * The wait before attempt n + 1 after n failures: 15 s doubling to 30 min, so a
 * relay down for a day gets about 60 attempts. `baseMs` is shorter in tests.
 */
export function retryDelay(attempts: number, baseMs = 15_000, maxMs = 30 * 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
}

export class Outbox {
  constructor(
    private readonly db: AppDb,
    private readonly now: () => number,
  ) {
    migrateModule(db, 'notify', MIGRATIONS);
  }

  /** Adds messages, all or none; a key already in the outbox is not added again. Returns how many were. */
  add(items: readonly NewDelivery[]): number {
    const insert = this.db.prepare('INSERT OR IGNORE INTO notify_outbox (key, channel, recipient, lang, event, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const t = this.now();
    return this.db.transaction(() => items.reduce((n, d) => n + insert.run(d.key, d.channel, d.to, d.lang, JSON.stringify(d.event), t, t).changes, 0))();
  }

  /** The messages due now: the oldest pending one of each recipient, if its time has come. */
  due(limit = 50): Delivery[] {
    const rows = this.db
      .prepare(
        `SELECT o.* FROM notify_outbox o
         JOIN (SELECT min(id) AS id FROM notify_outbox WHERE status = 'pending' GROUP BY channel, recipient) head ON head.id = o.id
         WHERE o.next_at <= ? ORDER BY o.id LIMIT ?`,
      )
      .all(this.now(), limit) as Row[];
    return rows.map(toDelivery);
  }

  /** When the next pending message is due, or undefined when none is pending. */
  nextDueAt(): number | undefined {
    const row = this.db.prepare("SELECT min(next_at) AS t FROM notify_outbox WHERE status = 'pending'").get() as { t: number | null };
    return row.t ?? undefined;
  }

  sent(id: number): void {
    this.db.prepare("UPDATE notify_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?").run(this.now(), id);
  }

  /** A failed attempt: retried after its delay, or given up when the message is older than `giveUpAfterMs`. */
  failed(id: number, error: string, opts: { baseMs?: number; giveUpAfterMs: number }): DeliveryStatus {
    const row = this.db.prepare('SELECT attempts, created_at FROM notify_outbox WHERE id = ?').get(id) as { attempts: number; created_at: number } | undefined;
    if (!row) return 'failed';
    const attempts = row.attempts + 1;
    const t = this.now();
    const status: DeliveryStatus = t - row.created_at >= opts.giveUpAfterMs ? 'failed' : 'pending';
    this.db.prepare('UPDATE notify_outbox SET status = ?, attempts = ?, next_at = ?, last_error = ? WHERE id = ?').run(status, attempts, t + retryDelay(attempts, opts.baseMs), error.slice(0, 500), id);
    return status;
  }

  /** The delivery log, newest first. */
  log(opts: { limit?: number; status?: DeliveryStatus } = {}): DeliveryLogEntry[] {
    const rows = (
      opts.status
        ? this.db.prepare('SELECT * FROM notify_outbox WHERE status = ? ORDER BY id DESC LIMIT ?').all(opts.status, opts.limit ?? 100)
        : this.db.prepare('SELECT * FROM notify_outbox ORDER BY id DESC LIMIT ?').all(opts.limit ?? 100)
    ) as Row[];
    return rows.map((r) => {
      const event = JSON.parse(r.event) as NotifyEvent;
      return {
        id: r.id,
        key: r.key,
        channel: r.channel,
        recipient: r.recipient,
        event: event.type,
        alertId: event.alert?.id ?? null,
        status: r.status,
        attempts: r.attempts,
        createdAt: r.created_at,
        sentAt: r.sent_at,
        nextAt: r.status === 'pending' ? r.next_at : null,
        lastError: r.last_error,
      };
    });
  }

  /** Deletes sent and failed rows older than `ms` (the log is kept that long). */
  prune(ms: number): number {
    return this.db.prepare("DELETE FROM notify_outbox WHERE status != 'pending' AND created_at < ?").run(this.now() - ms).changes;
  }
}

function toDelivery(r: Row): Delivery {
  return { id: r.id, key: r.key, channel: r.channel, to: r.recipient, lang: r.lang, event: JSON.parse(r.event) as NotifyEvent, attempts: r.attempts };
}
