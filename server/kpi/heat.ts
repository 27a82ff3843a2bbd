import { localDayIndex, localParts, MS_PER_HOUR, startOfLocalDay } from '../../shared/calendar';
import { seasonOf } from '../../shared/comfort';
import type { DegreeDayMethod, HeatFigures } from '../../shared/kpi';
import { addSums, groupBySpan, percent, type Sums, zeroSums } from './aggregate';
import type { Span } from './periods';

/**
 * Heat KPIs: district heat delivered (the substation's heat meter), heating
 * degree-days and the heat they normalise, and the AHU's heat-recovery
 * efficiency. Pure.
 *
 * Heating degree-days (DJU, "degrés-jours unifiés"), base 18 °C, the French
 * convention (19 °C indoors less about 1 K of free gains), one value per local
 * day from the weather station's outdoor temperature:
 * - 'mean' (default): DJU = max(0, 18 − T̄), T̄ the mean of the day's hourly
 *   mean temperatures (the integrated daily mean the hourly record allows);
 * - 'meteo': Météo-France's "méthode météo", DJU = max(0, 18 − (Tn + Tx) / 2),
 *   Tn and Tx the day's extreme readings (here over the local day, 00-24 h;
 *   Météo-France's climatological day runs 18 h-18 h UTC for Tn and 06 h-06 h
 *   UTC for Tx);
 * - 'costic': the COSTIC method ("méthode des professionnels de l'énergie",
 *   used in French heating-operation contracts), which credits the cold part
 *   of a mild day: Tx ≤ S: S − (Tn + Tx)/2; Tn ≥ S: 0; otherwise
 *   (S − Tn)·(0.08 + 0.42·(S − Tn)/(Tx − Tn)).
 * A day counts when it lies whole in the row and at least 18 of its hours have
 * a temperature; hourly rows carry no degree-days (a degree-day is a day's).
 *
 * Heat-recovery efficiency, EN 308:1997 ("Heat exchangers - Test procedures
 * for establishing performance of air to air and flue gases heat recovery
 * devices"), temperature ratio. EN 308 defines it on the supply side,
 * η = (t_supply after recovery − t_outdoor) / (t_extract − t_outdoor), and on
 * the extract side, η = (t_extract − t_exhaust) / (t_extract − t_outdoor); with
 * balanced flows and no condensation they are equal. This AHU's supply sensor
 * is downstream of its heating coil (simulator/world.ts heats the supply to
 * 18 °C in the heating season), so the supply side measures recovery plus coil
 * and overstates the recovery: the efficiency reported is the extract side,
 * the supply-side ratio given beside it as an upper bound. An hour counts when
 * the AHU ran the whole hour (the minimum airflow reading of the hour above 0),
 * it is the heating season (October-April, or the outdoor air below 15 °C: in
 * summer the recovery is bypassed on purpose), and extract − outdoor ≥ 5 K
 * (recoveryMinDeltaK): below that, an error of ±0.3 K on each of the three
 * sensors (a good HVAC duct sensor) moves the ratio by more than 10 points. Hours are weighted by
 * airflow × (t_extract − t_outdoor), so the efficiency is the heat recovered
 * over the heat there was to recover.
 */

/** Air: ρ·c_p ≈ 1.2 kg/m³ × 1005 J/(kg·K) ≈ 1200 J/(m³·K). */
const AIR_RHO_CP = 1200;
/** Hours of temperature a day needs for its degree-days to count. */
export const MIN_DEGREE_DAY_HOURS = 18;

export interface AhuHour {
  /** Lowest airflow reading in the hour, m³/s: above 0 means the AHU ran the whole hour. */
  airflowMinM3s: number | null;
  airflowMeanM3s: number | null;
  outdoorC: number | null;
  supplyC: number | null;
  extractC: number | null;
  exhaustC: number | null;
}

export interface HeatHour {
  t: number;
  /** Heat meter increase, Wh. */
  heatWh: number;
  /** The weather station's outdoor temperature in the hour; null without readings. */
  outdoorMeanC: number | null;
  outdoorMinC: number | null;
  outdoorMaxC: number | null;
  ahus: readonly AhuHour[];
}

export interface HeatParams {
  heatPerKWh: number;
  heatKgPerKWh: number;
  floorAreaM2: number;
  degreeDayBaseC: number;
  degreeDayMethod: DegreeDayMethod;
  recoveryMinDeltaK: number;
}

export const HEAT_SUM_KEYS = ['heatKWh', 'heatCostEur', 'heatCo2Kg', 'outdoorSumC', 'outdoorHours', 'recoveryHours', 'recoveryNum', 'recoveryDen', 'supplyNum', 'supplyDen', 'recoveredHeatKWh'] as const;
export type HeatSums = Sums<(typeof HEAT_SUM_KEYS)[number]>;

/** Whether an AHU hour counts for the recovery efficiency, and its weighted terms. */
export function recoveryOfHour(a: AhuHour, month: number, minDeltaK: number): { num: number; den: number; supplyNum: number; supplyDen: number } | undefined {
  const { airflowMinM3s: qMin, airflowMeanM3s: q, outdoorC: to, extractC: te, exhaustC: tx, supplyC: ts } = a;
  if (qMin === null || q === null || to === null || te === null || tx === null) return undefined;
  if (!(qMin > 0) || te - to < minDeltaK || seasonOf(month, to) !== 'heating') return undefined;
  return { num: q * (te - tx), den: q * (te - to), supplyNum: ts === null ? 0 : q * (ts - to), supplyDen: ts === null ? 0 : q * (te - to) };
}

export function heatOfHour(h: HeatHour, p: HeatParams, timeZone: string): HeatSums {
  const kWh = Math.max(0, h.heatWh) / 1000;
  const s = zeroSums(HEAT_SUM_KEYS);
  s.heatKWh = kWh;
  s.heatCostEur = kWh * p.heatPerKWh;
  s.heatCo2Kg = kWh * p.heatKgPerKWh;
  if (h.outdoorMeanC !== null) {
    s.outdoorSumC = h.outdoorMeanC;
    s.outdoorHours = 1;
  }
  if (h.ahus.length > 0) {
    const month = localParts(timeZone, h.t).month;
    for (const a of h.ahus) {
      const r = recoveryOfHour(a, month, p.recoveryMinDeltaK);
      if (!r) continue;
      s.recoveryHours += 1; // AHU-hours, with several AHUs
      s.recoveryNum += r.num;
      s.recoveryDen += r.den;
      s.supplyNum += r.supplyNum;
      s.supplyDen += r.supplyDen;
      // W = ρc_p · q · ΔT over one hour = Wh.
      s.recoveredHeatKWh += (AIR_RHO_CP * r.num) / 1000;
    }
  }
  return s;
}

/** Degree-days of one day from its mean, lowest and highest temperatures. */
export function degreeDaysOfDay(method: DegreeDayMethod, baseC: number, day: { meanC: number; minC: number; maxC: number }): number {
  if (method === 'mean') return Math.max(0, baseC - day.meanC);
  const { minC: tn, maxC: tx } = day;
  if (method === 'meteo') return Math.max(0, baseC - (tn + tx) / 2);
  if (tx <= baseC) return baseC - (tn + tx) / 2;
  if (tn >= baseC) return 0;
  return (baseC - tn) * (0.08 + (0.42 * (baseC - tn)) / (tx - tn));
}

interface DayStat extends Span {
  hours: number;
  sumC: number;
  minC: number;
  maxC: number;
  heatKWh: number;
}

/** The local days of the hours, with their temperatures and heat. */
function dayStats(hours: readonly HeatHour[], timeZone: string): DayStat[] {
  const days: DayStat[] = [];
  let current: DayStat | undefined;
  let currentIndex = Number.NaN;
  for (const h of hours) {
    const d = localDayIndex(timeZone, h.t);
    if (d !== currentIndex) {
      currentIndex = d;
      current = { startMs: startOfLocalDay(timeZone, d), endMs: startOfLocalDay(timeZone, d + 1), hours: 0, sumC: 0, minC: Infinity, maxC: -Infinity, heatKWh: 0 };
      days.push(current);
    }
    const c = current as DayStat;
    c.heatKWh += Math.max(0, h.heatWh) / 1000;
    if (h.outdoorMeanC !== null) {
      c.hours++;
      c.sumC += h.outdoorMeanC;
      c.minC = Math.min(c.minC, h.outdoorMinC ?? h.outdoorMeanC);
      c.maxC = Math.max(c.maxC, h.outdoorMaxC ?? h.outdoorMeanC);
    }
  }
  return days;
}

function heatFigures(s: HeatSums, dd: { degreeDays: number | null; days: number; heatKWh: number }, floorAreaM2: number): HeatFigures {
  return {
    heatKWh: s.heatKWh,
    heatCostEur: s.heatCostEur,
    heatCo2Kg: s.heatCo2Kg,
    heatPerM2KWh: floorAreaM2 > 0 ? s.heatKWh / floorAreaM2 : 0,
    degreeDays: dd.degreeDays,
    degreeDayDays: dd.days,
    heatPerDegreeDayKWh: dd.degreeDays !== null && dd.degreeDays > 0 ? dd.heatKWh / dd.degreeDays : null,
    meanOutdoorC: s.outdoorHours > 0 ? s.outdoorSumC / s.outdoorHours : null,
    recoveryHours: s.recoveryHours,
    recoveryEfficiencyPct: percent(s.recoveryNum, s.recoveryDen),
    supplyTemperatureRatioPct: percent(s.supplyNum, s.supplyDen),
    recoveredHeatKWh: s.recoveredHeatKWh,
  };
}

/**
 * Rows and totals. Hours must be the whole UTC hours of the spans, in order
 * (hours without data included, as nulls), so that each day knows how many of
 * its hours had a temperature.
 */
export function heatTable(hours: readonly HeatHour[], spans: readonly Span[], p: HeatParams, timeZone: string, hourly: boolean): { rows: HeatFigures[]; totals: HeatFigures } {
  const { rows, total } = groupBySpan(
    hours,
    spans,
    () => zeroSums(HEAT_SUM_KEYS),
    (acc, h) => addSums(acc, heatOfHour(h, p, timeZone), HEAT_SUM_KEYS),
    (into, row) => addSums(into, row, HEAT_SUM_KEYS),
  );
  const first = spans[0]?.startMs ?? 0;
  const last = spans[spans.length - 1]?.endMs ?? 0;
  // Days whole in the period, with enough temperature hours.
  const counted = dayStats(hours, timeZone)
    .filter((d) => d.startMs >= first && d.endMs <= last && d.hours >= MIN_DEGREE_DAY_HOURS)
    .map((d) => ({ ...d, dju: degreeDaysOfDay(p.degreeDayMethod, p.degreeDayBaseC, { meanC: d.sumC / d.hours, minC: d.minC, maxC: d.maxC }) }));
  const perRow = spans.map(() => ({ degreeDays: hourly ? null : 0, days: 0, heatKWh: 0 }));
  const all = { degreeDays: 0 as number | null, days: 0, heatKWh: 0 };
  let i = 0;
  for (const d of counted) {
    all.degreeDays = (all.degreeDays ?? 0) + d.dju;
    all.days++;
    all.heatKWh += d.heatKWh;
    if (hourly) continue;
    while (i < spans.length && d.startMs >= (spans[i] as Span).endMs) i++;
    const span = spans[i];
    const row = perRow[i];
    if (!span || !row || d.startMs < span.startMs || d.endMs > span.endMs) continue;
    row.degreeDays = (row.degreeDays ?? 0) + d.dju;
    row.days++;
    row.heatKWh += d.heatKWh;
  }
  return {
    rows: rows.map((r, k) => heatFigures(r, perRow[k] ?? { degreeDays: null, days: 0, heatKWh: 0 }, p.floorAreaM2)),
    totals: heatFigures(total, all, p.floorAreaM2),
  };
}

/** The hours of a span, as UTC hour starts. */
export function hourStarts(span: Span): number[] {
  const out: number[] = [];
  for (let t = span.startMs; t < span.endMs; t += MS_PER_HOUR) out.push(t);
  return out;
}
