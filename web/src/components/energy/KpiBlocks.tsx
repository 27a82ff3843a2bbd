import type { CompareFigure, FigureMeta, Interval } from '../../../../shared/kpi';
import { useI18n, useMessages } from '../../lib/i18n';
import { displayDecimals, figure, rowLabel } from './kpi-format';
import './energy.css';

export type CompareMode = 'none' | 'previous' | 'year';

export interface BigFigure {
  key: string;
  meta: FigureMeta;
  value: number | null;
  /** A second line under the figure (e.g. what it is a share of). */
  note?: string;
}

const messages = {
  fr: {
    vsPrevious: 'vs période précédente',
    vsYear: 'vs un an avant',
    noRef: 'pas de référence',
    points: 'pts',
    interval: 'Intervalle',
    total: 'Total',
    noRows: 'Aucune ligne pour cette période.',
    figure: 'Indicateur',
    current: 'Période',
    previous: 'Période précédente',
    yearBefore: 'Un an avant',
    diff: 'Écart',
    diffPct: 'Écart relatif',
  },
  en: {
    vsPrevious: 'vs previous period',
    vsYear: 'vs a year before',
    noRef: 'no reference',
    points: 'pts',
    interval: 'Interval',
    total: 'Total',
    noRows: 'No rows for this period.',
    figure: 'Figure',
    current: 'Period',
    previous: 'Previous period',
    yearBefore: 'A year before',
    diff: 'Difference',
    diffPct: 'Relative difference',
  },
};

/** The headline figures, large, each with its unit, and its change against the chosen reference. */
export function FigureCards({ figures, compare, mode }: { figures: BigFigure[]; compare?: readonly CompareFigure[]; mode: CompareMode }) {
  const t = useMessages(messages);
  const { fmt, lang } = useI18n();
  return (
    <ul className="figure-cards">
      {figures.map((f) => {
        const c = compare?.find((x) => x.key === f.key);
        const diff = mode === 'previous' ? c?.diffPrevious : mode === 'year' ? c?.diffYearBefore : undefined;
        const pct = mode === 'previous' ? c?.diffPreviousPct : mode === 'year' ? c?.diffYearBeforePct : undefined;
        return (
          <li key={f.key} className="figure-card" data-testid={`figure-${f.key}`}>
            <span className="figure-label">{f.meta[lang]}</span>
            <strong className="figure-value" data-value={f.value ?? ''}>
              {figure(f.value, f.meta, fmt, displayDecimals(f.meta, f.value))}
            </strong>
            {f.note ? <span className="figure-note">{f.note}</span> : null}
            {mode !== 'none' && c ? (
              <span className="figure-diff" data-testid={`diff-${f.key}`}>
                {diff === null || diff === undefined
                  ? t.noRef
                  : `${diff > 0 ? '+' : ''}${f.meta.unit === '%' ? `${fmt.number(diff, 1)} ${t.points}` : figure(diff, f.meta, fmt, displayDecimals(f.meta, diff))}${pct !== null && pct !== undefined && f.meta.unit !== '%' ? ` (${pct > 0 ? '+' : ''}${fmt.percent(pct, 0)})` : ''}`}{' '}
                <span className="figure-note">{mode === 'previous' ? t.vsPrevious : t.vsYear}</span>
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

export interface Column<R> {
  key: keyof R & string;
  meta: FigureMeta;
}

/** The figures per interval, units in the headers: the charts' non-colour alternative. */
export function KpiTable<R extends { startMs: number }>({ rows, totals, interval, columns, caption, testId }: { rows: readonly R[]; totals: Partial<R>; interval: Interval; columns: readonly Column<R>[]; caption: string; testId?: string }) {
  const t = useMessages(messages);
  const { fmt, lang } = useI18n();
  const cell = (v: unknown, meta: FigureMeta) => (typeof v === 'number' ? fmt.number(v, Math.min(meta.decimals, meta.unit === '€' ? 2 : 1), meta.unit === '€' ? 2 : 0) : '—');
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table className="kpi-table" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.interval}</th>
            {columns.map((c) => (
              <th key={c.key} scope="col">
                {c.meta[lang]} <span className="unit">({c.meta.unit})</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length + 1}>{t.noRows}</td>
            </tr>
          ) : (
            rows.map((r) => (
              <tr key={r.startMs} data-start={r.startMs}>
                <th scope="row">{rowLabel(interval, r.startMs, fmt)}</th>
                {columns.map((c) => (
                  // The unrounded figure beside the shown one, as the figure blocks carry it: scripts and tests read it.
                  <td key={c.key} data-key={c.key} data-value={typeof r[c.key] === 'number' ? String(r[c.key]) : undefined}>
                    {cell(r[c.key], c.meta)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t.total}</th>
            {columns.map((c) => (
              <td key={c.key}>{cell(totals[c.key], c.meta)}</td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** Every figure of the comparison: this period, the previous one, a year before, and the differences. */
export function CompareTable({ figures, mode, metas, caption }: { figures: readonly CompareFigure[]; mode: Exclude<CompareMode, 'none'>; metas: Record<string, FigureMeta>; caption: string }) {
  const t = useMessages(messages);
  const { fmt, lang } = useI18n();
  const v = (x: number | null, meta: FigureMeta) => figure(x, meta, fmt, displayDecimals(meta, x));
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table className="kpi-table" data-testid="compare-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.figure}</th>
            <th scope="col">{t.current}</th>
            <th scope="col">{mode === 'previous' ? t.previous : t.yearBefore}</th>
            <th scope="col">{t.diff}</th>
            <th scope="col">{t.diffPct}</th>
          </tr>
        </thead>
        <tbody>
          {figures.map((f) => {
            const meta = metas[f.key] ?? { fr: f.label, en: f.label, unit: f.unit, decimals: 2 };
            const ref = mode === 'previous' ? f.previous : f.yearBefore;
            const diff = mode === 'previous' ? f.diffPrevious : f.diffYearBefore;
            const pct = mode === 'previous' ? f.diffPreviousPct : f.diffYearBeforePct;
            return (
              <tr key={f.key}>
                <th scope="row">{meta[lang]}</th>
                <td>{v(f.current, meta)}</td>
                <td>{v(ref, meta)}</td>
                <td>{diff === null ? '—' : `${diff > 0 ? '+' : ''}${meta.unit === '%' ? `${fmt.number(diff, 1)} ${t.points}` : v(diff, meta)}`}</td>
                <td>{pct === null ? '—' : `${pct > 0 ? '+' : ''}${fmt.percent(pct, 1)}`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
