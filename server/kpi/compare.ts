import type { CompareFigure, FigureMeta, KpiLocale } from '../../shared/kpi';

/**
 * A period's totals against the period before and the same period a year
 * earlier: for every figure, the absolute difference and the relative one
 * ((current − reference) / |reference|, %, null when the reference is 0 or
 * unknown). Percentages are compared in points (their absolute difference) and
 * relatively like the rest. Pure.
 */

type Totals = Readonly<Record<string, number | null>>;

const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
const rel = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : (100 * (a - b)) / Math.abs(b));

export function compareFigures(meta: Readonly<Record<string, FigureMeta>>, current: Totals, previous: Totals, yearBefore: Totals, locale: KpiLocale): CompareFigure[] {
  return Object.entries(meta).map(([key, m]) => {
    const c = current[key] ?? null;
    const p = previous[key] ?? null;
    const y = yearBefore[key] ?? null;
    return { key, label: m[locale], unit: m.unit, current: c, previous: p, yearBefore: y, diffPrevious: diff(c, p), diffPreviousPct: rel(c, p), diffYearBefore: diff(c, y), diffYearBeforePct: rel(c, y) };
  });
}
