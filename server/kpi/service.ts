import type { Building } from '../../shared/building';
import type { Catalogue } from '../../shared/catalogue';
import { SUBMETERS } from '../../shared/device-types';
import {
  type ComfortFigures,
  type ComfortResponse,
  type CompareResponse,
  type Coverage,
  type EnergyFigures,
  type EnergyResponse,
  FIGURES_OF,
  type HeatFigures,
  type HeatResponse,
  type Interval,
  type KpiKind,
  type KpiParameters,
  type KpiQuery,
  type KpiWarning,
  MAX_KPI_ROWS,
  type ReportResponse,
  type WaterFigures,
  type WaterResponse,
  ENERGY_FIGURES,
  HEAT_FIGURES,
  WATER_FIGURES,
} from '../../shared/kpi';
import { DEFAULT_OUTDOOR_CO2_PPM } from '../../shared/comfort';
import { formatLocalIso } from '../../shared/calendar';
import type { Store } from '../store/types';
import { type ComfortHour, comfortTable } from './comfort';
import { compareFigures } from './compare';
import { type EnergyHour, energyTable } from './energy';
import { type AhuHour, type HeatHour, heatTable } from './heat';
import { defaultInterval, KpiInputError, type Period, periodInfo, previousPeriod, resolvePeriod, rowTime, type Span, splitIntervals, yearBeforePeriod } from './periods';
import { type HourlyFrame, maxIncreasePerHour, readHourly } from './read';
import { type WaterHour, waterTable } from './water';

/**
 * The KPI layer: resolves a query's period, reads the hourly rollups it needs
 * (server/kpi/read.ts) and hands plain hourly rows to the pure KPI functions
 * (energy.ts, water.ts, heat.ts, comfort.ts). docs/kpi.md has every definition.
 */

export interface KpiDeps {
  store: Store;
  catalogue: Catalogue;
  building: Building;
  now: () => number;
  /** Defaults that override the building file's tariffs and factors (the query overrides both). */
  defaults?: Partial<Omit<KpiParameters, 'pvPeakKWp' | 'floorAreaM2'>>;
}

export const DEFAULT_DEGREE_DAY_BASE_C = 18;
export const DEFAULT_RECOVERY_MIN_DELTA_K = 5;

/** Which series each KPI reads, from the catalogue's devices. */
export interface KpiSeries {
  pv: string[];
  imports: string[];
  exports: string[];
  evSubmeter: string | undefined;
  chargers: string[];
  rain: string | undefined;
  outdoor: string | undefined;
  tank: { inflow: string[]; toilet: string[]; watering: string[]; topup: string[]; overflow: string[] };
  heat: string[];
  ahus: Array<{ airflow: string; outdoor: string; supply: string; extract: string; exhaust: string }>;
  rooms: Array<{ zone: string; label: string; occupancy: string; co2: string; temperature: string; humidity: string }>;
}

export function kpiSeries(cat: Catalogue): KpiSeries {
  const of = (type: string) => cat.devices.filter((d) => d.type === type).map((d) => d.id);
  const weather = of('weather-station')[0];
  const tanks = of('rainwater-tank');
  const evMeter = SUBMETERS.find((m) => m.id === 'submeter-ev')?.id;
  return {
    pv: of('pv-inverter').map((id) => `${id}.ac_energy`),
    imports: of('grid-meter').map((id) => `${id}.import_energy`),
    exports: of('grid-meter').map((id) => `${id}.export_energy`),
    evSubmeter: evMeter && cat.devices.some((d) => d.id === evMeter) ? `${evMeter}.energy` : undefined,
    chargers: of('ev-charger').map((id) => `${id}.energy`),
    rain: weather ? `${weather}.rain` : undefined,
    outdoor: weather ? `${weather}.temperature` : undefined,
    tank: {
      inflow: tanks.map((id) => `${id}.inflow`),
      toilet: tanks.map((id) => `${id}.toilet_use`),
      watering: tanks.map((id) => `${id}.watering_use`),
      topup: tanks.map((id) => `${id}.mains_topup`),
      overflow: tanks.map((id) => `${id}.overflow`),
    },
    heat: of('heat-substation').map((id) => `${id}.heat_energy`),
    ahus: of('ahu').map((id) => ({ airflow: `${id}.airflow`, outdoor: `${id}.outdoor_temperature`, supply: `${id}.supply_temperature`, extract: `${id}.extract_temperature`, exhaust: `${id}.exhaust_temperature` })),
    rooms: cat.devices
      .filter((d) => d.type === 'room-sensor')
      .map((d) => ({ zone: d.zone, label: cat.zones.find((z) => z.id === d.zone)?.label ?? d.zone, occupancy: `${d.id}.occupancy`, co2: `${d.id}.co2`, temperature: `${d.id}.temperature`, humidity: `${d.id}.humidity` })),
  };
}

interface Table<F, R = F> {
  spans: Span[];
  rows: R[];
  totals: F;
  coverage: Coverage[];
  warnings: KpiWarning[];
}

const TABLE_FIGURES = { energy: ENERGY_FIGURES, water: WATER_FIGURES, heat: HEAT_FIGURES } as const;

export function createKpiService(deps: KpiDeps) {
  const { store, catalogue, building } = deps;
  const tz = building.site.timezone;
  const series = kpiSeries(catalogue);
  const pvPeakKWp = building.pv.arrays.reduce((a, x) => a + x.peakW, 0) / 1000;

  function parameters(q: Partial<KpiQuery>): KpiParameters {
    const t = building.tariffs;
    const e = building.emissionFactors;
    const d = deps.defaults ?? {};
    return {
      importPeakPerKWh: q.importPeakPerKWh ?? d.importPeakPerKWh ?? t.importPeakPerKWh,
      importOffPeakPerKWh: q.importOffPeakPerKWh ?? d.importOffPeakPerKWh ?? t.importOffPeakPerKWh,
      offPeakHours: q.offPeakHours ?? d.offPeakHours ?? t.offPeakHours,
      feedInPerKWh: q.feedInPerKWh ?? d.feedInPerKWh ?? t.feedInPerKWh,
      gridKgPerKWh: q.gridKgPerKWh ?? d.gridKgPerKWh ?? e.gridKgPerKWh,
      waterPerM3: q.waterPerM3 ?? d.waterPerM3 ?? t.waterPerM3,
      heatPerKWh: q.heatPerKWh ?? d.heatPerKWh ?? t.heatPerKWh,
      heatKgPerKWh: q.heatKgPerKWh ?? d.heatKgPerKWh ?? e.heatKgPerKWh,
      degreeDayBaseC: q.degreeDayBaseC ?? d.degreeDayBaseC ?? DEFAULT_DEGREE_DAY_BASE_C,
      degreeDayMethod: q.degreeDayMethod ?? d.degreeDayMethod ?? 'mean',
      recoveryMinDeltaK: q.recoveryMinDeltaK ?? d.recoveryMinDeltaK ?? DEFAULT_RECOVERY_MIN_DELTA_K,
      outdoorCo2Ppm: q.outdoorCo2Ppm ?? d.outdoorCo2Ppm ?? DEFAULT_OUTDOOR_CO2_PPM,
      pvPeakKWp,
      floorAreaM2: building.site.floorAreaM2,
    };
  }

  const period = (q: Partial<KpiQuery>): Period => resolvePeriod(q, tz, deps.now());
  const spansOf = (p: Period, interval: Interval): Span[] => splitIntervals(p, interval, tz);
  const limit = (id: string) => maxIncreasePerHour(catalogue, id);
  /** The hourly sum of several counters (all inverters, all grid meters...). */
  const sumOf = (frame: HourlyFrame, ids: readonly string[]): number[] => {
    const out = new Array<number>(frame.hours).fill(0);
    for (const id of ids) frame.increases(id, limit(id)).forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
    return out;
  };

  async function energyOf(p: Period, spans: Span[], params: KpiParameters): Promise<Table<EnergyFigures> & { evSource: 'submeter' | 'chargers' }> {
    const ids = [...series.pv, ...series.imports, ...series.exports, ...(series.evSubmeter ? [series.evSubmeter] : [])];
    const frame = await readHourly(store, ids, p, tz);
    // The EV feeder's sub-meter when it has readings in the period; else the chargers' own meters.
    // Never mixed hour by hour: a sub-meter's gap is counted in the hour it resumes, so filling
    // the gap from the chargers would count that energy twice.
    let evSource: 'submeter' | 'chargers' = 'submeter';
    let evIds = series.evSubmeter ? [series.evSubmeter] : [];
    if (!series.evSubmeter || frame.hoursWithData(series.evSubmeter) === 0) {
      await readHourly(store, series.chargers, p, tz, frame);
      if (series.chargers.some((id) => frame.hoursWithData(id) > 0) || !series.evSubmeter) {
        evSource = 'chargers';
        evIds = series.chargers;
      }
    }
    const pv = sumOf(frame, series.pv);
    const imp = sumOf(frame, series.imports);
    const exp = sumOf(frame, series.exports);
    const ev = sumOf(frame, evIds);
    const hours: EnergyHour[] = pv.map((pvWh, i) => ({ t: frame.t(i), pvWh, importWh: imp[i] ?? 0, exportWh: exp[i] ?? 0, evWh: ev[i] ?? 0 }));
    const { rows, totals } = energyTable(hours, spans, params, tz, params.pvPeakKWp);
    return { spans, rows, totals, coverage: frame.coverage([...series.pv, ...series.imports, ...series.exports, ...evIds]), warnings: frame.warnings, evSource };
  }

  async function waterOf(p: Period, spans: Span[], params: KpiParameters): Promise<Table<WaterFigures>> {
    const t = series.tank;
    const ids = [...(series.rain ? [series.rain] : []), ...t.inflow, ...t.toilet, ...t.watering, ...t.topup, ...t.overflow];
    const frame = await readHourly(store, ids, p, tz);
    const rain = sumOf(frame, series.rain ? [series.rain] : []);
    const [inflow, toilet, watering, topup, overflow] = [t.inflow, t.toilet, t.watering, t.topup, t.overflow].map((x) => sumOf(frame, x)) as [number[], number[], number[], number[], number[]];
    const hours: WaterHour[] = rain.map((rainMm, i) => ({ t: frame.t(i), rainMm, inflowL: inflow[i] ?? 0, toiletL: toilet[i] ?? 0, wateringL: watering[i] ?? 0, topupL: topup[i] ?? 0, overflowL: overflow[i] ?? 0 }));
    const { rows, totals } = waterTable(hours, spans, params.waterPerM3);
    return { spans, rows, totals, coverage: frame.coverage(ids), warnings: frame.warnings };
  }

  async function heatOf(p: Period, spans: Span[], interval: Interval, params: KpiParameters): Promise<Table<HeatFigures>> {
    const ahuIds = series.ahus.flatMap((a) => [a.airflow, a.outdoor, a.supply, a.extract, a.exhaust]);
    const ids = [...series.heat, ...(series.outdoor ? [series.outdoor] : []), ...ahuIds];
    const frame = await readHourly(store, ids, p, tz);
    const heat = sumOf(frame, series.heat);
    const none = new Array<number | null>(frame.hours).fill(null);
    const [outMean, outMin, outMax] = series.outdoor ? [frame.gauge(series.outdoor), frame.gauge(series.outdoor, 'min'), frame.gauge(series.outdoor, 'max')] : [none, none, none];
    const ahus = series.ahus.map((a) => ({
      airflowMin: frame.gauge(a.airflow, 'min'),
      airflowMean: frame.gauge(a.airflow),
      outdoor: frame.gauge(a.outdoor),
      supply: frame.gauge(a.supply),
      extract: frame.gauge(a.extract),
      exhaust: frame.gauge(a.exhaust),
    }));
    const hours: HeatHour[] = heat.map((heatWh, i) => ({
      t: frame.t(i),
      heatWh,
      outdoorMeanC: outMean[i] ?? null,
      outdoorMinC: outMin[i] ?? null,
      outdoorMaxC: outMax[i] ?? null,
      ahus: ahus.map(
        (a): AhuHour => ({ airflowMinM3s: a.airflowMin[i] ?? null, airflowMeanM3s: a.airflowMean[i] ?? null, outdoorC: a.outdoor[i] ?? null, supplyC: a.supply[i] ?? null, extractC: a.extract[i] ?? null, exhaustC: a.exhaust[i] ?? null }),
      ),
    }));
    const { rows, totals } = heatTable(hours, spans, params, tz, interval === 'hour');
    return { spans, rows, totals, coverage: frame.coverage(ids), warnings: frame.warnings };
  }

  async function comfortOf(p: Period, spans: Span[], params: KpiParameters): Promise<Table<ComfortFigures, { zone: string; label: string; span: number; figures: ComfortFigures }> & { zones: Array<{ zone: string; label: string; figures: ComfortFigures }> }> {
    if (spans.length * series.rooms.length > MAX_KPI_ROWS) {
      throw new KpiInputError(`comfort by ${spans.length} intervals × ${series.rooms.length} zones gives ${spans.length * series.rooms.length} rows; at most ${MAX_KPI_ROWS}: choose a coarser interval or a shorter period`, { path: ['interval'] });
    }
    const ids = [...(series.outdoor ? [series.outdoor] : []), ...series.rooms.flatMap((r) => [r.occupancy, r.co2, r.temperature, r.humidity])];
    const frame = await readHourly(store, ids, p, tz);
    const outdoor = series.outdoor ? frame.gauge(series.outdoor) : new Array<number | null>(frame.hours).fill(null);
    const zones = series.rooms.map((r) => {
      const [occ, co2, temp, hum] = [frame.gauge(r.occupancy), frame.gauge(r.co2), frame.gauge(r.temperature), frame.gauge(r.humidity)];
      const hours: ComfortHour[] = occ.map((occupancy, i) => ({ t: frame.t(i), occupancy, co2Ppm: co2[i] ?? null, temperatureC: temp[i] ?? null, humidityPct: hum[i] ?? null, outdoorC: outdoor[i] ?? null }));
      return { zone: r.zone, label: r.label, hours };
    });
    const t = comfortTable(zones, spans, params.outdoorCo2Ppm, tz);
    return { spans, rows: t.rows, totals: t.totals, zones: t.zones, coverage: frame.coverage(ids), warnings: frame.warnings };
  }

  /** The totals of one KPI over a period (for comparisons). */
  async function totalsOf(kpi: KpiKind, p: Period, params: KpiParameters): Promise<Record<string, number | null>> {
    const spans = spansOf(p, 'period');
    if (kpi === 'energy') return (await energyOf(p, spans, params)).totals;
    if (kpi === 'water') return (await waterOf(p, spans, params)).totals;
    if (kpi === 'heat') return (await heatOf(p, spans, 'period', params)).totals;
    return (await comfortOf(p, spans, params)).totals;
  }

  // Object.assign rather than spreads: ten times faster on tables of thousands of rows.
  const withTime = <F extends object>(spans: Span[], rows: F[]) => rows.map((r, i) => Object.assign(rowTime(spans[i] as Span, tz), r));

  return {
    parameters,
    series,

    async energy(q: Partial<KpiQuery>): Promise<EnergyResponse> {
      const p = period(q);
      const interval = q.interval ?? defaultInterval(p);
      const params = parameters(q);
      const t = await energyOf(p, spansOf(p, interval), params);
      return { period: periodInfo(p), interval, parameters: params, rows: withTime(t.spans, t.rows), totals: t.totals, coverage: t.coverage, warnings: t.warnings, evSource: t.evSource };
    },

    async water(q: Partial<KpiQuery>): Promise<WaterResponse> {
      const p = period(q);
      const interval = q.interval ?? defaultInterval(p);
      const params = parameters(q);
      const t = await waterOf(p, spansOf(p, interval), params);
      return { period: periodInfo(p), interval, parameters: params, rows: withTime(t.spans, t.rows), totals: t.totals, coverage: t.coverage, warnings: t.warnings };
    },

    async heat(q: Partial<KpiQuery>): Promise<HeatResponse> {
      const p = period(q);
      const interval = q.interval ?? defaultInterval(p);
      const params = parameters(q);
      const t = await heatOf(p, spansOf(p, interval), interval, params);
      return { period: periodInfo(p), interval, parameters: params, rows: withTime(t.spans, t.rows), totals: t.totals, coverage: t.coverage, warnings: t.warnings };
    },

    async comfort(q: Partial<KpiQuery>): Promise<ComfortResponse> {
      const p = period(q);
      const interval = q.interval ?? 'period';
      const params = parameters(q);
      const spans = spansOf(p, interval);
      const t = await comfortOf(p, spans, params);
      const rows = t.rows.map((r) => Object.assign(rowTime(spans[r.span] as Span, tz), { zone: r.zone, zoneLabel: r.label }, r.figures));
      return { period: periodInfo(p), interval, parameters: params, rows, totals: t.totals, coverage: t.coverage, warnings: t.warnings };
    },

    async compare(kpi: KpiKind, q: Partial<KpiQuery>): Promise<CompareResponse> {
      const current = period(q);
      const previous = previousPeriod(current);
      const yearBefore = yearBeforePeriod(current);
      const params = parameters(q);
      const [c, p, y] = await Promise.all([current, previous, yearBefore].map((x) => totalsOf(kpi, x, params)));
      return {
        kpi,
        current: periodInfo(current),
        previous: periodInfo(previous),
        yearBefore: periodInfo(yearBefore),
        parameters: params,
        figures: compareFigures(FIGURES_OF[kpi], c ?? {}, p ?? {}, y ?? {}, q.locale ?? 'fr'),
      };
    },

    async report(q: Partial<KpiQuery>): Promise<ReportResponse> {
      const p = period(q);
      const params = parameters(q);
      const interval = q.interval ?? defaultInterval(p);
      const whole = spansOf(p, 'period');
      const yb = yearBeforePeriod(p);
      const ybWhole = spansOf(yb, 'period');
      const [energy, water, heat, comfort, ybEnergy, ybWater, ybHeat] = await Promise.all([
        energyOf(p, spansOf(p, interval), params),
        waterOf(p, whole, params),
        heatOf(p, whole, 'period', params),
        comfortOf(p, whole, params),
        energyOf(yb, ybWhole, params),
        waterOf(yb, ybWhole, params),
        heatOf(yb, ybWhole, 'period', params),
      ]);
      const locale = q.locale ?? 'fr';
      const span = whole[0] as Span;
      return {
        site: { name: building.site.name, address: building.site.address, pvPeakKWp, floorAreaM2: building.site.floorAreaM2 },
        generatedAt: formatLocalIso(tz, deps.now()),
        period: periodInfo(p),
        parameters: params,
        energy: { interval, rows: withTime(energy.spans, energy.rows), totals: energy.totals, evSource: energy.evSource },
        water: { totals: water.totals },
        heat: { totals: heat.totals },
        comfort: { zones: comfort.zones.map((z) => Object.assign(rowTime(span, tz), { zone: z.zone, zoneLabel: z.label }, z.figures)), totals: comfort.totals },
        yearBefore: {
          period: periodInfo(yb),
          figures: (['energy', 'water', 'heat'] as const).flatMap((k) => {
            const [cur, before] = k === 'energy' ? [energy.totals, ybEnergy.totals] : k === 'water' ? [water.totals, ybWater.totals] : [heat.totals, ybHeat.totals];
            return compareFigures(TABLE_FIGURES[k], cur, {}, before, locale).map((f) => ({ ...f, key: `${k}.${f.key}` }));
          }),
        },
        // A series read by two KPIs (the outdoor temperature) is listed once.
        coverage: [...new Map([...energy.coverage, ...water.coverage, ...heat.coverage, ...comfort.coverage].map((c) => [c.seriesId, c])).values()],
        warnings: [...energy.warnings, ...water.warnings, ...heat.warnings, ...comfort.warnings],
      };
    },
  };
}

export type KpiService = ReturnType<typeof createKpiService>;

