import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { InfluxDB } from 'influx';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import { createLogger } from '../../server/logger';
import { INFLUX_SPOOL_DIR, type InfluxStoreOptions, openInfluxStore } from '../../server/store/influx';
import { openInfluxStoreInThread } from '../../server/store/influx-thread';
import { type Store, StoreUnavailableError } from '../../server/store/types';
import { COUNTER, GAUGE, STATE, reference, storeContract } from '../contract/store.contract';
import { type RunningInfluxd, influxdAvailable, startInfluxd } from '../helpers/influxd';
import { tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

const available = influxdAvailable();
const log = createLogger('silent')('store');
let influxd: RunningInfluxd | undefined;
let databases = 0;

if (available.ok) {
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.close();
  });
}

/** A store on a database of its own, in the file's influxd; on the event loop unless told otherwise. */
function harness(options: Partial<InfluxStoreOptions> = {}, opener: (o: InfluxStoreOptions) => Promise<Store> = openInfluxStore) {
  const dataDir = tempDir('lnm-influx-');
  const url = `${(influxd as RunningInfluxd).url}/lnm_test_${process.pid}_${++databases}`;
  const opened: Store[] = [];
  const open = async (more: Partial<InfluxStoreOptions> = {}) => {
    const store = await opener({ url, dataDir, log, flushIntervalMs: 60_000, retryMs: 100, ...options, ...more });
    opened.push(store);
    return store;
  };
  return {
    url,
    dataDir,
    open,
    async cleanup() {
      for (const s of opened) await s.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

storeContract(
  'InfluxDB store',
  async () => {
    const h = harness();
    return { store: await h.open(), reopen: () => h.open(), cleanup: h.cleanup, now: Date.now };
  },
  { skip: available.ok ? undefined : available.reason, yearTimeoutMs: 240_000 },
);

// The same store in a thread of its own, as the server runs it when it is InfluxDB's only writer (server/store/index.ts).
storeContract(
  'InfluxDB store, in its thread',
  async () => {
    const h = harness({}, openInfluxStoreInThread);
    return { store: await h.open(), reopen: () => h.open(), cleanup: h.cleanup, now: Date.now };
  },
  { skip: available.ok ? undefined : available.reason, yearTimeoutMs: 240_000 },
);

const at = (seriesId: string, ts: number, value: number): Reading => ({ seriesId, ts, value });

async function influxQuery(url: string, q: string): Promise<{ results: { series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]; error?: string }[] }> {
  const u = new URL(url);
  const db = u.pathname.slice(1);
  const res = await fetch(`${u.origin}/query?db=${db}&epoch=ms&q=${encodeURIComponent(q)}`);
  return (await res.json()) as never;
}

describe.skipIf(!available.ok)(`InfluxDB store, when the database goes away${available.ok ? '' : ` (skipped: ${available.reason})`}`, () => {
  let h: ReturnType<typeof harness> | undefined;
  afterEach(async () => {
    // A test that stopped influxd brings it back for the next one.
    await influxd?.restart();
    await h?.cleanup();
    h = undefined;
  });

  it('spools readings while InfluxDB is down and stores them in order, none lost, once it is back', async () => {
    h = harness();
    const store = await h.open();
    store.upsertSeries([GAUGE, COUNTER]);
    const t0 = Math.floor(testNow() / 3_600_000) * 3_600_000 - 6 * 3_600_000;
    const before = Array.from({ length: 100 }, (_, i) => at(COUNTER.id, t0 + i * 10_000, 1000 + i));
    store.write(before);
    await store.flush();
    expect(store.stats()).toMatchObject({ state: 'up', spooled: 0, written: 100 });

    await (influxd as RunningInfluxd).stop();
    // Three batches while it is down; the same instant in the first and the last with
    // different values: only writing them in order keeps the first value.
    const during = [
      Array.from({ length: 1000 }, (_, i) => at(COUNTER.id, t0 + (100 + i) * 10_000, 1100 + i)),
      Array.from({ length: 1000 }, (_, i) => at(GAUGE.id, t0 + i * 10_000, 20 + (i % 7))),
      [at(COUNTER.id, t0 + 100 * 10_000, 5), ...Array.from({ length: 500 }, (_, i) => at(COUNTER.id, t0 + (1100 + i) * 10_000, 2100 + i))],
    ];
    for (const batch of during) {
      store.write(batch);
      await store.flush();
    }
    expect(store.stats()).toMatchObject({ state: 'degraded', spooled: 2501, pending: 0 });
    expect(fs.readdirSync(path.join(h.dataDir, INFLUX_SPOOL_DIR)).filter((f) => f.endsWith('.json'))).toHaveLength(3);
    await expect(store.query(COUNTER.id, { from: t0, to: t0 + 6 * 3_600_000 })).rejects.toBeInstanceOf(StoreUnavailableError);
    // The live view goes on regardless.
    expect(store.latest().find((r) => r.seriesId === COUNTER.id)).toEqual(during[2]?.[500]);

    await (influxd as RunningInfluxd).restart();
    await waitFor(() => store.stats().spooled === 0 && store.stats().state === 'up', 'the spool to drain');
    const meter = [...before, ...(during[0] as Reading[]), ...(during[2] as Reading[]).slice(1)];
    const points = (await store.history(COUNTER.id, t0, t0 + 6 * 3_600_000, 10_000)).points;
    expect(points).toEqual(meter.map((r) => [r.ts, r.value]));
    expect((await store.history(GAUGE.id, t0, t0 + 6 * 3_600_000, 10_000)).points).toHaveLength(1000);
    const hours = await store.query(COUNTER.id, { from: t0, to: t0 + 6 * 3_600_000 - 1, resolution: '1h' });
    expect(hours.buckets.map((b) => [b.t, b.count, b.increase])).toEqual(reference(meter, '1h', true).map((b) => [b.t, b.count, b.increase]));
    expect(store.stats()).toMatchObject({ written: 2600, dropped: 0 });
  });

  it('loses nothing when InfluxDB stops and starts again, and again, in the middle of writes', async () => {
    // Stopping influxd while a batch is half written (its queries answered, its points
    // not yet) is the window where a shutting-down database answers with errors of its
    // own: those are a database away, not a batch refused, and the batch must wait.
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    h = harness();
    const store = await h.open({ flushIntervalMs: 20, log: pino({ level: 'warn' }, sink) });
    store.upsertSeries([GAUGE, COUNTER]);
    const t0 = testNow() - 3_600_000;
    const sent: Reading[] = [];
    let i = 0;
    const timer = setInterval(() => {
      const batch = [at(COUNTER.id, t0 + i * 1000, 1000 + i), at(GAUGE.id, t0 + i * 1000, 20 + (i % 5))];
      i++;
      sent.push(...batch);
      store.write(batch);
    }, 5);
    try {
      for (let round = 0; round < 2; round++) {
        await new Promise((r) => setTimeout(r, 300));
        await (influxd as RunningInfluxd).stop();
        await new Promise((r) => setTimeout(r, 200));
        await (influxd as RunningInfluxd).restart();
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(timer);
    }
    await store.flush();
    await waitFor(() => store.stats().spooled === 0 && store.stats().state === 'up', 'the spool to drain', 30_000);
    const refused = lines.filter((l) => /"level":50/.test(l));
    expect(refused, refused.join('\n')).toEqual([]);
    // "written" counts new readings: a batch cut in the middle is written again, and
    // what it had already written comes back as duplicates. So the database decides.
    expect(store.stats().dropped).toBe(0);
    const last = t0 + i * 1000;
    for (const s of [COUNTER, GAUGE]) {
      expect((await store.history(s.id, t0, last, 100_000)).points).toHaveLength(sent.length / 2);
      // And no replayed reading counted twice in the rollups.
      const minutes = await store.query(s.id, { from: t0, to: last, resolution: '1m' });
      expect(minutes.buckets.reduce((n, b) => n + b.count, 0)).toBe(sent.length / 2);
    }
  }, 120_000);

  it('sets a batch InfluxDB refuses aside alone: the spooled batches written with it in one go are kept', async () => {
    h = harness();
    const store = await h.open();
    store.upsertSeries([GAUGE]);
    await (influxd as RunningInfluxd).stop();
    const t0 = testNow() - 3_600_000;
    const good1 = Array.from({ length: 300 }, (_, i) => at(GAUGE.id, t0 + i * 1000, 20 + (i % 5)));
    // NaN has no line protocol: InfluxDB answers 400 to the write that carries it, a refusal for good.
    const bad = [at(GAUGE.id, t0 + 400_000, Number.NaN)];
    const good2 = Array.from({ length: 300 }, (_, i) => at(GAUGE.id, t0 + 600_000 + i * 1000, 30 + (i % 5)));
    for (const batch of [good1, bad, good2]) {
      store.write(batch);
      await store.flush();
    }
    expect(store.stats()).toMatchObject({ spooled: 601 });
    await (influxd as RunningInfluxd).restart();
    await waitFor(() => store.stats().spooled === 0, 'the spool to drain', 30_000);
    expect(store.stats()).toMatchObject({ written: 600, dropped: 1 });
    const points = (await store.history(GAUGE.id, t0, t0 + 3_600_000, 10_000)).points;
    expect(points).toEqual([...good1, ...good2].map((r) => [r.ts, r.value]));
    expect(fs.readdirSync(path.join(h.dataDir, INFLUX_SPOOL_DIR, 'refused'))).toEqual([expect.stringMatching(/^\d{12}-1\.json$/)]);
  });

  it('keeps the spool across a restart of the server while InfluxDB is still down', async () => {
    h = harness();
    let store = await h.open();
    store.upsertSeries([GAUGE]);
    const t0 = Math.floor(testNow() / 60_000) * 60_000 - 3_600_000;
    await (influxd as RunningInfluxd).stop();
    const readings = Array.from({ length: 1200 }, (_, i) => at(GAUGE.id, t0 + i * 1000, i % 13));
    store.write(readings);
    // Not flushed: close() puts what is queued into the spool.
    await store.close();
    store = await h.open();
    expect(store.stats()).toMatchObject({ spooled: 1200, state: 'degraded' });
    await (influxd as RunningInfluxd).restart();
    await waitFor(() => store.stats().spooled === 0 && store.stats().state === 'up', 'the spool to drain');
    expect((await store.history(GAUGE.id, t0, t0 + 3_600_000, 10_000)).points).toEqual(readings.map((r) => [r.ts, r.value]));
    expect(store.getSeries(GAUGE.id)).toEqual(GAUGE);
  });

  it('refuses readings when the spool is full: logged as an error and counted, never silently', async () => {
    h = harness();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const store = await h.open({ spoolMaxBytes: 30_000, log: pino({ level: 'error' }, sink) });
    store.upsertSeries([GAUGE]);
    await (influxd as RunningInfluxd).stop();
    const t0 = testNow() - 3_600_000;
    for (let b = 0; b < 10; b++) {
      store.write(Array.from({ length: 500 }, (_, i) => at(GAUGE.id, t0 + (b * 500 + i) * 100, i)));
      await store.flush();
    }
    const stats = store.stats();
    expect(stats.spooledBytes).toBeLessThanOrEqual(30_000);
    expect(stats.spooled).toBeGreaterThan(0);
    expect((stats.spooled ?? 0) + stats.dropped).toBe(5000);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(lines.some((l) => /"level":50/.test(l) && /spool full/.test(l))).toBe(true);
  });
});

describe.skipIf(!available.ok)('InfluxDB store, as Grafana sees it', () => {
  let h: ReturnType<typeof harness> | undefined;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  it('counts in its minute a reading written again after its writer died between the raw and the rollup writes', async () => {
    // Two instances share the database (docs/deployment.md): one stored 10 s and 50 s of a
    // minute, rollups included; the other wrote 30 s raw and was killed before its rollups.
    // 30 s was not acknowledged, so the broker hands it to the first, which writes it again.
    h = harness();
    const store = await h.open();
    store.upsertSeries([GAUGE]);
    const t0 = Math.floor(testNow() / 60_000) * 60_000 - 2 * 3_600_000;
    store.write([at(GAUGE.id, t0 + 10_000, 20), at(GAUGE.id, t0 + 50_000, 24)]);
    await store.flush();
    const stored = await influxQuery(h.url, 'SELECT "value" FROM "raw"."reading" GROUP BY *');
    const tags = stored.results[0]?.series?.[0]?.tags as Record<string, string>;
    const u = new URL(h.url);
    await new InfluxDB({ host: u.hostname, port: Number(u.port), database: u.pathname.slice(1) }).writePoints([{ measurement: 'reading', tags, fields: { value: 22 }, timestamp: t0 + 30_000 }], { retentionPolicy: 'raw', precision: 'ms' });

    store.write([at(GAUGE.id, t0 + 30_000, 22)]);
    await store.flush();
    expect((await store.history(GAUGE.id, t0, t0 + 60_000, 10)).points).toHaveLength(3);
    for (const resolution of ['1m', '1h'] as const) {
      const { buckets } = await store.query(GAUGE.id, { from: t0, to: t0 + 60_000, resolution });
      expect(buckets, resolution).toHaveLength(1);
      expect(buckets[0], resolution).toMatchObject({ count: 3, mean: 22, min: 20, max: 24 });
    }
  });

  it("lays readings out in one measurement 'reading' tagged by site, device, point, zone, unit and kind, rollups beside it", async () => {
    h = harness({ siteId: 'le-numerique', rawRetentionDays: 30 });
    const store = await h.open();
    store.upsertSeries([GAUGE, COUNTER, STATE]);
    const t0 = Math.floor(testNow() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    store.write(Array.from({ length: 120 }, (_, i) => at(GAUGE.id, t0 + i * 60_000, i < 60 ? 20 : 22)));
    await store.flush();

    const rps = await influxQuery(h.url, `SHOW RETENTION POLICIES`);
    const rows = rps.results[0]?.series?.[0];
    const byName = new Map(rows?.values.map((v) => [v[0], Object.fromEntries(rows.columns.map((c, i) => [c, v[i]]))]));
    expect(byName.get('raw')).toMatchObject({ duration: '720h0m0s', default: true });
    expect(byName.get('rollups')).toMatchObject({ duration: '0s' });

    const tags = await influxQuery(h.url, 'SHOW TAG KEYS FROM "reading"');
    expect(tags.results[0]?.series?.[0]?.values.flat().sort()).toEqual(['device', 'kind', 'point', 'series', 'site', 'unit', 'zone']);
    // What a Grafana panel asks of the raw readings...
    const mean = await influxQuery(h.url, `SELECT mean("value") FROM "reading" WHERE "device" = 'room-1' AND "point" = 'temperature' AND time >= ${t0}ms AND time < ${t0 + 2 * 3_600_000}ms GROUP BY time(1h)`);
    expect(mean.results[0]?.series?.[0]?.values).toEqual([
      [t0, 20],
      [t0 + 3_600_000, 22],
    ]);
    // ...and of the rollups, for years.
    const hourly = await influxQuery(h.url, `SELECT "mean", "min", "max", "count" FROM "rollups"."reading_1h" WHERE "device" = 'room-1' AND "site" = 'le-numerique'`);
    expect(hourly.results[0]?.series?.[0]?.values).toEqual([
      [t0, 20, 20, 20, 60],
      [t0 + 3_600_000, 22, 22, 22, 60],
    ]);
    const measurements = await influxQuery(h.url, 'SHOW MEASUREMENTS');
    expect(measurements.results[0]?.series?.[0]?.values.flat()).toEqual(['reading', 'reading_1d', 'reading_1h', 'reading_1m']);
  });
});
