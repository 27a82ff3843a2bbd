import { describe, expect, it } from 'vitest';
import { formatLocalIso, fromWallMs, isoWeek, localMidnight, offsetMinutes, parisOffsetMinutes, wallMs } from '../../shared/calendar';
import { defaultInterval, KpiInputError, previousPeriod, resolvePeriod, splitIntervals, yearBeforePeriod } from '../../server/kpi/periods';

const TZ = 'Europe/Paris';
const H = 3_600_000;
/** Far in the future: nothing is cut at now. */
const LATER = Date.UTC(2030, 0, 1);

describe('Paris civil time (shared/calendar.ts)', () => {
  it('agrees with the tz database every 97 minutes from 2023 to 2028', () => {
    for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2029, 0, 1); t += 97 * 60_000) {
      expect(parisOffsetMinutes(t)).toBe(intlParisOffset(t));
    }
  });

  it('gives local days of 23 and 25 hours on the days the clocks change (29 March and 25 October 2026)', () => {
    const day = (year: number, month: number, d: number) => localMidnight(TZ, { year, month, day: d });
    expect((day(2026, 3, 30) - day(2026, 3, 29)) / H).toBe(23);
    expect((day(2026, 10, 26) - day(2026, 10, 25)) / H).toBe(25);
    expect((day(2026, 6, 2) - day(2026, 6, 1)) / H).toBe(24);
    expect(day(2026, 3, 29)).toBe(Date.UTC(2026, 2, 28, 23));
    expect(day(2026, 7, 1)).toBe(Date.UTC(2026, 5, 30, 22));
  });

  it('reads a wall-clock time that occurs twice as its first occurrence, and one that does not exist after the gap', () => {
    // 25 October 2026, 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    expect(fromWallMs(TZ, Date.UTC(2026, 9, 25, 2, 30))).toBe(Date.UTC(2026, 9, 25, 0, 30));
    // 29 March 2026, 02:30 does not exist (02:00 CET became 03:00 CEST).
    expect(wallMs(TZ, fromWallMs(TZ, Date.UTC(2026, 2, 29, 2, 30)))).toBe(Date.UTC(2026, 2, 29, 3, 30));
    expect(formatLocalIso(TZ, Date.UTC(2026, 2, 29, 1))).toBe('2026-03-29T03:00:00+02:00');
  });

  it('answers other zones through Intl', () => {
    expect(offsetMinutes('America/New_York', Date.UTC(2026, 0, 15))).toBe(-300);
    expect(offsetMinutes('Asia/Kolkata', Date.UTC(2026, 0, 15))).toBe(330);
  });

  it('numbers ISO weeks (ISO 8601: Monday first, week 1 holds the first Thursday)', () => {
    expect(isoWeek({ year: 2026, month: 1, day: 1 })).toEqual({ year: 2026, week: 1 });
    expect(isoWeek({ year: 2027, month: 1, day: 1 })).toEqual({ year: 2026, week: 53 });
    expect(isoWeek({ year: 2024, month: 12, day: 30 })).toEqual({ year: 2025, week: 1 });
  });
});

const PARIS_FORMAT = new Intl.DateTimeFormat('en-US', { timeZone: TZ, timeZoneName: 'longOffset' });
function intlParisOffset(t: number): number {
  const fmt = PARIS_FORMAT;
  const name = fmt.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

describe('periods in local time', () => {
  it('resolves a day, an ISO week, a month and a year around a date', () => {
    const day = resolvePeriod({ period: 'day', date: '2026-03-29' }, TZ, LATER);
    expect([day.startMs, day.endMs, day.label]).toEqual([Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 22), '2026-03-29']);
    const week = resolvePeriod({ period: 'week', date: '2026-03-29' }, TZ, LATER); // a Sunday
    expect([week.startMs, week.endMs, week.label]).toEqual([Date.UTC(2026, 2, 22, 23), Date.UTC(2026, 2, 29, 22), '2026-W13']);
    const month = resolvePeriod({ period: 'month', date: '2026-10-14' }, TZ, LATER);
    expect([month.startMs, month.endMs, month.label]).toEqual([Date.UTC(2026, 8, 30, 22), Date.UTC(2026, 9, 31, 23), '2026-10']);
    expect((month.endMs - month.startMs) / H).toBe(31 * 24 + 1);
    const year = resolvePeriod({ period: 'year', date: '2026' }, TZ, LATER);
    expect([year.startMs, year.endMs, (year.endMs - year.startMs) / H]).toEqual([Date.UTC(2025, 11, 31, 23), Date.UTC(2026, 11, 31, 23), 8760]);
    expect(resolvePeriod({ period: 'month', date: '2026-02' }, TZ, LATER).label).toBe('2026-02');
  });

  it('defaults to the current month, cut at the end of the current hour', () => {
    const now = Date.UTC(2026, 4, 10, 13, 25);
    const p = resolvePeriod({}, TZ, now);
    expect(p.kind).toBe('month');
    expect(p.startMs).toBe(Date.UTC(2026, 3, 30, 22));
    expect(p.endMs).toBe(Date.UTC(2026, 4, 10, 14));
    expect(p.partial).toBe(true);
    expect(p.fullEndMs).toBe(Date.UTC(2026, 4, 31, 22));
  });

  it('takes custom periods as whole local days (both included) or as instants on whole hours (end excluded)', () => {
    const days = resolvePeriod({ from: '2026-01-01', to: '2026-01-31' }, TZ, LATER);
    expect([days.kind, days.startMs, days.endMs, days.label]).toEqual(['custom', Date.UTC(2025, 11, 31, 23), Date.UTC(2026, 0, 31, 23), '2026-01-01 → 2026-01-31']);
    const instants = resolvePeriod({ period: 'custom', from: '2026-01-05T06:00:00+01:00', to: '2026-01-05T18:00:00Z' }, TZ, LATER);
    expect([instants.startMs, instants.endMs]).toEqual([Date.UTC(2026, 0, 5, 5), Date.UTC(2026, 0, 5, 18)]);
  });

  it('refuses what makes no period, with a message that says why', () => {
    const bad = (q: Parameters<typeof resolvePeriod>[0], now = LATER) => {
      try {
        resolvePeriod(q, TZ, now);
      } catch (err) {
        expect(err).toBeInstanceOf(KpiInputError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ from: '2026-02-01', to: '2026-01-01' })).toMatch(/"to" \(2026-01-01\) must be after "from"/);
    expect(bad({ from: '2026-02-01' })).toMatch(/needs both from and to/);
    expect(bad({ period: 'day', from: '2026-02-01', to: '2026-02-02' })).toMatch(/apply to period=custom/);
    expect(bad({ period: 'day', date: '2026-02-30' })).toMatch(/not a calendar date/);
    expect(bad({ from: '2026-01-05T06:30:00+01:00', to: '2026-01-06' })).toMatch(/whole hour/);
    expect(bad({ from: '2010-01-01', to: '2026-01-01' })).toMatch(/at most 3654/);
    expect(bad({ period: 'day', date: '2026-06-01' }, Date.UTC(2026, 4, 1))).toMatch(/starts in the future/);
  });

  it('cuts rows at local boundaries: 23 and 25 hourly rows on DST days, partial weeks at a month edge', () => {
    const spring = resolvePeriod({ period: 'day', date: '2026-03-29' }, TZ, LATER);
    expect(splitIntervals(spring, 'hour', TZ)).toHaveLength(23);
    const autumn = resolvePeriod({ period: 'day', date: '2026-10-25' }, TZ, LATER);
    const hours = splitIntervals(autumn, 'hour', TZ);
    expect(hours).toHaveLength(25);
    // Local 02:00 twice: once in summer time, once in winter time.
    expect(hours.map((s) => formatLocalIso(TZ, s.startMs)).filter((s) => s.includes('T02:00'))).toEqual(['2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00']);
    const march = resolvePeriod({ period: 'month', date: '2026-03' }, TZ, LATER);
    const days = splitIntervals(march, 'day', TZ);
    expect(days).toHaveLength(31);
    expect(days.map((d) => (d.endMs - d.startMs) / H).filter((h) => h !== 24)).toEqual([23]);
    const weeks = splitIntervals(march, 'week', TZ);
    // March 2026 starts on a Sunday: a 1-day week, four whole weeks, then Monday 30 and Tuesday 31.
    expect(weeks.map((w) => Math.round((w.endMs - w.startMs) / (24 * H)))).toEqual([1, 7, 7, 7, 7, 2]);
    expect(splitIntervals(resolvePeriod({ period: 'year', date: '2026' }, TZ, LATER), 'month', TZ)).toHaveLength(12);
    expect(splitIntervals(march, 'period', TZ)).toEqual([{ startMs: march.startMs, endMs: march.endMs }]);
  });

  it('refuses hourly rows beyond 20,000', () => {
    const tenYears = resolvePeriod({ from: '2016-01-01', to: '2025-12-31' }, TZ, LATER);
    expect(() => splitIntervals(tenYears, 'hour', TZ)).toThrow(/interval=hour over this period gives 87672 rows; at most 20000/);
    expect(splitIntervals(tenYears, 'month', TZ)).toHaveLength(120);
  });

  it('picks a sensible default interval', () => {
    expect(defaultInterval(resolvePeriod({ period: 'day', date: '2026-01-01' }, TZ, LATER))).toBe('hour');
    expect(defaultInterval(resolvePeriod({ period: 'month', date: '2026-01' }, TZ, LATER))).toBe('day');
    expect(defaultInterval(resolvePeriod({ period: 'year', date: '2026' }, TZ, LATER))).toBe('month');
  });
});

describe('periods to compare with', () => {
  it('takes the previous day, week, month, year and custom length', () => {
    const at = (q: Parameters<typeof resolvePeriod>[0]) => resolvePeriod(q, TZ, LATER);
    expect(previousPeriod(at({ period: 'day', date: '2026-03-30' })).label).toBe('2026-03-29');
    expect(previousPeriod(at({ period: 'week', date: '2026-03-30' })).label).toBe('2026-W13');
    expect(previousPeriod(at({ period: 'month', date: '2026-03-31' })).label).toBe('2026-02');
    expect(previousPeriod(at({ period: 'year', date: '2026' })).label).toBe('2025');
    expect(previousPeriod(at({ from: '2026-03-10', to: '2026-03-19' })).label).toBe('2026-02-28 → 2026-03-09');
    const instants = previousPeriod(at({ from: '2026-01-05T06:00:00+01:00', to: '2026-01-05T18:00:00+01:00' }));
    expect([instants.startMs, instants.endMs]).toEqual([Date.UTC(2026, 0, 4, 17), Date.UTC(2026, 0, 5, 5)]);
  });

  it('takes the same dates a year earlier (29 February → 28), and a week 52 weeks earlier on the same weekdays', () => {
    const at = (q: Parameters<typeof resolvePeriod>[0]) => resolvePeriod(q, TZ, LATER);
    expect(yearBeforePeriod(at({ period: 'day', date: '2028-02-29' })).label).toBe('2027-02-28');
    expect(yearBeforePeriod(at({ period: 'month', date: '2026-03' })).label).toBe('2025-03');
    const week = yearBeforePeriod(at({ period: 'week', date: '2026-03-30' }));
    expect(week.label).toBe('2025-W14');
    expect(new Date(week.startMs + 2 * H).getUTCDay()).toBe(1);
    expect(yearBeforePeriod(at({ from: '2026-01-01', to: '2026-01-31' })).label).toBe('2025-01-01 → 2025-01-31');
  });

  it('cuts the references of a partial period as far into them as it has gone', () => {
    // 10 May 2026, 14:25 local: ten days and 13 hours into May.
    const now = Date.UTC(2026, 4, 10, 12, 25);
    const p = resolvePeriod({ period: 'month' }, TZ, now);
    const prev = previousPeriod(p);
    expect(prev.partial).toBe(true);
    expect([formatLocalIso(TZ, prev.startMs), formatLocalIso(TZ, prev.endMs)]).toEqual(['2026-04-01T00:00:00+02:00', '2026-04-10T15:00:00+02:00']);
    const yb = yearBeforePeriod(p);
    expect(formatLocalIso(TZ, yb.endMs)).toBe('2025-05-10T15:00:00+02:00');
  });
});
