/**
 * Rainwater harvesting: roof yield, first-flush diversion, and the storage
 * tank that feeds the toilets and the watering, with a mains back-up.
 *
 * Yield: NF EN 16941-1:2018 (On-site non-potable water systems, Part 1:
 * rainwater), Annex A yield method, as in DIN 1989-1 and BS 8515 before it:
 *   Y = A · h · e · η
 * A the collecting (plan) area in m², h the rainfall in mm (1 mm on 1 m² is
 * 1 L), e the yield (runoff) coefficient of the roof, η the hydraulic
 * efficiency of the filter. Typical values, see YIELD_COEFFICIENT and
 * FILTER_EFFICIENCY below.
 *
 * The back-up feeds the tank through an air gap (EN 1717 type AA/AB, as
 * EN 16941-1 requires), so every litre the toilets use passes through the
 * tank, and the mass balance is
 *   V_end = V_start + inflow + topup − toilet − watering − overflow
 * which tankStep keeps exactly (see quantise).
 */

/**
 * Yield coefficients e (fraction of the rain on the plan area that reaches the
 * gutter). Pitched tiled roof 0.75 and flat roof "0.5 or less" (Centre for
 * Alternative Technology, "How much rain water could I collect?", after
 * BS 8515); metal roofing 0.9 and green roof 0.5 (BS 8515:2009+A1:2013 values
 * as summarised by Squotipedia, "Rainwater harvesting"); gravel roof 0.5 and
 * green roof 0.3 above 10 cm build-up (German municipal runoff factors,
 * Abflussfaktor "Kiesdächer 0,50"; bi-medien GaLaBau on DIN 1986-100).
 */
export const YIELD_COEFFICIENT = {
  pitchedTiled: 0.75,
  metal: 0.9,
  flatGravel: 0.5,
  greenRoofThick: 0.3,
} as const;

/**
 * Hydraulic filter efficiency η: "can be reasonably estimated as 0.9 pending
 * manufacturer's information" (TRCA/STEP Low Impact Development wiki,
 * "Rainwater harvesting: sizing and modeling"); a WISY-type vortex filter is
 * 90 % efficient when clean (Centre for Alternative Technology).
 */
export const FILTER_EFFICIENCY = 0.9;

/** Litres of rain reaching the tank: Y = A·h·e·η (EN 16941-1 yield method). */
export function harvestableRainL(rainMm: number, roofAreaM2: number, runoffCoefficient: number, filterEfficiency: number): number {
  if (!(rainMm > 0)) return 0;
  return rainMm * roofAreaM2 * runoffCoefficient * filterEfficiency;
}

/**
 * Tank flows are quantised to 1/1024 L (about 1 mL). Sums and differences of
 * such multiples are exact in double precision up to 2^43 L, so the mass
 * balance holds bit for bit every step and over a year of steps, and the tank
 * never drifts above its capacity by a rounding error.
 */
const Q = 1024;
function quantise(litres: number): number {
  return Math.round(litres * Q) / Q;
}

export interface TankState {
  /** Water in the tank, L. */
  volumeL: number;
  /** Time since the last step with rain, s (first-flush event tracking). */
  sinceRainS: number;
  /** Rain fallen since the current event began, mm. */
  eventRainMm: number;
  /** The mains top-up is running (hysteresis between topupBelowL and topupToL). */
  toppingUp: boolean;
}

/** A tank at a given volume, outside any rain event. */
export function initialTankState(volumeL: number): TankState {
  return { volumeL: quantise(Math.max(0, volumeL)), sinceRainS: Number.POSITIVE_INFINITY, eventRainMm: 0, toppingUp: false };
}

export interface TankInputs {
  /** Rain fallen during this step, mm. */
  rainMm: number;
  roofAreaM2: number;
  /** Yield coefficient e. */
  runoffCoefficient: number;
  /** Filter efficiency η. */
  filterEfficiency: number;
  /** Rain depth discarded at the start of each event, mm. */
  firstFlushMm: number;
  capacityL: number;
  /** Toilet flushing demand this step, L (always met). */
  toiletDemandL: number;
  /** Watering demand this step, L (met from rainwater only). */
  wateringDemandL: number;
  /** The top-up starts when the tank falls below this volume, L. */
  topupBelowL: number;
  /** …and stops when it reaches this volume, L. */
  topupToL: number;
  /** Flow of the top-up valve, L/s. */
  topupRateLps: number;
  /**
   * Dry time that ends a rain event, h. Default 6 h, a common minimum
   * inter-event time in rainfall event analysis (assumption).
   */
  eventDryGapH?: number;
}

export interface TankStepResult {
  state: TankState;
  /** Rain entering the tank after first flush, yield coefficient and filter, L. */
  inflowL: number;
  /** Water drawn for the toilets, L (equals the demand). */
  toiletL: number;
  /** Water drawn for watering, L. */
  wateringL: number;
  /** Mains water fed into the tank, L (valve plus any make-up for the toilets). */
  topupL: number;
  /** Water lost to the overflow, L. */
  overflowL: number;
  /** Runoff diverted by the first-flush device, L (never enters the tank). */
  firstFlushL: number;
}

/**
 * Advances the tank by one step of a behavioural (mass-balance) model, the
 * kind of continuous simulation EN 16941-1 allows for sizing instead of the
 * simplified yield/demand ratio. Order within the step:
 * 1. rain: the first `firstFlushMm` of each event is diverted; the rest yields
 *    A·h·e·η into the tank;
 * 2. toilets draw from the tank;
 * 3. watering draws only the water above the top-up threshold, so mains water
 *    is never used to water the garden;
 * 4. below `topupBelowL` the mains valve opens and fills at `topupRateLps`
 *    until `topupToL` (hysteresis kept in the state);
 * 5. toilets are always served: any shortfall left after the tank ran dry
 *    comes from the mains through the same air gap, counted in topupL;
 * 6. what exceeds the capacity overflows.
 */
export function tankStep(state: TankState, inp: TankInputs, dtS: number): TankStepResult {
  // Rain event and first flush.
  const gapS = (inp.eventDryGapH ?? 6) * 3600;
  let { sinceRainS, eventRainMm } = state;
  let collectedMm = 0;
  let flushMm = 0;
  if (inp.rainMm > 0) {
    if (sinceRainS >= gapS) eventRainMm = 0; // a new event begins
    flushMm = Math.min(inp.rainMm, Math.max(0, inp.firstFlushMm - eventRainMm));
    collectedMm = inp.rainMm - flushMm;
    eventRainMm += inp.rainMm;
    sinceRainS = 0;
  } else {
    sinceRainS += dtS;
  }
  const inflowL = quantise(harvestableRainL(collectedMm, inp.roofAreaM2, inp.runoffCoefficient, inp.filterEfficiency));
  // The diverted water is roof runoff, so it carries the yield coefficient but not the filter loss.
  const firstFlushL = flushMm * inp.roofAreaM2 * inp.runoffCoefficient;

  const capacity = quantise(inp.capacityL);
  const below = quantise(inp.topupBelowL);
  const target = Math.min(quantise(inp.topupToL), capacity);
  const toiletL = quantise(Math.max(0, inp.toiletDemandL));
  const wateringDemand = quantise(Math.max(0, inp.wateringDemandL));

  // A state from initialTankState or from a previous step is already quantised.
  let v = quantise(state.volumeL) + inflowL;
  const toiletFromTank = Math.min(toiletL, v);
  v -= toiletFromTank;
  const wateringL = Math.min(wateringDemand, Math.max(0, v - below));
  v -= wateringL;

  let toppingUp = state.toppingUp || v < below;
  let valveL = 0;
  if (toppingUp) {
    valveL = Math.min(Math.max(0, target - v), quantise(Math.max(0, inp.topupRateLps) * dtS));
    v += valveL;
    if (v >= target) toppingUp = false;
  }
  // Make-up for the toilets enters the tank and leaves it at once: it changes
  // no volume but appears in both topupL and toiletL.
  const topupL = valveL + (toiletL - toiletFromTank);

  const overflowL = Math.max(0, v - capacity);
  v -= overflowL;

  return {
    state: { volumeL: v, sinceRainS, eventRainMm, toppingUp },
    inflowL,
    toiletL,
    wateringL,
    topupL,
    overflowL,
    firstFlushL,
  };
}

/** Effective flush of a 6/3 L dual-flush WC: full flush 1/3 of uses, part flush 2/3 (WRc Water Calculator). */
export const EFFECTIVE_DUAL_FLUSH_L = (6 * 1 + 3 * 2) / 3;

/**
 * Toilet flushing demand of a zone over a step, L.
 *
 * Uses: 3 per person per 8 h working day (US EPA, "WaterSense at Work", 2012,
 * restroom fixtures: women use the toilet 3 times a day at work, men once,
 * plus their urinal uses; every use is counted here as one WC flush, a
 * conservative simplification).
 * Volume: 4.0 L, the effective flush of a 6/3 L dual-flush WC,
 * 6 × 1/3 + 3 × 2/3 (full/part flush ratio of the UK Water Efficiency
 * Calculator, WRc, Building Regulations Part G).
 */
export function toiletDemandL(occupants: number, dtS: number, usesPerPersonPer8h = 3, litresPerFlush = EFFECTIVE_DUAL_FLUSH_L): number {
  if (!(occupants > 0) || !(dtS > 0)) return 0;
  return (occupants * usesPerPersonPer8h * litresPerFlush * dtS) / (8 * 3600);
}

export interface WateringOptions {
  /** Watered planted area, m² (assumption for the site: 150 m²). */
  areaM2?: number;
  /** Local hour the automatic watering starts (before opening: less evaporation, nobody on site). */
  startHour?: number;
  /** Local hour it ends. */
  endHour?: number;
}

/**
 * Watering need per day, mm, April to September (index 0 = January).
 * Assumption: half the monthly mean reference evapotranspiration ET0
 * (FAO-56 Penman-Monteith order of magnitude for a temperate continental
 * site like Besançon: ~2.5 mm/d in April and September, 4-4.5 mm/d in
 * June-July), the other half being covered by soil storage and rain; no
 * watering from October to March.
 */
const WATERING_MM_PER_DAY = [0, 0, 0, 1.2, 1.7, 2.1, 2.3, 2.0, 1.3, 0, 0, 0];

/**
 * Watering demand over a step starting at `localHour`, L: only April-September,
 * only inside the early-morning window, nothing the day after rain, then more
 * the longer it has been dry (full need after 7 dry days).
 */
export function wateringDemandL(month: number, localHour: number, dtS: number, dryDays: number, opts: WateringOptions = {}): number {
  const perDayMm = WATERING_MM_PER_DAY[month - 1] ?? 0;
  if (perDayMm === 0 || !(dtS > 0) || dryDays < 1) return 0;
  const start = opts.startHour ?? 5;
  const end = opts.endHour ?? 7;
  const overlapH = Math.min(end, localHour + dtS / 3600) - Math.max(start, localHour);
  if (overlapH <= 0 || end <= start) return 0;
  const dryFactor = Math.min(1, dryDays / 7);
  const dailyL = perDayMm * (opts.areaM2 ?? 150) * dryFactor;
  return (dailyL * overlapH) / (end - start);
}
