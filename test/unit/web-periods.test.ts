import { describe, expect, it } from 'vitest';
import { capPoints, coarsest, historyPath, MAX_POINTS, MIN_ZOOM_MS, pan, pointsForWidth, resolutionLabel, zoomBy, zoomTo } from '../../web/src/components/charts/zoom';
import { changeKind, defaultInterval, describePeriod, kpiQuery, parsePeriod, periodParams, periodRange, shiftPeriod, startsInFuture } from '../../web/src/lib/periods';

// 22 November 2026, 10:00 in Paris (UTC+1).
const NOW = Date.UTC(2026, 10, 22, 9);
const q = (s: string) => new URLSearchParams(s);

describe('the period picker', () => {
  it('reads the period from the URL, with this month as the default', () => {
    expect(parsePeriod(q(''), NOW)).toMatchObject({ kind: 'month', date: '2026-11-22' });
    expect(parsePeriod(q('period=day&date=2026-03-29'), NOW)).toMatchObject({ kind: 'day', date: '2026-03-29' });
    expect(parsePeriod(q('period=bogus&date=2026-02-30'), NOW)).toMatchObject({ kind: 'month', date: '2026-11-22' });
    expect(parsePeriod(q('period=custom&from=2026-01-01&to=2026-01-31'), NOW)).toMatchObject({ kind: 'custom', from: '2026-01-01', to: '2026-01-31' });
    // Reversed bounds fall back to the last seven days.
    expect(parsePeriod(q('period=custom&from=2026-02-01&to=2026-01-01'), NOW)).toMatchObject({ from: '2026-11-16', to: '2026-11-22' });
  });

  it('writes the URL and the KPI query back, only what the period needs', () => {
    const day = parsePeriod(q('period=day&date=2026-11-21'), NOW);
    expect(periodParams(day)).toEqual({ period: 'day', date: '2026-11-21' });
    expect(kpiQuery(day, { format: 'csv', locale: 'en' })).toBe('period=day&date=2026-11-21&format=csv&locale=en');
    const custom = parsePeriod(q('period=custom&from=2026-01-01&to=2026-01-31'), NOW);
    expect(kpiQuery(custom)).toBe('period=custom&from=2026-01-01&to=2026-01-31');
  });

  it('goes to the previous and next period of the same kind', () => {
    const p = (s: string) => parsePeriod(q(s), NOW);
    expect(shiftPeriod(p('period=day&date=2026-03-01'), -1).date).toBe('2026-02-28');
    expect(shiftPeriod(p('period=week&date=2026-11-22'), -1).date).toBe('2026-11-15');
    expect(shiftPeriod(p('period=month&date=2026-03-31'), -1).date).toBe('2026-02-28');
    expect(shiftPeriod(p('period=year&date=2026-11-22'), 1).date).toBe('2027-11-22');
    const c = shiftPeriod(p('period=custom&from=2026-01-01&to=2026-01-10'), 1);
    expect([c.from, c.to]).toEqual(['2026-01-11', '2026-01-20']);
    expect(startsInFuture(shiftPeriod(p('period=day&date=2026-11-22'), 1), NOW)).toBe(true);
    expect(startsInFuture(p('period=month&date=2026-11-22'), NOW)).toBe(false);
  });

  it('turns periods into local instants, clock changes included', () => {
    // The last Sunday of March has 23 hours in Paris.
    const r = periodRange(parsePeriod(q('period=day&date=2026-03-29'), NOW));
    expect(r.fromMs).toBe(Date.UTC(2026, 2, 28, 23));
    expect((r.toMs - r.fromMs) / 3600_000).toBe(23);
    // ISO week: Monday 16 to Sunday 22 November.
    const w = periodRange(parsePeriod(q('period=week&date=2026-11-19'), NOW));
    expect(w.fromMs).toBe(Date.UTC(2026, 10, 15, 23));
    expect(w.toMs).toBe(Date.UTC(2026, 10, 22, 23));
  });

  it('keeps the shown days when switching to a custom period', () => {
    const c = changeKind(parsePeriod(q('period=month&date=2026-02-10'), NOW), 'custom');
    expect([c.from, c.to]).toEqual(['2026-02-01', '2026-02-28']);
    expect(changeKind(c, 'day').date).toBe('2026-02-28');
  });

  it('says the period in words, in French or English', () => {
    const p = (s: string) => parsePeriod(q(s), NOW);
    expect(describePeriod(p('period=month&date=2026-11-05'), 'fr-FR')).toBe('novembre 2026');
    expect(describePeriod(p('period=month&date=2026-11-05'), 'en-GB')).toBe('November 2026');
    expect(describePeriod(p('period=day&date=2026-11-22'), 'fr-FR')).toBe('dimanche 22 novembre 2026');
    expect(describePeriod(p('period=week&date=2026-11-22'), 'fr-FR')).toMatch(/^semaine 47 \(16.*22 novembre 2026\)$/);
    expect(describePeriod(p('period=year&date=2026-11-22'), 'en-GB')).toBe('2026');
  });

  it('knows the interval the API picks', () => {
    const p = (s: string) => parsePeriod(q(s), NOW);
    expect(defaultInterval(p('period=day'))).toBe('hour');
    expect(defaultInterval(p('period=month'))).toBe('day');
    expect(defaultInterval(p('period=year'))).toBe('month');
    expect(defaultInterval(p('period=custom&from=2026-01-01&to=2026-06-30'))).toBe('month');
  });
});

describe('the zoomable chart: range → history query', () => {
  const DAY = 86_400_000;
  const outer = [Date.UTC(2026, 10, 20), Date.UTC(2026, 10, 22)] as const;

  it('asks about one point per pixel, within bounds', () => {
    expect(pointsForWidth(900)).toBe(900);
    expect(pointsForWidth(10)).toBe(60);
    expect(pointsForWidth(50_000)).toBe(MAX_POINTS);
    expect(pointsForWidth(Number.NaN)).toBe(800);
    const path = historyPath('ahu.supply_temperature', outer, 1000.4);
    const u = new URL(path, 'http://x');
    expect(u.pathname).toBe('/api/v1/series/ahu.supply_temperature/history');
    expect(Object.fromEntries(u.searchParams)).toEqual({ from: String(outer[0]), to: String(outer[1]), resolution: 'auto', maxPoints: '1000' });
    expect(new URL(historyPath('a', outer, 500, 'increase'), 'http://x').searchParams.get('agg')).toBe('increase');
  });

  it('turns a drag into a range inside the outer one, never narrower than the minimum', () => {
    expect(zoomTo(outer[0] + DAY, outer[0] + 2 * 3600_000, outer)).toEqual([outer[0] + 2 * 3600_000, outer[0] + DAY]);
    expect(zoomTo(outer[0] - DAY, outer[0] + 3600_000, outer)).toEqual([outer[0], outer[0] + 3600_000]);
    expect(zoomTo(5, 5, outer)).toBeNull();
    const narrow = zoomTo(outer[0] + DAY, outer[0] + DAY + 1000, outer) as readonly [number, number];
    expect(narrow[1] - narrow[0]).toBe(MIN_ZOOM_MS);
    const atEdge = zoomTo(outer[1] - 1000, outer[1], outer) as readonly [number, number];
    expect(atEdge).toEqual([outer[1] - MIN_ZOOM_MS, outer[1]]);
  });

  it('zooms and pans by the keyboard inside the outer range', () => {
    const half = zoomBy(outer, 0.5, outer);
    expect(half).toEqual([outer[0] + DAY / 2, outer[1] - DAY / 2]);
    expect(zoomBy(half, 4, outer)).toEqual(outer);
    expect(pan(half, -1, outer)).toEqual([outer[0], outer[0] + DAY]);
    expect(pan(half, 1, outer)).toEqual([outer[1] - DAY, outer[1]]);
  });

  it('names the resolution and caps what recharts is given', () => {
    expect(resolutionLabel('1h', 'fr')).toBe('1 h');
    expect(resolutionLabel('1d', 'fr')).toBe('1 j');
    expect(resolutionLabel('raw', 'en')).toBe('raw readings');
    expect(coarsest(['raw', '1h', '1m'])).toBe('1h');
    expect(coarsest([])).toBeNull();
    const many = Array.from({ length: 10_000 }, (_, i) => [i, i === 4321 ? 1000 : Math.sin(i)] as const);
    const capped = capPoints(many, 2000);
    expect(capped.length).toBeLessThanOrEqual(2000);
    expect(capped.some(([t, v]) => t === 4321 && v === 1000)).toBe(true);
    expect(capPoints(many.slice(0, 10), 2000)).toHaveLength(10);
  });
});
