import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Reading, Series } from '../../shared/api';
import type { Logger } from '../logger';
import type { Store } from './types';

/**
 * Versioned migrations, applied in order and recorded in PRAGMA user_version,
 * so an old data directory upgrades itself at start-up.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE series (
     key INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     device_id TEXT NOT NULL,
     point TEXT NOT NULL,
     unit TEXT NOT NULL,
     kind TEXT NOT NULL,
     label TEXT NOT NULL,
     zone TEXT NOT NULL
   );
   -- One row per (series, instant): a repeated reading is stored once.
   -- WITHOUT ROWID keeps rows clustered by series then time, the order of every range query.
   CREATE TABLE readings (
     series INTEGER NOT NULL REFERENCES series(key),
     ts INTEGER NOT NULL,
     value REAL NOT NULL,
     PRIMARY KEY (series, ts)
   ) WITHOUT ROWID;`,
  // 2: state points (inverter, charger) keep their state names, indexed by the stored value.
  `ALTER TABLE series ADD COLUMN states TEXT;`,
];

export interface SqliteStoreOptions {
  dataDir: string;
  /** Flush when this many readings are queued... */
  batchSize?: number;
  /** ...or when the oldest queued reading is this old. */
  flushIntervalMs?: number;
  log: Logger;
}

export const SQLITE_FILE = 'lenumerique.sqlite';

export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const { log } = opts;
  const batchSize = opts.batchSize ?? 1000;
  const flushIntervalMs = opts.flushIntervalMs ?? 200;
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, SQLITE_FILE);
  const db = new Database(file);
  // WAL lets the API read while ingest writes; NORMAL sync is durable across a
  // process crash and only risks the last transaction on power loss (sqlite.org/wal.html).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, log);

  const seriesByKey = new Map<string, { key: number; series: Series }>();
  const latestBySeries = new Map<string, Reading>();

  const upsert = db.prepare(
    `INSERT INTO series (id, device_id, point, unit, kind, label, zone, states) VALUES (@id, @deviceId, @point, @unit, @kind, @label, @zone, @states)
     ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, kind = excluded.kind, label = excluded.label, zone = excluded.zone, states = excluded.states`,
  );
  const selectSeries = db.prepare('SELECT key, id, device_id AS deviceId, point, unit, kind, label, zone, states FROM series ORDER BY id');
  const insert = db.prepare('INSERT OR IGNORE INTO readings (series, ts, value) VALUES (?, ?, ?)');
  const range = db.prepare('SELECT ts, value FROM readings WHERE series = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?').raw(true);
  const lastOf = db.prepare('SELECT ts, value FROM readings WHERE series = ? ORDER BY ts DESC LIMIT 1');

  function loadSeries(): void {
    seriesByKey.clear();
    for (const row of selectSeries.all() as (Omit<Series, 'states'> & { key: number; states: string | null })[]) {
      const { key, states, ...rest } = row;
      const series: Series = states ? { ...rest, states: JSON.parse(states) as string[] } : rest;
      seriesByKey.set(series.id, { key, series });
    }
  }
  loadSeries();
  for (const { key, series } of seriesByKey.values()) {
    const row = lastOf.get(key) as { ts: number; value: number } | undefined;
    if (row) latestBySeries.set(series.id, { seriesId: series.id, ts: row.ts, value: row.value });
  }

  let queue: Reading[] = [];
  let written = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const insertMany = db.transaction((rows: Reading[]) => {
    let n = 0;
    for (const r of rows) {
      const s = seriesByKey.get(r.seriesId);
      if (!s) continue;
      n += insert.run(s.key, r.ts, r.value).changes;
    }
    return n;
  });

  function flush(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (queue.length === 0) return;
    const rows = queue;
    queue = [];
    try {
      written += insertMany(rows);
    } catch (err) {
      // Keep the rows: a transient failure (disk full, locked file) must not lose data.
      queue = rows.concat(queue);
      log.error({ err, rows: rows.length }, 'batch write failed; readings kept in memory for the next flush');
      throw err;
    }
  }

  function scheduleFlush(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      try {
        flush();
      } catch {
        scheduleFlush();
      }
    }, flushIntervalMs);
  }

  log.info({ file }, 'sqlite store open');

  return {
    kind: 'sqlite',
    upsertSeries(list) {
      db.transaction(() => {
        for (const s of list) upsert.run({ ...s, states: s.states ? JSON.stringify(s.states) : null });
      })();
      loadSeries();
    },
    listSeries: () => [...seriesByKey.values()].map((s) => s.series),
    getSeries: (id) => seriesByKey.get(id)?.series,
    write(readings) {
      if (closed) throw new Error('store is closed');
      for (const r of readings) {
        queue.push(r);
        const prev = latestBySeries.get(r.seriesId);
        // Late readings must not replace a newer "latest" value.
        if (!prev || r.ts >= prev.ts) latestBySeries.set(r.seriesId, r);
      }
      if (queue.length >= batchSize) flush();
      else scheduleFlush();
    },
    flush: async () => flush(),
    latest: () => [...latestBySeries.values()],
    async history(seriesId, from, to, limit) {
      const s = seriesByKey.get(seriesId);
      if (!s) return { points: [], truncated: false };
      // Readings already pushed to dashboards must be in the answer too: write the
      // queue first (one short transaction) so a query never lags the live view.
      if (queue.length > 0) flush();
      // Read one extra row to know whether the answer was cut.
      const rows = range.all(s.key, from, to, limit + 1) as [number, number][];
      const truncated = rows.length > limit;
      return { points: truncated ? rows.slice(0, limit) : rows, truncated };
    },
    stats: () => ({ pending: queue.length, written, state: closed ? 'down' : 'up' }),
    async close() {
      if (closed) return;
      flush();
      closed = true;
      db.close();
      log.info({ written }, 'sqlite store closed');
    },
  };
}

function migrate(db: Database.Database, log: Logger): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
    log.info({ version: v + 1 }, 'schema migrated');
  }
}
