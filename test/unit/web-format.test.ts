import { describe, expect, it } from 'vitest';
import { formatValue, formatHourMinute } from '../../web/src/lib/format';
import { decimateMinMax, mergePoints, type Point, trimPoints } from '../../web/src/lib/points';

// fr-FR separates thousands with a narrow no-break space and decimals with a comma;
// units follow a no-break space. Normalise the spaces to compare.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('dashboard formatting (French, Europe/Paris)', () => {
  it('shows SenML units as people read them', () => {
    expect(plain(formatValue(21.46, 'Cel'))).toBe('21,5 °C');
    expect(plain(formatValue(42, '%RH'))).toBe('42 % HR');
    expect(plain(formatValue(812, 'ppm'))).toBe('812 ppm');
    expect(plain(formatValue(950, 'W'))).toBe('950 W');
    expect(plain(formatValue(12_345, 'W'))).toBe('12,3 kW');
    expect(plain(formatValue(1_250_000, 'Wh', 'counter'))).toBe('1 250,0 kWh');
    expect(plain(formatValue(1, 'count'))).toBe('1 personne');
    expect(plain(formatValue(3, 'count'))).toBe('3 personnes');
  });

  it('gives times in Paris time whatever the machine zone (UTC+2 in summer, UTC+1 in winter)', () => {
    expect(formatHourMinute(Date.UTC(2026, 6, 1, 10, 5))).toBe('12:05');
    expect(formatHourMinute(Date.UTC(2026, 0, 15, 10, 5))).toBe('11:05');
  });
});

describe('chart buffers', () => {
  const series = (n: number, f: (i: number) => number): Point[] => Array.from({ length: n }, (_, i) => [i * 1000, f(i)] as const);

  it('merges history and live points in time order, without duplicates', () => {
    const merged = mergePoints(series(3, (i) => i), [[1000, 1], [2500, 2.5], [5000, 5]]);
    expect(merged.map((p) => p[0])).toEqual([0, 1000, 2000, 2500, 5000]);
  });

  it('keeps at most the last hour and at most the cap', () => {
    const pts = series(5000, (i) => i);
    trimPoints(pts, 1_000_000, 3600);
    expect(pts.length).toBe(3600);
    expect(pts[0]?.[0]).toBe(1_400_000);
  });

  it('thins a long series to the budget and keeps its peaks', () => {
    const pts = series(100_000, (i) => (i === 54_321 ? 1e6 : Math.sin(i / 100)));
    const thin = decimateMinMax(pts, 800);
    expect(thin.length).toBeLessThanOrEqual(801);
    expect(thin.some((p) => p[1] === 1e6)).toBe(true);
    expect(thin.at(-1)).toBe(pts.at(-1));
  });
});
