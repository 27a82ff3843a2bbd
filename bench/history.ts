import { performance as nodePerformance } from 'node:perf_hooks';
import fs from 'node:fs';
import path from 'node:path';
import type { Series } from '../shared/api';
import { openDatabase } from '../server/store/sqlite-schema';
import { MAX_PER_TRANSACTION, createSqliteWriter } from '../server/store/sqlite-writer';
import { rssMb } from '../test/helpers/faults';
import { printedPorts, spawnServer } from '../test/helpers/process';
import { type BenchServer, BENCH_ADMIN_PASSWORD, SITE, median, powerDevices, startBenchServer, startLoad, tempDir } from './harness';

/**
 * A year of history and what an energy reviewer asks of it (issue 7): the
 * simulator's backfill of the whole building through the real path (MQTT,
 * ingest, store), then the two queries with targets, timed over HTTP as the
 * dashboard makes them, and in the store alone.
 */

const DAY = 86_400_000;

export interface HistoryFigures {
  backfill: {
    days: number;
    stepS: number;
    readings: number;
    seconds: number;
    /** CPU per stored reading, µs, from the server's start to the end of the backfill: the whole process, and its event loop alone. */
    cpuUsPerReading: number;
    mainUsPerReading: number;
  };
  /** 24 h of one 1 Hz series at its default resolution, store.query(), median ms. */
  query24hStoreMs: number;
  /** The same through GET /api/v1/series/:id/history, median ms. */
  query24hHttpMs: number;
  query24hPoints: number;
  /** GET /api/v1/kpi/energy?period=year (daily rows and the KPIs), median ms. */
  energyYearHttpMs: number;
  energyYearRows: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

/** The simulator's backfill of `days` at `stepS` (SIM_BACKFILL_DAYS, SIM_BACKFILL_STEP_S), then the queries over it. */
export async function historyBench(days: number, stepS: number, reps: number): Promise<HistoryFigures> {
  const t0 = performance.now();
  // CPU time is what a shared machine's noise disturbs least: taken beside the wall time.
  const cpu0 = process.cpuUsage();
  const elu0 = nodePerformance.eventLoopUtilization();
  const s: BenchServer = await startBenchServer({ SIMULATOR: 'on', SIM_BACKFILL_DAYS: String(days), SIM_BACKFILL_STEP_S: String(stepS) });
  try {
    const headers = { authorization: `Bearer ${s.token}` };
    // The backfill is done when the simulator says so and the store has written what it was given.
    for (;;) {
      const res = await fetch(`${s.httpUrl}/api/v1/simulator`, { headers });
      const state = (await res.json()) as { backfill?: { running: boolean } };
      if (state.backfill && !state.backfill.running) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await s.server.store.flush();
    const seconds = (performance.now() - t0) / 1000;
    const readings = s.server.store.stats().written;
    const cpu = process.cpuUsage(cpu0);
    const mainMs = nodePerformance.eventLoopUtilization(elu0).active;

    // A 1 Hz series (a fast meter): the last 24 h of it, beside the year of the building.
    const fast: Series = { id: 'bench-meter.power', deviceId: 'bench-meter', point: 'power', unit: 'W', kind: 'gauge', label: 'bench 1 Hz', zone: 'site' };
    s.server.store.upsertSeries([fast]);
    const end = Math.floor(Date.now() / 1000) * 1000;
    for (let t = end - DAY; t < end; t += 3_600_000) {
      s.server.store.write(Array.from({ length: 3600 }, (_, i) => ({ seriesId: fast.id, ts: t + i * 1000, value: 1000 + Math.sin((t + i * 1000) / 600_000) * 500 })));
    }
    await s.server.store.flush();
    const storeTimes: number[] = [];
    let points = 0;
    for (let i = 0; i < reps; i++) {
      const [ms, r] = await timed(() => s.server.store.query(fast.id, { from: end - DAY, to: end }));
      storeTimes.push(ms);
      points = r.buckets.length;
    }
    // Over HTTP, a catalogued series of the backfill (the fast one is not in the catalogue the API serves).
    const httpTimes: number[] = [];
    for (let i = 0; i < reps; i++) {
      const [ms, res] = await timed(() => fetch(`${s.httpUrl}/api/v1/series/grid-meter.import_power/history?from=${end - DAY}&to=${end}`, { headers }));
      if (res.status !== 200) throw new Error(`history: HTTP ${res.status}`);
      await res.arrayBuffer();
      httpTimes.push(ms);
    }
    // The year in progress: with a year of backfill, it is all stored.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(Date.now());
    const energyTimes: number[] = [];
    let rows = 0;
    for (let i = 0; i < reps; i++) {
      const [ms, body] = await timed(async () => {
        const res = await fetch(`${s.httpUrl}/api/v1/kpi/energy?period=year&date=${today}&interval=day`, { headers });
        if (res.status !== 200) throw new Error(`energy: HTTP ${res.status} ${await res.text()}`);
        return (await res.json()) as { rows: unknown[] };
      });
      energyTimes.push(ms);
      rows = body.rows.length;
    }
    return {
      backfill: { days, stepS, readings, seconds, cpuUsPerReading: (cpu.user + cpu.system) / readings, mainUsPerReading: (mainMs * 1000) / readings },
      query24hStoreMs: median(storeTimes),
      query24hHttpMs: median(httpTimes),
      query24hPoints: points,
      energyYearHttpMs: median(energyTimes),
      energyYearRows: rows,
    };
  } finally {
    await s.close();
  }
}

export interface MemoryFigures {
  minutes: number;
  rate: number;
  /** [seconds since the start of the load, RSS in MB]. */
  samples: [number, number][];
  slopeMbPerMin: number;
  maxMb: number;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** The server as its own process (server/main.ts), ingesting `rate` readings/s for `minutes`, its RSS sampled every 5 s. */
export async function memorySoak(minutes: number, rate: number): Promise<MemoryFigures> {
  const dataDir = tempDir();
  const server = spawnServer({ HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SIMULATOR: 'off', LOG_LEVEL: 'warn', ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD });
  try {
    const deadline = Date.now() + 60_000;
    let ports = printedPorts(server.output());
    while (!ports) {
      if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`the server did not start: ${server.output().slice(-500)}`);
      await new Promise((r) => setTimeout(r, 100));
      ports = printedPorts(server.output());
    }
    const httpUrl = `http://127.0.0.1:${ports.http}`;
    const login = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: BENCH_ADMIN_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const devices = powerDevices(dataDir, 8);
    const { goAt, result } = await startLoad({
      siteId: SITE,
      publish: { mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`, devices, qos: 0, rate, seconds: minutes * 60 },
      dashboards: { httpUrl, token, clients: 1, series: devices.map((d) => `${d.id}.${d.point}`) },
    });
    const samples: [number, number][] = [];
    const pid = server.child.pid as number;
    let finished = false;
    void result.finally(() => (finished = true));
    while (!finished) {
      samples.push([Math.round((performance.now() - goAt) / 1000), Math.round(rssMb(pid) * 10) / 10]);
      await new Promise((r) => setTimeout(r, 5000));
    }
    await result;
    // Flat from the second minute on: the first is the warm-up (JIT, caches, SQLite's page cache).
    const steady = samples.filter(([t]) => t >= 60);
    return { minutes, rate, samples, slopeMbPerMin: slope(steady) * 60, maxMb: Math.max(...samples.map(([, mb]) => mb)) };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The ceiling under the backfill: the store's writer alone (sqlite-writer.ts, raw
 * readings and every rollup), in this thread, fed what a backfill feeds it: every
 * series one reading a minute, in time order, in full transactions, and, as the
 * simulator's live run sends them beside its backfill, one live reading of every
 * series, stamped now, in each transaction. `series` as many as the building's,
 * one in five a counter; the history ends `endDaysAgo` days ago. Readings per second.
 */
export function sqliteWriterAlone(days: number, series: number, endDaysAgo = 0): number {
  const dir = tempDir();
  const quiet = { info: () => undefined, warn: () => undefined };
  const db = openDatabase(path.join(dir, 'writer.sqlite'), { writer: true, migrate: true, log: quiet });
  try {
    const insertSeries = db.prepare('INSERT INTO series (key, id, device_id, point, unit, kind, label, zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (let k = 1; k <= series; k++) insertSeries.run(k, `bench-${k}.p`, `bench-${k}`, 'p', 'W', k % 5 === 0 ? 'counter' : 'gauge', `bench ${k}`, 'site');
    const writer = createSqliteWriter(db, 30, quiet);
    const now = Date.now();
    const t0 = now - (endDaysAgo + days) * DAY;
    const minutes = days * 1440;
    // The store's hand-overs: 1,000 readings each, as many as a transaction takes.
    const perBatch = 1000;
    const batchesPerTx = Math.max(1, Math.floor(MAX_PER_TRANSACTION / perBatch));
    let triples: number[] = [];
    let batches: Float64Array[] = [];
    let written = 0;
    let lives = 0;
    // Live readings: a counter climbing by fractions of a Wh, gauges wandering.
    const liveBatch = () => {
      lives++;
      const live: number[] = [];
      for (let k = 1; k <= series; k++) live.push(k, now + lives * 1000, k % 5 === 0 ? 1e6 + lives * 0.37 : 20 + Math.sin(lives + k));
      return Float64Array.from(live);
    };
    // Only the writer's calls are timed: making the readings here is not its work
    // (it made the ceiling read lower than the real path, 117 % of it on 2026-12-06).
    let ms = 0;
    const write = (b: Float64Array[]): number => {
      const t = performance.now();
      const stored = writer.write(b, now).stored;
      ms += performance.now() - t;
      return stored;
    };
    for (let m = 0; m < minutes; m++) {
      for (let k = 1; k <= series; k++) {
        triples.push(k, t0 + m * 60_000, k % 5 === 0 ? m * 0.25 : 1000 + Math.sin(m / 60 + k) * 500);
        if (triples.length === 3 * perBatch) {
          batches.push(Float64Array.from(triples));
          triples = [];
          if (batches.length === batchesPerTx) {
            batches.push(liveBatch());
            written += write(batches);
            batches = [];
          }
        }
      }
    }
    if (triples.length > 0) batches.push(Float64Array.from(triples));
    if (batches.length > 0) written += write([...batches, liveBatch()]);
    const expected = (minutes + lives) * series;
    if (written !== expected) throw new Error(`writer alone: ${written} of ${expected} readings stored`);
    return (written / ms) * 1000;
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
