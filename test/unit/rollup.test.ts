import { describe, expect, it } from 'vitest';
import { MINUTE, type MinuteRow, type Point, applyPoints, counterStep, minuteOf, minutesNeedingRaw, planQuery, rangesOf } from '../../server/store/rollup';

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
