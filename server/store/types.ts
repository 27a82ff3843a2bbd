import type { Reading, Series } from '../../shared/api';

/**
 * The storage contract. The SQLite backend is the embedded default; the InfluxDB
 * backend implements the same interface and passes the same contract suite
 * (test/contract/store.contract.ts).
 *
 * Reads that may touch disk or the network are async; the series list and the
 * latest values are served from memory.
 */

/** Stored resolutions: raw readings (kept RAW_RETENTION days) and rollups (kept for years). */
export type Resolution = 'raw' | '1m' | '1h' | '1d';
export const RESOLUTION_MS: Record<Exclude<Resolution, 'raw'>, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

/** One aggregated bucket (a raw reading is a bucket of count 1). Times are bucket starts, epoch ms, UTC. */
export interface Bucket {
  t: number;
  count: number;
  mean: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  /** Counters only: what the counter rose during the bucket, resets counted as a restart from zero. */
  increase: number | null;
}

export interface RangeQuery {
  from: number;
  to: number;
  /** 'auto' (default): the coarsest resolution that still gives the range about maxPoints buckets. */
  resolution?: Resolution | 'auto';
  /** Default 2,000. */
  maxPoints?: number;
}

export interface RangeResult {
  resolution: Resolution;
  buckets: Bucket[];
}

export interface StoreStats {
  state: 'up' | 'down' | 'degraded';
  pending: number;
  written: number;
  /** Readings waiting on disk while the backend is unreachable (InfluxDB). */
  spooled?: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'influx';
  /** Registers (or updates) series metadata; idempotent. */
  upsertSeries(series: Series[]): void;
  listSeries(): Series[];
  getSeries(id: string): Series | undefined;
  /** Queues readings; they are written in batches by size and by time. Never throws for a backend outage. */
  write(readings: Reading[]): void;
  /** Writes everything queued now. */
  flush(): Promise<void>;
  latest(): Reading[];
  /** Raw readings in [from, to], time order, at most `limit`. */
  history(seriesId: string, from: number, to: number, limit: number): Promise<{ points: [number, number][]; truncated: boolean }>;
  stats(): StoreStats;
  /** Flushes and closes. */
  close(): Promise<void>;
}
