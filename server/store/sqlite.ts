import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Reading, Series } from '../../shared/api';
import type { Logger } from '../logger';
import { type Point, coarseBucket, planQuery, pointsLimit, queryStart, rawBuckets } from './rollup';
import { openDatabase } from './sqlite-schema';
import type { FromWorker, ToWorker, WorkerInit } from './sqlite-worker';
import { threadCode } from './thread-code';
import { DEFAULT_RAW_RETENTION_DAYS, type RangeResult, type Store } from './types';

/** A rollup row as read: t, count, sum, min, max, last, increase (see rollupRange). */
type CoarseTuple = [number, number, number, number, number, number, number | null];

export interface SqliteStoreOptions {
  dataDir: string;
  /** Hand readings to the writer when this many are queued... */
  batchSize?: number;
  /** ...or when the oldest queued reading is this old. */
  flushIntervalMs?: number;
  /** Raw readings older than this are not written, and deleted by applyRetention(); rollups are kept. Default 30. */
  rawRetentionDays?: number;
  /** The clock of raw retention: applyRetention()'s default, and the writes' cut. */
  now?: () => number;
  /** Readings waiting for the writer beyond which whenWritable() holds ingest back (to half of it). Default 200,000. */
  maxWaiting?: number;
  log: Logger;
}

export const SQLITE_FILE = 'lenumerique.sqlite';
/** Readings per hand-over to the writer thread, and so per transaction at most. */
const CHUNK = 5_000;
/**
 * Readings handed over and not yet written beyond which ingest waits (whenWritable):
 * the writer is the slowest step of a backfill, and a queue in front of it would
 * otherwise grow without bound. 24 bytes a reading: 200,000 is under 5 MB.
 */
const MAX_WAITING = 200_000;

interface SeriesEntry {
  key: number;
  series: Series;
  /** Raw readings are complete from this time on (retention cut before it); -Infinity if never cut. */
  rawFrom: number;
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The embedded store: a SQLite file in DATA_DIR. Queries run here, on the event
 * loop's own connection (WAL: readers never wait for the writer); writes go, as
 * typed arrays, to a writer thread (sqlite-worker.ts) with a connection of its
 * own. Series metadata and the latest values are kept in memory.
 */
export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const { log } = opts;
  const batchSize = Math.min(opts.batchSize ?? 1000, CHUNK);
  const flushIntervalMs = opts.flushIntervalMs ?? 200;
  const rawRetentionDays = opts.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
  const clock = opts.now ?? Date.now;
  const highWater = opts.maxWaiting ?? MAX_WAITING;
  const lowWater = Math.floor(highWater / 2);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, SQLITE_FILE);
  const db = openDatabase(file, { migrate: true, log });

  const seriesById = new Map<string, SeriesEntry>();
  const latestBySeries = new Map<string, Reading>();

  const upsert = db.prepare(
    `INSERT INTO series (id, device_id, point, unit, kind, label, zone, states) VALUES (@id, @deviceId, @point, @unit, @kind, @label, @zone, @states)
     ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, kind = excluded.kind, label = excluded.label, zone = excluded.zone, states = excluded.states`,
  );
  const selectSeries = db.prepare('SELECT key, id, device_id AS deviceId, point, unit, kind, label, zone, states, raw_from AS rawFrom FROM series ORDER BY id');
  const range = db.prepare('SELECT ts, value FROM readings WHERE series = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?').raw(true);
  const countRange = db.prepare('SELECT count(*) FROM (SELECT 1 FROM readings WHERE series = ? AND ts >= ? AND ts <= ? LIMIT ?)').pluck();
  const rawBefore = db.prepare('SELECT ts, value FROM readings WHERE series = ? AND ts < ? ORDER BY ts DESC LIMIT 1').raw(true);
  // Raw readings older than retention may never have been written: their minutes know the last one.
  const minuteBefore = db.prepare('SELECT last_ts, last FROM rollup_1m WHERE series = ? AND t < ? AND last_ts < ? ORDER BY t DESC LIMIT 1').raw(true);
  const lastOf = db.prepare('SELECT ts, value FROM readings WHERE series = ? ORDER BY ts DESC LIMIT 1');
  const lastMinuteOf = db.prepare('SELECT last_ts AS ts, last AS value FROM rollup_1m WHERE series = ? ORDER BY t DESC LIMIT 1');
  // Rows as arrays, not objects: better-sqlite3 built an object per row at about twice
  // the cost, and the year's energy review reads 8,760 hourly rows of each meter.
  const rollupStatements = (columns: string) => {
    const sql = (table: string) => `SELECT ${columns} FROM ${table} WHERE series = ? AND t >= ? AND t <= ? ORDER BY t LIMIT ?`;
    return { '1m': db.prepare(sql('rollup_1m')).raw(true), '1h': db.prepare(sql('rollup_1h')).raw(true), '1d': db.prepare(sql('rollup_1d')).raw(true) };
  };
  const rollupRange = rollupStatements('t, count, sum, min, max, last, increase');
  // A meter's increases alone (Store.increases): 3 values a row instead of 7.
  const increaseRange = rollupStatements('t, count, increase');

  function loadSeries(): void {
    for (const row of selectSeries.all() as (Omit<Series, 'states'> & { key: number; states: string | null; rawFrom: number | null })[]) {
      const { key, states, rawFrom, ...rest } = row;
      const series: Series = states ? { ...rest, states: JSON.parse(states) as string[] } : rest;
      const known = seriesById.get(series.id);
      seriesById.set(series.id, { key, series, rawFrom: Math.max(known?.rawFrom ?? -Infinity, rawFrom ?? -Infinity) });
    }
  }
  loadSeries();
  const byKey = () => new Map([...seriesById.values()].map((e) => [e.key, e]));
  let entriesByKey = byKey();
  for (const { key, series } of seriesById.values()) {
    // Retention may have deleted every raw reading of a silent series: its minutes still know the last one.
    const row = (lastOf.get(key) ?? lastMinuteOf.get(key)) as { ts: number; value: number } | undefined;
    if (row) latestBySeries.set(series.id, { seriesId: series.id, ts: row.ts, value: row.value });
  }

  const init: WorkerInit = { file, rawRetentionDays, retryMs: Math.max(100, Math.min(flushIntervalMs, 1000)) };
  // No inherited flags (a test runner's loader, --cpu-prof): the code is plain JavaScript.
  // better-sqlite3 (a native addon) and zod load from node_modules.
  const worker = new Worker(threadCode('server/store/sqlite-worker.ts', ['better-sqlite3', 'zod']), { eval: true, workerData: init, execArgv: [] });
  const send = (m: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);

  // Triples (key, ts, value) not yet handed over, in a growing typed array.
  const buf = new Float64Array(3 * CHUNK);
  let buffered = 0;
  let seq = 0;
  let enqueued = 0;
  let handed = 0;
  let processed = 0;
  let written = 0;
  let dropped = 0;
  let failing: string | undefined;
  let workerGone: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const unknownLogged = new Set<string>();
  const waiters: Waiter[] = [];
  let writableWaiters: (() => void)[] = [];
  const retentionRuns = new Map<number, { resolve: (r: { deleted: number }) => void; reject: (e: Error) => void }>();
  let onClosed: () => void = () => undefined;

  function applyRawFrom(changes: [number, number][]): void {
    for (const [key, t] of changes) {
      const e = entriesByKey.get(key);
      if (e && t > e.rawFrom) e.rawFrom = t;
    }
  }

  function settle(): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i] as Waiter;
      if (processed >= w.target) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
    if (handed - processed <= lowWater && writableWaiters.length > 0) {
      const ready = writableWaiters;
      writableWaiters = [];
      for (const r of ready) r();
    }
  }

  worker.on('message', (m: FromWorker) => {
    switch (m.type) {
      case 'written':
        processed += m.n;
        written += m.stored;
        dropped += m.refused;
        applyRawFrom(m.rawFrom);
        if (failing !== undefined) log.info({ seq: m.seq }, 'writes succeed again');
        failing = undefined;
        settle();
        break;
      case 'failing': {
        if (failing === undefined) log.error({ err: m.message, pending: handed - processed + buffered }, 'batch write failed; readings kept for the next try');
        failing = m.message;
        const err = new Error(`SQLite write failed: ${m.message}`);
        for (const w of waiters.splice(0)) w.reject(err);
        break;
      }
      case 'retained':
      case 'retention-failed': {
        const run = retentionRuns.get(m.seq);
        retentionRuns.delete(m.seq);
        if (m.type === 'retained') {
          applyRawFrom(m.rawFrom);
          run?.resolve({ deleted: m.deleted });
        } else run?.reject(new Error(m.message));
        break;
      }
      case 'log':
        log[m.level](m.obj, m.msg);
        break;
      case 'closed':
        onClosed();
        break;
    }
  });
  worker.on('error', (err) => {
    workerGone = err;
    log.error({ err }, 'the SQLite writer thread failed');
    for (const w of waiters.splice(0)) w.reject(err);
    for (const r of retentionRuns.values()) r.reject(err);
    retentionRuns.clear();
  });

  /** Hands the buffered readings to the writer. */
  function handOver(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffered === 0) return;
    const data = buf.slice(0, 3 * buffered);
    handed += buffered;
    buffered = 0;
    send({ type: 'write', seq: ++seq, data, now: clock() }, [data.buffer]);
  }

  function scheduleHandOver(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      handOver();
    }, flushIntervalMs);
  }

  /** Resolves once every reading queued before the call is written; rejects if the writer fails meanwhile. */
  function flush(): Promise<void> {
    handOver();
    if (workerGone) return Promise.reject(workerGone);
    const target = handed;
    if (processed >= target) return Promise.resolve();
    return new Promise((resolve, reject) => waiters.push({ target, resolve, reject }));
  }

  function valueBefore(key: number, from: number): number | undefined {
    // The later of the two: the raw reading retention kept may be older than readings
    // written after it, past retention, to the minutes only (a backfill).
    const raw = rawBefore.get(key, from) as Point | undefined;
    const minute = minuteBefore.get(key, from, from) as Point | undefined;
    if (!raw || !minute) return (raw ?? minute)?.[1];
    return minute[0] > raw[0] ? minute[1] : raw[1];
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
      entriesByKey = byKey();
      // Before any write of these series: messages to the writer keep their order.
      send({ type: 'series' });
    },
    listSeries: () => [...seriesById.values()].map((s) => s.series),
    getSeries: (id) => seriesById.get(id)?.series,
    write(readings) {
      if (closed) throw new Error('store is closed');
      for (const r of readings) {
        const entry = seriesById.get(r.seriesId);
        if (!entry) {
          dropped++;
          if (!unknownLogged.has(r.seriesId)) {
            unknownLogged.add(r.seriesId);
            log.warn({ seriesId: r.seriesId }, 'readings of an unknown series dropped (upsertSeries first)');
          }
          continue;
        }
        const prev = latestBySeries.get(r.seriesId);
        // Late readings must not replace a newer "latest" value.
        if (!prev || r.ts >= prev.ts) latestBySeries.set(r.seriesId, r);
        const k = 3 * buffered;
        buf[k] = entry.key;
        buf[k + 1] = r.ts;
        buf[k + 2] = r.value;
        buffered++;
        enqueued++;
        if (buffered === CHUNK) handOver();
      }
      if (buffered >= batchSize) handOver();
      else if (buffered > 0) scheduleHandOver();
    },
    whenWritable() {
      if (handed - processed <= highWater || closed || workerGone) return undefined;
      return new Promise<void>((resolve) => writableWaiters.push(resolve));
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
      if (!s) return { resolution: planQuery(q, -Infinity).resolution, buckets: [], truncated: false };
      await flush();
      const plan = planQuery(q, s.rawFrom);
      const { from, to, maxPoints } = plan;
      let resolution = plan.resolution;
      if (plan.rawCandidate && (countRange.get(s.key, from, to, maxPoints + 1) as number) <= maxPoints) resolution = 'raw';
      const counter = s.series.kind === 'counter';
      if (resolution === 'raw') {
        const rows = range.all(s.key, from, to, maxPoints + 1) as Point[];
        const truncated = rows.length > maxPoints;
        const prev = counter ? valueBefore(s.key, from) : undefined;
        return { resolution, buckets: rawBuckets(truncated ? rows.slice(0, maxPoints) : rows, prev, counter), truncated };
      }
      const rows = rollupRange[resolution].all(s.key, queryStart(from, resolution), to, maxPoints + 1) as CoarseTuple[];
      const truncated = rows.length > maxPoints;
      return { resolution, buckets: (truncated ? rows.slice(0, maxPoints) : rows).map(([t, count, sum, min, max, last, increase]) => coarseBucket(t, count, sum, min, max, last, increase)), truncated };
    },
    async increases(seriesId, q) {
      const s = seriesById.get(seriesId);
      if (!s) return [];
      await flush();
      const rows = increaseRange[q.resolution].all(s.key, queryStart(q.from, q.resolution), q.to, pointsLimit(q.maxPoints)) as [number, number, number | null][];
      return rows.map(([t, count, increase]) => ({ t, count, increase }));
    },
    applyRetention(now) {
      if (closed) return Promise.reject(new Error('store is closed'));
      if (workerGone) return Promise.reject(workerGone);
      // The writer runs one retention at a time, in the order asked.
      const id = ++seq;
      const done = new Promise<{ deleted: number }>((resolve, reject) => retentionRuns.set(id, { resolve, reject }));
      send({ type: 'retention', seq: id, now: now ?? clock() });
      return done;
    },
    stats: () => ({
      pending: enqueued - processed,
      written,
      dropped,
      state: closed || workerGone ? 'down' : failing !== undefined ? 'degraded' : 'up',
      // Said at once (watch.ts would otherwise wait 5 s for no progress); no path in it, /api/health is public.
      ...(workerGone ? { error: 'the SQLite writer thread stopped' } : failing !== undefined ? { error: `SQLite cannot write (${failing.replace(/\/\S+/g, '…')}); ${enqueued - processed} readings kept in memory and retried` } : {}),
    }),
    async close() {
      if (closed) return;
      try {
        await flush();
      } finally {
        closed = true;
        if (timer) clearTimeout(timer);
        if (!workerGone) {
          const gone = new Promise<void>((resolve) => {
            onClosed = resolve;
            worker.once('exit', () => resolve());
          });
          send({ type: 'close' });
          // A writer stuck on a failing disk must not hold the process: give it 10 s.
          const stuck = setTimeout(() => void worker.terminate(), 10_000);
          await gone;
          clearTimeout(stuck);
        }
        db.close();
        log.info({ written }, 'sqlite store closed');
      }
    },
  };
}
