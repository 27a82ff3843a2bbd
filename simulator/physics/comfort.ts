/**
 * Indoor environmental quality categories of EN 16798-1:2019 (Energy
 * performance of buildings - Ventilation for buildings - Part 1: indoor
 * environmental input parameters), Annex B default design values:
 * category I high expectation, II normal (the usual target for new
 * buildings), III moderate, IV outside the three.
 *
 * Bounds are inclusive: a value on a boundary belongs to the better category.
 */

export type Category = 'I' | 'II' | 'III' | 'IV';

export const CATEGORIES: readonly Category[] = ['I', 'II', 'III', 'IV'];

/**
 * Default design CO2 concentrations above outdoor, ppm, EN 16798-1:2019
 * Annex B: I ≤ 550, II ≤ 800, III ≤ 1350; IV above (DIN EN 16798-1:2019,
 * p. 55, as implemented by RWTH-E3D/carbonfly `iaq.py`).
 */
export const CO2_ABOVE_OUTDOOR_PPM = { I: 550, II: 800, III: 1350 } as const;

/** CO2 category from the indoor concentration and the outdoor one (ppm). */
export function co2Category(co2Ppm: number, outdoorPpm = 420): Category {
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
 * with similar sedentary activity (~1.2 met; clothing ~1.0 clo in the heating
 * season, ~0.5 clo in the cooling season), EN 16798-1:2019 Annex B, the
 * ranges EN 15251:2007 Annex A already gave for hourly energy calculations
 * (as reproduced, e.g., by bruadam/hvx `EN16798StandardCalculator`):
 *   heating: I 21.0-23.0, II 20.0-24.0, III 19.0-25.0
 *   cooling: I 23.5-25.5, II 23.0-26.0, III 22.0-27.0
 * The wider heating ranges sometimes quoted (I 21-25, II 20-25, III 18-25)
 * are the residential rows of the same table, not the office ones.
 */
export const OFFICE_TEMPERATURE_RANGES: Record<Season, Record<Exclude<Category, 'IV'>, Range>> = {
  heating: { I: [21.0, 23.0], II: [20.0, 24.0], III: [19.0, 25.0] },
  cooling: { I: [23.5, 25.5], II: [23.0, 26.0], III: [22.0, 27.0] },
};

/** Thermal category of an office operative temperature in a season. */
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
 * III 20-70 (also as in bruadam/hvx `EN16798StandardCalculator`).
 */
export const HUMIDITY_RANGES: Record<Exclude<Category, 'IV'>, Range> = { I: [30, 50], II: [25, 60], III: [20, 70] };

/** Humidity category of a relative humidity, %. */
export function humidityCategory(rhPercent: number): Category {
  const r = HUMIDITY_RANGES;
  if (rhPercent >= r.I[0] && rhPercent <= r.I[1]) return 'I';
  if (rhPercent >= r.II[0] && rhPercent <= r.II[1]) return 'II';
  if (rhPercent >= r.III[0] && rhPercent <= r.III[1]) return 'III';
  return 'IV';
}

export type CategoryHours = Record<Category, number>;

export function emptyCategoryHours(): CategoryHours {
  return { I: 0, II: 0, III: 0, IV: 0 };
}

/**
 * Adds a step to the hours spent in a category, counting only occupied time
 * (EN 16798-1 assesses the indoor environment over occupied hours). Pure:
 * returns a new tally.
 */
export function accumulateOccupiedHours(acc: CategoryHours, category: Category, occupants: number, dtS: number): CategoryHours {
  if (!(occupants > 0) || !(dtS > 0)) return acc;
  const next = { ...acc };
  next[category] += dtS / 3600;
  return next;
}

/**
 * Share of the occupied hours spent in a category or a better one (the
 * figure EN 16798-1 compares with its tolerance, e.g. 95 % of occupied hours
 * within the design category). 0 when nothing was occupied.
 */
export function shareAtLeast(acc: CategoryHours, category: Category): number {
  const total = acc.I + acc.II + acc.III + acc.IV;
  if (total <= 0) return 0;
  let within = 0;
  for (const c of CATEGORIES) {
    within += acc[c];
    if (c === category) break;
  }
  return within / total;
}
