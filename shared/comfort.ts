/**
 * Indoor environmental quality categories of EN 16798-1:2019 (Energy
 * performance of buildings - Ventilation for buildings - Part 1: indoor
 * environmental input parameters), Annex B default design values: category I
 * high expectation, II normal (the usual target for new buildings), III
 * moderate, IV outside the three. Bounds are inclusive: a value on a boundary
 * belongs to the better category.
 *
 * The same values as the simulator's simulator/physics/comfort.ts (which models
 * them; this file is what the server classifies measurements with, and shared/
 * may import nothing from simulator/).
 */

export type Category = 'I' | 'II' | 'III' | 'IV';
export const CATEGORIES: readonly Category[] = ['I', 'II', 'III', 'IV'];

/**
 * Default design CO2 concentrations above outdoor, ppm, EN 16798-1:2019 Annex B:
 * I ≤ 550, II ≤ 800, III ≤ 1350; IV above.
 */
export const CO2_ABOVE_OUTDOOR_PPM = { I: 550, II: 800, III: 1350 } as const;

/** Outdoor CO2 when no outdoor sensor says otherwise, ppm (the simulator's value; the global mean is ~420 ppm in 2024, NOAA GML). */
export const DEFAULT_OUTDOOR_CO2_PPM = 420;

export function co2Category(co2Ppm: number, outdoorPpm = DEFAULT_OUTDOOR_CO2_PPM): Category {
  const above = co2Ppm - outdoorPpm;
  if (above <= CO2_ABOVE_OUTDOOR_PPM.I) return 'I';
  if (above <= CO2_ABOVE_OUTDOOR_PPM.II) return 'II';
  if (above <= CO2_ABOVE_OUTDOOR_PPM.III) return 'III';
  return 'IV';
}

export type Season = 'heating' | 'cooling';
type Range = readonly [number, number];

/**
 * Default design ranges of operative temperature, °C, for offices and spaces
 * with similar sedentary activity (~1.2 met; ~1.0 clo in the heating season,
 * ~0.5 clo in the cooling season), EN 16798-1:2019 Annex B, the
 * ranges EN 15251:2007 Annex A already gave:
 *   heating: I 21.0-23.0, II 20.0-24.0, III 19.0-25.0
 *   cooling: I 23.5-25.5, II 23.0-26.0, III 22.0-27.0
 */
export const OFFICE_TEMPERATURE_RANGES: Record<Season, Record<Exclude<Category, 'IV'>, Range>> = {
  heating: { I: [21.0, 23.0], II: [20.0, 24.0], III: [19.0, 25.0] },
  cooling: { I: [23.5, 25.5], II: [23.0, 26.0], III: [22.0, 27.0] },
};

export function temperatureCategory(tempC: number, season: Season): Category {
  const r = OFFICE_TEMPERATURE_RANGES[season];
  if (tempC >= r.I[0] && tempC <= r.I[1]) return 'I';
  if (tempC >= r.II[0] && tempC <= r.II[1]) return 'II';
  if (tempC >= r.III[0] && tempC <= r.III[1]) return 'III';
  return 'IV';
}

/**
 * Default design relative humidity ranges, %, for spaces with humidification
 * or dehumidification, EN 16798-1:2019 Annex B: I 30-50, II 25-60,
 * III 20-70.
 */
export const HUMIDITY_RANGES: Record<Exclude<Category, 'IV'>, Range> = { I: [30, 50], II: [25, 60], III: [20, 70] };

export function humidityCategory(rhPercent: number): Category {
  const r = HUMIDITY_RANGES;
  if (rhPercent >= r.I[0] && rhPercent <= r.I[1]) return 'I';
  if (rhPercent >= r.II[0] && rhPercent <= r.II[1]) return 'II';
  if (rhPercent >= r.III[0] && rhPercent <= r.III[1]) return 'III';
  return 'IV';
}

/**
 * The season whose temperature ranges apply, by the rule the simulator heats
 * by (simulator/world.ts): the heating season is October to April, and any
 * other time when the outdoor air is below 15 °C.
 */
export function seasonOf(month: number, outdoorC: number | null | undefined, heatingBelowC = 15): Season {
  if (month <= 4 || month >= 10) return 'heating';
  return outdoorC !== null && outdoorC !== undefined && outdoorC < heatingBelowC ? 'heating' : 'cooling';
}
