import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import { openInfluxStoreInThread } from '../../server/store/influx-thread';
import type { Store } from '../../server/store/types';
import { GAUGE } from '../contract/store.contract';
import { type RunningInfluxd, influxdAvailable, startInfluxd } from '../helpers/influxd';
import { tempDir } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * What the InfluxDB store's thread (server/store/influx-thread.ts) adds to the
 * store the contract suite holds it to (store-influx.test.ts): it writes while
 * the server's event loop is busy, and what it logs reaches the server's logger.
 */

const available = influxdAvailable();
let influxd: RunningInfluxd | undefined;
let databases = 0;
const opened: Store[] = [];
const dirs: string[] = [];

if (available.ok) {
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.close();
  });
}
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function logSink(): { lines: () => Record<string, unknown>[]; log: pino.Logger } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), log: pino({ level: 'info' }, sink).child({ ns: 'store' }) };
}

async function open(log: pino.Logger = pino({ level: 'silent' })): Promise<{ store: Store; url: string }> {
  const dataDir = tempDir('lnm-influx-thread-');
  dirs.push(dataDir);
  const url = `${(influxd as RunningInfluxd).url}/lnm_thread_${process.pid}_${++databases}`;
  const store = await openInfluxStoreInThread({ url, dataDir, log, flushIntervalMs: 60_000, retryMs: 100 });
  opened.push(store);
  return { store, url };
}

/** Raw readings of a series in InfluxDB, asked by another process: this one's event loop may be held. */
function rawCountBlocking(url: string, seriesId: string): number {
  const u = new URL(url);
  const q = `SELECT count("value") FROM "raw"."reading" WHERE "series" = '${seriesId}'`;
  const script = `fetch(${JSON.stringify(`${u.origin}/query?db=${u.pathname.slice(1)}&q=${encodeURIComponent(q)}`)}).then((r) => r.json()).then((b) => process.stdout.write(String(b.results[0].series?.[0].values[0][1] ?? 0)), () => process.stdout.write('0'))`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  return Number(out.stdout) || 0;
}

const at = (seriesId: string, ts: number, value: number): Reading => ({ seriesId, ts, value });

describe.skipIf(!available.ok)(`InfluxDB store, in its thread${available.ok ? '' : ` (skipped: ${available.reason})`}`, () => {
  it('writes batches to InfluxDB while the event loop is held, as by a burst of MQTT publishes being ingested', async () => {
    const { store, url } = await open();
    store.upsertSeries([GAUGE]);
    const t0 = testNow() - 3_600_000;
    // Four whole batches (5,000 readings each): cut and handed over within write().
    store.write(Array.from({ length: 20_000 }, (_, i) => at(GAUGE.id, t0 + i * 100, i % 50)));
    // From here on this thread's event loop gets no turn until InfluxDB has them all, or 20 s passed.
    const deadline = testNow() + 20_000;
    let stored = 0;
    while (stored < 20_000 && testNow() < deadline) stored = rawCountBlocking(url, GAUGE.id);
    expect(stored).toBe(20_000);
    await store.flush();
    expect(store.stats()).toMatchObject({ written: 20_000, dropped: 0, pending: 0, state: 'up' });
  }, 40_000);

  it("says what the thread logs in the server's logger, under the store's namespace", async () => {
    const sink = logSink();
    const { store } = await open(sink.log);
    store.upsertSeries([GAUGE]);
    store.write([at('nobody.nothing', testNow() - 60_000, 1), at(GAUGE.id, testNow() - 60_000, 1)]);
    await store.flush();
    expect(store.stats()).toMatchObject({ written: 1, dropped: 1 });
    const warning = sink.lines().find((l) => l.msg === 'readings of an unknown series dropped (upsertSeries first)');
    expect(warning).toMatchObject({ level: 40, ns: 'store', seriesId: 'nobody.nothing', readings: 1 });
    expect(sink.lines().some((l) => l.msg === 'influx store ready' && l.level === 30)).toBe(true);
  });

  it('keeps every reading written before close, and refuses a read after it instead of leaving it unanswered', async () => {
    const { store, url } = await open();
    store.upsertSeries([GAUGE]);
    const t0 = testNow() - 3_600_000;
    store.write(Array.from({ length: 1_234 }, (_, i) => at(GAUGE.id, t0 + i * 1000, i)));
    await store.close();
    expect(rawCountBlocking(url, GAUGE.id)).toBe(1_234);
    expect(store.stats()).toMatchObject({ written: 1_234, pending: 0, state: 'down' });
    await expect(store.query(GAUGE.id, { from: t0, to: testNow(), resolution: 'auto', maxPoints: 100 })).rejects.toThrow(/store is closed/);
    expect(() => store.write([at(GAUGE.id, testNow(), 1)])).toThrow(/store is closed/);
  });

  it('fails to open with the store’s own message when INFLUX_URL names no database', async () => {
    const dataDir = tempDir('lnm-influx-thread-');
    dirs.push(dataDir);
    await expect(openInfluxStoreInThread({ url: (influxd as RunningInfluxd).url, dataDir, log: pino({ level: 'silent' }) })).rejects.toThrow(/INFLUX_URL must name the database/);
  });
});
