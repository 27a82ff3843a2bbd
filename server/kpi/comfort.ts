import { localParts } from '../../shared/calendar';
import { type Category, co2Category, humidityCategory, seasonOf, temperatureCategory } from '../../shared/comfort';
import type { ComfortFigures } from '../../shared/kpi';
import { addSums, groupBySpan, percent, type Sums, zeroSums } from './aggregate';
import type { Span } from './periods';

/**
 * Indoor comfort by EN 16798-1:2019 categories (shared/comfort.ts), zone by
 * zone, over occupied hours (EN 16798-1 assesses the indoor environment over
 * the occupied hours). Pure.
 *
 * An hour is occupied when the room sensor's mean occupancy in it is above 0
 * (someone was counted in it). Each occupied hour is classified on the hourly
 * means of CO2 (above outdoor, 420 ppm unless told otherwise), temperature
 * (the air temperature stands for the operative temperature: the sensors
 * measure air) and relative humidity. The temperature ranges are the heating
 * season's from October to April and whenever the outdoor air is below 15 °C,
 * the cooling season's otherwise (shared/comfort.ts seasonOf, the rule the
 * simulator heats by). An occupied hour without a reading of a parameter is
 * counted as missing for it, never guessed.
 */

export interface ComfortHour {
  t: number;
  occupancy: number | null;
  co2Ppm: number | null;
  temperatureC: number | null;
  humidityPct: number | null;
  /** The weather station's hourly mean, for the season. */
  outdoorC: number | null;
}

const PARAMS = ['co2', 'temperature', 'humidity'] as const;
type Param = (typeof PARAMS)[number];
const CATS: readonly (Category | 'Missing')[] = ['I', 'II', 'III', 'IV', 'Missing'];
export const COMFORT_SUM_KEYS = ['occupiedHours', ...PARAMS.flatMap((p) => CATS.map((c) => `${p}${c}` as const))] as const;
export type ComfortSums = Sums<(typeof COMFORT_SUM_KEYS)[number]>;

/** Adds one hour of a zone to its tally (in place: it runs for every hour of every zone). */
export function addComfortHour(acc: ComfortSums, h: ComfortHour, outdoorCo2Ppm: number, timeZone: string): void {
  if (h.occupancy === null || !(h.occupancy > 0)) return;
  acc.occupiedHours += 1;
  const season = seasonOf(localParts(timeZone, h.t).month, h.outdoorC);
  acc[`co2${h.co2Ppm === null ? 'Missing' : co2Category(h.co2Ppm, outdoorCo2Ppm)}`] += 1;
  acc[`temperature${h.temperatureC === null ? 'Missing' : temperatureCategory(h.temperatureC, season)}`] += 1;
  acc[`humidity${h.humidityPct === null ? 'Missing' : humidityCategory(h.humidityPct)}`] += 1;
}

const atLeastII = (s: ComfortSums, p: Param): number | null => percent(s[`${p}I`] + s[`${p}II`], s[`${p}I`] + s[`${p}II`] + s[`${p}III`] + s[`${p}IV`]);

export function comfortFigures(s: ComfortSums): ComfortFigures {
  return Object.assign({}, s, { co2IIOrBetterPct: atLeastII(s, 'co2'), temperatureIIOrBetterPct: atLeastII(s, 'temperature'), humidityIIOrBetterPct: atLeastII(s, 'humidity') });
}

export interface ZoneHours {
  zone: string;
  label: string;
  hours: readonly ComfortHour[];
}

/**
 * Rows per span and zone (span-major), the totals of each zone over the period,
 * and the totals of all zones together (in zone-hours).
 */
export function comfortTable(
  zones: readonly ZoneHours[],
  spans: readonly Span[],
  outdoorCo2Ppm: number,
  timeZone: string,
): { rows: Array<{ span: number; zone: string; label: string; figures: ComfortFigures }>; zones: Array<{ zone: string; label: string; figures: ComfortFigures }>; totals: ComfortFigures } {
  const all = zeroSums(COMFORT_SUM_KEYS);
  const perZone = zones.map((z) => {
    const g = groupBySpan(
      z.hours,
      spans,
      () => zeroSums(COMFORT_SUM_KEYS),
      (acc, h) => addComfortHour(acc, h, outdoorCo2Ppm, timeZone),
      (into, row) => addSums(into, row, COMFORT_SUM_KEYS),
    );
    addSums(all, g.total, COMFORT_SUM_KEYS);
    return { zone: z.zone, label: z.label, ...g };
  });
  const rows = spans.flatMap((_, span) => perZone.map((z) => ({ span, zone: z.zone, label: z.label, figures: comfortFigures(z.rows[span] ?? zeroSums(COMFORT_SUM_KEYS)) })));
  return { rows, zones: perZone.map((z) => ({ zone: z.zone, label: z.label, figures: comfortFigures(z.total) })), totals: comfortFigures(all) };
}
