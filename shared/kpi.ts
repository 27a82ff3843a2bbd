import { z } from 'zod';

/**
 * The KPI layer's wire contract (docs/kpi.md): the query strings of
 * /api/v1/kpi/* and /api/v1/reports/period, their answers, and the label, unit
 * and precision of every figure (CSV headers, the printable report, the
 * dashboard). Every figure is computed per hour from hourly rollups and summed;
 * ratios are ratios of the sums.
 */

// ---------------------------------------------------------------------------
// Query strings

export const PERIOD_KINDS = ['day', 'week', 'month', 'year', 'custom'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
/** 'period': one row for the whole period. */
export const INTERVALS = ['hour', 'day', 'week', 'month', 'period'] as const;
export type Interval = (typeof INTERVALS)[number];
export const KPI_LOCALES = ['fr', 'en'] as const;
export type KpiLocale = (typeof KPI_LOCALES)[number];
export const KPI_KINDS = ['energy', 'water', 'heat', 'comfort'] as const;
export type KpiKind = (typeof KPI_KINDS)[number];
export const DEGREE_DAY_METHODS = ['mean', 'meteo', 'costic'] as const;
export type DegreeDayMethod = (typeof DEGREE_DAY_METHODS)[number];

/** At most this many rows in one answer (e.g. hours over 2 years): ask for a coarser interval. */
export const MAX_KPI_ROWS = 20_000;
/** The longest period: ten years (and a day for leap years), read from hourly rollups in chunks. */
export const MAX_KPI_DAYS = 3_654;

const DATE_OR_PREFIX = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const bound = (name: 'from' | 'to') =>
  z
    .string()
    .trim()
    .refine((s) => DATE_ONLY.test(s) || (DATE_TIME.test(s) && !Number.isNaN(Date.parse(s))), {
      message: `${name} must be a local date (YYYY-MM-DD: whole days, ${name === 'to' ? 'that day included' : 'from its midnight'}) or an ISO 8601 date-time with an offset (2026-03-01T06:00:00+01:00${name === 'to' ? ', excluded' : ''})`,
    })
    .describe(
      name === 'from'
        ? 'period=custom: first local day (YYYY-MM-DD) or first instant (ISO date-time with offset, on a whole hour)'
        : 'period=custom: last local day, included (YYYY-MM-DD), or the instant the period ends, excluded (ISO date-time with offset, on a whole hour)',
    );

const decimal = (name: string, max: number, unit: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a non-negative decimal number (a point as the decimal separator)`)
    .transform(Number)
    .refine((n) => n <= max, `${name} must be at most ${max}`)
    .optional()
    .describe(`${unit}; overrides the building file's value`);

/** '22-6', '22:30-6,12-14', or 'none': local [start, end) hours, may wrap midnight. */
export const OffPeakHoursParamSchema = z
  .string()
  .trim()
  .transform((s, ctx): [number, number][] => {
    if (s === 'none' || s === '') return [];
    const out: [number, number][] = [];
    for (const part of s.split(',')) {
      const m = /^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$/.exec(part.trim());
      const a = m ? Number(m[1]) + Number(m[2] ?? 0) / 60 : Number.NaN;
      const b = m ? Number(m[3]) + Number(m[4] ?? 0) / 60 : Number.NaN;
      if (!m || !(a >= 0 && a <= 24 && b >= 0 && b <= 24) || Number(m[2] ?? 0) >= 60 || Number(m[4] ?? 0) >= 60) {
        ctx.addIssue({ code: 'custom', message: `offPeakHours: "${part}" is not a local range such as 22-6 or 22:30-06:30 (hours 0 to 24; several separated by commas; "none" for no off-peak hours)` });
        return z.NEVER;
      }
      out.push([a, b]);
    }
    return out;
  })
  .optional()
  .describe('Off-peak hours, local time, [start, end) ranges that may wrap midnight: "22-6", "22:30-6:30,12-14", or "none"');

const periodShape = {
  period: z.enum(PERIOD_KINDS, { error: `period must be one of ${PERIOD_KINDS.join(', ')}` }).optional().describe('Default: custom when from/to are given, else month'),
  date: z
    .string()
    .trim()
    .regex(DATE_OR_PREFIX, 'date must be YYYY, YYYY-MM or YYYY-MM-DD (a local date inside the period)')
    .optional()
    .describe('A local date inside the period (YYYY-MM-DD; YYYY-MM or YYYY also do). Default: today, Europe/Paris'),
  from: bound('from').optional(),
  to: bound('to').optional(),
  interval: z.enum(INTERVALS, { error: `interval must be one of ${INTERVALS.join(', ')}` }).optional().describe('Rows by local hour, day, ISO week, month, or one row for the period. Default: hour for a day, day for a week or a month, month for a year'),
  locale: z.enum(KPI_LOCALES, { error: 'locale must be fr or en' }).default('fr').describe('CSV/HTML: fr (";" separator, decimal comma, BOM) or en ("," and a decimal point)'),
};

const energyShape = {
  importPeakPerKWh: decimal('importPeakPerKWh', 100, '€/kWh'),
  importOffPeakPerKWh: decimal('importOffPeakPerKWh', 100, '€/kWh'),
  offPeakHours: OffPeakHoursParamSchema,
  feedInPerKWh: decimal('feedInPerKWh', 100, '€/kWh'),
  gridKgPerKWh: decimal('gridKgPerKWh', 10, 'kg CO2e/kWh'),
};
const waterShape = { waterPerM3: decimal('waterPerM3', 1000, '€/m³') };
const heatShape = {
  heatPerKWh: decimal('heatPerKWh', 100, '€/kWh'),
  heatKgPerKWh: decimal('heatKgPerKWh', 10, 'kg CO2e/kWh'),
  degreeDayBaseC: decimal('degreeDayBaseC', 30, '°C, default 18'),
  degreeDayMethod: z.enum(DEGREE_DAY_METHODS, { error: `degreeDayMethod must be one of ${DEGREE_DAY_METHODS.join(', ')}` }).optional().describe('mean (default): daily mean of the hourly means; meteo: (Tmin + Tmax) / 2; costic: the COSTIC formula'),
  recoveryMinDeltaK: decimal('recoveryMinDeltaK', 50, 'K, default 5: least extract − outdoor difference for an hour to count in the heat-recovery efficiency'),
};
const comfortShape = { outdoorCo2Ppm: decimal('outdoorCo2Ppm', 1000, 'ppm, default 420') };

const tableFormat = z.enum(['json', 'csv'], { error: 'format must be json or csv' }).default('json').describe('csv needs the "export" permission');

export const EnergyQuerySchema = z.object({ ...periodShape, ...energyShape, format: tableFormat });
export type EnergyQuery = z.infer<typeof EnergyQuerySchema>;
export const WaterQuerySchema = z.object({ ...periodShape, ...waterShape, format: tableFormat });
export type WaterQuery = z.infer<typeof WaterQuerySchema>;
export const HeatQuerySchema = z.object({ ...periodShape, ...heatShape, format: tableFormat });
export type HeatQuery = z.infer<typeof HeatQuerySchema>;
export const ComfortQuerySchema = z.object({ ...periodShape, ...comfortShape, format: tableFormat });
export type ComfortQuery = z.infer<typeof ComfortQuerySchema>;
export const CompareQuerySchema = z.object({
  kpi: z.enum(KPI_KINDS, { error: `kpi must be one of ${KPI_KINDS.join(', ')}` }).default('energy'),
  ...periodShape,
  ...energyShape,
  ...waterShape,
  ...heatShape,
  ...comfortShape,
  format: tableFormat,
});
export type CompareQuery = z.infer<typeof CompareQuerySchema>;
export const ReportQuerySchema = z.object({
  ...periodShape,
  ...energyShape,
  ...waterShape,
  ...heatShape,
  ...comfortShape,
  format: z.enum(['json', 'html'], { error: 'format must be json or html' }).default('json').describe('html: a printable page (French labels, numbers in the locale)'),
});
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

/** Every parameter any KPI takes (what the server resolves a query into). */
export type KpiQuery = Partial<Omit<CompareQuery, 'kpi' | 'format'>> & Pick<CompareQuery, 'locale'>;

// ---------------------------------------------------------------------------
// Answers

export const PeriodInfoSchema = z.object({
  kind: z.enum(PERIOD_KINDS),
  /** '2026-03', '2026-W13', '2026-03-29', '2026', or 'from → to'. */
  label: z.string(),
  timeZone: z.string(),
  /** Local ISO 8601 with offset; `to` excluded. */
  from: z.string(),
  to: z.string(),
  fromMs: z.number(),
  toMs: z.number(),
  hours: z.number(),
  /** The period reaches past now: it is cut at the end of the current hour. */
  partial: z.boolean(),
});
export type PeriodInfo = z.infer<typeof PeriodInfoSchema>;

const RowTimeShape = {
  /** Local ISO 8601 with offset. */
  start: z.string(),
  end: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  /** UTC hours in the row: 23 or 25 for the local days clocks change. */
  hours: z.number(),
};

const pct = z.number().nullable();

export const EnergyFiguresSchema = z.object({
  pvKWh: z.number(),
  consumptionKWh: z.number(),
  importKWh: z.number(),
  importPeakKWh: z.number(),
  importOffPeakKWh: z.number(),
  exportKWh: z.number(),
  selfConsumedKWh: z.number(),
  /** Self-consumed / PV, %; null without PV. */
  selfConsumptionPct: pct,
  /** Self-consumed / consumption, %; null without consumption. */
  selfSufficiencyPct: pct,
  evKWh: z.number(),
  evFromPvKWh: z.number(),
  evPvSharePct: pct,
  importCostEur: z.number(),
  exportRevenueEur: z.number(),
  /** Import cost − export revenue. */
  netCostEur: z.number(),
  /** Self-consumed kWh × the import tariff of their hour. */
  selfConsumptionSavingsEur: z.number(),
  /** Grid emission factor × PV production (gross: the PV's own life-cycle emissions are not subtracted). */
  co2AvoidedKg: z.number(),
  specificYieldKWhPerKWp: z.number(),
});
export type EnergyFigures = z.infer<typeof EnergyFiguresSchema>;

export const WaterFiguresSchema = z.object({
  rainfallMm: z.number(),
  harvestedM3: z.number(),
  toiletM3: z.number(),
  wateringM3: z.number(),
  usedM3: z.number(),
  mainsTopupM3: z.number(),
  overflowM3: z.number(),
  /** Uses − mains top-up: the potable water the rainwater replaced (negative in a period that filled the tank from the mains ahead of its use). */
  potableSavedM3: z.number(),
  potableSavedEur: z.number(),
  /** Rainwater share of the uses, (uses − top-up) / uses, %, clamped to 0-100; null without use. */
  substitutionPct: pct,
});
export type WaterFigures = z.infer<typeof WaterFiguresSchema>;

export const HeatFiguresSchema = z.object({
  heatKWh: z.number(),
  heatCostEur: z.number(),
  heatCo2Kg: z.number(),
  heatPerM2KWh: z.number(),
  /** Heating degree-days (DJU) of the whole local days in the row; null for hourly rows. */
  degreeDays: z.number().nullable(),
  /** Days counted in degreeDays (a day needs 18 hours of outdoor temperature). */
  degreeDayDays: z.number(),
  /** Heat of the counted days / their degree-days. */
  heatPerDegreeDayKWh: z.number().nullable(),
  meanOutdoorC: z.number().nullable(),
  /** AHU-hours that qualify for the heat-recovery efficiency: running all hour, in the heating season, extract − outdoor ≥ recoveryMinDeltaK. */
  recoveryHours: z.number(),
  /** EN 308 temperature ratio, extract side, airflow-weighted over the qualifying hours, %. */
  recoveryEfficiencyPct: pct,
  /** The same ratio from the supply temperature, %: an upper bound when a heating coil is downstream of the recovery. */
  supplyTemperatureRatioPct: pct,
  /** Heat the recovery put into the supply air over the qualifying hours (ρc_p · q · ΔT, extract side). */
  recoveredHeatKWh: z.number(),
});
export type HeatFigures = z.infer<typeof HeatFiguresSchema>;

export const ComfortFiguresSchema = z.object({
  /** Occupied hours (zone-hours for several zones): the room sensor's occupancy above 0 in the hour. */
  occupiedHours: z.number(),
  co2I: z.number(),
  co2II: z.number(),
  co2III: z.number(),
  co2IV: z.number(),
  /** Occupied hours without a CO2 reading. */
  co2Missing: z.number(),
  /** Share of the classified occupied hours in category II or better, %. */
  co2IIOrBetterPct: pct,
  temperatureI: z.number(),
  temperatureII: z.number(),
  temperatureIII: z.number(),
  temperatureIV: z.number(),
  temperatureMissing: z.number(),
  temperatureIIOrBetterPct: pct,
  humidityI: z.number(),
  humidityII: z.number(),
  humidityIII: z.number(),
  humidityIV: z.number(),
  humidityMissing: z.number(),
  humidityIIOrBetterPct: pct,
});
export type ComfortFigures = z.infer<typeof ComfortFiguresSchema>;

export const CoverageSchema = z.object({
  seriesId: z.string(),
  /** Hours with at least one reading. */
  hours: z.number(),
  expectedHours: z.number(),
});
export type Coverage = z.infer<typeof CoverageSchema>;

export const KpiWarningSchema = z.object({ seriesId: z.string(), at: z.string(), message: z.string() });
export type KpiWarning = z.infer<typeof KpiWarningSchema>;

export const KpiParametersSchema = z.object({
  importPeakPerKWh: z.number(),
  importOffPeakPerKWh: z.number(),
  offPeakHours: z.array(z.tuple([z.number(), z.number()])),
  feedInPerKWh: z.number(),
  gridKgPerKWh: z.number(),
  waterPerM3: z.number(),
  heatPerKWh: z.number(),
  heatKgPerKWh: z.number(),
  degreeDayBaseC: z.number(),
  degreeDayMethod: z.enum(DEGREE_DAY_METHODS),
  recoveryMinDeltaK: z.number(),
  outdoorCo2Ppm: z.number(),
  pvPeakKWp: z.number(),
  floorAreaM2: z.number(),
});
export type KpiParameters = z.infer<typeof KpiParametersSchema>;

/** What every KPI table answers besides its rows and totals. */
const tableShape = {
  period: PeriodInfoSchema,
  interval: z.enum(INTERVALS),
  parameters: KpiParametersSchema,
  /** For each series read: hours with readings over the period. A meter's gap moves its energy to the hour readings resume. */
  coverage: z.array(CoverageSchema),
  warnings: z.array(KpiWarningSchema),
};
const RowTimeSchema = z.object(RowTimeShape);

/** Where the EV energy comes from: the EV feeder's sub-meter, or the chargers' own meters when the sub-meter has no readings in the period. */
export const EvSourceSchema = z.enum(['submeter', 'chargers']);
export const EnergyRowSchema = RowTimeSchema.extend(EnergyFiguresSchema.shape);
export type EnergyRow = z.infer<typeof EnergyRowSchema>;
export const EnergyResponseSchema = z.object({ ...tableShape, rows: z.array(EnergyRowSchema), totals: EnergyFiguresSchema, evSource: EvSourceSchema });
export type EnergyResponse = z.infer<typeof EnergyResponseSchema>;

export const WaterRowSchema = RowTimeSchema.extend(WaterFiguresSchema.shape);
export type WaterRow = z.infer<typeof WaterRowSchema>;
export const WaterResponseSchema = z.object({ ...tableShape, rows: z.array(WaterRowSchema), totals: WaterFiguresSchema });
export type WaterResponse = z.infer<typeof WaterResponseSchema>;

export const HeatRowSchema = RowTimeSchema.extend(HeatFiguresSchema.shape);
export type HeatRow = z.infer<typeof HeatRowSchema>;
export const HeatResponseSchema = z.object({ ...tableShape, rows: z.array(HeatRowSchema), totals: HeatFiguresSchema });
export type HeatResponse = z.infer<typeof HeatResponseSchema>;

/** Comfort rows are per interval and zone; totals add up every zone (zone-hours). */
export const ComfortRowSchema = RowTimeSchema.extend({ zone: z.string(), zoneLabel: z.string() }).extend(ComfortFiguresSchema.shape);
export type ComfortRow = z.infer<typeof ComfortRowSchema>;
export const ComfortResponseSchema = z.object({ ...tableShape, rows: z.array(ComfortRowSchema), totals: ComfortFiguresSchema });
export type ComfortResponse = z.infer<typeof ComfortResponseSchema>;

export const CompareFigureSchema = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.string(),
  current: z.number().nullable(),
  previous: z.number().nullable(),
  yearBefore: z.number().nullable(),
  /** current − previous. */
  diffPrevious: z.number().nullable(),
  /** (current − previous) / |previous|, %; null when previous is 0 or unknown. */
  diffPreviousPct: z.number().nullable(),
  diffYearBefore: z.number().nullable(),
  diffYearBeforePct: z.number().nullable(),
});
export type CompareFigure = z.infer<typeof CompareFigureSchema>;

export const CompareResponseSchema = z.object({
  kpi: z.enum(KPI_KINDS),
  current: PeriodInfoSchema,
  /** The period before (for a partial current period: as far into it as the current one has gone). */
  previous: PeriodInfoSchema,
  /** The same period a year earlier (a week: 52 weeks earlier, same weekdays). */
  yearBefore: PeriodInfoSchema,
  parameters: KpiParametersSchema,
  figures: z.array(CompareFigureSchema),
});
export type CompareResponse = z.infer<typeof CompareResponseSchema>;

export const ReportResponseSchema = z.object({
  site: z.object({ name: z.string(), address: z.string(), pvPeakKWp: z.number(), floorAreaM2: z.number() }),
  generatedAt: z.string(),
  period: PeriodInfoSchema,
  parameters: KpiParametersSchema,
  energy: z.object({ interval: z.enum(INTERVALS), rows: z.array(EnergyRowSchema), totals: EnergyFiguresSchema, evSource: EvSourceSchema }),
  water: z.object({ totals: WaterFiguresSchema }),
  heat: z.object({ totals: HeatFiguresSchema }),
  /** Per zone over the period, and all zones together. */
  comfort: z.object({ zones: z.array(ComfortRowSchema), totals: ComfortFiguresSchema }),
  /** Energy, water and heat totals against the same period a year earlier. */
  yearBefore: z.object({ period: PeriodInfoSchema, figures: z.array(CompareFigureSchema) }),
  coverage: z.array(CoverageSchema),
  warnings: z.array(KpiWarningSchema),
});
export type ReportResponse = z.infer<typeof ReportResponseSchema>;

// ---------------------------------------------------------------------------
// Labels, units and precision of every figure (CSV headers, the report)

export interface FigureMeta {
  fr: string;
  en: string;
  unit: string;
  decimals: number;
}

const f = (fr: string, en: string, unit: string, decimals: number): FigureMeta => ({ fr, en, unit, decimals });

export const ENERGY_FIGURES: Record<keyof EnergyFigures, FigureMeta> = {
  pvKWh: f('Production PV', 'PV production', 'kWh', 3),
  consumptionKWh: f('Consommation', 'Consumption', 'kWh', 3),
  importKWh: f('Soutirage réseau', 'Grid import', 'kWh', 3),
  importPeakKWh: f('Soutirage heures pleines', 'Import, peak hours', 'kWh', 3),
  importOffPeakKWh: f('Soutirage heures creuses', 'Import, off-peak hours', 'kWh', 3),
  exportKWh: f('Injection réseau', 'Grid export', 'kWh', 3),
  selfConsumedKWh: f('Autoconsommation', 'Self-consumed', 'kWh', 3),
  selfConsumptionPct: f('Taux d’autoconsommation', 'Self-consumption rate', '%', 1),
  selfSufficiencyPct: f('Taux d’autoproduction', 'Self-sufficiency rate', '%', 1),
  evKWh: f('Recharge VE', 'EV charging', 'kWh', 3),
  evFromPvKWh: f('Recharge VE d’origine PV', 'EV charging from PV', 'kWh', 3),
  evPvSharePct: f('Part PV de la recharge VE', 'PV share of EV charging', '%', 1),
  importCostEur: f('Coût du soutirage', 'Import cost', '€', 2),
  exportRevenueEur: f('Recette de l’injection', 'Export revenue', '€', 2),
  netCostEur: f('Coût net', 'Net cost', '€', 2),
  selfConsumptionSavingsEur: f('Économie d’autoconsommation', 'Self-consumption savings', '€', 2),
  co2AvoidedKg: f('CO2 évité', 'CO2 avoided', 'kg CO2e', 1),
  specificYieldKWhPerKWp: f('Productible spécifique', 'Specific yield', 'kWh/kWc', 2),
};

export const WATER_FIGURES: Record<keyof WaterFigures, FigureMeta> = {
  rainfallMm: f('Pluviométrie', 'Rainfall', 'mm', 1),
  harvestedM3: f('Eau de pluie récupérée', 'Rainwater harvested', 'm³', 3),
  toiletM3: f('Usage sanitaires', 'Toilet use', 'm³', 3),
  wateringM3: f('Usage arrosage', 'Watering use', 'm³', 3),
  usedM3: f('Usages alimentés par la cuve', 'Uses supplied by the tank', 'm³', 3),
  mainsTopupM3: f('Appoint eau de ville', 'Mains top-up', 'm³', 3),
  overflowM3: f('Trop-plein', 'Overflow', 'm³', 3),
  potableSavedM3: f('Eau potable économisée', 'Potable water saved', 'm³', 3),
  potableSavedEur: f('Économie eau potable', 'Potable water savings', '€', 2),
  substitutionPct: f('Taux de substitution', 'Substitution rate', '%', 1),
};

export const HEAT_FIGURES: Record<keyof HeatFigures, FigureMeta> = {
  heatKWh: f('Chaleur livrée', 'Heat delivered', 'kWh', 3),
  heatCostEur: f('Coût de la chaleur', 'Heat cost', '€', 2),
  heatCo2Kg: f('Émissions de la chaleur', 'Heat emissions', 'kg CO2e', 1),
  heatPerM2KWh: f('Chaleur par m²', 'Heat per m²', 'kWh/m²', 3),
  degreeDays: f('Degrés-jours unifiés', 'Heating degree-days', 'DJU', 1),
  degreeDayDays: f('Jours comptés en DJU', 'Days in the degree-days', 'j', 0),
  heatPerDegreeDayKWh: f('Chaleur par DJU', 'Heat per degree-day', 'kWh/DJU', 2),
  meanOutdoorC: f('Température extérieure moyenne', 'Mean outdoor temperature', '°C', 1),
  recoveryHours: f('Heures de récupération mesurées', 'Heat-recovery hours measured', 'h', 0),
  recoveryEfficiencyPct: f('Efficacité de récupération (EN 308)', 'Heat-recovery efficiency (EN 308)', '%', 1),
  supplyTemperatureRatioPct: f('Rapport de température côté soufflage', 'Supply-side temperature ratio', '%', 1),
  recoveredHeatKWh: f('Chaleur récupérée', 'Heat recovered', 'kWh', 1),
};

const catLabels = (param: 'co2' | 'temperature' | 'humidity', fr: string, en: string) =>
  Object.fromEntries([
    ...(['I', 'II', 'III', 'IV'] as const).map((c) => [`${param}${c}`, f(`${fr} cat. ${c}`, `${en} cat. ${c}`, 'h', 1)]),
    [`${param}Missing`, f(`${fr} sans mesure`, `${en} not measured`, 'h', 1)],
    [`${param}IIOrBetterPct`, f(`${fr} cat. II ou mieux`, `${en} cat. II or better`, '%', 1)],
  ]) as Record<string, FigureMeta>;

export const COMFORT_FIGURES = {
  occupiedHours: f('Heures occupées', 'Occupied hours', 'h', 1),
  ...catLabels('co2', 'CO2', 'CO2'),
  ...catLabels('temperature', 'Température', 'Temperature'),
  ...catLabels('humidity', 'Humidité', 'Humidity'),
} as Record<keyof ComfortFigures, FigureMeta>;

export const FIGURES_OF: Record<KpiKind, Record<string, FigureMeta>> = { energy: ENERGY_FIGURES, water: WATER_FIGURES, heat: HEAT_FIGURES, comfort: COMFORT_FIGURES };
