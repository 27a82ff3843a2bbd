import type { FigureMeta, Interval } from '../../../../shared/kpi';
import type { Format } from '../../lib/i18n';

/** A KPI row's start as a reader names it: "14:00", "lun. 16 nov.", "S47", "nov. 2026". */
export function rowLabel(interval: Interval, startMs: number, fmt: Format): string {
  switch (interval) {
    case 'hour':
      return fmt.time(startMs);
    case 'day':
      return fmt.date(startMs, { weekday: 'short', day: 'numeric', month: 'short' });
    case 'week':
      return fmt.date(startMs, { day: 'numeric', month: 'short' });
    case 'month':
      return fmt.date(startMs, { month: 'short', year: 'numeric' });
    case 'period':
      return fmt.date(startMs);
  }
}

/** A figure with its unit, or "—" when the API says null (nothing to divide by). */
export function figure(value: number | null | undefined, meta: Pick<FigureMeta, 'unit' | 'decimals'>, fmt: Format, decimals = meta.decimals): string {
  if (value === null || value === undefined) return '—';
  return meta.unit === '%' ? fmt.percent(value, decimals) : fmt.unit(value, meta.unit, decimals);
}

/** Fewer decimals for big figures than the CSV's precision: 1 234,5 kWh, not 1 234,512 kWh. */
export function displayDecimals(meta: FigureMeta, value: number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (meta.unit === '€') return 2;
  if (meta.unit === '%') return 1;
  const a = Math.abs(value);
  return a >= 100 ? 0 : a >= 10 ? 1 : Math.min(2, meta.decimals);
}
