import { parseArgs } from 'node:util';
import { building } from '../shared/catalogue';
import { BESANCON_NORMALS } from '../simulator/physics/climate-besancon';
import { createWeather } from '../simulator/physics/weather';
import { parisYearStart } from '../simulator/report';
import { DEFAULT_RAW_RETENTION_DAYS } from '../server/store/types';
import { World } from '../simulator/world';
import { influxdAvailable, startInfluxd } from '../test/helpers/influxd';
import { firstPageJs, timeToFirstLiveValue } from './dashboard';
import { median } from './harness';
import { historyBench, memorySoak, sqliteWriterAlone } from './history';
import { brokerCeiling, liveLatency, rawInflux, rawSocketIo, rawSqlite, serverPath } from './ingest';

/**
 * `npm run bench [-- --json] [--reps N] [--long] [--backfill-days N] [--no-browser]`
 *
 * The system's paths and the ceilings under them, in one run (issue 7). Each
 * figure is the median of at least 3 repetitions, and each ratio is taken
 * against a ceiling measured in the same run: these machines are shared and
 * noisy, so an absolute figure from another run means little. docs/performance.md
 * keeps the latest results and what limits each one.
 */
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    reps: { type: 'string', default: '3' },
    long: { type: 'boolean', default: false },
    'backfill-days': { type: 'string', default: '365' },
    'no-browser': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const reps = Math.max(3, Number(values.reps) || 3);
const backfillDays = Math.max(1, Number(values['backfill-days']) || 365);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const wants = (group: string) => !only || only.has(group);

interface Row {
  group: string;
  name: string;
  /** The figure, with its unit. */
  value: string;
  /** A number for --json. */
  raw: number;
  unit: string;
  /** Against what, in this run. */
  ratio?: { of: string; value: number };
  target?: { text: string; met: boolean };
}
const rows: Row[] = [];
const log = (msg: string) => {
  if (!values.json) process.stderr.write(`  ${msg}\n`);
};

async function medianOf(what: string, fn: () => Promise<number> | number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    xs.push(await fn());
    log(`${what}: ${Math.round(xs[xs.length - 1] as number).toLocaleString('en')} (${i + 1}/${reps})`);
  }
  return median(xs);
}

const perS = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

// --- The simulator: a year of the building without I/O, against the weather alone.
if (wants('simulator')) {
  const YEAR_STEPS = 365 * 24 * 60;
  const start = parisYearStart(2025);
  const weatherMs = await medianOf('weather, a year', () => {
    const t0 = performance.now();
    const w = createWeather({ seed: 1, climate: BESANCON_NORMALS, latitude: building.site.latitude, longitude: building.site.longitude });
    let sink = 0;
    for (let i = 1; i <= YEAR_STEPS; i++) sink += w.sample(start + i * 60_000).ghi;
    if (sink < 0) console.log(sink);
    return performance.now() - t0;
  });
  const worldMs = await medianOf('building, a year', () => {
    const t0 = performance.now();
    const world = new World(building, 1, start);
    for (let i = 1; i <= YEAR_STEPS; i++) world.step(start + i * 60_000);
    return performance.now() - t0;
  });
  rows.push({ group: 'simulator', name: 'weather generator, a year at 1-min steps (baseline)', value: `${(weatherMs / 1000).toFixed(2)} s`, raw: weatherMs, unit: 'ms' });
  rows.push({ group: 'simulator', name: 'whole building, a year at 1-min steps, no I/O', value: `${(worldMs / 1000).toFixed(2)} s`, raw: worldMs, unit: 'ms', ratio: { of: 'weather', value: worldMs / weatherMs }, target: { text: '< 60 s', met: worldMs < 60_000 } });
}

// --- Ceilings and ingest paths.
const Q0 = 300_000;
const Q1 = 150_000;
if (wants('ingest')) {
  // Each path is measured right after its ceiling, repetition by repetition, and its
  // ratio is the median of those pairs' ratios: a neighbour's load on the machine then
  // weighs on both sides of each ratio alike.
  const runs = { r0: [] as number[], r1: [] as number[], p0: [] as number[], p1d: [] as number[], p10d: [] as number[], p1: [] as number[] };
  const step = async (key: keyof typeof runs, what: string, fn: () => Promise<number>) => {
    const v = await fn();
    runs[key].push(v);
    log(`${what}: ${Math.round(v).toLocaleString('en')}/s (${runs[key].length}/${reps})`);
  };
  for (let i = 0; i < reps; i++) {
    await step('r0', 'R0 aedes QoS 0', () => brokerCeiling(0, Q0));
    await step('p0', 'path QoS 0', () => serverPath({ qos: 0, count: Q0 }));
    await step('p1d', 'path + 1 dashboard', () => serverPath({ qos: 0, count: Q0, dashboards: 1 }));
    await step('p10d', 'path + 10 dashboards', () => serverPath({ qos: 0, count: Q0, dashboards: 10, onEnds: (e) => log(`  published in ${e.publishedMs.toFixed(0)} ms, stored in ${e.storedMs.toFixed(0)} ms, on 10 dashboards in ${e.dashboardsMs?.toFixed(0)} ms`) }));
    await step('r1', 'R1 aedes QoS 1', () => brokerCeiling(1, Q1));
    await step('p1', 'path QoS 1', () => serverPath({ qos: 1, count: Q1 }));
  }
  const ratio = (path: number[], ceiling: number[]) => median(path.map((p, i) => p / (ceiling[i] as number)));
  const [r0, r1] = [median(runs.r0), median(runs.r1)];
  rows.push({ group: 'ceiling', name: 'R0: aedes alone, QoS 0, counted in the broker', value: perS(r0), raw: r0, unit: 'msg/s' });
  rows.push({ group: 'ceiling', name: 'R1: aedes alone, QoS 1', value: perS(r1), raw: r1, unit: 'msg/s' });
  const sq = await medianOf('raw SQLite', () => rawSqlite(1_000_000));
  rows.push({ group: 'ceiling', name: 'better-sqlite3 alone, WAL, 1,000 rows a transaction', value: perS(sq), raw: sq, unit: 'rows/s' });
  const io = await medianOf('raw socket.io', () => rawSocketIo(200_000));
  rows.push({ group: 'ceiling', name: 'socket.io alone, one event per reading, 1 client', value: perS(io), raw: io, unit: 'events/s' });
  const paths: [keyof typeof runs, string, 'R0' | 'R1', number][] = [
    ['p0', 'ingest, validate, store (SQLite), QoS 0', 'R0', 0.5],
    ['p1d', '... and live push to 1 dashboard', 'R0', 0.4],
    ['p10d', '... and live push to 10 dashboards', 'R0', 0.4],
    ['p1', 'QoS 1 end to end (PUBACK after validation, stored)', 'R1', 0.7],
  ];
  for (const [key, name, of, min] of paths) {
    const r = ratio(runs[key], of === 'R0' ? runs.r0 : runs.r1);
    rows.push({ group: 'path', name, value: perS(median(runs[key])), raw: median(runs[key]), unit: 'msg/s', ratio: { of, value: r }, target: { text: `>= ${min * 100} % of ${of}`, met: r >= min } });
  }
}

// --- InfluxDB, when Debian's influxd is there.
if (wants('influx')) {
  const avail = influxdAvailable();
  if (!avail.ok) {
    rows.push({ group: 'influx', name: `InfluxDB figures skipped: ${avail.reason}`, value: '', raw: Number.NaN, unit: '' });
  } else {
    const influxd = await startInfluxd();
    try {
      let db = 0;
      // A fresh influxd writes its first databases slower (shards, caches, Go's heap
      // growing): one write unmeasured, so that the first ceiling is not the lowest.
      await rawInflux(`${influxd.url}/bench_warm`, 200_000);
      // As for the ingest paths: pairs of the ceiling then the path, the ratio the median of the pairs'.
      const raws: number[] = [];
      const paths: number[] = [];
      for (let i = 0; i < reps; i++) {
        raws.push(await rawInflux(`${influxd.url}/bench_raw_${++db}`, 200_000));
        log(`raw InfluxDB: ${perS(raws[i] as number)} (${i + 1}/${reps})`);
        paths.push(await serverPath({ qos: 0, count: 200_000, env: { STORE: 'influx', INFLUX_URL: `${influxd.url}/bench_path_${++db}` } }));
        log(`path on InfluxDB: ${perS(paths[i] as number)}, ${Math.round((100 * (paths[i] as number)) / (raws[i] as number))} % (${i + 1}/${reps})`);
      }
      const raw = median(raws);
      const path = median(paths);
      const r = median(paths.map((p, i) => p / (raws[i] as number)));
      rows.push({ group: 'ceiling', name: 'InfluxDB alone (influx client, 5,000 points a write)', value: perS(raw), raw, unit: 'points/s' });
      rows.push({ group: 'path', name: 'ingest, validate, store (InfluxDB, rollups), QoS 0', value: perS(path), raw: path, unit: 'msg/s', ratio: { of: 'raw InfluxDB', value: r }, target: { text: '>= 50 % of raw InfluxDB', met: r >= 0.5 } });
    } finally {
      await influxd.close();
    }
  }
}

// --- Latency from publish to a dashboard at a steady 5,000 readings/s.
if (wants('latency')) {
  for (const frameMs of [50, 250]) {
    const runs: { p50: number; p99: number }[] = [];
    for (let i = 0; i < reps; i++) {
      runs.push(await liveLatency(5000, 10, frameMs));
      log(`latency, ${frameMs} ms frames: p50 ${runs[i]?.p50} ms, p99 ${runs[i]?.p99} ms (${i + 1}/${reps})`);
    }
    const p50 = median(runs.map((r) => r.p50));
    const p99 = median(runs.map((r) => r.p99));
    const target = frameMs === 50 ? { text: 'p99 < 100 ms', met: p99 < 100 } : undefined;
    rows.push({ group: 'latency', name: `publish to dashboard, 5,000 readings/s, LIVE_FRAME_MS=${frameMs}: p50`, value: ms(p50), raw: p50, unit: 'ms' });
    rows.push({ group: 'latency', name: `publish to dashboard, 5,000 readings/s, LIVE_FRAME_MS=${frameMs}: p99`, value: ms(p99), raw: p99, unit: 'ms', ...(target ? { target } : {}) });
  }
}

// --- A year of history: the backfill, then the queries an energy reviewer makes.
if (wants('history')) {
  const h = await historyBench(backfillDays, 60, Math.max(5, reps));
  const projected = h.backfill.days < 365;
  rows.push({ group: 'history', name: `backfill, whole building, ${h.backfill.days} days at 1-min steps (${h.backfill.readings.toLocaleString('en')} readings)`, value: `${h.backfill.seconds.toFixed(0)} s`, raw: h.backfill.seconds, unit: 's' });
  rows.push({ group: 'history', name: '... CPU per reading: the whole server process (all threads)', value: `${h.backfill.cpuUsPerReading.toFixed(1)} µs`, raw: h.backfill.cpuUsPerReading, unit: 'µs' });
  rows.push({ group: 'history', name: '... CPU per reading: its event loop (broker, ingest, simulator)', value: `${h.backfill.mainUsPerReading.toFixed(1)} µs`, raw: h.backfill.mainUsPerReading, unit: 'µs' });
  // The backfill's ceiling: the store's writer thread alone, on as many series, the same
  // steps. Readings within raw retention cost a raw row and a minute row, older ones the
  // minute row only (sqlite-writer.ts): the ceiling of a backfill is the mix of its ages.
  const seriesCount = Math.round(h.backfill.readings / (h.backfill.days * 1440));
  const recentRate = await medianOf('SQLite writer alone, within raw retention', () => sqliteWriterAlone(3, seriesCount));
  const pastRate = await medianOf('SQLite writer alone, past raw retention', () => sqliteWriterAlone(3, seriesCount, DEFAULT_RAW_RETENTION_DAYS + 30));
  const pastShare = (days: number) => Math.max(0, days - DEFAULT_RAW_RETENTION_DAYS) / days;
  const writerRate = (days: number) => 1 / ((1 - pastShare(days)) / recentRate + pastShare(days) / pastRate);
  const backfillRate = h.backfill.readings / h.backfill.seconds;
  const ratio = backfillRate / writerRate(h.backfill.days);
  // A shorter run is projected at the same share of the writer's ceiling, at a year's mix of ages.
  const yearS = projected ? ((h.backfill.readings / h.backfill.days) * 365) / (ratio * writerRate(365)) : h.backfill.seconds;
  rows.push({ group: 'ceiling', name: `SQLite writer alone, ${seriesCount} series at 1-min steps, within raw retention (raw and rollups)`, value: perS(recentRate), raw: recentRate, unit: 'readings/s' });
  rows.push({ group: 'ceiling', name: `... past raw retention (${DEFAULT_RAW_RETENTION_DAYS} days; rollups only)`, value: perS(pastRate), raw: pastRate, unit: 'readings/s' });
  rows.push({ group: 'history', name: `... the backfill's rate (${Math.round(100 * pastShare(h.backfill.days))} % of it past raw retention)`, value: perS(backfillRate), raw: backfillRate, unit: 'readings/s', ratio: { of: 'writer alone, same mix', value: ratio } });
  rows.push({ group: 'history', name: `... a year of it${projected ? ` (projected: same share of the writer, ${Math.round(100 * pastShare(365))} % past retention)` : ''}`, value: `${yearS.toFixed(0)} s`, raw: yearS, unit: 's', target: { text: '< 300 s', met: yearS < 300 } });
  rows.push({ group: 'history', name: `24 h of a 1 Hz series, default resolution (${h.query24hPoints} points), store`, value: ms(h.query24hStoreMs), raw: h.query24hStoreMs, unit: 'ms', target: { text: '< 50 ms', met: h.query24hStoreMs < 50 } });
  rows.push({ group: 'history', name: '24 h of grid-meter.import_power over HTTP', value: ms(h.query24hHttpMs), raw: h.query24hHttpMs, unit: 'ms', target: { text: '< 50 ms', met: h.query24hHttpMs < 50 } });
  rows.push({ group: 'history', name: `energy review of the year over HTTP (${h.energyYearRows} daily rows and KPIs)`, value: ms(h.energyYearHttpMs), raw: h.energyYearHttpMs, unit: 'ms', target: { text: '< 100 ms', met: h.energyYearHttpMs < 100 } });
}

// --- Memory under a steady load, with --long only: ten minutes.
if (values.long && wants('memory')) {
  const m = await memorySoak(10, 5000);
  log(`RSS samples (s, MB): ${m.samples.map(([t, mb]) => `${t}:${mb}`).join(' ')}`);
  rows.push({ group: 'memory', name: 'server RSS, 5,000 readings/s for 10 min: slope from minute 2', value: `${m.slopeMbPerMin.toFixed(2)} MB/min`, raw: m.slopeMbPerMin, unit: 'MB/min', target: { text: 'flat (|slope| < 1 MB/min)', met: Math.abs(m.slopeMbPerMin) < 1 } });
  rows.push({ group: 'memory', name: '... highest RSS', value: `${m.maxMb.toFixed(0)} MB`, raw: m.maxMb, unit: 'MB', target: { text: '< 300 MB', met: m.maxMb < 300 } });
}

// --- The dashboard: its first page's JavaScript (a size), and the time to the first live value in Chromium.
if (wants('dashboard')) {
  try {
    const js = firstPageJs();
    const kb = js.gzipBytes / 1024;
    rows.push({ group: 'dashboard', name: `first page's JavaScript, gzipped (${js.files.length} files)`, value: `${kb.toFixed(0)} KB`, raw: kb, unit: 'KB', target: { text: '< 350 KB', met: kb < 350 } });
    if (!values['no-browser']) {
      const t = median(await timeToFirstLiveValue(reps));
      rows.push({ group: 'dashboard', name: 'open the overview to the first live value', value: ms(t), raw: t, unit: 'ms', target: { text: '< 1.5 s', met: t < 1500 } });
    }
  } catch (err) {
    rows.push({ group: 'dashboard', name: `dashboard figures skipped: ${(err as Error).message}`, value: '', raw: Number.NaN, unit: '' });
  }
}

if (values.json) {
  console.log(JSON.stringify({ reps, date: new Date().toISOString(), cores: (await import('node:os')).cpus().length, node: process.version, rows }, null, 2));
} else {
  console.log(`\nmedian of ${reps} repetitions; ratios against ceilings measured in this run\n`);
  const cells = rows.map((r) => ({
    name: r.name,
    value: r.value,
    ratio: r.ratio ? `${(100 * r.ratio.value).toFixed(0)} % of ${r.ratio.of}`.replace(/^(\d+) % of weather$/, (_, p: string) => `x${(Number(p) / 100).toFixed(1)}`) : '',
    target: r.target ? `${r.target.text}: ${r.target.met ? 'met' : 'MISSED'}` : '',
  }));
  // Columns as wide as their longest cell, two spaces apart: a long figure never runs into its ratio.
  const width = (k: 'name' | 'value' | 'ratio', head: string) => Math.max(head.length, ...cells.map((c) => c[k].length));
  const [wn, wv, wr] = [width('name', 'figure'), width('value', 'value'), width('ratio', 'ratio')];
  console.log(`${'figure'.padEnd(wn)}  ${'value'.padStart(wv)}  ${'ratio'.padStart(wr)}  target`);
  for (const c of cells) console.log(`${c.name.padEnd(wn)}  ${c.value.padStart(wv)}  ${c.ratio.padStart(wr)}  ${c.target}`.trimEnd());
}
process.exit(0);
