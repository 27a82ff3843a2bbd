import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Aedes } from 'aedes';
import Database from 'better-sqlite3';
import { InfluxDB, type IPoint } from 'influx';
import { Server as IoServer, type Socket as IoSocket } from 'socket.io';
import { type BenchServer, SITE, powerDevices, startBenchServer, startLoad, tempDir, until } from './harness';
import type { LoadDevice } from './load-client';

/**
 * The broker, ingest, store and live-push paths of issue 7 and the ceilings
 * under them. Every rate is messages (one reading each) per second, from the
 * "go" given to the load process to the last one counted where it ends up:
 * in the broker (a ceiling), in the store, or on every dashboard.
 */

/** Messages per device and run, so that a run lasts seconds, not milliseconds. */
const DEVICES = 4;

function listen(server: net.Server | http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** R0 / R1: aedes alone, counting in its own process the publishes of the load process's devices. */
export async function brokerCeiling(qos: 0 | 1, count: number): Promise<number> {
  const aedes = await Aedes.createBroker();
  let n = 0;
  aedes.on('publish', (_packet, client) => {
    if (client) n++;
  });
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(socket);
  });
  const port = await listen(server);
  try {
    const devices: LoadDevice[] = Array.from({ length: DEVICES }, (_, i) => ({ id: `device-${i}`, point: 'power' }));
    const { goAt, result } = await startLoad({ siteId: SITE, publish: { mqttUrl: `mqtt://127.0.0.1:${port}`, devices, qos, count, t0: Date.now() - 60_000 } });
    const doneAt = await until(() => n >= count, 'the broker to count every message');
    await result;
    return (count / (doneAt - goAt)) * 1000;
  } finally {
    await new Promise<void>((r) => aedes.close(() => r()));
    server.close();
  }
}

export interface PathOptions {
  qos: 0 | 1;
  count: number;
  /** socket.io dashboards subscribed to the published series; each must get every reading. */
  dashboards?: number;
  env?: Record<string, string>;
  /** Told when each end was reached, in ms from the go: the publisher done, the store done, every dashboard done. */
  onEnds?: (ends: { publishedMs: number; storedMs: number; dashboardsMs?: number }) => void;
}

/** The whole server: MQTT in, validated, stored (and pushed), counted when the store has written them all. */
export async function serverPath(opts: PathOptions): Promise<number> {
  const s: BenchServer = await startBenchServer(opts.env);
  try {
    const devices = powerDevices(s.dataDir, DEVICES);
    const series = devices.map((d) => `${d.id}.${d.point}`);
    const before = s.server.store.stats().written;
    // Recent readings, so that they are pushed live too (older than LIVE_WINDOW_MS they are only stored).
    const t0 = Date.now() - 30_000 - Math.ceil(opts.count / DEVICES);
    // The dashboards in a process of their own: decoding ten streams must not slow the devices' publishing.
    const dashboards = opts.dashboards ? await startLoad({ siteId: SITE, dashboards: { httpUrl: s.httpUrl, token: s.token, clients: opts.dashboards, series, expect: opts.count } }) : undefined;
    const { goAt, result } = await startLoad({ siteId: SITE, publish: { mqttUrl: s.mqttUrl, devices, qos: opts.qos, count: opts.count, t0 } });
    const stored = await until(() => s.server.store.stats().written - before >= opts.count, 'the store to write every reading', 600_000);
    const load = await result;
    const seen = dashboards ? await dashboards.result : undefined;
    const dropped = s.server.store.stats().dropped;
    if (dropped > 0) throw new Error(`${dropped} readings dropped by the store`);
    // Which end came last says what bounds the figure: the store, or the dashboards.
    opts.onEnds?.({ storedMs: stored - goAt, publishedMs: load.publishedMs, dashboardsMs: seen ? seen.doneAt - goAt : undefined });
    return (opts.count / (Math.max(stored, seen?.doneAt ?? 0) - goAt)) * 1000;
  } finally {
    await s.close();
  }
}

/** better-sqlite3 alone, as the store opens it (WAL, synchronous NORMAL), the readings table's own layout, 1,000 rows a transaction. */
export function rawSqlite(rows: number): number {
  const dir = tempDir();
  const db = new Database(path.join(dir, 'raw.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE readings (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID');
    const insert = db.prepare('INSERT OR IGNORE INTO readings (series, ts, value) VALUES (?, ?, ?)');
    const batch = db.transaction((from: number) => {
      for (let i = from; i < from + 1000; i++) insert.run(i % DEVICES, 1_700_000_000_000 + Math.floor(i / DEVICES), 1000 + (i % 1000));
    });
    const t0 = performance.now();
    for (let i = 0; i < rows; i += 1000) batch(i);
    return (rows / (performance.now() - t0)) * 1000;
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The `influx` client alone: batches of 5,000 points of the store's own layout, one HTTP write each, one after the other. */
export async function rawInflux(url: string, points: number): Promise<number> {
  const u = new URL(url);
  const database = u.pathname.slice(1);
  const influx = new InfluxDB({ host: u.hostname, port: Number(u.port), database });
  await influx.createDatabase(database);
  const t0 = Date.now() - 3_600_000;
  const batchOf = (from: number): IPoint[] =>
    Array.from({ length: 5000 }, (_, k) => {
      const i = from + k;
      const device = `device-${i % DEVICES}`;
      return { measurement: 'reading', tags: { series: `${device}.power`, site: SITE, device, point: 'power', unit: 'W', kind: 'gauge' }, fields: { value: 1000 + (i % 1000) }, timestamp: t0 + Math.floor(i / DEVICES) };
    });
  const start = performance.now();
  for (let i = 0; i < points; i += 5000) await influx.writePoints(batchOf(i), { precision: 'ms' });
  return (points / (performance.now() - start)) * 1000;
}

/** socket.io alone: small events to one client in the load process, as fast as its socket drains. */
export async function rawSocketIo(events: number): Promise<number> {
  const httpServer = http.createServer();
  const io = new IoServer(httpServer, { transports: ['websocket'] });
  const port = await listen(httpServer);
  let go: (socket: IoSocket) => void = () => undefined;
  const connected = new Promise<IoSocket>((r) => (go = r));
  io.on('connection', (socket) => go(socket));
  try {
    const load = startLoad({ siteId: SITE, rawSocket: { url: `http://127.0.0.1:${port}`, expect: events } });
    const socket = await connected;
    const { goAt, result } = await load;
    // 1,000 events a turn of the event loop, as the live push sends its frames.
    for (let i = 0; i < events; i += 1000) {
      for (let k = i; k < Math.min(events, i + 1000); k++) socket.emit('tick', { seriesId: 'grid-meter.import_power', ts: 1_700_000_000_000 + k, value: k });
      await new Promise((r) => setImmediate(r));
    }
    const { doneAt } = await result;
    return (events / (doneAt - goAt)) * 1000;
  } finally {
    io.close();
  }
}

/** Publish-to-screen latency at a steady rate: p50, p99 of (arrival on the dashboard - the reading's timestamp, taken as it is published). */
export async function liveLatency(rate: number, seconds: number, frameMs: number): Promise<{ p50: number; p99: number; n: number }> {
  const s = await startBenchServer({ LIVE_FRAME_MS: String(frameMs) });
  try {
    const devices = powerDevices(s.dataDir, 8);
    const { result } = await startLoad({
      siteId: SITE,
      publish: { mqttUrl: s.mqttUrl, devices, qos: 0, rate, seconds },
      dashboards: { httpUrl: s.httpUrl, token: s.token, clients: 1, series: devices.map((d) => `${d.id}.${d.point}`), latency: true },
    });
    const r = await result;
    if (!r.latency) throw new Error('no reading reached the dashboard');
    return r.latency;
  } finally {
    await s.close();
  }
}
