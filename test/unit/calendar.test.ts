import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, dstTransitionsUtc, easterSunday, frenchPublicHolidays, isPublicHoliday, localTime, parisOffsetMinutes } from '../../simulator/physics/calendar';

describe('Paris UTC offset (Directive 2000/84/EC: last Sunday of March and of October, 01:00 UTC)', () => {
  // Dates published in the Commission communication under art. 4 of Directive
  // 2000/84/EC (summer-time periods 2022-2026): 30 March / 26 October 2025,
  // 29 March / 25 October 2026.
  it('switches to summer time at 2025-03-30 01:00 UTC and back at 2025-10-26 01:00 UTC', () => {
    expect(parisOffsetMinutes(Date.UTC(2025, 2, 30, 1) - 1)).toBe(60);
    expect(parisOffsetMinutes(Date.UTC(2025, 2, 30, 1))).toBe(120);
    expect(parisOffsetMinutes(Date.UTC(2025, 9, 26, 1) - 1)).toBe(120);
    expect(parisOffsetMinutes(Date.UTC(2025, 9, 26, 1))).toBe(60);
  });

  it('switches at 2026-03-29 01:00 UTC and 2026-10-25 01:00 UTC', () => {
    expect(dstTransitionsUtc(2026)).toEqual({ startMs: Date.UTC(2026, 2, 29, 1), endMs: Date.UTC(2026, 9, 25, 1) });
    expect(parisOffsetMinutes(Date.UTC(2026, 2, 29, 1) - 1)).toBe(60);
    expect(parisOffsetMinutes(Date.UTC(2026, 2, 29, 1))).toBe(120);
    expect(parisOffsetMinutes(Date.UTC(2026, 9, 25, 1) - 1)).toBe(120);
    expect(parisOffsetMinutes(Date.UTC(2026, 9, 25, 1))).toBe(60);
  });

  it('agrees with the tz database (Intl, Europe/Paris) every 173 minutes from 2024 to 2027', () => {
    // Test-only cross-check: the model itself never calls Intl.
    const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2028, 0, 1); t += 173 * 60_000) {
      const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
      const lt = localTime(t);
      const intl = { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
      expect({ year: lt.year, month: lt.month, day: lt.day, minutes: Math.round(lt.hour * 60) }).toEqual(intl);
    }
  });
});

describe('local time', () => {
  it('puts 2024-12-31 23:30 UTC on New Year 2025 00:30 in Paris, a Wednesday and a holiday', () => {
    const lt = localTime(Date.UTC(2024, 11, 31, 23, 30));
    expect(lt).toMatchObject({ year: 2025, month: 1, day: 1, weekday: 3, dayOfYear: 1, dateKey: '2025-01-01', isHoliday: true });
    expect(lt.hour).toBeCloseTo(0.5, 12);
    expect(lt.dayIndex).toBe(Date.UTC(2025, 0, 1) / 86_400_000);
  });

  it('counts 366 days in the leap year 2024 and jumps from 02:00 to 03:00 on 2026-03-29', () => {
    expect(localTime(Date.UTC(2024, 11, 31, 12)).dayOfYear).toBe(366);
    expect(localTime(Date.UTC(2026, 2, 29, 1) - 60_000).hour).toBeCloseTo(1 + 59 / 60, 12);
    expect(localTime(Date.UTC(2026, 2, 29, 1)).hour).toBe(3);
  });

  it('round-trips the Hinnant day count over four centuries', () => {
    for (let d = daysFromCivil(1900, 1, 1); d < daysFromCivil(2300, 1, 1); d += 13) {
      const c = civilFromDays(d);
      expect(daysFromCivil(c.year, c.month, c.day)).toBe(d);
    }
    expect(daysFromCivil(2000, 2, 29)).toBe(Date.UTC(2000, 1, 29) / 86_400_000);
  });

  it('costs well under a microsecond a call: a year of minutes in less than 2 s', () => {
    const t0 = performance.now();
    let sink = 0;
    for (let t = Date.UTC(2026, 0, 1), end = Date.UTC(2027, 0, 1); t < end; t += 60_000) sink += localTime(t).hour;
    expect(sink).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('Easter (anonymous Gregorian algorithm, Meeus "Astronomical Algorithms" ch. 8)', () => {
  it('gives the published dates of Easter Sunday', () => {
    // Published Easter dates (e.g. the US Naval Observatory table): 2024-03-31,
    // 2025-04-20, 2026-04-05, 2027-03-28; 2038-04-25 is the latest possible
    // date and 2285-03-22 the earliest.
    expect(easterSunday(2024)).toEqual({ month: 3, day: 31 });
    expect(easterSunday(2025)).toEqual({ month: 4, day: 20 });
    expect(easterSunday(2026)).toEqual({ month: 4, day: 5 });
    expect(easterSunday(2027)).toEqual({ month: 3, day: 28 });
    expect(easterSunday(2038)).toEqual({ month: 4, day: 25 });
    expect(easterSunday(2285)).toEqual({ month: 3, day: 22 });
  });
});

describe('French public holidays (Code du travail L3133-1)', () => {
  it('lists the 11 holidays of 2025 (service-public.fr: Pentecost Monday 9 June, Ascension 29 May)', () => {
    expect(frenchPublicHolidays(2025).map((h) => h.date)).toEqual([
      '2025-01-01', '2025-04-21', '2025-05-01', '2025-05-08', '2025-05-29', '2025-06-09', '2025-07-14', '2025-08-15', '2025-11-01', '2025-11-11', '2025-12-25',
    ]);
  });

  it('lists the 11 holidays of 2026 (Easter Monday 6 April, Ascension 14 May, Pentecost Monday 25 May)', () => {
    const h2026 = frenchPublicHolidays(2026);
    expect(h2026.map((h) => h.date)).toEqual([
      '2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25',
    ]);
    expect(h2026.find((h) => h.date === '2026-05-14')?.name).toBe('Ascension');
  });

  it('answers isPublicHoliday from the date key', () => {
    expect(isPublicHoliday('2026-05-14')).toBe(true);
    expect(isPublicHoliday('2026-05-13')).toBe(false);
    expect(isPublicHoliday('2025-06-09')).toBe(true);
    // Good Friday is a holiday only in Alsace-Moselle, not in Besançon.
    expect(isPublicHoliday('2026-04-03')).toBe(false);
  });
});
