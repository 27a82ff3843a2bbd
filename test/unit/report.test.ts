import { describe, expect, it } from 'vitest';
import { building } from '../../shared/catalogue';
import { simulateYear } from '../../simulator/report';

// A coarse step keeps the test quick; the figures move by a few percent at most.
const report = simulateYear(building, 2025, 1, 900);

function correlation(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const y = ys[i] ?? 0;
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('the yearly report', () => {
  it('adds up: PV = self-consumed + exported, consumption = self-consumed + imported, months sum to the year', () => {
    const t = report.totals;
    expect(t.selfConsumedKWh + t.exportKWh).toBeCloseTo(t.pvKWh, 3);
    expect(t.selfConsumedKWh + t.importKWh).toBeCloseTo(t.consumptionKWh, 3);
    expect(report.months.reduce((a, m) => a + m.pvKWh, 0)).toBeCloseTo(t.pvKWh, 3);
    expect(report.months.reduce((a, m) => a + m.heatingDegreeDays, 0)).toBeCloseTo(t.heatingDegreeDays, 6);
  });

  it('draws heat in step with the heating degree-days, as a heated building in Besançon does', () => {
    // Monthly heat against monthly degree-days (base 18 °C): a building heated to a set-point
    // needs heat roughly in proportion to them (the degree-day method, e.g. CIBSE TM41).
    const r = correlation(
      report.months.map((m) => m.heatingDegreeDays),
      report.months.map((m) => m.heatDeliveredKWh),
    );
    expect(r).toBeGreaterThan(0.85);
    // Besançon's climate: about 2,400-2,800 degree-days a year (docs/simulator.md).
    expect(report.totals.heatingDegreeDays).toBeGreaterThan(2200);
    expect(report.totals.heatingDegreeDays).toBeLessThan(3000);
  });

  it('yields what a 90 kWp low-tilt rooftop plant yields in eastern France', () => {
    // PVGIS order of magnitude for Besançon, 14 % losses: 850-1,150 kWh/kWp for low-tilt south and east-west arrays.
    expect(report.totals.specificYieldKWhPerKWp).toBeGreaterThan(850);
    expect(report.totals.specificYieldKWhPerKWp).toBeLessThan(1150);
    const summer = report.months[6]?.pvKWh ?? 0;
    const winter = report.months[11]?.pvKWh ?? 0;
    expect(summer).toBeGreaterThan(4 * winter);
  });

  it('rains about as much as Besançon does (1,108 mm a year, 1991-2020 normal) and counts every drop', () => {
    expect(report.totals.rainfallMm).toBeGreaterThan(1108 * 0.7);
    expect(report.totals.rainfallMm).toBeLessThan(1108 * 1.3);
    expect(report.totals.rainwaterHarvestedM3).toBeGreaterThan(0);
    expect(report.totals.toiletRainwaterSharePct).toBeGreaterThan(0);
    expect(report.totals.toiletRainwaterSharePct).toBeLessThanOrEqual(100);
  });

  it('counts occupied hours per EN 16798-1 category for every occupied zone', () => {
    expect(report.zones.length).toBeGreaterThan(10);
    for (const z of report.zones) {
      const co2 = z.co2Hours.I + z.co2Hours.II + z.co2Hours.III + z.co2Hours.IV;
      const temp = z.temperatureHours.I + z.temperatureHours.II + z.temperatureHours.III + z.temperatureHours.IV;
      expect(co2).toBeCloseTo(z.occupiedHours, 6);
      expect(temp).toBeCloseTo(z.occupiedHours, 6);
    }
  });
});
