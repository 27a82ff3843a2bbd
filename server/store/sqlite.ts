import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Reading, Series } from '../../shared/api';
import type { Logger } from '../logger';
import { DAY, HOUR, MINUTE, type MinuteRow, type Point, applyPoints, bucketsOf, bySeries, floorTo, minutesNeedingRaw, planQuery, queryStart, rangesOf, rawBuckets, sortDistinct, toBucket, type CoarseRow } from './rollup';
import { DEFAULT_RAW_RETENTION_DAYS, type RangeResult, type Store } from './types';

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
  // 3: rollups by UTC minute, hour and day (docs/storage.md), kept when retention deletes
  // raw readings; raw_from: raw readings of the series are complete from this time on.
  // An existing data directory gets the rollups of the readings it already holds.
  `ALTER TABLE series ADD COLUMN raw_from INTEGER;
   CREATE TABLE rollup_1m (
     series INTEGER NOT NULL REFERENCES series(key),
     t INTEGER NOT NULL,
     count INTEGER NOT NULL,
     sum REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     first REAL NOT NULL,
     first_ts INTEGER NOT NULL,
     last REAL NOT NULL,
     last_ts INTEGER NOT NULL,
     inc_inner REAL NOT NULL,
     increase REAL,
     PRIMARY KEY (series, t)
   ) WITHOUT ROWID;
   CREATE TABLE rollup_1h (
     series INTEGER NOT NULL REFERENCES series(key),
     t INTEGER NOT NULL,
     count INTEGER NOT NULL,
     sum REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     last REAL NOT NULL,
     increase REAL,
     PRIMARY KEY (series, t)
   ) WITHOUT ROWID;
   CREATE TABLE rollup_1d (
     series INTEGER NOT NULL REFERENCES series(key),
     t INTEGER NOT NULL,
     count INTEGER NOT NULL,
     sum REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     last REAL NOT NULL,
     increase REAL,
     PRIMARY KEY (series, t)
   ) WITHOUT ROWID;
   INSERT INTO rollup_1m (series, t, count, sum, min, max, first, first_ts, last, last_ts, inc_inner, increase)
   SELECT series, m, count(*), sum(value), min(value), max(value),
          max(CASE WHEN ts = f_ts THEN value END), min(ts), max(CASE WHEN ts = l_ts THEN value END), max(ts),
          CASE WHEN max(counter) THEN total(CASE WHEN prev_ts >= m THEN step END) ELSE 0 END,
          CASE WHEN max(counter) THEN total(step) END
   FROM (
     SELECT series, ts, value, m, counter, prev_ts,
            CASE WHEN prev IS NULL THEN 0 WHEN value >= prev THEN value - prev ELSE value END AS step,
            min(ts) OVER (PARTITION BY series, m) AS f_ts,
            max(ts) OVER (PARTITION BY series, m) AS l_ts
     FROM (
       SELECT r.series, r.ts, r.value, (r.ts / 60000) * 60000 AS m, s.kind = 'counter' AS counter,
              lag(r.value) OVER w AS prev, lag(r.ts) OVER w AS prev_ts
       FROM readings r JOIN series s ON s.key = r.series
       WINDOW w AS (PARTITION BY r.series ORDER BY r.ts)
     )
   )
   GROUP BY series, m;
   ${coarseSql('rollup_1m', 'rollup_1h', HOUR, '')}
   ${coarseSql('rollup_1h', 'rollup_1d', DAY, '')}`,
];

/** Recomputes the `size` buckets of `dst` from the finer rows of `src` (all series, or `where`). */
function coarseSql(src: string, dst: string, size: number, where: string): string {
  return `INSERT OR REPLACE INTO ${dst} (series, t, count, sum, min, max, last, increase)
    SELECT series, b, sum(count), sum(sum), min(min), max(max), max(CASE WHEN rn = 1 THEN last END), sum(increase)
    FROM (SELECT series, count, sum, min, max, last, increase, (t / ${size}) * ${size} AS b,
                 row_number() OVER (PARTITION BY series, t / ${size} ORDER BY t DESC) AS rn
          FROM ${src} ${where})
    GROUP BY series, b;`;
}

export interface SqliteStoreOptions {
  dataDir: string;
  /** Flush when this many readings are queued... */
  batchSize?: number;
  /** ...or when the oldest queued reading is this old. */
  flushIntervalMs?: number;
  /** Raw readings older than this are deleted by applyRetention(); rollups are kept. Default 30. */
  rawRetentionDays?: number;
  /** The clock applyRetention() uses by default. */
  now?: () => number;
  log: Logger;
}

export const SQLITE_FILE = 'lenumerique.sqlite';
/** Readings per transaction: a large flush is cut into these, the event loop served in between. */
const CHUNK = 5_000;
/** Raw rows deleted per transaction by retention. */
const DELETE_CHUNK = 20_000;

interface SeriesEntry {
  key: number;
  series: Series;
  /** Raw readings are complete from this time on (retention cut before it); -Infinity if never cut. */
  rawFrom: number;
}

interface MinuteDbRow {
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  first_ts: number;
  last: number;
  last_ts: number;
  inc_inner: number;
  increase: number | null;
}

const fromDb = (r: MinuteDbRow): MinuteRow => ({ t: r.t, count: r.count, sum: r.sum, min: r.min, max: r.max, first: r.first, firstTs: r.first_ts, last: r.last, lastTs: r.last_ts, incInner: r.inc_inner, increase: r.increase });

export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const { log } = opts;
  const batchSize = opts.batchSize ?? 1000;
  const flushIntervalMs = opts.flushIntervalMs ?? 200;
  const rawRetentionDays = opts.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
  const clock = opts.now ?? Date.now;
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, SQLITE_FILE);
  const db = new Database(file);
  // WAL lets the API read while ingest writes; NORMAL sync is durable across a
  // process crash and only risks the last transaction on power loss (sqlite.org/wal.html).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, log);

  const seriesById = new Map<string, SeriesEntry>();
  const latestBySeries = new Map<string, Reading>();

  const upsert = db.prepare(
    `INSERT INTO series (id, device_id, point, unit, kind, label, zone, states) VALUES (@id, @deviceId, @point, @unit, @kind, @label, @zone, @states)
     ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, kind = excluded.kind, label = excluded.label, zone = excluded.zone, states = excluded.states`,
  );
  const selectSeries = db.prepare('SELECT key, id, device_id AS deviceId, point, unit, kind, label, zone, states, raw_from AS rawFrom FROM series ORDER BY id');
  const insert = db.prepare('INSERT OR IGNORE INTO readings (series, ts, value) VALUES (?, ?, ?)');
  const range = db.prepare('SELECT ts, value FROM readings WHERE series = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?').raw(true);
  const countRange = db.prepare('SELECT count(*) FROM (SELECT 1 FROM readings WHERE series = ? AND ts >= ? AND ts <= ? LIMIT ?)').pluck();
  const valueBefore = db.prepare('SELECT value FROM readings WHERE series = ? AND ts < ? ORDER BY ts DESC LIMIT 1').pluck();
  const lastOf = db.prepare('SELECT ts, value FROM readings WHERE series = ? ORDER BY ts DESC LIMIT 1');
  const lastMinuteOf = db.prepare('SELECT last_ts AS ts, last AS value FROM rollup_1m WHERE series = ? ORDER BY t DESC LIMIT 1');

  const minutesIn = db.prepare('SELECT * FROM rollup_1m WHERE series = ? AND t >= ? AND t <= ?');
  const minuteBefore = db.prepare('SELECT * FROM rollup_1m WHERE series = ? AND t < ? ORDER BY t DESC LIMIT 1');
  const minuteAfter = db.prepare('SELECT * FROM rollup_1m WHERE series = ? AND t > ? ORDER BY t LIMIT 1');
  const upsertMinute = db.prepare(
    `INSERT OR REPLACE INTO rollup_1m (series, t, count, sum, min, max, first, first_ts, last, last_ts, inc_inner, increase)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const recomputeHours = db.prepare(coarseSql('rollup_1m', 'rollup_1h', HOUR, 'WHERE series = ? AND t >= ? AND t < ?'));
  const recomputeDays = db.prepare(coarseSql('rollup_1h', 'rollup_1d', DAY, 'WHERE series = ? AND t >= ? AND t < ?'));
  const rollupRange = {
    '1m': db.prepare('SELECT t, count, sum, min, max, last, increase FROM rollup_1m WHERE series = ? AND t >= ? AND t <= ? ORDER BY t LIMIT ?'),
    '1h': db.prepare('SELECT t, count, sum, min, max, last, increase FROM rollup_1h WHERE series = ? AND t >= ? AND t <= ? ORDER BY t LIMIT ?'),
    '1d': db.prepare('SELECT t, count, sum, min, max, last, increase FROM rollup_1d WHERE series = ? AND t >= ? AND t <= ? ORDER BY t LIMIT ?'),
  };

  const lastBefore = db.prepare('SELECT ts FROM readings WHERE series = ? AND ts < ? ORDER BY ts DESC LIMIT 1').pluck();
  const nthOldest = db.prepare('SELECT ts FROM readings WHERE series = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?').pluck();
  const deleteBefore = db.prepare('DELETE FROM readings WHERE series = ? AND ts < ?');
  const setRawFrom = db.prepare('UPDATE series SET raw_from = ? WHERE key = ?');

  function loadSeries(): void {
    for (const row of selectSeries.all() as (Omit<Series, 'states'> & { key: number; states: string | null; rawFrom: number | null })[]) {
      const { key, states, rawFrom, ...rest } = row;
      const series: Series = states ? { ...rest, states: JSON.parse(states) as string[] } : rest;
      seriesById.set(series.id, { key, series, rawFrom: rawFrom ?? -Infinity });
    }
  }
  loadSeries();
  for (const { key, series } of seriesById.values()) {
    // Retention may have deleted every raw reading of a silent series: its minutes still know the last one.
    const row = (lastOf.get(key) ?? lastMinuteOf.get(key)) as { ts: number; value: number } | undefined;
    if (row) latestBySeries.set(series.id, { seriesId: series.id, ts: row.ts, value: row.value });
  }

  // The queue: arrays as written, taken CHUNK readings at a time.
  const queue: Reading[][] = [];
  let pending = 0;
  let enqueued = 0;
  let processed = 0;
  let written = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;
  let retention: Promise<{ deleted: number }> | undefined;
  let closed = false;
  const unknownLogged = new Set<string>();

  function take(): Reading[] {
    const chunk: Reading[] = [];
    while (chunk.length < CHUNK && queue.length > 0) {
      const head = queue[0] as Reading[];
      const room = CHUNK - chunk.length;
      if (head.length <= room) {
        chunk.push(...head);
        queue.shift();
      } else {
        chunk.push(...head.slice(0, room));
        queue[0] = head.slice(room);
      }
    }
    pending -= chunk.length;
    return chunk;
  }

  /** One transaction: raw readings, then the minutes, hours and days they touch. */
  const writeChunk = db.transaction((chunk: Reading[]) => {
    let stored = 0;
    let refused = 0;
    for (const [id, arrived] of bySeries(chunk)) {
      const entry = seriesById.get(id);
      if (!entry) {
        refused += arrived.length;
        if (!unknownLogged.has(id)) {
          unknownLogged.add(id);
          log.warn({ seriesId: id }, 'readings of an unknown series dropped (upsertSeries first)');
        }
        continue;
      }
      const { key } = entry;
      const counter = entry.series.kind === 'counter';
      const { points } = sortDistinct(arrived);
      const minutes = bucketsOf(
        points.map((p) => p[0]),
        MINUTE,
      );
      const ranges = rangesOf(minutes, HOUR);
      const rows = new Map<number, MinuteRow>();
      for (const r of ranges) {
        for (const row of minutesIn.all(key, r.start, r.end) as MinuteDbRow[]) rows.set(row.t, fromDb(row));
        const before = minuteBefore.get(key, r.start) as MinuteDbRow | undefined;
        if (before) rows.set(before.t, fromDb(before));
        const after = minuteAfter.get(key, r.end) as MinuteDbRow | undefined;
        if (after) rows.set(after.t, fromDb(after));
      }
      const raw = new Map<number, Point[]>();
      for (const m of minutesNeedingRaw(points, rows)) {
        if (m >= entry.rawFrom) raw.set(m, range.all(key, m, m + MINUTE - 1, MINUTE) as Point[]);
      }
      const result = applyPoints(counter, points, rows, ranges, raw);
      for (const [ts, value] of result.accepted) stored += insert.run(key, ts, value).changes;
      for (const m of result.changed) upsertMinute.run(key, m.t, m.count, m.sum, m.min, m.max, m.first, m.firstTs, m.last, m.lastTs, m.incInner, m.increase);
      if (result.dropped.length > 0) {
        refused += result.dropped.length;
        log.warn({ seriesId: id, readings: result.dropped.length, first: new Date(result.dropped[0]?.[0] ?? 0).toISOString() }, 'late readings inside minutes whose raw readings retention deleted: dropped');
      }
      const hours = bucketsOf(
        result.changed.map((m) => m.t),
        HOUR,
      );
      for (const r of rangesOf(hours, HOUR)) recomputeHours.run(key, r.start, r.end + HOUR);
      for (const r of rangesOf(bucketsOf(hours, DAY), DAY)) recomputeDays.run(key, r.start, r.end + DAY);
    }
    return { stored, refused };
  });

  function drain(): Promise<void> {
    // The reset runs in .finally(), after the assignment, even when no chunk awaited.
    draining ??= (async () => {
      while (pending > 0) {
        const chunk = take();
        try {
          const { stored, refused } = writeChunk(chunk);
          written += stored;
          dropped += refused;
          processed += chunk.length;
        } catch (err) {
          // Keep the rows: a transient failure (disk full, locked file) must not lose data.
          queue.unshift(chunk);
          pending += chunk.length;
          log.error({ err, rows: chunk.length }, 'batch write failed; readings kept in memory for the next flush');
          throw err;
        }
        if (pending > 0) await yieldToLoop();
      }
    })().finally(() => {
      draining = undefined;
    });
    return draining;
  }

  function background(): void {
    drain().catch(() => scheduleFlush());
  }

  function scheduleFlush(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      background();
    }, flushIntervalMs);
  }

  /** Resolves once every reading queued before the call is written. */
  async function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const target = enqueued;
    while (processed < target) await drain();
  }

  async function runRetention(now: number): Promise<{ deleted: number }> {
    const cutoff = floorTo(now - rawRetentionDays * DAY, DAY);
    let deleted = 0;
    for (const entry of seriesById.values()) {
      if (closed) break;
      const keep = lastBefore.get(entry.key, cutoff) as number | undefined;
      if (keep === undefined) continue;
      // Before deleting anything: from now on a late reading is placed in a minute
      // before this one without raw readings, or refused (see rollup.ts).
      const rawFrom = floorTo(keep, MINUTE) + MINUTE;
      if (rawFrom > entry.rawFrom) {
        setRawFrom.run(rawFrom, entry.key);
        entry.rawFrom = rawFrom;
      }
      for (;;) {
        if (closed) break;
        const bound = nthOldest.get(entry.key, keep, DELETE_CHUNK - 1) as number | undefined;
        const n = deleteBefore.run(entry.key, bound === undefined ? keep : bound + 1).changes;
        deleted += n;
        if (bound === undefined) break;
        await yieldToLoop();
      }
    }
    if (deleted > 0) log.info({ deleted, before: new Date(cutoff).toISOString() }, 'raw retention applied');
    return { deleted };
  }

  log.info({ file }, 'sqlite store open');

  return {
    kind: 'sqlite',
    rawRetentionDays,
    upsertSeries(list) {
      db.transaction(() => {
        for (const s of list) upsert.run({ ...s, states: s.states ? JSON.stringify(s.states) : null });
      })();
      loadSeries();
    },
    listSeries: () => [...seriesById.values()].map((s) => s.series),
    getSeries: (id) => seriesById.get(id)?.series,
    write(readings) {
      if (closed) throw new Error('store is closed');
      if (readings.length === 0) return;
      queue.push(readings.slice());
      pending += readings.length;
      enqueued += readings.length;
      for (const r of readings) {
        const prev = latestBySeries.get(r.seriesId);
        // Late readings must not replace a newer "latest" value.
        if (!prev || r.ts >= prev.ts) latestBySeries.set(r.seriesId, r);
      }
      if (pending >= batchSize) background();
      else scheduleFlush();
    },
    flush,
    latest: () => [...latestBySeries.values()],
    async history(seriesId, from, to, limit) {
      const s = seriesById.get(seriesId);
      if (!s) return { points: [], truncated: false };
      // Readings already pushed to dashboards must be in the answer too.
      await flush();
      // Read one extra row to know whether the answer was cut.
      const rows = range.all(s.key, from, to, limit + 1) as [number, number][];
      const truncated = rows.length > limit;
      return { points: truncated ? rows.slice(0, limit) : rows, truncated };
    },
    async query(seriesId, q): Promise<RangeResult> {
      const s = seriesById.get(seriesId);
      const plan = planQuery(q, s?.rawFrom ?? -Infinity);
      if (!s) return { resolution: plan.resolution, buckets: [], truncated: false };
      await flush();
      const { from, to, maxPoints } = plan;
      let resolution = plan.resolution;
      if (plan.rawCandidate && (countRange.get(s.key, from, to, maxPoints + 1) as number) <= maxPoints) resolution = 'raw';
      const counter = s.series.kind === 'counter';
      if (resolution === 'raw') {
        const rows = range.all(s.key, from, to, maxPoints + 1) as Point[];
        const truncated = rows.length > maxPoints;
        const prev = counter ? (valueBefore.get(s.key, from) as number | undefined) : undefined;
        return { resolution, buckets: rawBuckets(truncated ? rows.slice(0, maxPoints) : rows, prev, counter), truncated };
      }
      const rows = rollupRange[resolution].all(s.key, queryStart(from, resolution), to, maxPoints + 1) as CoarseRow[];
      const truncated = rows.length > maxPoints;
      return { resolution, buckets: (truncated ? rows.slice(0, maxPoints) : rows).map(toBucket), truncated };
    },
    applyRetention(now) {
      if (closed) return Promise.reject(new Error('store is closed'));
      // One run at a time: a second call waits for the first and then runs.
      const run = (retention ?? Promise.resolve({ deleted: 0 })).catch(() => ({ deleted: 0 })).then(() => runRetention(now ?? clock()));
      retention = run;
      return run.finally(() => {
        if (retention === run) retention = undefined;
      });
    },
    stats: () => ({ pending, written, dropped, state: closed ? 'down' : 'up' }),
    async close() {
      if (closed) return;
      await flush();
      closed = true;
      if (timer) clearTimeout(timer);
      await retention?.catch(() => undefined);
      await draining?.catch(() => undefined);
      db.close();
      log.info({ written }, 'sqlite store closed');
    },
  };
}

function migrate(db: Database.Database, log: Logger): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    const started = Date.now();
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
    log.info({ version: v + 1, ms: Date.now() - started }, 'schema migrated');
  }
}
