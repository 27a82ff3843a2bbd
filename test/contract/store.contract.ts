import { afterEach, describe, expect, it } from 'vitest';
import type { Reading, Series } from '../../shared/api';
import { type Bucket, RESOLUTION_MS, type Resolution, type Store } from '../../server/store/types';
import { testNow } from '../helpers/clock';

/**
 * What every store promises (server/store/types.ts), run against each backend by
 * test/integration/store-*.test.ts. Expected values are computed by hand for a
 * small known dataset, and by a naive reference (below) for larger ones.
 */

export interface StoreHarness {
  store: Store;
  /** Opens the same data again (the previous store closed first). */
  reopen(): Promise<Store>;
  /** Closes whatever is still open and deletes the data. */
  cleanup(): Promise<void>;
  /**
   * The clock the store's raw retention follows: the run's (testNow, shifted by
   * TEST_NOW) for SQLite; the machine's for InfluxDB, whose retention policy
   * influxd applies on its own clock (server/store/index.ts).
   */
  now?: () => number;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const floorTo = (t: number, size: number) => Math.floor(t / size) * size;


export const GAUGE: Series = { id: 'room-1.temperature', deviceId: 'room-1', point: 'temperature', unit: '°C', kind: 'gauge', label: 'Température', zone: 'r1' };
export const COUNTER: Series = { id: 'grid-meter.import_energy', deviceId: 'grid-meter', point: 'import_energy', unit: 'Wh', kind: 'counter', label: 'Énergie importée', zone: 'technical' };
export const STATE: Series = { id: 'pv-inverter-1.state', deviceId: 'pv-inverter-1', point: 'state', unit: '', kind: 'state', states: ['off', 'on', 'fault'], label: 'État', zone: 'roof' };
const ALL = [GAUGE, COUNTER, STATE];

const at = (seriesId: string, ts: number, value: number): Reading => ({ seriesId, ts, value });

/** The naive reference: buckets from the whole sorted history, each counter step in the bucket of its later reading. */
export function reference(readings: Reading[], resolution: Resolution, counter: boolean): Bucket[] {
  const sorted = readings.slice().sort((a, b) => a.ts - b.ts);
  const out = new Map<number, Bucket>();
  let prev: number | undefined;
  for (const r of sorted) {
    const step = prev === undefined ? 0 : r.value >= prev ? r.value - prev : r.value;
    prev = r.value;
    const t = resolution === 'raw' ? r.ts : floorTo(r.ts, RESOLUTION_MS[resolution]);
    const b = out.get(t) ?? { t, count: 0, mean: 0, min: Infinity, max: -Infinity, sum: 0, last: r.value, increase: counter ? 0 : null };
    b.count++;
    b.sum += r.value;
    b.mean = b.sum / b.count;
    b.min = Math.min(b.min, r.value);
    b.max = Math.max(b.max, r.value);
    b.last = r.value;
    if (counter) b.increase = (b.increase ?? 0) + step;
    out.set(t, b);
  }
  return [...out.values()];
}

function expectBuckets(actual: Bucket[], expected: Bucket[]): void {
  expect(actual.map((b) => b.t)).toEqual(expected.map((b) => b.t));
  actual.forEach((b, i) => {
    const e = expected[i] as Bucket;
    const at = new Date(b.t).toISOString();
    expect(b.count, `count at ${at}`).toBe(e.count);
    for (const k of ['mean', 'min', 'max', 'sum', 'last'] as const) expect(b[k], `${k} at ${at}`).toBeCloseTo(e[k], 6);
    if (e.increase === null) expect(b.increase, `increase at ${at}`).toBeNull();
    else expect(b.increase, `increase at ${at}`).toBeCloseTo(e.increase, 6);
  });
}

/** A deterministic pseudo-random sequence (no Math.random: a failure must replay). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Two days of a meter read every 20 s (+ jitter), whole-Wh steps, reset twice. */
function meterDataset(start: number): Reading[] {
  const rand = lcg(7);
  const out: Reading[] = [];
  let v = 10_000;
  for (let i = 0; i < 2 * 4320; i++) {
    if (i === 1234 || i === 5000) v = Math.floor(rand() * 50);
    else v += Math.floor(rand() * 40);
    out.push(at(COUNTER.id, start + i * 20_000 + Math.floor(rand() * 15_000), v));
  }
  return out;
}

/** A fixed shuffle: arrival order is part of the test. */
function shuffled<T>(list: T[], seed: number): T[] {
  const rand = lcg(seed);
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function storeContract(name: string, makeStore: () => Promise<StoreHarness>, opts: { skip?: string; yearTimeoutMs?: number } = {}): void {
  const suite = opts.skip ? describe.skip : describe;
  suite(`${name}${opts.skip ? ` (skipped: ${opts.skip})` : ''}`, () => {
    let harness: StoreHarness | undefined;
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });
    /** What the store takes for now (its raw retention's clock). */
    const storeNow = () => (harness?.now ?? testNow)();
    /** Three days before the store's now, 00:00 UTC: recent enough for every backend's raw retention. */
    const dayStart = () => floorTo(storeNow(), DAY) - 3 * DAY;
    async function open(): Promise<Store> {
      harness = await makeStore();
      harness.store.upsertSeries(ALL);
      return harness.store;
    }

    it('gives back what was written: history in time order, the latest value of each series', async () => {
      const store = await open();
      const t0 = dayStart();
      const gauge = Array.from({ length: 30 }, (_, i) => at(GAUGE.id, t0 + i * 10_000, 20 + i / 10));
      store.write(shuffled(gauge, 1));
      store.write([at(COUNTER.id, t0, 5), at(COUNTER.id, t0 + 5000, 9)]);
      await store.flush();
      const { points, truncated } = await store.history(GAUGE.id, t0, t0 + HOUR, 100);
      expect(truncated).toBe(false);
      expect(points).toEqual(gauge.map((r) => [r.ts, r.value]));
      const cut = await store.history(GAUGE.id, t0, t0 + HOUR, 10);
      expect(cut).toEqual({ points: gauge.slice(0, 10).map((r) => [r.ts, r.value]), truncated: true });
      expect(new Map(store.latest().map((r) => [r.seriesId, r]))).toEqual(
        new Map([
          [GAUGE.id, gauge[29]],
          [COUNTER.id, at(COUNTER.id, t0 + 5000, 9)],
        ]),
      );
      expect(store.stats().written).toBe(32);
    });

    it('answers with readings written a moment ago, before any flush', async () => {
      const store = await open();
      const t0 = dayStart() + HOUR;
      store.write([at(GAUGE.id, t0, 1), at(GAUGE.id, t0 + 1000, 3)]);
      expect((await store.history(GAUGE.id, t0, t0 + MIN, 10)).points).toEqual([
        [t0, 1],
        [t0 + 1000, 3],
      ]);
      store.write([at(GAUGE.id, t0 + 2000, 5)]);
      const { buckets } = await store.query(GAUGE.id, { from: t0, to: t0 + MIN, resolution: '1m' });
      expect(buckets).toEqual([{ t: t0, count: 3, mean: 3, min: 1, max: 5, sum: 9, last: 5, increase: null }]);
    });

    it('stores a repeated reading once, first value kept, and counts it once in the rollups', async () => {
      const store = await open();
      const t0 = dayStart() + 2 * HOUR;
      const first = [0, 10, 20, 30, 40].map((s, i) => at(COUNTER.id, t0 + s * 1000, 100 + i * 10));
      store.write([...first, first[1] as Reading]);
      await store.flush();
      // Again, later: the same instants (one with another value), first and last of
      // the minute and one in between, alone and among new readings.
      store.write([at(COUNTER.id, t0 + 20_000, 999), first[0] as Reading, first[4] as Reading]);
      await store.flush();
      store.write([...first, at(COUNTER.id, t0 + 50_000, 150)]);
      await store.flush();
      const all = [...first, at(COUNTER.id, t0 + 50_000, 150)];
      expect((await store.history(COUNTER.id, t0, t0 + MIN, 100)).points).toEqual(all.map((r) => [r.ts, r.value]));
      expect(store.stats().written).toBe(6);
      for (const resolution of ['raw', '1m', '1h', '1d'] as const) {
        expectBuckets((await store.query(COUNTER.id, { from: t0, to: t0 + MIN - 1, resolution })).buckets, reference(all, resolution, true));
      }
    });

    it('aggregates a known day by hand: a gauge cycle, a counter with a reset, a state', async () => {
      const store = await open();
      const d = dayStart();
      // The gauge reads the UTC hour, every 10 minutes.
      store.write(Array.from({ length: 144 }, (_, i) => at(GAUGE.id, d + i * 10 * MIN, Math.floor(i / 6))));
      // The meter: 1000 1010 | 1030 1035 | ... 1100 | reset: 20 50 | 80.
      const meter: [number, number][] = [
        [0, 1000],
        [30_000, 1010],
        [60_000, 1030],
        [90_000, 1035],
        [59 * MIN + 30_000, 1100],
        [HOUR, 20],
        [HOUR + 30_000, 50],
        [2 * HOUR, 80],
      ];
      store.write(meter.map(([dt, v]) => at(COUNTER.id, d + dt, v)));
      store.write([0, 1, 1, 2, 0].map((v, i) => at(STATE.id, d + i * MIN, v)));
      await store.flush();

      const day = (await store.query(GAUGE.id, { from: d, to: d + DAY - 1, resolution: '1d' })).buckets;
      expect(day).toEqual([{ t: d, count: 144, mean: 11.5, min: 0, max: 23, sum: 1656, last: 23, increase: null }]);
      const hour5 = (await store.query(GAUGE.id, { from: d + 5 * HOUR, to: d + 5 * HOUR, resolution: '1h' })).buckets;
      expect(hour5).toEqual([{ t: d + 5 * HOUR, count: 6, mean: 5, min: 5, max: 5, sum: 30, last: 5, increase: null }]);
      expect((await store.query(GAUGE.id, { from: d, to: d + DAY - 1, resolution: '1h' })).buckets.map((b) => b.mean)).toEqual(Array.from({ length: 24 }, (_, h) => h));

      const inc = async (resolution: Resolution) => (await store.query(COUNTER.id, { from: d, to: d + DAY - 1, resolution })).buckets.map((b) => [b.t - d, b.increase]);
      expect(await inc('raw')).toEqual(meter.map(([dt], i) => [dt, [0, 10, 20, 5, 65, 20, 30, 30][i]]));
      expect(await inc('1m')).toEqual([
        [0, 10],
        [MIN, 25],
        [59 * MIN, 65],
        [HOUR, 50],
        [2 * HOUR, 30],
      ]);
      expect(await inc('1h')).toEqual([
        [0, 100],
        [HOUR, 50],
        [2 * HOUR, 30],
      ]);
      expect((await store.query(COUNTER.id, { from: d, to: d + DAY - 1, resolution: '1h' })).buckets[0]).toEqual({ t: d, count: 5, mean: 1035, min: 1000, max: 1100, sum: 5175, last: 1100, increase: 100 });
      expect((await store.query(COUNTER.id, { from: d, to: d + DAY - 1, resolution: '1d' })).buckets).toEqual([{ t: d, count: 8, mean: 5325 / 8, min: 20, max: 1100, sum: 5325, last: 80, increase: 180 }]);

      const state = (await store.query(STATE.id, { from: d, to: d + DAY - 1, resolution: '1h' })).buckets;
      expect(state).toMatchObject([{ t: d, count: 5, last: 0, increase: null }]);
    });

    it('places late and out-of-order readings where they belong, raw and in every rollup', async () => {
      const store = await open();
      const d = dayStart() - DAY;
      const all = meterDataset(d);
      // Every other reading first, in order; then the rest in a shuffled order, in small
      // batches: each lands before, after, between and inside minutes already stored.
      store.write(all.filter((_, i) => i % 2 === 0));
      await store.flush();
      const rest = shuffled(
        all.filter((_, i) => i % 2 === 1),
        3,
      );
      for (let i = 0; i < rest.length; i += 500) {
        store.write(rest.slice(i, i + 500));
        await store.flush();
      }
      const range = { from: d, to: d + 2 * DAY - 1 };
      expect((await store.history(COUNTER.id, range.from, range.to, 100_000)).points).toEqual(
        all
          .slice()
          .sort((a, b) => a.ts - b.ts)
          .map((r) => [r.ts, r.value]),
      );
      for (const resolution of ['1m', '1h', '1d'] as const) {
        expectBuckets((await store.query(COUNTER.id, { ...range, resolution, maxPoints: 100_000 })).buckets, reference(all, resolution, true));
      }
      expectBuckets((await store.query(COUNTER.id, { ...range, resolution: 'raw', maxPoints: 100_000 })).buckets, reference(all, 'raw', true));
      expect(store.latest().find((r) => r.seriesId === COUNTER.id)).toEqual(all.reduce((a, b) => (b.ts > a.ts ? b : a)));
    });

    it('keeps every rollup exact while a meter is read live, batch after batch, a late reading now and then', async () => {
      const store = await open();
      const d = dayStart() - DAY;
      const split = d + 10 * HOUR;
      // The morning in one write, then three hours as a live meter sends them: six
      // readings a batch, each flushed before the next, across two hour boundaries.
      // Every fifth batch holds its middle reading back to the next one: it lands
      // between two readings of a minute already stored.
      const written = meterDataset(d).filter((r) => r.ts < split + 3 * HOUR);
      store.write(written.filter((r) => r.ts < split));
      await store.flush();
      const live = written.filter((r) => r.ts >= split);
      let held: Reading | undefined;
      for (let i = 0, n = 0; i < live.length; i += 6, n++) {
        const batch = live.slice(i, i + 6);
        const late = held;
        held = n % 5 === 0 && batch.length > 2 ? batch.splice(batch.length >> 1, 1)[0] : undefined;
        store.write(late ? [...batch, late] : batch);
        await store.flush();
      }
      if (held) store.write([held]);
      await store.flush();
      const range = { from: d, to: d + DAY - 1, maxPoints: 100_000 };
      for (const resolution of ['raw', '1m', '1h', '1d'] as const) {
        expectBuckets((await store.query(COUNTER.id, { ...range, resolution })).buckets, reference(written, resolution, true));
      }
    });

    it('adds increases up to the same total at every resolution', async () => {
      const store = await open();
      const d = dayStart() - DAY;
      const all = meterDataset(d);
      store.write(shuffled(all, 11));
      await store.flush();
      const range = { from: d, to: d + 2 * DAY - 1, maxPoints: 100_000 };
      const get = async (resolution: Resolution) => (await store.query(COUNTER.id, { ...range, resolution })).buckets;
      const [raw, m1, h1, d1] = [await get('raw'), await get('1m'), await get('1h'), await get('1d')];
      const total = (bs: Bucket[]) => bs.reduce((a, b) => a + (b.increase ?? 0), 0);
      // Whole-Wh steps: the sums are exact.
      expect(total(raw)).toBeGreaterThan(0);
      expect([total(m1), total(h1), total(d1)]).toEqual([total(raw), total(raw), total(raw)]);
      for (const h of h1) expect(total(m1.filter((m) => floorTo(m.t, HOUR) === h.t))).toBe(h.increase);
      for (const day of d1) expect(total(h1.filter((h) => floorTo(h.t, DAY) === day.t))).toBe(day.increase);
    });

    it("'auto' picks the finest resolution that fits in maxPoints", async () => {
      const store = await open();
      const d = dayStart() - DAY;
      const readings = Array.from({ length: 2 * 8640 }, (_, i) => at(GAUGE.id, d + i * 10_000, 20 + Math.sin(i / 500)));
      for (let i = 0; i < readings.length; i += 5000) store.write(readings.slice(i, i + 5000));
      await store.flush();
      const pick = async (from: number, to: number, maxPoints?: number) => {
        const res = await store.query(GAUGE.id, { from, to, maxPoints });
        expect(res.buckets.length).toBeLessThanOrEqual(maxPoints ?? 2000);
        expect(res.buckets.length).toBeGreaterThan(0);
        return res.resolution;
      };
      expect(await pick(d, d + 10 * MIN)).toBe('raw');
      expect(await pick(d, d + 6 * HOUR)).toBe('1m');
      expect(await pick(d, d + 2 * DAY)).toBe('1h');
      expect(await pick(d - 360 * DAY, d + 2 * DAY)).toBe('1d');
      expect(await pick(d, d + 2 * DAY, 40)).toBe('1d');
      expect(await pick(d, d + 10 * MIN, 30)).toBe('1m');
      const explicit = await store.query(GAUGE.id, { from: d, to: d + DAY, resolution: 'raw', maxPoints: 100 });
      expect(explicit.buckets).toHaveLength(100);
      expect(explicit.truncated).toBe(true);
      expect(explicit.buckets[99]?.t).toBe(d + 99 * 10_000);
    });

    it('deletes raw readings past retention, keeps their rollups, and still places late ones that fit', async () => {
      const store = await open();
      const now = storeNow();
      const old = floorTo(now - (store.rawRetentionDays + 10) * DAY, DAY) + 6 * HOUR;
      // Two hours of an old meter, read at :10 and :40 of each minute, +1 Wh each time.
      const oldReadings = Array.from({ length: 240 }, (_, i) => at(COUNTER.id, old + Math.floor(i / 2) * MIN + (i % 2 === 0 ? 10_000 : 40_000), 1000 + i));
      store.write(oldReadings);
      store.write([at(COUNTER.id, floorTo(now, HOUR), 5000)]);
      await store.flush();
      await store.applyRetention(now);

      // At most the last old reading stays, for the meter's next step.
      expect((await store.history(COUNTER.id, old, old + 2 * HOUR, 1000)).points.length).toBeLessThanOrEqual(1);
      const hours = await store.query(COUNTER.id, { from: old, to: old + 2 * HOUR - 1, resolution: '1h' });
      expectBuckets(hours.buckets, reference(oldReadings, '1h', true));
      expect((await store.query(COUNTER.id, { from: old, to: old + 2 * HOUR - 1 })).resolution).toBe('1m');

      // Late, older than retention: before the first reading of a minute, and in a minute of
      // its own, they merge; between two readings of a minute, they cannot be placed: refused.
      const droppedBefore = store.stats().dropped;
      const late = [at(COUNTER.id, old + 5 * MIN + 1000, 1009.5), at(COUNTER.id, old + 3 * HOUR, 1300)];
      store.write([...late, at(COUNTER.id, old + 7 * MIN + 20_000, 1014.5)]);
      await store.flush();
      expect(store.stats().dropped - droppedBefore).toBe(1);
      const expected = reference([...oldReadings, ...late, at(COUNTER.id, floorTo(now, HOUR), 5000)], '1m', true).filter((b) => b.t < old + 4 * HOUR);
      expectBuckets((await store.query(COUNTER.id, { from: old, to: old + 4 * HOUR - 1, resolution: '1m' })).buckets, expected);
      expectBuckets((await store.query(COUNTER.id, { from: old, to: old + DAY - 1, resolution: '1d' })).buckets, reference([...oldReadings, ...late], '1d', true));
    });

    it("gives a meter's increases alone, as query() gives them, at every rollup resolution", async () => {
      const store = await open();
      const start = dayStart();
      const readings = meterDataset(start);
      store.write(readings);
      await store.flush();
      for (const resolution of ['1m', '1h', '1d'] as const) {
        const q = { from: start, to: start + 2 * DAY - 1, resolution, maxPoints: 20_000 };
        const lean = await store.increases(COUNTER.id, q);
        const expected = reference(readings, resolution, true);
        expect(lean.map((b) => b.t)).toEqual(expected.map((b) => b.t));
        lean.forEach((b, i) => {
          expect(b.count).toBe(expected[i]?.count);
          expect(b.increase).toBeCloseTo(expected[i]?.increase as number, 6);
        });
        expect(lean).toEqual((await store.query(COUNTER.id, q)).buckets.map(({ t, count, increase }) => ({ t, count, increase })));
      }
      expect(await store.increases(COUNTER.id, { from: start, to: start + 2 * DAY - 1, resolution: '1h', maxPoints: 5 })).toHaveLength(5);
      expect(await store.increases('nobody.nothing', { from: start, to: start + DAY, resolution: '1h', maxPoints: 10 })).toEqual([]);
    });

    it('keeps readings already past raw retention when written in the rollups only, none lost', async () => {
      // What a year's backfill sends: months older than raw retention. Their raw rows
      // would be deleted within the hour; their minutes hold the same numbers.
      const store = await open();
      const now = storeNow();
      const old = floorTo(now - (store.rawRetentionDays + 5) * DAY, DAY) + 6 * HOUR;
      const oldReadings = Array.from({ length: 120 }, (_, i) => at(COUNTER.id, old + i * MIN, 500 + 3 * i));
      const recent = Array.from({ length: 60 }, (_, i) => at(COUNTER.id, dayStart() + i * MIN, 2000 + i));
      store.write([...oldReadings, ...recent]);
      await store.flush();
      expect(store.stats()).toMatchObject({ dropped: 0, written: 180 });
      expect((await store.history(COUNTER.id, old, old + 2 * HOUR, 1000)).points).toEqual([]);
      const minutes = await store.query(COUNTER.id, { from: old, to: old + 2 * HOUR - 1 });
      expect(minutes.resolution).toBe('1m');
      expectBuckets(minutes.buckets, reference(oldReadings, '1m', true));
      // Recent readings are kept raw, as before.
      expect((await store.history(COUNTER.id, dayStart(), dayStart() + HOUR, 1000)).points).toHaveLength(60);
      expectBuckets((await store.query(COUNTER.id, { from: old, to: now, resolution: '1d' })).buckets, reference([...oldReadings, ...recent], '1d', true));
    });

    it('rolls up all of a history sent behind live readings, while retention runs', async () => {
      // What the simulator does: live readings first, then months of backfill, oldest
      // first, with the server's hourly retention running in the middle of it.
      const store = await open();
      const now = storeNow();
      const live = [at(COUNTER.id, now - 60_000, 90_000), at(COUNTER.id, now - 30_000, 90_010)];
      store.write(live);
      await store.flush();
      const start = floorTo(now, DAY) - 90 * DAY;
      const rand = lcg(5);
      let v = 0;
      const history = Array.from({ length: 90 * 96 }, (_, i) => at(COUNTER.id, start + i * 15 * MIN, (v += Math.floor(rand() * 100))));
      for (let i = 0; i < history.length; i += 1000) {
        store.write(history.slice(i, i + 1000));
        await store.flush();
        if (i === 3000) await store.applyRetention(now);
      }
      await store.applyRetention(now);
      expect(store.stats().dropped).toBe(0);
      const all = [...history, ...live];
      const days = await store.query(COUNTER.id, { from: start, to: now, resolution: '1d' });
      expectBuckets(days.buckets, reference(all, '1d', true));
      const hours = await store.query(COUNTER.id, { from: start + 40 * DAY, to: start + 41 * DAY - 1, resolution: '1h' });
      expectBuckets(
        hours.buckets,
        reference(all, '1h', true).filter((b) => b.t >= start + 40 * DAY && b.t < start + 41 * DAY),
      );
    });

    it('keeps every reading written before close, the latest values and the series, across a reopen', async () => {
      let store = await open();
      const t0 = dayStart() + 4 * HOUR;
      const readings = Array.from({ length: 3000 }, (_, i) => at(GAUGE.id, t0 + i * 1000, i % 50));
      store.write(readings.slice(0, 1500));
      store.write(readings.slice(1500));
      await store.close();
      store = await (harness as StoreHarness).reopen();
      expect(store.getSeries(STATE.id)).toEqual(STATE);
      expect(store.listSeries().map((s) => s.id)).toEqual(ALL.map((s) => s.id).sort());
      expect(store.latest().find((r) => r.seriesId === GAUGE.id)).toEqual(readings[2999]);
      expect((await store.history(GAUGE.id, t0, t0 + HOUR, 10_000)).points).toHaveLength(3000);
      expectBuckets((await store.query(GAUGE.id, { from: t0, to: t0 + HOUR - 1, resolution: '1h' })).buckets, reference(readings, '1h', false));
    });

    it('counts readings of an unknown series as dropped and answers no buckets for it', async () => {
      const store = await open();
      store.write([at('nobody.nothing', dayStart(), 1)]);
      await store.flush();
      expect(store.stats().dropped).toBe(1);
      expect((await store.query('nobody.nothing', { from: 0, to: testNow() })).buckets).toEqual([]);
      expect((await store.history('nobody.nothing', 0, testNow(), 10)).points).toEqual([]);
    });

    it(
      'gives a year of 1-minute readings back in at most 2,000 buckets, each day whole',
      async () => {
        const store = await open();
        const start = floorTo(testNow(), DAY) - 365 * DAY;
        const n = 365 * 1440;
        for (let i = 0; i < n; i += 20_000) {
          store.write(Array.from({ length: Math.min(20_000, n - i) }, (_, j) => at(COUNTER.id, start + (i + j) * MIN, i + j)));
          await store.flush();
        }
        const year = await store.query(COUNTER.id, { from: start, to: start + 365 * DAY - 1 });
        expect(year.resolution).toBe('1d');
        expect(year.buckets).toHaveLength(365);
        expect(year.truncated).toBe(false);
        expect(year.buckets.every((b) => b.count === 1440)).toBe(true);
        expect(year.buckets.map((b) => b.increase)).toEqual(Array.from({ length: 365 }, (_, i) => (i === 0 ? 1439 : 1440)));
        const month = await store.query(COUNTER.id, { from: start + 100 * DAY, to: start + 130 * DAY - 1 });
        expect([month.resolution, month.buckets.length]).toEqual(['1h', 720]);
        // 1,440 readings fit: raw where raw readings are still kept (SQLite until
        // applyRetention), else the minutes, which are the same numbers.
        const day = await store.query(COUNTER.id, { from: start + 200 * DAY, to: start + 201 * DAY - 1 });
        expect(['raw', '1m']).toContain(day.resolution);
        expect(day.buckets).toHaveLength(1440);
        const hours = await store.query(COUNTER.id, { from: start + 200 * DAY, to: start + 201 * DAY - 1, maxPoints: 1000 });
        expect([hours.resolution, hours.buckets.length]).toEqual(['1h', 24]);
      },
      opts.yearTimeoutMs ?? 60_000,
    );
  });
}
