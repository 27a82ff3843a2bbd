import type { WaterFigures } from '../../shared/kpi';
import { addSums, groupBySpan, type Sums, zeroSums } from './aggregate';
import type { Span } from './periods';

/**
 * Rainwater KPIs from the weather station's rain gauge and the rainwater
 * tank's volume counters (shared/device-types.ts: inflow, toilet_use,
 * watering_use, mains_topup, overflow), hour by hour. Pure.
 *
 * The tank feeds the toilets and the watering; when it runs low it is topped
 * up from the mains. Over any period the water balance is
 *   inflow + top-up = uses + overflow + Δ(stored),
 * so the potable water the rainwater replaced is uses − top-up (exact over a
 * period that ends with the tank as full of mains water as it began; within a
 * period that filled the tank from the mains ahead of the uses it may be
 * negative, and the next period gets it back). The substitution rate is the
 * rainwater share of the uses, (uses − top-up) / uses, clamped to 0-100 %
 * (EN 16941-1 calls it the water saving efficiency).
 */

/** One UTC hour of counter increases. */
export interface WaterHour {
  t: number;
  rainMm: number;
  inflowL: number;
  toiletL: number;
  wateringL: number;
  topupL: number;
  overflowL: number;
}

export const WATER_SUM_KEYS = ['rainfallMm', 'harvestedM3', 'toiletM3', 'wateringM3', 'usedM3', 'mainsTopupM3', 'overflowM3', 'potableSavedM3', 'potableSavedEur'] as const;
export type WaterSums = Sums<(typeof WATER_SUM_KEYS)[number]>;

export function waterOfHour(h: WaterHour, waterPerM3: number): WaterSums {
  const toilet = Math.max(0, h.toiletL) / 1000;
  const watering = Math.max(0, h.wateringL) / 1000;
  const topup = Math.max(0, h.topupL) / 1000;
  const used = toilet + watering;
  return {
    rainfallMm: Math.max(0, h.rainMm),
    harvestedM3: Math.max(0, h.inflowL) / 1000,
    toiletM3: toilet,
    wateringM3: watering,
    usedM3: used,
    mainsTopupM3: topup,
    overflowM3: Math.max(0, h.overflowL) / 1000,
    potableSavedM3: used - topup,
    potableSavedEur: (used - topup) * waterPerM3,
  };
}

export function waterFigures(s: WaterSums): WaterFigures {
  return Object.assign({}, s, { substitutionPct: s.usedM3 > 0 ? Math.min(100, Math.max(0, (100 * (s.usedM3 - s.mainsTopupM3)) / s.usedM3)) : null });
}

export function waterTable(hours: readonly WaterHour[], spans: readonly Span[], waterPerM3: number): { rows: WaterFigures[]; totals: WaterFigures } {
  const { rows, total } = groupBySpan(
    hours,
    spans,
    () => zeroSums(WATER_SUM_KEYS),
    (acc, h) => addSums(acc, waterOfHour(h, waterPerM3), WATER_SUM_KEYS),
    (into, row) => addSums(into, row, WATER_SUM_KEYS),
  );
  return { rows: rows.map(waterFigures), totals: waterFigures(total) };
}
