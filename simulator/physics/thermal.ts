/**
 * Zone thermal balance, heat recovery, heating control, the district-heating
 * substation and degree-days.
 */

/**
 * Volumetric heat capacity of air, ρ·c_p = 1200 J/(m³·K): the value EN ISO
 * 13789 and EN ISO 13790 fix for ventilation heat transfer (1.2 kg/m³ ×
 * 1000 J/(kg·K) rounded; 1.204 × 1005 = 1210 at 20 °C).
 */
export const AIR_RHO_CP = 1200;

/** Specific heat of liquid water at 40-70 °C, J/(kg·K) (4.18 kJ/(kg·K) in steam tables over that range). */
export const WATER_CP = 4180;

export interface ZoneThermalInputs {
  outdoorC: number;
  heatingW: number;
  solarGainW: number;
  internalGainW: number;
  /** Fabric heat-transfer coefficient (transmission), W/K. */
  uaWPerK: number;
  /** Ventilation heat-transfer coefficient after heat recovery, W/K (see ventilationConductanceWPerK). */
  ventilationWPerK: number;
  /** Effective heat capacity of the zone, J/K. */
  capacitanceJPerK: number;
}

/**
 * One step of the 1R1C zone model (one resistance, one capacity: the
 * EN ISO 13790 simple hourly 5R1C network reduced to a single node):
 *   C dT/dt = Φ − H (T − T_out),  H = H_tr + H_ve,  Φ = heating + solar + internal
 * solved exactly for inputs held constant over the step:
 *   T(t+Δt) = T_ss + (T − T_ss)·exp(−H Δt / C),  T_ss = T_out + Φ / H
 * so any Δt is stable and two half steps equal one full step.
 */
export function zoneStep(tempC: number, inp: ZoneThermalInputs, dtS: number): number {
  const gainsW = inp.heatingW + inp.solarGainW + inp.internalGainW;
  const hWPerK = inp.uaWPerK + inp.ventilationWPerK;
  // A perfectly insulated, unventilated zone has no steady state: it integrates the gains.
  if (hWPerK <= 0) return tempC + (gainsW * dtS) / inp.capacitanceJPerK;
  const steadyC = inp.outdoorC + gainsW / hWPerK;
  return steadyC + (tempC - steadyC) * Math.exp((-hWPerK * dtS) / inp.capacitanceJPerK);
}

/**
 * Ventilation heat-transfer coefficient with heat recovery, W/K:
 * H_ve = ρc_p · q · (1 − η) (EN ISO 13790 ventilation heat transfer with a
 * heat-recovery temperature factor; balanced flows, so the recovered part
 * never leaves the zone).
 */
export function ventilationConductanceWPerK(airflowM3s: number, recoveryEfficiency: number): number {
  return AIR_RHO_CP * airflowM3s * (1 - recoveryEfficiency);
}

/**
 * Air temperatures across a heat-recovery wheel or plate with balanced flows.
 * EN 308:1997 temperature efficiency (supply side):
 *   η = (t_supply − t_outdoor) / (t_extract − t_outdoor)
 * and, with equal mass flows, the exhaust loses what the supply gains:
 *   t_exhaust = t_extract − η (t_extract − t_outdoor).
 */
export function heatRecovery(outdoorC: number, extractC: number, efficiency: number): { supplyC: number; exhaustC: number } {
  const recoveredK = efficiency * (extractC - outdoorC);
  return { supplyC: outdoorC + recoveredK, exhaustC: extractC - recoveredK };
}

/** Heat recovered into the supply air, W: ρc_p · q · (t_supply − t_outdoor). */
export function recoveredHeatW(airflowM3s: number, outdoorC: number, extractC: number, efficiency: number): number {
  return AIR_RHO_CP * airflowM3s * efficiency * (extractC - outdoorC);
}

/**
 * Proportional room-temperature controller: no heat at or above the set-point,
 * full power `bandK` below it, linear in between. Like every P controller it
 * settles slightly below the set-point under load (the proportional offset).
 */
export function heatingPowerW(tempC: number, setpointC: number, maxW: number, bandK = 1): number {
  const demand = (setpointC - tempC) / bandK;
  return maxW * (demand <= 0 ? 0 : demand >= 1 ? 1 : demand);
}

export interface HeatingCurve {
  coldOutdoorC: number;
  coldSupplyC: number;
  mildOutdoorC: number;
  mildSupplyC: number;
}

/** Design heating curve of the secondary circuit: 70 °C at −10 °C outdoors, 45 °C at 15 °C (assumption for the building's emitters). */
export const DEFAULT_HEATING_CURVE: HeatingCurve = { coldOutdoorC: -10, coldSupplyC: 70, mildOutdoorC: 15, mildSupplyC: 45 };

/** Supply temperature from an outdoor-compensated heating curve, linear between its two points and flat beyond them. */
export function heatingCurveSupplyC(outdoorC: number, curve: HeatingCurve = DEFAULT_HEATING_CURVE): number {
  const { coldOutdoorC, coldSupplyC, mildOutdoorC, mildSupplyC } = curve;
  if (outdoorC <= coldOutdoorC) return coldSupplyC;
  if (outdoorC >= mildOutdoorC) return mildSupplyC;
  return coldSupplyC + ((outdoorC - coldOutdoorC) * (mildSupplyC - coldSupplyC)) / (mildOutdoorC - coldOutdoorC);
}

export interface SubstationState {
  supplyC: number;
  returnC: number;
  /** Supply − return, K. */
  deltaK: number;
  /** Heat actually delivered, W (less than asked when the return hits its floor). */
  deliveredW: number;
}

/**
 * District-heating substation, secondary side: the heat drawn by the
 * building sets the temperature drop of the circulating water,
 *   ΔT = P / (ṁ · c_p),  t_return = t_supply − ΔT.
 * The return cannot fall below `minReturnC` (the emitters cannot cool the
 * water below the rooms they heat); the heat delivered is capped accordingly.
 */
export function substation(heatW: number, supplyC: number, massFlowKgS: number, minReturnC = 20): SubstationState {
  if (!(heatW > 0) || !(massFlowKgS > 0)) return { supplyC, returnC: supplyC, deltaK: 0, deliveredW: 0 };
  const maxDeltaK = Math.max(0, supplyC - minReturnC);
  const deltaK = Math.min(heatW / (massFlowKgS * WATER_CP), maxDeltaK);
  return { supplyC, returnC: supplyC - deltaK, deltaK, deliveredW: massFlowKgS * WATER_CP * deltaK };
}

/**
 * Heating degree-days from daily mean temperatures: Σ max(0, base − T_mean).
 * France uses base 18 °C ("DJU", degrés-jours unifiés: 19 °C indoors less
 * ~1 K of free gains).
 */
export function heatingDegreeDays(dailyMeanTempsC: readonly number[], baseC = 18): number {
  let sum = 0;
  for (const t of dailyMeanTempsC) if (t < baseC) sum += baseC - t;
  return sum;
}

export interface DailyMinMax {
  minC: number;
  maxC: number;
}

/**
 * Degree-days by the Météo-France ("méthode météo") rule: the daily mean is
 * (T_min + T_max) / 2, then Σ max(0, base − mean).
 */
export function heatingDegreeDaysMinMax(days: readonly DailyMinMax[], baseC = 18): number {
  let sum = 0;
  for (const d of days) {
    const mean = (d.minC + d.maxC) / 2;
    if (mean < baseC) sum += baseC - mean;
  }
  return sum;
}

/**
 * Degree-days by the COSTIC rule ("méthode professionnels de l'énergie", the
 * one recommended for French heating-operation contracts), which credits the
 * part of a mild day spent below the base:
 *   T_max ≤ S:        S − (T_min + T_max)/2
 *   T_min ≥ S:        0
 *   otherwise:        (S − T_min) · (0.08 + 0.42 · (S − T_min) / (T_max − T_min))
 */
export function heatingDegreeDaysCostic(days: readonly DailyMinMax[], baseC = 18): number {
  let sum = 0;
  for (const { minC, maxC } of days) {
    if (maxC <= baseC) sum += baseC - (minC + maxC) / 2;
    else if (minC < baseC) sum += (baseC - minC) * (0.08 + (0.42 * (baseC - minC)) / (maxC - minC));
  }
  return sum;
}

/**
 * Sensible heat given off by one adult, W, by activity: ASHRAE Handbook -
 * Fundamentals (SI), ch. 18, Table 1 (at 24 °C room air, adjusted M/F mix):
 * seated very light work 70 W; moderately active office work 75 W; light
 * bench work (fablab) 80 W. The office value matches the 1.2 met sedentary
 * activity of ISO 7730 / EN 16798-1 (70 W/m² × 1.8 m² = 126 W metabolic, of
 * which ~60 % is sensible).
 */
export const SENSIBLE_GAIN_PER_PERSON_W = {
  seated: 70,
  office: 75,
  benchWork: 80,
} as const;

/**
 * Internal sensible gains of a zone, W: people plus the electricity used in
 * it. Lighting and plug loads end up as heat in the room (every watt is
 * dissipated; only what an exhaust removes directly, e.g. a luminaire in the
 * extract plenum, escapes: `electricFractionToZone` < 1).
 */
export function internalGainsW(occupants: number, electricW: number, sensiblePerPersonW: number = SENSIBLE_GAIN_PER_PERSON_W.office, electricFractionToZone = 1): number {
  return occupants * sensiblePerPersonW + electricW * electricFractionToZone;
}
