import { describe, expect, it } from 'vitest';
import { Rng, fuzzSeed } from '../helpers/fuzz';
import { MINUTE, type MinuteRow, type Point, applyPoints, bucketsOf, counterStep, floorTo, minuteOf, minutesNeedingRaw, planQuery, rangesOf, sortDistinct } from '../../server/store/rollup';

const HOUR = 3_600_000;
const rowsOf = (rows: MinuteRow[]) => new Map(rows.map((r) => [r.t, { ...r }]));

describe('rollup arithmetic', () => {
  it('counts a meter reset as a restart from zero', () => {
    expect(counterStep(100, 130)).toBe(30);
    expect(counterStep(130, 4)).toBe(4);
  });

  it('merges late readings before and after a stored minute without its raw readings, and refuses one in between', () => {
    const stored = minuteOf(0, [[20_000, 110], [40_000, 120]], true);
    stored.increase = stored.incInner;
    const rows = rowsOf([stored]);
    const late: Point[] = [[5_000, 100], [30_000, 115], [40_000, 999], [50_000, 5]];
    expect(minutesNeedingRaw(late, rows)).toEqual([0]);
    const result = applyPoints(true, late, rows, rangesOf([0], HOUR), new Map());
    expect(result.accepted).toEqual([[5_000, 100], [50_000, 5]]);
    expect(result.dropped).toEqual([[30_000, 115]]);
    expect(result.duplicates).toBe(1);
    // 100 -> 110 -> 120 -> reset 5: 10 + 10 + 5.
    expect(rows.get(0)).toMatchObject({ count: 4, first: 100, firstTs: 5_000, last: 5, lastTs: 50_000, incInner: 25, increase: 25, min: 5, max: 120 });
  });

  it('places a reading between two stored ones when the raw readings of its minute are given', () => {
    const rows = rowsOf([minuteOf(0, [[20_000, 110], [40_000, 120]], true)]);
    const raw = new Map([[0, [[20_000, 110], [40_000, 120]] as Point[]]]);
    const result = applyPoints(true, [[30_000, 112]], rows, rangesOf([0], HOUR), raw);
    expect(result.accepted).toEqual([[30_000, 112]]);
    expect(rows.get(0)).toMatchObject({ count: 3, incInner: 10 });
  });

  it('counts a replayed reading that raw already has but the stored minute lacks (a writer died between its raw and rollup writes)', () => {
    // Two writers share the minute: one stored 10 s and 50 s with their rollup; the
    // other wrote 30 s raw and died before its rollup. 30 s comes again, to the first.
    const rows = rowsOf([minuteOf(0, [[10_000, 100], [50_000, 130]], true)]);
    const raw = new Map([[0, [[10_000, 100], [30_000, 112], [50_000, 130]] as Point[]]]);
    expect(minutesNeedingRaw([[30_000, 112]], rows)).toEqual([0]);
    const result = applyPoints(true, [[30_000, 112]], rows, rangesOf([0], HOUR), raw);
    expect(result.accepted).toEqual([]);
    expect(result.duplicates).toBe(1);
    expect(result.changed.map((r) => r.t)).toEqual([0]);
    expect(rows.get(0)).toMatchObject({ count: 3, sum: 342, min: 100, max: 130, incInner: 30 });
    // Replayed again, now that the minute counts it: nothing to write.
    const again = applyPoints(true, [[30_000, 112]], rows, rangesOf([0], HOUR), raw);
    expect(again.changed).toEqual([]);
  });

  it("recomputes the next minute's increase when a late minute lands before it", () => {
    const later = minuteOf(10 * MINUTE, [[10 * MINUTE, 200]], true);
    later.increase = 0;
    const rows = rowsOf([later]);
    const result = applyPoints(true, [[2 * MINUTE, 150]], rows, rangesOf([2 * MINUTE], HOUR), new Map());
    expect(result.changed.map((m) => [m.t, m.increase])).toEqual([
      [2 * MINUTE, 0],
      [10 * MINUTE, 50],
    ]);
  });

  it('keeps every minute row equal to one computed from scratch, whatever the order and grouping of writes', () => {
    // What a store relies on: writing only the rows applyPoints says changed keeps the
    // minutes exactly those of all the readings ever accepted. Writes mix what a store
    // sees: a backfill's chunks in order with a live reading beside them (two ranges,
    // the append path), late readings, repeated ones, and several ranges at once.
    const seed = fuzzSeed();
    const rng = new Rng(seed);
    for (let run = 0; run < 40; run++) {
      const counter = run % 2 === 0;
      const stored = new Map<number, MinuteRow>();
      const raw = new Map<number, Point[]>();
      const all = new Map<number, number>();
      let backfill = 0;
      let live = 10_000 * MINUTE;
      let meter = 1000;
      // Eighths add up exactly in binary: sums made in any order compare equal.
      const value = () => (counter ? (rng.chance(0.05) ? rng.int(0, 5) : (meter += rng.int(0, 300) / 8)) : rng.int(-500, 500) / 4);
      for (let write = 0; write < 30; write++) {
        const points: Point[] = [];
        const shape = rng.weighted({ chunk: 4, late: 2, scattered: 1 });
        if (shape === 'chunk') {
          for (let n = rng.int(1, 150); n > 0; n--) points.push([(backfill += rng.pick([MINUTE, MINUTE, 20_000, 90_000])), value()]);
        } else if (shape === 'late') {
          for (let n = rng.int(1, 10); n > 0; n--) points.push([rng.int(0, backfill + MINUTE), value()]);
        } else {
          for (let n = rng.int(1, 5); n > 0; n--) points.push([rng.int(0, 20_000 * MINUTE), value()]);
        }
        if (rng.chance(0.7)) points.push([(live += rng.int(1, 40) * 1000), value()]);
        const { points: sorted } = sortDistinct(points);
        const ranges = rangesOf(bucketsOf(sorted.map((p) => p[0]), MINUTE), HOUR);
        const rows = new Map([...stored].map(([t, row]) => [t, { ...row }]));
        const needed = new Map(minutesNeedingRaw(sorted, rows).map((m) => [m, raw.get(m) ?? []]));
        const result = applyPoints(counter, sorted, rows, ranges, needed);
        expect(result.dropped).toEqual([]);
        for (const row of result.changed) stored.set(row.t, { ...row });
        for (const [ts, v] of result.accepted) {
          expect(all.has(ts), `seed ${seed}: reading at ${ts} accepted twice`).toBe(false);
          all.set(ts, v);
          const m = floorTo(ts, MINUTE);
          raw.set(m, sortDistinct([...(raw.get(m) ?? []), [ts, v]]).points);
        }
        // From scratch: every accepted reading, minute by minute, each increase from the minute before.
        const expected = new Map<number, MinuteRow>();
        let prev: MinuteRow | undefined;
        for (const m of [...raw.keys()].sort((a, b) => a - b)) {
          const row = minuteOf(m, raw.get(m) as Point[], counter);
          row.increase = counter ? row.incInner + (prev ? counterStep(prev.last, row.first) : 0) : null;
          expected.set(m, row);
          prev = row;
        }
        expect(stored, `seed ${seed}, run ${run}, write ${write} (${shape})`).toEqual(expected);
      }
    }
  });

  it("plans 'auto': raw only where raw readings are complete, else the first rollup within maxPoints", () => {
    const day = 86_400_000;
    expect(planQuery({ from: 0, to: HOUR }, 0)).toMatchObject({ rawCandidate: true, resolution: '1m' });
    expect(planQuery({ from: 0, to: HOUR }, 1)).toMatchObject({ rawCandidate: false });
    expect(planQuery({ from: 0, to: 30 * day }, 0).resolution).toBe('1h');
    expect(planQuery({ from: 0, to: 365 * day }, 0).resolution).toBe('1d');
    expect(planQuery({ from: 0, to: 1_999 * MINUTE - 1 }, 0).resolution).toBe('1m');
    expect(planQuery({ from: 0, to: 2_000 * MINUTE }, 0).resolution).toBe('1h');
    expect(planQuery({ from: 0, to: HOUR, resolution: 'raw', maxPoints: 10 }, 0)).toMatchObject({ resolution: 'raw', rawCandidate: false, maxPoints: 10 });
  });
});
