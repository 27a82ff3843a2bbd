import type { Logger } from '../logger';
import { openInfluxStore } from './influx';
import { openInfluxStoreInThread } from './influx-thread';
import { openSqliteStore } from './sqlite';
import type { Store } from './types';

export type { Bucket, RangeQuery, RangeResult, Resolution, Store, StoreStats } from './types';
export { DEFAULT_MAX_POINTS, DEFAULT_RAW_RETENTION_DAYS, RESOLUTIONS, RESOLUTION_MS, StoreUnavailableError } from './types';

export interface OpenStoreOptions {
  kind: 'sqlite' | 'influx';
  /** SQLite: the database file. InfluxDB: the spool and the series metadata. */
  dataDir: string;
  /** Required for 'influx': http://host:port/database. */
  influxUrl?: string;
  /** Default 30. */
  rawRetentionDays?: number;
  /** InfluxDB "site" tag. Default DEFAULT_SITE_ID. */
  siteId?: string;
  /** Oldest a queued reading gets before it is written. Default: SQLite 200 ms, InfluxDB 1 s. */
  flushIntervalMs?: number;
  /** InfluxDB: the spool's bound. Default 256 MiB. */
  spoolMaxBytes?: number;
  /** InfluxDB, scaled out: runs each batch write alone among the instances (see InfluxStoreOptions). */
  serialize?: <T>(write: () => Promise<T>) => Promise<T>;
  log: Logger;
  /**
   * SQLite: the clock of raw retention (default the machine's). InfluxDB keeps the
   * machine's: its retention policy is applied by influxd on the machine's clock,
   * and the store must agree with it on which raw readings influxd still takes.
   */
  now?: () => number;
}

/** The configured backend, ready for writes. InfluxDB being down does not fail it: its store starts degraded and spools. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.kind === 'influx') {
    if (!opts.influxUrl) throw new Error('the InfluxDB store needs its URL (INFLUX_URL), e.g. http://localhost:8086/lenumerique');
    const settings = { url: opts.influxUrl, dataDir: opts.dataDir, rawRetentionDays: opts.rawRetentionDays, siteId: opts.siteId, flushIntervalMs: opts.flushIntervalMs, spoolMaxBytes: opts.spoolMaxBytes, log: opts.log };
    // Scaled out, every batch write takes the cluster's lock, on the event loop; alone, the store has a thread of its own.
    return opts.serialize ? openInfluxStore({ ...settings, serialize: opts.serialize }) : openInfluxStoreInThread(settings);
  }
  return openSqliteStore({ dataDir: opts.dataDir, rawRetentionDays: opts.rawRetentionDays, flushIntervalMs: opts.flushIntervalMs, log: opts.log, now: opts.now });
}

/**
 * Applies raw retention now and then every `everyMs` (default one hour); returns
 * the function that stops it (call it before store.close()). Failures are logged,
 * never thrown: the next run tries again.
 */
export function scheduleRetention(store: Store, log: Logger, everyMs = 3_600_000): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    store
      .applyRetention()
      .catch((err: unknown) => log.error({ err: (err as Error).message }, 'raw retention failed'))
      .finally(() => (running = false));
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
