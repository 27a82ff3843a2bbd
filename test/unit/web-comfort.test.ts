import { describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import { building } from '../../shared/catalogue';
import { categoryIndex, currentSeason, fitLabel, layoutLevel, parisMonth, plannedLevels, STALE_MS, zoneComfort } from '../../web/src/components/comfort/logic';

const W = 1000;
const H = 600;
const zone = (id: string, areaM2: number, sensor = true) => ({ id, label: id, areaM2, sensor });

describe('comfort plan: a treemap per level', () => {
  it('gives each zone a rectangle proportional to its area, filling the box without overlap', () => {
    for (const { level } of plannedLevels(building)) {
      const zones = building.zones.filter((z) => z.level === level).map((z) => ({ ...z, sensor: z.sensor }));
      const placed = layoutLevel(zones, W, H);
      const withArea = zones.filter((z) => z.areaM2 > 0);
      expect(placed.map((p) => p.id).sort()).toEqual(withArea.map((z) => z.id).sort());
      const total = withArea.reduce((s, z) => s + z.areaM2, 0);
      let covered = 0;
      for (const p of placed) {
        expect(p.w * p.h).toBeCloseTo((p.areaM2 / total) * W * H, 6);
        expect(p.x).toBeGreaterThanOrEqual(-1e-9);
        expect(p.y).toBeGreaterThanOrEqual(-1e-9);
        expect(p.x + p.w).toBeLessThanOrEqual(W + 1e-9);
        expect(p.y + p.h).toBeLessThanOrEqual(H + 1e-9);
        covered += p.w * p.h;
      }
      expect(covered).toBeCloseTo(W * H, 6);
      for (const a of placed)
        for (const b of placed) {
          if (a === b) continue;
          const overlapX = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
          const overlapY = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
          expect(overlapX <= 1e-9 || overlapY <= 1e-9).toBe(true);
        }
    }
  });

  it('leaves out zones of no area, is deterministic, and keeps the largest zone first', () => {
    const zones = [zone('b', 100), zone('a', 100), zone('outdoor', 0), zone('c', 300)];
    const one = layoutLevel(zones, W, H);
    expect(one.map((z) => z.id)).toEqual(['c', 'a', 'b']);
    expect(layoutLevel([...zones].reverse(), W, H)).toEqual(one);
    // Half the area on the left (the box is wider than tall), the two others stacked on the right.
    expect(one[0]).toMatchObject({ x: 0, y: 0, w: 600, h: 600 });
    expect(one[1]).toMatchObject({ x: 600, y: 0, w: 400, h: 300 });
    expect(one[2]).toMatchObject({ x: 600, y: 300, w: 400, h: 300 });
  });

  it('draws the levels that have room sensors: not the roof', () => {
    expect(plannedLevels(building).map((l) => l.level)).toEqual([0, 1, 2, 3, 4]);
    const ground = layoutLevel(building.zones.filter((z) => z.level === 0), W, H);
    expect(ground.find((z) => z.id === 'rdc-technique')?.sensor).toBe(false);
    expect(ground.find((z) => z.id === 'outdoor')).toBeUndefined();
  });
});

describe('comfort plan: the current EN 16798-1 category of a zone', () => {
  const now = Date.parse('2026-01-15T10:00:00+01:00');
  const latest = (entries: Array<[string, number, number?]>) => new Map<string, Reading>(entries.map(([seriesId, value, ts]) => [seriesId, { seriesId, value, ts: ts ?? now - 5_000 }]));

  it('classifies CO2 above outdoor air (420 ppm): I up to 970 ppm, II to 1220, III to 1770', () => {
    const at = (ppm: number) => zoneComfort('rdc-formation-1', 'co2', latest([['room-rdc-formation-1.co2', ppm]]), now, 'heating');
    expect(at(650)).toMatchObject({ value: 650, category: 'I' });
    expect(at(970).category).toBe('I');
    expect(at(971).category).toBe('II');
    expect(at(1220).category).toBe('II');
    expect(at(1500).category).toBe('III');
    expect(at(1800).category).toBe('IV');
    // A measured outdoor level moves the bounds.
    expect(zoneComfort('rdc-formation-1', 'co2', latest([['room-rdc-formation-1.co2', 1000]]), now, 'heating', 460).category).toBe('I');
  });

  it('classifies temperature by the season: 22 °C is I in winter, III in summer', () => {
    const l = latest([['room-r1-reunion.temperature', 22]]);
    expect(zoneComfort('r1-reunion', 'temperature', l, now, 'heating')).toMatchObject({ value: 22, category: 'I', season: 'heating' });
    expect(zoneComfort('r1-reunion', 'temperature', l, now, 'cooling').category).toBe('III');
    expect(zoneComfort('r1-reunion', 'temperature', latest([['room-r1-reunion.temperature', 17.5]]), now, 'heating').category).toBe('IV');
  });

  it('has no category without a current reading: none, or older than 15 min', () => {
    expect(zoneComfort('rdc-technique', 'co2', new Map(), now, 'heating')).toMatchObject({ value: null, category: null, ts: null });
    const old = latest([['room-rdc-fablab.co2', 600, now - STALE_MS - 1]]);
    expect(zoneComfort('rdc-fablab', 'co2', old, now, 'heating')).toMatchObject({ value: null, category: null, ts: now - STALE_MS - 1 });
  });

  it('chooses the season from the month in Paris and the outdoor temperature', () => {
    expect(parisMonth(Date.parse('2026-04-30T23:30:00Z'))).toBe(5); // already 1 May in Paris
    const july = Date.parse('2026-07-10T12:00:00+02:00');
    expect(currentSeason(new Map(), july)).toBe('cooling');
    expect(currentSeason(latest([['weather-station.temperature', 12, july - 60_000]]), july)).toBe('heating');
    expect(currentSeason(latest([['weather-station.temperature', 25, july - 60_000]]), july)).toBe('cooling');
    expect(currentSeason(new Map(), now)).toBe('heating');
  });

  it('numbers categories and fits labels', () => {
    expect(['I', 'II', 'III', 'IV'].map((c) => categoryIndex(c as 'I'))).toEqual([1, 2, 3, 4]);
    expect(fitLabel('Salle de formation 1', 30)).toBe('Salle de formation 1');
    expect(fitLabel('Salle de formation 1', 10)).toBe('Salle de…');
    expect(fitLabel('abc', 1)).toBe('');
  });
});
