import { describe, expect, it } from 'vitest';
import { offPeakFraction } from '../../server/kpi/aggregate';
import { ENERGY_SUM_KEYS, type EnergyHour, energyOfHour, energyTable, type EnergyTariffs } from '../../server/kpi/energy';
import { resolvePeriod, type Span, splitIntervals } from '../../server/kpi/periods';
import type { EnergyFigures } from '../../shared/kpi';

const TZ = 'Europe/Paris';
const H = 3_600_000;
const LATER = Date.UTC(2030, 0, 1);
const TARIFFS: EnergyTariffs = { importPeakPerKWh: 0.2, importOffPeakPerKWh: 0.1, offPeakHours: [[22, 6]], feedInPerKWh: 0.08, gridKgPerKWh: 0.05 };

/** The hours of a local day, all zero. */
function dayHours(date: string): EnergyHour[] {
  const p = resolvePeriod({ period: 'day', date }, TZ, LATER);
  const out: EnergyHour[] = [];
  for (let t = p.startMs; t < p.endMs; t += H) out.push({ t, pvWh: 0, importWh: 0, exportWh: 0, evWh: 0 });
  return out;
}

function dayTotals(date: string, hours: EnergyHour[], tariffs = TARIFFS): EnergyFigures {
  const p = resolvePeriod({ period: 'day', date }, TZ, LATER);
  return energyTable(hours, splitIntervals(p, 'period', TZ), tariffs, TZ, 90).totals;
}

describe('energy, hour by hour from the meters', () => {
  it('does not let a netted day hide its imports and exports: 10 kWh in at night, 10 kWh out at noon', () => {
    // 15 January 2026 (UTC+1): 02:00 local draws 10 kWh; 12:00 local produces 15 kWh of PV, 5 used on site, 10 exported.
    const hours = dayHours('2026-01-15');
    (hours[2] as EnergyHour).importWh = 10_000;
    Object.assign(hours[12] as EnergyHour, { pvWh: 15_000, exportWh: 10_000 });
    const d = dayTotals('2026-01-15', hours);
    // The grid meter nets to zero over the day, but the building drew 10 kWh and sent 10 kWh.
    expect(d.importKWh - d.exportKWh).toBe(0);
    expect(d.pvKWh).toBe(15);
    expect(d.selfConsumedKWh).toBe(5);
    expect(d.consumptionKWh).toBe(15);
    expect(d.selfConsumptionPct).toBeCloseTo(100 / 3, 10);
    // From netted totals one would say PV (15) covered all the consumption (15): 100 %. It covered 5 of 15.
    expect(d.selfSufficiencyPct).toBeCloseTo(100 / 3, 10);
    // Night import at the off-peak tariff, export at the feed-in tariff, savings at the noon (peak) tariff.
    expect(d.importOffPeakKWh).toBe(10);
    expect(d.importCostEur).toBeCloseTo(1.0, 12);
    expect(d.exportRevenueEur).toBeCloseTo(0.8, 12);
    expect(d.netCostEur).toBeCloseTo(0.2, 12);
    expect(d.selfConsumptionSavingsEur).toBeCloseTo(1.0, 12);
    expect(d.co2AvoidedKg).toBeCloseTo(0.75, 12);
    expect(d.specificYieldKWhPerKWp).toBeCloseTo(15 / 90, 12);
  });

  it('prices each hour by its local tariff, off-peak hours wrapping midnight', () => {
    // 1 kWh imported at local 21, 22, 23, 00, 05 and 06 h on 15 January 2026 (22-6 off-peak).
    const hours = dayHours('2026-01-15');
    for (const h of [21, 22, 23, 0, 5, 6]) (hours[h] as EnergyHour).importWh = 1000;
    const d = dayTotals('2026-01-15', hours);
    expect(d.importPeakKWh).toBe(2); // 21 h and 06 h
    expect(d.importOffPeakKWh).toBe(4);
    expect(d.importCostEur).toBeCloseTo(2 * 0.2 + 4 * 0.1, 12);
    // A range cut mid-hour shares the hour: 22:30-06:30 makes 22 h and 06 h half off-peak.
    const half = energyOfHour(hours[22] as EnergyHour, { ...TARIFFS, offPeakHours: [[22.5, 6.5]] }, TZ);
    expect(half.importOffPeakKWh).toBe(0.5);
    expect(half.importCostEur).toBeCloseTo(0.15, 12);
  });

  it('measures off-peak shares of hours: wrapping, overlapping, empty and whole-day ranges', () => {
    expect(offPeakFraction([[22, 6]], 23)).toBe(1);
    expect(offPeakFraction([[22, 6]], 0)).toBe(1);
    expect(offPeakFraction([[22, 6]], 6)).toBe(0);
    expect(offPeakFraction([[22, 6]], 21)).toBe(0);
    expect(offPeakFraction([[22, 6]], 21.5)).toBe(0.5); // a half-hour zone's hour
    expect(offPeakFraction([[22, 6], [23, 1]], 23)).toBe(1); // counted once
    expect(offPeakFraction([[12, 14], [1, 3]], 13)).toBe(1);
    expect(offPeakFraction([[0, 24]], 9)).toBe(1);
    expect(offPeakFraction([[12, 12]], 12)).toBe(0);
    expect(offPeakFraction([], 3)).toBe(0);
  });

  it('counts 23 hours on the spring-forward day and 25 on the fall-back day, each at its local tariff', () => {
    const spring = dayHours('2026-03-29');
    expect(spring).toHaveLength(23);
    for (const h of spring) h.importWh = 1000;
    const s = dayTotals('2026-03-29', spring);
    // Local 00, 01, 03, 04, 05, 22 and 23 h are off-peak (02 h does not exist).
    expect([s.importKWh, s.importOffPeakKWh, s.importPeakKWh]).toEqual([23, 7, 16]);
    const autumn = dayHours('2026-10-25');
    expect(autumn).toHaveLength(25);
    for (const h of autumn) h.importWh = 1000;
    const a = dayTotals('2026-10-25', autumn);
    // Local 02 h happens twice, both off-peak.
    expect([a.importKWh, a.importOffPeakKWh, a.importPeakKWh]).toEqual([25, 9, 16]);
    const rows = energyTable(autumn, splitIntervals(resolvePeriod({ period: 'day', date: '2026-10-25' }, TZ, LATER), 'hour', TZ), TARIFFS, TZ, 90).rows;
    expect(rows).toHaveLength(25);
    expect(rows.map((r) => r.importOffPeakKWh)).toEqual([1, 1, 1, 1, 1, 1, 1, ...new Array(16).fill(0), 1, 1]);
  });

  it("gives the EV what PV is left after the building's other loads, hour by hour, and its share as a ratio of sums", () => {
    const t = Date.UTC(2026, 5, 1, 10);
    const hours: EnergyHour[] = [
      // Self-consumed 8, other loads 3: the EV's 5 kWh all from PV.
      { t, pvWh: 10_000, exportWh: 2_000, importWh: 0, evWh: 5_000 },
      // Self-consumed 10, consumption 14, other loads 8: 2 of the EV's 6 kWh from PV.
      { t: t + H, pvWh: 10_000, exportWh: 0, importWh: 4_000, evWh: 6_000 },
      // No PV: the EV's 7 kWh all from the grid.
      { t: t + 2 * H, pvWh: 0, exportWh: 0, importWh: 7_000, evWh: 7_000 },
    ];
    expect(hours.map((h) => energyOfHour(h, TARIFFS, TZ).evFromPvKWh)).toEqual([5, 2, 0]);
    const total = energyTable(hours, [{ startMs: t, endMs: t + 3 * H }], TARIFFS, TZ, 90).totals;
    expect(total.evKWh).toBe(18);
    expect(total.evFromPvKWh).toBe(7);
    // 7 / 18, not the mean of 100 %, 33 % and 0 %.
    expect(total.evPvSharePct).toBeCloseTo((100 * 7) / 18, 10);
  });

  it('counts no self-consumption in an hour whose export exceeds its PV, and keeps consumption = self-consumed + import', () => {
    const h = energyOfHour({ t: Date.UTC(2026, 5, 1, 10), pvWh: 1000, exportWh: 1200, importWh: 300, evWh: 0 }, TARIFFS, TZ);
    expect(h.selfConsumedKWh).toBe(0);
    expect(h.consumptionKWh).toBe(0.3);
  });

  it('gives null ratios where there is nothing to divide by', () => {
    const d = dayTotals('2026-01-15', dayHours('2026-01-15'));
    expect([d.selfConsumptionPct, d.selfSufficiencyPct, d.evPvSharePct]).toEqual([null, null, null]);
  });

  it('adds up at every interval size: hours to days, days to weeks and to the month, over a month with a DST change', () => {
    const month = resolvePeriod({ period: 'month', date: '2026-03' }, TZ, LATER);
    // Deterministic "random" meters (a linear congruential generator), with imports and exports in the same days.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const hours: EnergyHour[] = [];
    for (let t = month.startMs; t < month.endMs; t += H) {
      const pv = rnd() < 0.5 ? 0 : rnd() * 60_000;
      const load = 5_000 + rnd() * 40_000;
      const ev = rnd() * Math.min(load, 20_000);
      hours.push({ t, pvWh: pv, importWh: Math.max(0, load - pv), exportWh: Math.max(0, pv - load), evWh: ev });
    }
    const table = (interval: 'hour' | 'day' | 'week' | 'period') => {
      const spans = splitIntervals(month, interval, TZ);
      return { spans, ...energyTable(hours, spans, TARIFFS, TZ, 90) };
    };
    const byHour = table('hour');
    const byDay = table('day');
    const byWeek = table('week');
    const whole = table('period');
    expect(byHour.rows).toHaveLength(743);
    const sumOver = (rows: EnergyFigures[], spans: Span[], within: Span) => {
      const s = Object.fromEntries(ENERGY_SUM_KEYS.map((k) => [k, 0])) as Record<(typeof ENERGY_SUM_KEYS)[number], number>;
      rows.forEach((r, i) => {
        const sp = spans[i] as Span;
        if (sp.startMs >= within.startMs && sp.endMs <= within.endMs) for (const k of ENERGY_SUM_KEYS) s[k] += r[k];
      });
      return s;
    };
    // Each day is the sum of its hours (the 29th has 23).
    byDay.rows.forEach((day, i) => {
      const s = sumOver(byHour.rows, byHour.spans, byDay.spans[i] as Span);
      for (const k of ENERGY_SUM_KEYS) expect(day[k]).toBeCloseTo(s[k], 6);
      expect(day.selfSufficiencyPct).toBeCloseTo((100 * s.selfConsumedKWh) / s.consumptionKWh, 9);
    });
    // Each (partial) week is the sum of its days; the month the sum of its days, of its weeks, and the totals.
    byWeek.rows.forEach((week, i) => {
      const s = sumOver(byDay.rows, byDay.spans, byWeek.spans[i] as Span);
      for (const k of ENERGY_SUM_KEYS) expect(week[k]).toBeCloseTo(s[k], 6);
    });
    const fromDays = sumOver(byDay.rows, byDay.spans, month);
    const fromWeeks = sumOver(byWeek.rows, byWeek.spans, month);
    for (const k of ENERGY_SUM_KEYS) {
      expect(whole.rows[0]?.[k]).toBeCloseTo(fromDays[k], 6);
      expect(whole.rows[0]?.[k]).toBeCloseTo(fromWeeks[k], 6);
      expect(whole.totals[k]).toBeCloseTo(fromDays[k], 6);
      expect(byHour.totals[k]).toBeCloseTo(whole.totals[k], 6);
    }
    // Ratios of the sums, not means of daily ratios.
    const meanOfDailyRatios = byDay.rows.reduce((a, r) => a + (r.selfSufficiencyPct ?? 0), 0) / byDay.rows.length;
    expect(whole.totals.selfSufficiencyPct).toBeCloseTo((100 * fromDays.selfConsumedKWh) / fromDays.consumptionKWh, 9);
    expect(Math.abs((whole.totals.selfSufficiencyPct ?? 0) - meanOfDailyRatios)).toBeGreaterThan(1e-6);
    // The balance holds: PV = self-consumed + export, consumption = self-consumed + import.
    expect(whole.totals.selfConsumedKWh + whole.totals.exportKWh).toBeCloseTo(whole.totals.pvKWh, 6);
    expect(whole.totals.selfConsumedKWh + whole.totals.importKWh).toBeCloseTo(whole.totals.consumptionKWh, 6);
  });
});
