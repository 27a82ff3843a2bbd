import type Database from 'better-sqlite3';
import { type CoarseRow, DAY, HOUR, MINUTE, type MinuteRow, type Point, applyPoints, minuteRow, bucketsOf, combine, floorTo, minutesNeedingRaw, rangesOf, sortDistinct } from './rollup';
import { coarseSql } from './sqlite-schema';
import type { StoreLog } from './types';

/**
 * Everything the SQLite store writes: raw readings, their minute, hour and day
 * rollups, and retention. It runs in a worker thread of its own
 * (sqlite-worker.ts), so that a backfill or a burst costs the event loop only the
 * hand-over of a typed array, and the broker, ingest and live push keep a core.
 * It sees only series keys; the store on the event loop resolves series ids.
 */

/** What the writer logs; the worker forwards it to the server's logger. */
export type WriterLog = Pick<StoreLog, 'info' | 'warn'>;

export interface WriteOutcome {
  /** Readings stored (duplicates excluded). */
  stored: number;
  /** Readings refused (late, inside a minute whose raw readings are gone), each logged. */
  refused: number;
  /** Series whose raw readings now start later: [key, rawFrom]. */
  rawFrom: [number, number][];
}

/** A minute row as read back: its columns in MINUTE_COLUMNS' order. */
type MinuteDbRow = [t: number, count: number, sum: number, min: number, max: number, first: number, firstTs: number, last: number, lastTs: number, incInner: number, increase: number | null];

const MINUTE_COLUMNS = 't, count, sum, min, max, first, first_ts, last, last_ts, inc_inner, increase';

/** An hour row as read back by hoursOfDay. */
type HourDbRow = [t: number, count: number, sum: number, min: number, max: number, last: number, increase: number | null];
const hourFromDb = ([t, count, sum, min, max, last, increase]: HourDbRow): CoarseRow => ({ t, count, sum, min, max, last, increase });

const fromDb = (r: MinuteDbRow): MinuteRow => minuteRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10]);

/**
 * Readings per transaction at most (sqlite-worker.ts). The store hands over about
 * a thousand at a time; what queued up while the last transaction ran is written in
 * one: each commit costs a WAL write of every page it touched, whatever their rows.
 * 50,000 rather than 20,000: a backfill's transactions are full, and the writer alone
 * then took 5 % less CPU and 10 % less time per reading on this machine; a live
 * load of 5,000 readings/s never queues that many.
 */
export const MAX_PER_TRANSACTION = 50_000;

/** Raw rows deleted per transaction by retention. */
const DELETE_CHUNK = 20_000;

export interface SqliteWriter {
  /** Reads the series table again (after the store registered new series). */
  loadSeries(): void;
  /**
   * Writes readings as (key, ts, value) triples in one transaction, raw readings
   * and rollups. A reading already past raw retention at `now` (retention's cut,
   * whole UTC days) goes to the rollups only, as InfluxDB's "raw" retention policy
   * refuses it (influx.ts): retention would delete its raw row within the hour, and
   * without those rows the writer alone stores a backfill's old readings 30 to 40 %
   * faster (bench/history.ts, sqliteWriterAlone).
   */
  write(batches: readonly Float64Array[], now: number): WriteOutcome;
  /** Deletes raw readings before the retention cut of `now`, a series and a chunk at a time. */
  retention(now: number, yieldToLoop: () => Promise<void>, stopped: () => boolean): Promise<{ deleted: number; rawFrom: [number, number][] }>;
}

export function createSqliteWriter(db: Database.Database, rawRetentionDays: number, log: WriterLog): SqliteWriter {
  /** Per series key: a counter?, and from when its raw readings are complete. */
  const series = new Map<number, { id: string; counter: boolean; rawFrom: number }>();
  const selectSeries = db.prepare('SELECT key, id, kind, raw_from AS rawFrom FROM series');

  const insert = db.prepare('INSERT OR IGNORE INTO readings (series, ts, value) VALUES (?, ?, ?)');
  const range = db.prepare('SELECT ts, value FROM readings WHERE series = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?').raw(true);
  // Rows as arrays: better-sqlite3 builds an object row property by property. In the
  // writer alone (10 days, bench/history.ts) the day's hour rows cost 2.9 µs each
  // read as objects, 1.6 µs as arrays, query included.
  const minutesIn = db.prepare(`SELECT ${MINUTE_COLUMNS} FROM rollup_1m WHERE series = ? AND t >= ? AND t <= ?`).raw(true);
  const minuteBefore = db.prepare(`SELECT ${MINUTE_COLUMNS} FROM rollup_1m WHERE series = ? AND t < ? ORDER BY t DESC LIMIT 1`).raw(true);
  const minuteAfter = db.prepare(`SELECT ${MINUTE_COLUMNS} FROM rollup_1m WHERE series = ? AND t > ? ORDER BY t LIMIT 1`).raw(true);
  const upsertMinute = db.prepare(
    `INSERT OR REPLACE INTO rollup_1m (series, t, count, sum, min, max, first, first_ts, last, last_ts, inc_inner, increase)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upsertHour = db.prepare('INSERT OR REPLACE INTO rollup_1h (series, t, count, sum, min, max, last, increase) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const recomputeHours = db.prepare(coarseSql('rollup_1m', 'rollup_1h', HOUR, 'WHERE series = ? AND t >= ? AND t < ?'));
  const hoursOfDay = db.prepare('SELECT t, count, sum, min, max, last, increase FROM rollup_1h WHERE series = ? AND t >= ? AND t < ? ORDER BY t').raw(true);
  const upsertDay = db.prepare('INSERT OR REPLACE INTO rollup_1d (series, t, count, sum, min, max, last, increase) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const setRawFrom = db.prepare('UPDATE series SET raw_from = ? WHERE key = ?');

  const lastBefore = db.prepare('SELECT ts FROM readings WHERE series = ? AND ts < ? ORDER BY ts DESC LIMIT 1').pluck();
  const nthOldest = db.prepare('SELECT ts FROM readings WHERE series = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?').pluck();
  const deleteBefore = db.prepare('DELETE FROM readings WHERE series = ? AND ts < ?');

  /**
   * Per series, the stored minute rows of the whole hours [from, to] of each range
   * the last write touched, exactly as it left them. This thread is the only writer
   * of the rollups, so they stay true. Every range, not only the last: a backfill's
   * chunk comes with a live reading of the same series (the simulator runs live
   * beside it), and keeping only the live hour made every chunk read its hour's
   * minutes back from the database: 0.78 s of the 8.6 s the writer alone took for
   * 10 days of the building (bench/history.ts), the largest of its reads.
   */
  const windows = new Map<number, { from: number; to: number; rows: MinuteRow[] }[]>();

  // Minute rows in statements of MINUTES_PER_INSERT rows: one call into SQLite
  // instead of one per row (the per-call cost dominated for one-reading minutes).
  const MINUTES_PER_INSERT = 32;
  const minuteColumns = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const upsertMinutes = db.prepare(
    `INSERT OR REPLACE INTO rollup_1m (series, t, count, sum, min, max, first, first_ts, last, last_ts, inc_inner, increase)
     VALUES ${Array.from({ length: MINUTES_PER_INSERT }, () => minuteColumns).join(', ')}`,
  );
  // A minute of one reading (every minute of a backfill at 1-minute steps) binds its
  // reading once: its min, max, first and last are that value, its first and last
  // times that time. Four values bound instead of twelve, the series once per statement.
  const upsertSingles = db.prepare(
    `INSERT OR REPLACE INTO rollup_1m (series, t, count, sum, min, max, first, first_ts, last, last_ts, inc_inner, increase)
     SELECT ?, column1, 1, column2, column2, column2, column2, column3, column2, column3, 0, column4
     FROM (VALUES ${Array.from({ length: MINUTES_PER_INSERT }, () => '(?, ?, ?, ?)').join(', ')})`,
  );
  const params: (number | null)[] = [];
  const singles: (number | null)[] = [];
  function writeMinutes(key: number, changed: readonly MinuteRow[]): void {
    // Arguments spread rather than one array: better-sqlite3 then reads each from the
    // call's arguments instead of a property lookup on the array (8 % of the writer's CPU).
    params.length = 0;
    singles.length = 0;
    singles.push(key);
    for (const m of changed) {
      if (m.count === 1 && m.incInner === 0) {
        singles.push(m.t, m.sum, m.firstTs, m.increase);
        if (singles.length === 1 + 4 * MINUTES_PER_INSERT) {
          upsertSingles.run(...singles);
          singles.length = 1;
        }
      } else {
        params.push(key, m.t, m.count, m.sum, m.min, m.max, m.first, m.firstTs, m.last, m.lastTs, m.incInner, m.increase);
        if (params.length === 12 * MINUTES_PER_INSERT) {
          upsertMinutes.run(...params);
          params.length = 0;
        }
      }
    }
    for (let i = 1; i < singles.length; i += 4) upsertMinute.run(key, singles[i], 1, singles[i + 1], singles[i + 1], singles[i + 1], singles[i + 1], singles[i + 2], singles[i + 1], singles[i + 2], 0, singles[i + 3]);
    for (let i = 0; i < params.length; i += 12) upsertMinute.run(...params.slice(i, i + 12));
  }

  const RAW_PER_INSERT = 64;
  const insertRaw = db.prepare(`INSERT OR IGNORE INTO readings (series, ts, value) VALUES ${Array.from({ length: RAW_PER_INSERT }, () => '(?, ?, ?)').join(', ')}`);
  /** Raw rows of the accepted readings from `rawFrom` on; the count stored (those before rawFrom are rolled up only). */
  function writeRaw(key: number, accepted: readonly Point[], rawFrom: number): number {
    let stored = 0;
    let i = 0;
    while (i < accepted.length && (accepted[i] as Point)[0] < rawFrom) i++;
    stored += i;
    for (; i + RAW_PER_INSERT <= accepted.length; i += RAW_PER_INSERT) {
      params.length = 0;
      for (let j = i; j < i + RAW_PER_INSERT; j++) params.push(key, (accepted[j] as Point)[0], (accepted[j] as Point)[1]);
      stored += insertRaw.run(...params).changes;
    }
    for (; i < accepted.length; i++) stored += insert.run(key, (accepted[i] as Point)[0], (accepted[i] as Point)[1]).changes;
    return stored;
  }

  function loadSeries(): void {
    for (const row of selectSeries.all() as { key: number; id: string; kind: string; rawFrom: number | null }[]) {
      const known = series.get(row.key);
      series.set(row.key, { id: row.id, counter: row.kind === 'counter', rawFrom: Math.max(known?.rawFrom ?? -Infinity, row.rawFrom ?? -Infinity) });
    }
  }
  loadSeries();

  /** Raw readings are complete from `t` on: recorded before any older one is left out. */
  function raiseRawFrom(key: number, entry: { rawFrom: number }, t: number, changes: [number, number][]): void {
    if (t <= entry.rawFrom) return;
    setRawFrom.run(t, key);
    entry.rawFrom = t;
    changes.push([key, t]);
  }

  /** The readings of one series (time order, distinct times), their rollups included. */
  function writeSeries(key: number, entry: { id: string; counter: boolean; rawFrom: number }, points: Point[], out: WriteOutcome): void {
    const { counter } = entry;

    const minutes = bucketsOf(
      points.map((p) => p[0]),
      MINUTE,
    );
    const ranges = rangesOf(minutes, HOUR);
    // The stored minutes of every whole hour a range touches, so that the hours
    // are recomputed here from their minutes, plus the nearest ones around.
    const rows = new Map<number, MinuteRow>();
    const wholeHours: { start: number; end: number }[] = [];
    const cachedWindows = windows.get(key);
    for (const r of ranges) {
      const start = floorTo(r.start, HOUR);
      const end = floorTo(r.end, HOUR) + HOUR - 1;
      wholeHours.push({ start, end });
      // What the last write of the series left in hand is not read again: a backfill
      // continues, chunk after chunk, the hour the previous chunk ended in.
      const cached = cachedWindows?.find((w) => w.from <= start && start <= w.to);
      let from = start;
      if (cached) {
        for (const row of cached.rows) if (row.t >= start && row.t <= end) rows.set(row.t, row);
        from = cached.to + 1;
      }
      if (from <= end) for (const row of minutesIn.all(key, from, end) as MinuteDbRow[]) rows.set(row[0], fromDb(row));
      let before: MinuteRow | undefined;
      if (cached) {
        for (const row of cached.rows) if (row.t < start && (!before || row.t > before.t)) before = row;
      }
      if (!before) {
        const found = minuteBefore.get(key, start) as MinuteDbRow | undefined;
        if (found) before = fromDb(found);
      }
      if (before) rows.set(before.t, before);
      const after = minuteAfter.get(key, end) as MinuteDbRow | undefined;
      if (after) rows.set(after[0], fromDb(after));
    }
    const raw = new Map<number, Point[]>();
    for (const m of minutesNeedingRaw(points, rows)) {
      if (m >= entry.rawFrom) raw.set(m, range.all(key, m, m + MINUTE - 1, MINUTE) as Point[]);
    }
    const result = applyPoints(counter, points, rows, ranges, raw);
    out.stored += writeRaw(key, result.accepted, entry.rawFrom);
    writeMinutes(key, result.changed);
    if (result.dropped.length > 0) {
      out.refused += result.dropped.length;
      log.warn({ seriesId: entry.id, readings: result.dropped.length, first: new Date(result.dropped[0]?.[0] ?? 0).toISOString() }, 'late readings inside minutes whose raw readings retention deleted: dropped');
    }

    // Hours: from the minutes in hand when the hour is one of the whole hours read,
    // else (the next stored minute, far after, whose increase changed) in SQL.
    const hours = bucketsOf(
      result.changed.map((m) => m.t),
      HOUR,
    );
    const sorted = [...rows.values()].sort((a, b) => a.t - b.t);
    let i = 0;
    for (const h of hours) {
      if (!wholeHours.some((w) => h >= w.start && h <= w.end)) {
        recomputeHours.run(key, h, h + HOUR);
        continue;
      }
      while (i < sorted.length && (sorted[i] as MinuteRow).t < h) i++;
      let j = i;
      while (j < sorted.length && (sorted[j] as MinuteRow).t < h + HOUR) j++;
      const [hour] = combine(sorted.slice(i, j), HOUR);
      if (hour) upsertHour.run(key, hour.t, hour.count, hour.sum, hour.min, hour.max, hour.last, hour.increase);
      i = j;
    }
    // Days from their (at most 24) hours, as written just above.
    for (const d of bucketsOf(hours, DAY)) {
      const [day] = combine((hoursOfDay.all(key, d, d + DAY) as HourDbRow[]).map(hourFromDb), DAY);
      if (day) upsertDay.run(key, day.t, day.count, day.sum, day.min, day.max, day.last, day.increase);
    }
    // The stored minutes of each range's whole hours, as written: the next chunk's start.
    windows.set(
      key,
      wholeHours.map((w) => ({ from: w.start, to: w.end, rows: sorted.filter((row) => row.t >= w.start && row.t <= w.end) })),
    );
  }

  /** Raw readings before this are deleted by retention at `now`: the same cut as retention(). */
  const retentionCut = (now: number): number => floorTo(now - rawRetentionDays * DAY, DAY);

  const writeAll = db.transaction((batches: readonly Float64Array[], now: number): WriteOutcome => {
    const cut = retentionCut(now);
    const out: WriteOutcome = { stored: 0, refused: 0, rawFrom: [] };
    const bySeries = new Map<number, Point[]>();
    for (const triples of batches) {
      for (let k = 0; k < triples.length; k += 3) {
        const key = triples[k] as number;
        let list = bySeries.get(key);
        if (!list) bySeries.set(key, (list = []));
        list.push([triples[k + 1] as number, triples[k + 2] as number]);
      }
    }
    for (const [key, arrived] of bySeries) {
      const entry = series.get(key);
      if (!entry) {
        // The store resolves series before sending: a key it knows and this table does not is a bug.
        out.refused += arrived.length;
        log.warn({ key, readings: arrived.length }, 'readings of a series key the writer does not know: dropped');
        continue;
      }
      const points = sortDistinct(arrived).points;
      // Readings before the cut are rolled up only: raw readings of the series are
      // complete from the cut on, said before they are left out (see raiseRawFrom).
      if ((points[0] as Point)[0] < cut) raiseRawFrom(key, entry, cut, out.rawFrom);
      writeSeries(key, entry, points, out);
    }
    return out;
  });

  async function retention(now: number, yieldToLoop: () => Promise<void>, stopped: () => boolean): Promise<{ deleted: number; rawFrom: [number, number][] }> {
    const cutoff = retentionCut(now);
    let deleted = 0;
    const changes: [number, number][] = [];
    for (const [key, entry] of series) {
      if (stopped()) break;
      const keep = lastBefore.get(key, cutoff) as number | undefined;
      if (keep === undefined) continue;
      // Before deleting anything: from now on a late reading is placed in a minute
      // before this one without raw readings, or refused (see rollup.ts).
      raiseRawFrom(key, entry, floorTo(keep, MINUTE) + MINUTE, changes);
      for (;;) {
        if (stopped()) break;
        const bound = nthOldest.get(key, keep, DELETE_CHUNK - 1) as number | undefined;
        deleted += deleteBefore.run(key, bound === undefined ? keep : bound + 1).changes;
        if (bound === undefined) break;
        await yieldToLoop();
      }
    }
    if (deleted > 0) log.info({ deleted, before: new Date(cutoff).toISOString() }, 'raw retention applied');
    return { deleted, rawFrom: changes };
  }

  function write(batches: readonly Float64Array[], now: number): WriteOutcome {
    try {
      return writeAll(batches, now);
    } catch (err) {
      // Rolled back: the minutes in hand may hold rows that were never stored.
      windows.clear();
      throw err;
    }
  }

  return { loadSeries, write, retention };
}
