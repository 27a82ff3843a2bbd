import { DEFAULT_HISTORY_POINTS, type Reading, RESOLUTIONS as WIRE_RESOLUTIONS, type Series, type StoredResolution } from '../../shared/api';

/**
 * The storage contract. The SQLite backend is the embedded default; the InfluxDB
 * backend implements the same interface and passes the same contract suite
 * (test/contract/store.contract.ts). docs/storage.md describes both.
 *
 * Reads that may touch disk or the network are async; the series list and the
 * latest values are served from memory.
 */

/**
 * Stored resolutions: raw readings (kept `rawRetentionDays`) and rollups (kept for good).
 *
 * Buckets are aligned on UTC: a 1m bucket starts on a whole UTC minute, 1h on a
 * whole UTC hour, 1d at 00:00 UTC. A report by local day (Europe/Paris) adds up
 * the 24 (23 or 25 on DST days) hourly buckets of that day: Paris is a whole
 * number of hours from UTC, so local days are made of whole UTC hours.
 */
export type Resolution = StoredResolution;
export const RESOLUTION_MS: Record<Exclude<Resolution, 'raw'>, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };
/** Finest first: the order 'auto' tries them in. */
export const RESOLUTIONS: readonly Resolution[] = WIRE_RESOLUTIONS;
export const DEFAULT_MAX_POINTS = DEFAULT_HISTORY_POINTS;
export const DEFAULT_RAW_RETENTION_DAYS = 30;

/**
 * One aggregated bucket (a raw reading is a bucket of count 1). `t` is the bucket
 * start (the reading's own time for raw), epoch ms, UTC. A bucket holds the
 * readings with t <= ts < t + size, whole: the range of a query selects buckets,
 * it does not cut them.
 *
 * For a state series (kind 'state') the values are state indexes: `last` and
 * `count` mean something, mean/min/max/sum are kept for uniformity only.
 */
export interface Bucket {
  t: number;
  count: number;
  /** sum / count. */
  mean: number;
  min: number;
  max: number;
  sum: number;
  /** The value of the latest reading in the bucket. */
  last: number;
  /**
   * Counters only (null otherwise): the sum of the positive steps between
   * consecutive readings, a drop being a meter reset (the step is then the new
   * value, counted from zero). The step from the last reading before the bucket
   * to its first reading belongs to this bucket, so increases add up exactly
   * across resolutions (the 60 1m increases of an hour sum to its 1h increase).
   * The very first reading of a series has no step (0). For raw: the step from
   * the previous reading.
   */
  increase: number | null;
}

export interface RangeQuery {
  /** Inclusive bounds, epoch ms. Buckets whose start is in [bucketStart(from), to] are returned. */
  from: number;
  to: number;
  /**
   * 'auto' (default): the finest resolution that gives at most maxPoints: raw if
   * the range holds at most maxPoints readings and raw is still kept over all of
   * it, else the first of 1m, 1h, 1d whose number of UTC buckets over [from, to]
   * is at most maxPoints (1d, truncated, for ranges longer than maxPoints days).
   * An explicit resolution returns its buckets, the first maxPoints only.
   */
  resolution?: Resolution | 'auto';
  /** Default DEFAULT_MAX_POINTS (2,000). */
  maxPoints?: number;
}

/** A counter's bucket as the KPI layer reads it: when, how many readings, how much it rose. */
export type IncreaseBucket = Pick<Bucket, 't' | 'count' | 'increase'>;

export interface RangeResult {
  resolution: Resolution;
  /** Time order; empty buckets are absent (a gap in the data is a gap in the answer). */
  buckets: Bucket[];
  /** True when there were more than maxPoints buckets: only the first maxPoints are returned. */
  truncated: boolean;
}

export interface StoreStats {
  state: 'up' | 'down' | 'degraded';
  /** Readings queued in memory, not yet handed to the backend (nor to the spool). */
  pending: number;
  /** Readings stored (duplicates excluded) since the store was opened. */
  written: number;
  /**
   * Readings refused, each logged: an unknown series, a late reading that falls
   * inside a minute whose raw readings retention has already deleted (it cannot
   * be placed exactly), a full spool.
   */
  dropped: number;
  /** Readings waiting in the on-disk spool (InfluxDB: unreachable, or being written). */
  spooled?: number;
  /** Size of the spool, bytes; it never grows past spoolMaxBytes. */
  spooledBytes?: number;
  /**
   * Set while the backend fails to keep what it is given (a full spool, a disk that
   * refuses writes): what went wrong, in words. Cleared once it keeps readings again.
   */
  error?: string;
}

/** What a store logs: pino's logger, or a store thread's messages to it (thread-log.ts). */
export interface StoreLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Thrown by reads when the backend cannot be reached (the API answers 503). */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export interface Store {
  readonly kind: 'sqlite' | 'influx';
  /** How long raw readings are kept; rollups are kept for good. */
  readonly rawRetentionDays: number;
  /** Registers (or updates) series metadata; idempotent. */
  upsertSeries(series: Series[]): void;
  listSeries(): Series[];
  getSeries(id: string): Series | undefined;
  /**
   * Queues readings; they are written in batches by size and by time, in any
   * order: a late or out-of-order reading lands in its place, rollups included.
   * A reading with the same series and time as a stored one is a duplicate: it
   * is stored once (the first value wins) and counted once in the rollups.
   * Never throws for a backend outage (throws once the store is closed).
   */
  write(readings: Reading[]): void;
  /**
   * Writes everything queued now, rollups included. Resolves when it is stored,
   * or (InfluxDB unreachable) safe in the on-disk spool, to be written in order
   * when the database is back: stats().spooled says which.
   */
  flush(): Promise<void>;
  /**
   * Flow control (optional): undefined while the store keeps up; when too many
   * readings wait for the backend, a promise that resolves once they are down
   * again. Ingest then stops reading from publishing clients meanwhile.
   */
  whenWritable?(): Promise<void> | undefined;
  latest(): Reading[];
  /** Raw readings in [from, to], time order, at most `limit`. Includes readings still queued. */
  history(seriesId: string, from: number, to: number, limit: number): Promise<{ points: [number, number][]; truncated: boolean }>;
  /**
   * Aggregates over [from, to] at a stored resolution (see RangeQuery). Rollup
   * resolutions read rollups only, never raw readings. Includes readings still
   * queued. Unknown series: no buckets. Rejects with StoreUnavailableError when
   * the backend cannot be reached.
   */
  query(seriesId: string, q: RangeQuery): Promise<RangeResult>;
  /**
   * query() at a rollup resolution, of each bucket only its time, count and
   * increase: a meter's figures for the KPIs. A year's energy review reads 8,760
   * hourly rows of each meter, and SQLite hands over a row's values one by one, so
   * 3 of 7 values halves the cost of the read. The first maxPoints buckets.
   */
  increases(seriesId: string, q: { from: number; to: number; resolution: Exclude<Resolution, 'raw'>; maxPoints: number }): Promise<IncreaseBucket[]>;
  /**
   * Deletes raw readings older than `rawRetentionDays` before `now` (default: the
   * store's clock), from 00:00 UTC of that day; rollups are kept. For each series
   * the last reading before that cut is kept, so a counter's next step is still
   * known. Call it periodically (hourly is plenty); a late reading that would land
   * inside a minute already cut is refused and counted (stats().dropped).
   * InfluxDB enforces it itself with its retention policy: there it deletes nothing.
   */
  applyRetention(now?: number): Promise<{ deleted: number }>;
  stats(): StoreStats;
  /** Flushes (InfluxDB unreachable: into the spool) and closes. */
  close(): Promise<void>;
}
