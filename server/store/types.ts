import type { Reading, Series } from '../../shared/api';

/**
 * The storage contract. The SQLite backend is the embedded default; the InfluxDB
 * backend (issue #4) implements the same interface and passes the same suite.
 */
export interface Store {
  readonly kind: 'sqlite' | 'influx';
  /** Registers (or updates) series metadata; idempotent. */
  upsertSeries(series: Series[]): void;
  listSeries(): Series[];
  getSeries(id: string): Series | undefined;
  /** Queues readings; they are written in batches by size and by time. */
  write(readings: Reading[]): void;
  /** Writes everything queued now. */
  flush(): void;
  latest(): Reading[];
  history(seriesId: string, from: number, to: number, limit: number): { points: [number, number][]; truncated: boolean };
  stats(): { pending: number; written: number; state: 'up' | 'down' };
  /** Flushes and closes. */
  close(): void;
}
