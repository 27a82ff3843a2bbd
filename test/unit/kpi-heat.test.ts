import { describe, expect, it } from 'vitest';
import { type AhuHour, degreeDaysOfDay, type HeatHour, type HeatParams, heatTable, recoveryOfHour } from '../../server/kpi/heat';
import { resolvePeriod, splitIntervals } from '../../server/kpi/periods';

const TZ = 'Europe/Paris';
const H = 3_600_000;
const LATER = Date.UTC(2030, 0, 1);
const PARAMS: HeatParams = { heatPerKWh: 0.09, heatKgPerKWh: 0.05, floorAreaM2: 1000, degreeDayBaseC: 18, degreeDayMethod: 'mean', recoveryMinDeltaK: 5 };
const NO_AHU: AhuHour[] = [];

function hoursOf(q: Parameters<typeof resolvePeriod>[0], temp: (t: number, i: number) => number | null, heatWh = 0): { hours: HeatHour[]; p: ReturnType<typeof resolvePeriod> } {
  const p = resolvePeriod(q, TZ, LATER);
  const hours: HeatHour[] = [];
  for (let t = p.startMs, i = 0; t < p.endMs; t += H, i++) {
    const c = temp(t, i);
    hours.push({ t, heatWh, outdoorMeanC: c, outdoorMinC: c, outdoorMaxC: c, ahus: NO_AHU });
  }
  return { hours, p };
}

describe('heating degree-days (DJU, base 18 °C)', () => {
  it('counts max(0, 18 − daily mean) per whole local day, the mean of the hourly means', () => {
    // 12 January 2026 at 4 °C for 12 hours then 12 °C: mean 8 °C, 10 DJU; 13 January at 20 °C: 0.
    const { hours, p } = hoursOf({ from: '2026-01-12', to: '2026-01-13' }, (_t, i) => (i < 12 ? 4 : i < 24 ? 12 : 20), 5000);
    const t = heatTable(hours, splitIntervals(p, 'day', TZ), PARAMS, TZ, false);
    expect(t.rows.map((r) => r.degreeDays)).toEqual([10, 0]);
    expect(t.totals.degreeDays).toBe(10);
    expect(t.totals.degreeDayDays).toBe(2);
    // 48 hours of 5 kWh: 240 kWh for 10 DJU.
    expect(t.totals.heatKWh).toBe(240);
    expect(t.totals.heatPerDegreeDayKWh).toBe(24);
    expect(t.totals.heatCostEur).toBeCloseTo(21.6, 10);
    expect(t.totals.heatCo2Kg).toBeCloseTo(12, 10);
    expect(t.totals.heatPerM2KWh).toBeCloseTo(0.24, 10);
    expect(t.totals.meanOutdoorC).toBeCloseTo((12 * 4 + 12 * 12 + 24 * 20) / 48, 10);
  });

  it('gives hourly rows no degree-days, and a 23-hour day its own', () => {
    const { hours, p } = hoursOf({ period: 'day', date: '2026-03-29' }, () => 6);
    expect(hours).toHaveLength(23);
    const byHour = heatTable(hours, splitIntervals(p, 'hour', TZ), PARAMS, TZ, true);
    expect(byHour.rows.every((r) => r.degreeDays === null && r.heatPerDegreeDayKWh === null)).toBe(true);
    expect(byHour.totals.degreeDays).toBe(12);
  });

  it('leaves out a day with fewer than 18 hours of temperature, and a day the period holds only in part', () => {
    const sparse = hoursOf({ period: 'day', date: '2026-01-12' }, (_t, i) => (i < 17 ? 8 : null));
    expect(heatTable(sparse.hours, splitIntervals(sparse.p, 'day', TZ), PARAMS, TZ, false).totals).toMatchObject({ degreeDays: 0, degreeDayDays: 0, heatPerDegreeDayKWh: null });
    const part = hoursOf({ from: '2026-01-12T06:00:00+01:00', to: '2026-01-14' }, () => 8);
    const t = heatTable(part.hours, splitIntervals(part.p, 'day', TZ), PARAMS, TZ, false);
    expect(t.rows.map((r) => r.degreeDays)).toEqual([0, 10, 10]);
    expect(t.totals.degreeDays).toBe(20);
  });

  it('adds up days into weeks and months', () => {
    const { hours, p } = hoursOf({ period: 'month', date: '2026-03' }, (t) => 5 + ((t / H) % 24) / 2);
    const days = heatTable(hours, splitIntervals(p, 'day', TZ), PARAMS, TZ, false);
    const weeks = heatTable(hours, splitIntervals(p, 'week', TZ), PARAMS, TZ, false);
    const sum = (xs: (number | null)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);
    expect(sum(weeks.rows.map((r) => r.degreeDays))).toBeCloseTo(sum(days.rows.map((r) => r.degreeDays)), 9);
    expect(days.totals.degreeDays).toBeCloseTo(sum(days.rows.map((r) => r.degreeDays)), 9);
    expect(days.totals.degreeDayDays).toBe(31);
  });

  it('follows Météo-France ((Tn + Tx) / 2) and COSTIC when asked', () => {
    expect(degreeDaysOfDay('meteo', 18, { meanC: 9, minC: 2, maxC: 12 })).toBe(11);
    expect(degreeDaysOfDay('meteo', 18, { meanC: 20, minC: 16, maxC: 24 })).toBe(0);
    // COSTIC, a mild day (Tn < S < Tx): (S − Tn)(0.08 + 0.42 (S − Tn)/(Tx − Tn)) = 8 × (0.08 + 0.42 × 8/12) = 2.88.
    expect(degreeDaysOfDay('costic', 18, { meanC: 16, minC: 10, maxC: 22 })).toBeCloseTo(2.88, 12);
    expect(degreeDaysOfDay('costic', 18, { meanC: 9, minC: 2, maxC: 12 })).toBe(11);
    expect(degreeDaysOfDay('costic', 18, { meanC: 22, minC: 19, maxC: 26 })).toBe(0);
    expect(degreeDaysOfDay('mean', 18, { meanC: 9, minC: 2, maxC: 12 })).toBe(9);
  });
});

describe('AHU heat-recovery efficiency (EN 308 temperature ratio)', () => {
  const ahu = (a: Partial<AhuHour>): AhuHour => ({ airflowMinM3s: 1, airflowMeanM3s: 1, outdoorC: 0, supplyC: 15, extractC: 20, exhaustC: 5, ...a });

  it('takes the extract side, weighted by airflow × (extract − outdoor), and gives the supply side beside it', () => {
    const t0 = Date.UTC(2026, 0, 12, 9);
    const hour = (t: number, a: AhuHour): HeatHour => ({ t, heatWh: 0, outdoorMeanC: a.outdoorC, outdoorMinC: a.outdoorC, outdoorMaxC: a.outdoorC, ahus: [a] });
    const hours = [
      // 75 % on the extract side; the supply, heated by the coil to 18 °C, says 90 %.
      hour(t0, ahu({ airflowMeanM3s: 2, outdoorC: 0, extractC: 20, exhaustC: 5, supplyC: 18 })),
      // 80 %.
      hour(t0 + H, ahu({ airflowMeanM3s: 1, outdoorC: 10, extractC: 20, exhaustC: 12, supplyC: 18 })),
      // Left out: stopped part of the hour; extract − outdoor below 5 K.
      hour(t0 + 2 * H, ahu({ airflowMinM3s: 0, exhaustC: 20 })),
      hour(t0 + 3 * H, ahu({ outdoorC: 16, extractC: 20, exhaustC: 20 })),
    ];
    const t = heatTable(hours, [{ startMs: t0, endMs: t0 + 4 * H }], PARAMS, TZ, false).totals;
    expect(t.recoveryHours).toBe(2);
    // (2 × 15 + 1 × 8) / (2 × 20 + 1 × 10) = 38 / 50.
    expect(t.recoveryEfficiencyPct).toBeCloseTo(76, 10);
    expect(t.supplyTemperatureRatioPct).toBeCloseTo((100 * (2 * 18 + 1 * 8)) / 50, 10);
    // ρc_p q ΔT over an hour: 1200 J/(m³K) × 38 m³/s·K × 1 h = 45.6 kWh.
    expect(t.recoveredHeatKWh).toBeCloseTo(45.6, 10);
  });

  it('counts only heating-season hours with the AHU running all hour and extract − outdoor of at least the threshold', () => {
    const january = 1;
    const july = 7;
    expect(recoveryOfHour(ahu({}), january, 5)).toBeDefined();
    expect(recoveryOfHour(ahu({ airflowMinM3s: 0 }), january, 5)).toBeUndefined();
    expect(recoveryOfHour(ahu({ outdoorC: 15.5 }), january, 5)).toBeUndefined();
    expect(recoveryOfHour(ahu({ outdoorC: 15 }), january, 5)).toBeDefined();
    expect(recoveryOfHour(ahu({ exhaustC: null }), january, 5)).toBeUndefined();
    // July: the heating season only when the outdoor air is below 15 °C (the recovery is bypassed in summer).
    expect(recoveryOfHour(ahu({ outdoorC: 16, extractC: 24 }), july, 5)).toBeUndefined();
    expect(recoveryOfHour(ahu({ outdoorC: 12, extractC: 24 }), july, 5)).toBeDefined();
    expect(recoveryOfHour(ahu({ outdoorC: 12, extractC: 24 }), january, 15)).toBeUndefined();
  });

  it('gives no efficiency without a qualifying hour', () => {
    const t0 = Date.UTC(2026, 6, 12, 9);
    const t = heatTable([{ t: t0, heatWh: 0, outdoorMeanC: 25, outdoorMinC: 25, outdoorMaxC: 25, ahus: [ahu({ outdoorC: 25, extractC: 24 })] }], [{ startMs: t0, endMs: t0 + H }], PARAMS, TZ, true).totals;
    expect([t.recoveryHours, t.recoveryEfficiencyPct, t.supplyTemperatureRatioPct]).toEqual([0, null, null]);
  });
});
