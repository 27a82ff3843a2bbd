import { formatLocalDateTime, formatOffset, offsetMinutes } from '../../shared/calendar';
import { COMFORT_FIGURES, type CompareFigure, ENERGY_FIGURES, type FigureMeta, HEAT_FIGURES, type KpiKind, type KpiLocale, WATER_FIGURES } from '../../shared/kpi';
import { type CsvColumn, toCsv } from './csv';

/**
 * The CSV form of each KPI table: local time columns, then every figure with
 * its label and unit in the locale (shared/kpi.ts).
 */

const TIME_LABELS = {
  fr: { start: 'Début (heure locale)', end: 'Fin (heure locale)', utcOffset: 'Décalage horaire', hours: 'Durée', zone: 'Zone', zoneLabel: 'Nom de la zone' },
  en: { start: 'Start (local time)', end: 'End (local time)', utcOffset: 'UTC offset', hours: 'Duration', zone: 'Zone', zoneLabel: 'Zone name' },
} as const;

const FIGURES: Record<KpiKind, Record<string, FigureMeta>> = { energy: ENERGY_FIGURES, water: WATER_FIGURES, heat: HEAT_FIGURES, comfort: COMFORT_FIGURES };

export function figureColumns(meta: Readonly<Record<string, FigureMeta>>, locale: KpiLocale): CsvColumn[] {
  return Object.entries(meta).map(([key, m]) => ({ key, header: m[locale], unit: m.unit, decimals: m.decimals }));
}

interface TimedRow {
  startMs: number;
  endMs: number;
}

/** A KPI table as CSV: one line per row, local start and end ('YYYY-MM-DD HH:mm'), the UTC offset of the start and the row's length in hours. */
export function kpiCsv(kind: KpiKind, rows: readonly (TimedRow & Record<string, unknown>)[], timeZone: string, locale: KpiLocale): string {
  const t = TIME_LABELS[locale];
  const columns: CsvColumn[] = [
    { key: 'startLocal', header: t.start },
    { key: 'endLocal', header: t.end },
    { key: 'utcOffset', header: t.utcOffset },
    // 23 or 25 h on the days the clocks change; on the fall-back night, 02:00 → 02:00 is an hour.
    { key: 'hours', header: t.hours, unit: 'h', decimals: 0 },
    ...(kind === 'comfort' ? [{ key: 'zone', header: t.zone }, { key: 'zoneLabel', header: t.zoneLabel }] : []),
    ...figureColumns(FIGURES[kind], locale),
  ];
  const records = rows.map((r) => Object.assign({}, r, { startLocal: formatLocalDateTime(timeZone, r.startMs), endLocal: formatLocalDateTime(timeZone, r.endMs), utcOffset: `UTC${formatOffset(offsetMinutes(timeZone, r.startMs))}`, hours: (r.endMs - r.startMs) / 3_600_000 }));
  return toCsv(columns, records, locale);
}

const COMPARE_LABELS = {
  fr: { label: 'Indicateur', unit: 'Unité', current: 'Période', previous: 'Période précédente', diffPrevious: 'Écart à la période précédente', diffPreviousPct: 'Écart relatif à la période précédente', yearBefore: 'Même période N-1', diffYearBefore: 'Écart à N-1', diffYearBeforePct: 'Écart relatif à N-1' },
  en: { label: 'Figure', unit: 'Unit', current: 'Period', previous: 'Previous period', diffPrevious: 'Difference from the previous period', diffPreviousPct: 'Relative difference from the previous period', yearBefore: 'Same period a year earlier', diffYearBefore: 'Difference from a year earlier', diffYearBeforePct: 'Relative difference from a year earlier' },
} as const;

/** A comparison as CSV: one line per figure, values rounded to the figure's precision. */
export function compareCsv(kind: KpiKind, figures: readonly CompareFigure[], locale: KpiLocale): string {
  const l = COMPARE_LABELS[locale];
  const meta = FIGURES[kind];
  const round = (v: number | null, d: number) => (v === null ? null : Number(v.toFixed(d)));
  const rows = figures.map((f) => {
    const d = meta[f.key]?.decimals ?? 3;
    return { ...f, current: round(f.current, d), previous: round(f.previous, d), yearBefore: round(f.yearBefore, d), diffPrevious: round(f.diffPrevious, d), diffYearBefore: round(f.diffYearBefore, d), diffPreviousPct: round(f.diffPreviousPct, 1), diffYearBeforePct: round(f.diffYearBeforePct, 1) };
  });
  const columns: CsvColumn[] = [
    { key: 'label', header: l.label },
    { key: 'unit', header: l.unit },
    { key: 'current', header: l.current },
    { key: 'previous', header: l.previous },
    { key: 'diffPrevious', header: l.diffPrevious },
    { key: 'diffPreviousPct', header: l.diffPreviousPct, unit: '%' },
    { key: 'yearBefore', header: l.yearBefore },
    { key: 'diffYearBefore', header: l.diffYearBefore },
    { key: 'diffYearBeforePct', header: l.diffYearBeforePct, unit: '%' },
  ];
  return toCsv(columns, rows, locale);
}
