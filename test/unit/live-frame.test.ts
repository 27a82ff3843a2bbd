import { describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import { ReadingsFrameSchema, frameReadings, toFramePoints } from '../../shared/live';

/** Readings of several series, interleaved as ingest meets them. */
function stream(n: number): Reading[] {
  const ids = ['grid-meter.import_power', 'pv-inverter.ac_power', 'room-101.co2', 'ev-charger-1.power'];
  return Array.from({ length: n }, (_, i) => ({ seriesId: ids[(i * 7) % ids.length] as string, ts: 1_764_900_000_000 + i * 13, value: i % 5 === 4 ? -i / 3 : i * 1.5 }));
}

describe('readings frames in columns (shared/live.ts, version 3)', () => {
  it('give back every reading, in order, with its series, time and value', () => {
    const readings = stream(1000);
    const cols = toFramePoints(readings);
    expect(cols.series).toEqual(['grid-meter.import_power', 'ev-charger-1.power', 'room-101.co2', 'pv-inverter.ac_power']);
    expect(cols.points).toHaveLength(3000);
    expect(frameReadings(cols)).toEqual(readings);
    // Through JSON, as socket.io carries it, and through the dashboard's validation.
    const parsed = ReadingsFrameSchema.parse(JSON.parse(JSON.stringify({ seq: 2, prev: 1, ts: 5, ...cols })));
    expect(frameReadings(parsed)).toEqual(readings);
  });

  it('an empty frame is empty', () => {
    expect(toFramePoints([])).toEqual({ series: [], points: [] });
    expect(frameReadings({ series: [], points: [] })).toEqual([]);
  });

  it('are a third of the bytes of the same readings as objects', () => {
    const readings = stream(15_000);
    const asObjects = JSON.stringify({ seq: 1, prev: 0, ts: 0, readings }).length;
    const asColumns = JSON.stringify({ seq: 1, prev: 0, ts: 0, ...toFramePoints(readings) }).length;
    expect(asColumns / asObjects).toBeLessThan(0.45);
  });

  it('are refused by the dashboard when a point names no series of the frame or a reading is cut short', () => {
    const base = { seq: 2, prev: 1, ts: 5, series: ['a.x', 'b.y'] };
    expect(ReadingsFrameSchema.safeParse({ ...base, points: [0, 1, 2, 1, 3, 4] }).success).toBe(true);
    for (const points of [
      [2, 1, 2],
      [-1, 1, 2],
      [0.5, 1, 2],
      [0, 1, 2, 1, 3],
    ]) {
      const r = ReadingsFrameSchema.safeParse({ ...base, points });
      expect(r.success, JSON.stringify(points)).toBe(false);
      expect(r.error?.issues[0]?.path[0]).toBe('points');
    }
    expect(ReadingsFrameSchema.safeParse({ seq: 2, prev: 1, ts: 5, readings: [] }).success).toBe(false);
  });
});
