import type { StoreStats } from './types';

/**
 * Says whether the store is failing to keep what ingest gives it, from its stats
 * alone, so that it works for either backend without reaching inside them:
 *
 * - the backend names its failure (`stats().error`: InfluxDB's full spool, a spool
 *   the disk refuses);
 * - or readings wait in memory and none has been written, nor refused, for
 *   `stuckMs` (SQLite on a full or failing disk: its drain keeps the failed chunk
 *   in memory and retries, docs/storage.md). A store that is merely busy (a
 *   backfill) keeps writing, so it never looks stuck.
 *
 * `check()` is called periodically (server/app.ts, every second); the answer feeds
 * /api/health and the "storage failing" system alert (docs/alerts.md).
 */
export interface StoreCondition {
  failing: boolean;
  /** Why, in words, while failing. */
  reason?: string;
}

export class StoreWatch {
  private progress = -1;
  private pendingSince: number | undefined;
  private condition: StoreCondition = { failing: false };

  constructor(
    private readonly stats: () => StoreStats,
    private readonly now: () => number = Date.now,
    /** Readings waiting this long with no write at all: the store is stuck. */
    readonly stuckMs = 5_000,
  ) {}

  check(): StoreCondition {
    const s = this.stats();
    const t = this.now();
    const progress = s.written + s.dropped;
    if (s.pending === 0) this.pendingSince = undefined;
    else if (progress !== this.progress || this.pendingSince === undefined) this.pendingSince = t;
    this.progress = progress;
    if (s.error) this.condition = { failing: true, reason: s.error };
    else if (this.pendingSince !== undefined && t - this.pendingSince >= this.stuckMs) {
      this.condition = { failing: true, reason: `${s.pending} readings waiting in memory, none written for ${Math.round((t - this.pendingSince) / 1000)} s: the store cannot write (disk full or read-only? see the server log); they are kept and retried` };
    } else this.condition = { failing: false };
    return this.condition;
  }

  /** The last check's answer. */
  current(): StoreCondition {
    return this.condition;
  }
}
