import type { Building } from '../shared/building';
import { localTime } from './physics/calendar';
import { type Category, type CategoryHours, accumulateOccupiedHours, emptyCategoryHours } from './physics/comfort';
import { heatingDegreeDays } from './physics/thermal';
import { World } from './world';

/**
 * The yearly report: the simulated year summed the way an energy reviewer
 * reads it (PV, consumption, self-consumption, export, EV, water, heat,
 * comfort), month by month. No I/O: it steps the world directly.
 */
export interface PeriodFigures {
  pvKWh: number;
  specificYieldKWhPerKWp: number;
  consumptionKWh: number;
  selfConsumedKWh: number;
  /** Share of the PV production used on site, %. */
  selfConsumptionPct: number;
  /** Share of the consumption covered by PV, %. */
  selfSufficiencyPct: number;
  exportKWh: number;
  importKWh: number;
  evKWh: number;
  evFromPvKWh: number;
  evPvSharePct: number;
  rainfallMm: number;
  rainwaterHarvestedM3: number;
  toiletUseM3: number;
  /** Share of the toilet water that was rainwater, %. */
  toiletRainwaterSharePct: number;
  wateringM3: number;
  mainsTopupM3: number;
  overflowM3: number;
  heatDeliveredKWh: number;
  heatingDegreeDays: number;
}

export interface ZoneComfort {
  zone: string;
  occupiedHours: number;
  co2Hours: CategoryHours;
  temperatureHours: CategoryHours;
}

export interface YearReport {
  year: number;
  seed: number;
  stepS: number;
  site: string;
  pvPeakKWp: number;
  totals: PeriodFigures;
  months: Array<{ month: number } & PeriodFigures>;
  zones: ZoneComfort[];
}

interface Acc {
  pvWh: number;
  consWh: number;
  selfWh: number;
  expWh: number;
  impWh: number;
  evWh: number;
  evPvWh: number;
  rainMm: number;
  inflowL: number;
  toiletL: number;
  wateringL: number;
  topupL: number;
  overflowL: number;
  heatWh: number;
  dailyMeans: number[];
}

const emptyAcc = (): Acc => ({ pvWh: 0, consWh: 0, selfWh: 0, expWh: 0, impWh: 0, evWh: 0, evPvWh: 0, rainMm: 0, inflowL: 0, toiletL: 0, wateringL: 0, topupL: 0, overflowL: 0, heatWh: 0, dailyMeans: [] });

const pct = (a: number, b: number) => (b > 0 ? (100 * a) / b : 0);

function figures(a: Acc, peakKWp: number): PeriodFigures {
  return {
    pvKWh: a.pvWh / 1000,
    specificYieldKWhPerKWp: a.pvWh / 1000 / peakKWp,
    consumptionKWh: a.consWh / 1000,
    selfConsumedKWh: a.selfWh / 1000,
    selfConsumptionPct: pct(a.selfWh, a.pvWh),
    selfSufficiencyPct: pct(a.selfWh, a.consWh),
    exportKWh: a.expWh / 1000,
    importKWh: a.impWh / 1000,
    evKWh: a.evWh / 1000,
    evFromPvKWh: a.evPvWh / 1000,
    evPvSharePct: pct(a.evPvWh, a.evWh),
    rainfallMm: a.rainMm,
    rainwaterHarvestedM3: a.inflowL / 1000,
    toiletUseM3: a.toiletL / 1000,
    // Mains water goes to the toilets (watering draws only above the top-up threshold, so at most
    // the small band between threshold and target can mix into it): the rest of the toilet water is rain.
    toiletRainwaterSharePct: a.toiletL > 0 ? Math.max(0, 100 - pct(a.topupL, a.toiletL)) : 0,
    wateringM3: a.wateringL / 1000,
    mainsTopupM3: a.topupL / 1000,
    overflowM3: a.overflowL / 1000,
    heatDeliveredKWh: a.heatWh / 1000,
    heatingDegreeDays: heatingDegreeDays(a.dailyMeans),
  };
}

function add(into: Acc, a: Acc): void {
  for (const k of Object.keys(into) as (keyof Acc)[]) {
    if (k === 'dailyMeans') into.dailyMeans.push(...a.dailyMeans);
    else into[k] += a[k];
  }
}

/** Start of a local (Europe/Paris) year, epoch ms: 1 January 00:00, UTC+1. */
export function parisYearStart(year: number): number {
  return Date.UTC(year, 0, 1) - 3_600_000;
}

export function simulateYear(building: Building, year: number, seed: number, stepS = 60, onProgress?: (month: number) => void): YearReport {
  const start = parisYearStart(year);
  const end = parisYearStart(year + 1);
  const world = new World(building, seed, start);
  const stepMs = stepS * 1000;
  const months = Array.from({ length: 12 }, emptyAcc);
  const zonesModel = building.zones.filter((z) => z.use !== 'roof' && z.use !== 'outdoor');
  const comfort = zonesModel.map((z) => ({ zone: z.id, occupiedHours: 0, co2Hours: emptyCategoryHours(), temperatureHours: emptyCategoryHours() }));
  let dayKey = '';
  let daySum = 0;
  let dayN = 0;
  let dayMonth = 1;
  let lastMonth = 0;
  for (let t = start + stepMs; t <= end; t += stepMs) {
    const s = world.step(t);
    // Each step's flows belong to the instant that ends it.
    const lt = localTime(t - 1);
    const m = months[lt.month - 1] as Acc;
    const h = stepS / 3600;
    m.pvWh += s.pvW * h;
    m.consWh += s.consumptionW * h;
    m.selfWh += s.selfConsumedW * h;
    m.expWh += s.exportW * h;
    m.impWh += s.importW * h;
    m.evWh += s.loads.evW * h;
    m.evPvWh += s.evPvW * h;
    m.rainMm += s.tankFlows.rainMm;
    m.inflowL += s.tankFlows.inflowL;
    m.toiletL += s.tankFlows.toiletL;
    m.wateringL += s.tankFlows.wateringL;
    m.topupL += s.tankFlows.topupL;
    m.overflowL += s.tankFlows.overflowL;
    m.heatWh += s.heat.powerW * h;
    if (lt.dateKey !== dayKey) {
      if (dayN > 0) (months[dayMonth - 1] as Acc).dailyMeans.push(daySum / dayN);
      dayKey = lt.dateKey;
      dayMonth = lt.month;
      daySum = 0;
      dayN = 0;
    }
    daySum += s.weather.airTempC;
    dayN++;
    s.zones.forEach((z, i) => {
      const c = comfort[i];
      const cat = s.categories[i];
      if (!c || !cat || z.occupants <= 0) return;
      c.occupiedHours += h;
      c.co2Hours = accumulateOccupiedHours(c.co2Hours, cat.co2 as Category, z.occupants, stepS);
      c.temperatureHours = accumulateOccupiedHours(c.temperatureHours, cat.temperature as Category, z.occupants, stepS);
    });
    if (lt.month !== lastMonth) {
      lastMonth = lt.month;
      onProgress?.(lt.month);
    }
  }
  if (dayN > 0) (months[dayMonth - 1] as Acc).dailyMeans.push(daySum / dayN);
  const peak = building.pv.arrays.reduce((a, x) => a + x.peakW, 0) / 1000;
  const total = emptyAcc();
  for (const m of months) add(total, m);
  return {
    year,
    seed,
    stepS,
    site: building.site.name,
    pvPeakKWp: peak,
    totals: figures(total, peak),
    months: months.map((m, i) => ({ month: i + 1, ...figures(m, peak) })),
    zones: comfort.filter((c) => c.occupiedHours > 0),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The report as a terminal table. */
export function formatReport(r: YearReport): string {
  const f0 = (v: number) => v.toFixed(0).padStart(8);
  const f1 = (v: number) => v.toFixed(1).padStart(7);
  const t = r.totals;
  const lines = [
    `${r.site}: simulated year ${r.year}, seed ${r.seed}, ${r.stepS}-second steps`,
    '',
    `PV production        ${t.pvKWh.toFixed(0)} kWh, specific yield ${t.specificYieldKWhPerKWp.toFixed(0)} kWh/kWp (${r.pvPeakKWp} kWp)`,
    `Consumption          ${t.consumptionKWh.toFixed(0)} kWh`,
    `Self-consumption     ${t.selfConsumedKWh.toFixed(0)} kWh = ${t.selfConsumptionPct.toFixed(1)} % of PV; self-sufficiency ${t.selfSufficiencyPct.toFixed(1)} %`,
    `Export / import      ${t.exportKWh.toFixed(0)} kWh / ${t.importKWh.toFixed(0)} kWh`,
    `EV charging          ${t.evKWh.toFixed(0)} kWh, ${t.evPvSharePct.toFixed(1)} % from PV`,
    `Rainfall             ${t.rainfallMm.toFixed(0)} mm; harvested ${t.rainwaterHarvestedM3.toFixed(1)} m3; toilets ${t.toiletUseM3.toFixed(1)} m3, ${t.toiletRainwaterSharePct.toFixed(1)} % rainwater`,
    `Mains top-up         ${t.mainsTopupM3.toFixed(1)} m3; watering ${t.wateringM3.toFixed(1)} m3; overflow ${t.overflowM3.toFixed(1)} m3`,
    `Heat delivered       ${t.heatDeliveredKWh.toFixed(0)} kWh for ${t.heatingDegreeDays.toFixed(0)} heating degree-days (base 18 °C)`,
    '',
    'month    PV kWh  cons kWh  self %  suff %  exp kWh   EV kWh  EV PV %  rain mm  harv m3  topup m3  heat kWh     HDD',
    ...r.months.map((m) => `${(MONTHS[m.month - 1] ?? '').padEnd(5)}${f0(m.pvKWh)}${f0(m.consumptionKWh + 0).padStart(10)}${f1(m.selfConsumptionPct).padStart(8)}${f1(m.selfSufficiencyPct).padStart(8)}${f0(m.exportKWh).padStart(9)}${f0(m.evKWh).padStart(9)}${f1(m.evPvSharePct).padStart(9)}${f1(m.rainfallMm).padStart(9)}${f1(m.rainwaterHarvestedM3).padStart(9)}${f1(m.mainsTopupM3).padStart(10)}${f0(m.heatDeliveredKWh).padStart(10)}${f0(m.heatingDegreeDays)}`),
    '',
    'EN 16798-1 categories, occupied hours (CO2 | temperature):',
    'zone                   occ. h     I    II   III    IV |     I    II   III    IV',
    ...r.zones.map((z) => `${z.zone.padEnd(20)}${z.occupiedHours.toFixed(0).padStart(9)} ${(['I', 'II', 'III', 'IV'] as const).map((c) => z.co2Hours[c].toFixed(0).padStart(5)).join(' ')} | ${(['I', 'II', 'III', 'IV'] as const).map((c) => z.temperatureHours[c].toFixed(0).padStart(5)).join(' ')}`),
  ];
  return lines.join('\n');
}
