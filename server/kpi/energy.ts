import type { EnergyFigures } from '../../shared/kpi';
import { addSums, groupBySpan, localHourOf, offPeakShare, percent, type Sums, zeroSums } from './aggregate';
import type { Span } from './periods';

/**
 * Electricity KPIs, hour by hour from the meters (docs/kpi.md). Pure: the
 * hourly meter increases come in, the figures of any rows come out.
 *
 * Every figure is computed for each hour from that hour's meter increases and
 * then summed; never from netted period totals. A day that imports 10 kWh at
 * night and exports 10 kWh at noon nets to zero at the grid meter, but it
 * consumed 10 kWh from the grid and self-consumed only what PV covered in the
 * hours it produced: its self-sufficiency is not 100 %.
 */

/** One UTC hour of meter increases (the store's 1h `increase`), Wh. */
export interface EnergyHour {
  /** Start of the hour, epoch ms (a whole UTC hour). */
  t: number;
  /** Sum of the PV inverters' AC energy. */
  pvWh: number;
  /** Grid meter, drawn from the grid (its own counter). */
  importWh: number;
  /** Grid meter, fed into the grid (its own counter). */
  exportWh: number;
  /** EV charging (the EV feeder's sub-meter, or the sum of the chargers). */
  evWh: number;
}

export interface EnergyTariffs {
  importPeakPerKWh: number;
  importOffPeakPerKWh: number;
  /** Local [start, end) hours, may wrap midnight. */
  offPeakHours: readonly (readonly [number, number])[];
  feedInPerKWh: number;
  /** kg CO2e per kWh of grid electricity. */
  gridKgPerKWh: number;
}

export const ENERGY_SUM_KEYS = [
  'pvKWh',
  'consumptionKWh',
  'importKWh',
  'importPeakKWh',
  'importOffPeakKWh',
  'exportKWh',
  'selfConsumedKWh',
  'evKWh',
  'evFromPvKWh',
  'importCostEur',
  'exportRevenueEur',
  'selfConsumptionSavingsEur',
  'co2AvoidedKg',
] as const;
export type EnergySums = Sums<(typeof ENERGY_SUM_KEYS)[number]>;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * The figures of one hour.
 *
 * - self-consumed = PV − export, within [0, PV] (an hour whose meters say more
 *   was exported than produced — two meters' clocks apart — counts none);
 * - consumption = self-consumed + import (= PV + import − export);
 * - EV from PV, the "rest first" rule: in each hour the self-consumed PV covers
 *   the building's other loads first and the EV gets what is left,
 *   min(EV, max(0, self-consumed − (consumption − EV))). That is how the site's
 *   chargers are driven (they follow the PV surplus, shared/building.ts
 *   evMinGridPowerW) and how the simulator counts its EV PV share
 *   (simulator/world.ts, allocateCharging of the surplus after the other loads).
 *   Applied per hour rather than per second it gives a lower bound of it: within
 *   an hour the surplus may come and go.
 * - the import tariff of the hour: off-peak for the share of the local hour in
 *   the off-peak ranges, peak otherwise; imports cost it, and each self-consumed
 *   kWh saves it (the import it replaced);
 * - exports earn the feed-in tariff;
 * - CO2 avoided = PV × the grid factor (all PV: what is self-consumed replaces
 *   imports, what is exported replaces grid generation elsewhere).
 */
export function energyOfHour(h: EnergyHour, tariffs: EnergyTariffs, timeZone: string): EnergySums {
  const pv = Math.max(0, h.pvWh) / 1000;
  const imp = Math.max(0, h.importWh) / 1000;
  const exp = Math.max(0, h.exportWh) / 1000;
  const ev = Math.max(0, h.evWh) / 1000;
  const self = clamp(pv - exp, 0, pv);
  const consumption = self + imp;
  const evFromPv = clamp(self - (consumption - ev), 0, Math.min(ev, self));
  const offPeak = offPeakShare(tariffs.offPeakHours, localHourOf(timeZone, h.t));
  const importTariff = offPeak * tariffs.importOffPeakPerKWh + (1 - offPeak) * tariffs.importPeakPerKWh;
  return {
    pvKWh: pv,
    consumptionKWh: consumption,
    importKWh: imp,
    importPeakKWh: imp * (1 - offPeak),
    importOffPeakKWh: imp * offPeak,
    exportKWh: exp,
    selfConsumedKWh: self,
    evKWh: ev,
    evFromPvKWh: evFromPv,
    importCostEur: imp * importTariff,
    exportRevenueEur: exp * tariffs.feedInPerKWh,
    selfConsumptionSavingsEur: self * importTariff,
    co2AvoidedKg: pv * tariffs.gridKgPerKWh,
  };
}

/** Ratios of the sums (never means of hourly ratios), and what follows from the sums. */
export function energyFigures(s: EnergySums, pvPeakKWp: number): EnergyFigures {
  // Written out rather than spread: a table may have 20,000 rows.
  return {
    pvKWh: s.pvKWh,
    consumptionKWh: s.consumptionKWh,
    importKWh: s.importKWh,
    importPeakKWh: s.importPeakKWh,
    importOffPeakKWh: s.importOffPeakKWh,
    exportKWh: s.exportKWh,
    selfConsumedKWh: s.selfConsumedKWh,
    selfConsumptionPct: percent(s.selfConsumedKWh, s.pvKWh),
    selfSufficiencyPct: percent(s.selfConsumedKWh, s.consumptionKWh),
    evKWh: s.evKWh,
    evFromPvKWh: s.evFromPvKWh,
    evPvSharePct: percent(s.evFromPvKWh, s.evKWh),
    importCostEur: s.importCostEur,
    exportRevenueEur: s.exportRevenueEur,
    netCostEur: s.importCostEur - s.exportRevenueEur,
    selfConsumptionSavingsEur: s.selfConsumptionSavingsEur,
    co2AvoidedKg: s.co2AvoidedKg,
    specificYieldKWhPerKWp: pvPeakKWp > 0 ? s.pvKWh / pvPeakKWp : 0,
  };
}

/** The rows of a table (one per span) and the period's totals. */
export function energyTable(hours: readonly EnergyHour[], spans: readonly Span[], tariffs: EnergyTariffs, timeZone: string, pvPeakKWp: number): { rows: EnergyFigures[]; totals: EnergyFigures } {
  const { rows, total } = groupBySpan(
    hours,
    spans,
    () => zeroSums(ENERGY_SUM_KEYS),
    (acc, h) => addSums(acc, energyOfHour(h, tariffs, timeZone), ENERGY_SUM_KEYS),
    (into, row) => addSums(into, row, ENERGY_SUM_KEYS),
  );
  return { rows: rows.map((r) => energyFigures(r, pvPeakKWp)), totals: energyFigures(total, pvPeakKWp) };
}
