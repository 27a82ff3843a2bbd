import { Bar, CartesianGrid, ComposedChart, Line, Tooltip, type TooltipContentProps, XAxis, YAxis } from 'recharts';
import type { Interval } from '../../../../shared/kpi';
import { useI18n } from '../../lib/i18n';
import { rowLabel } from './kpi-format';
import './energy.css';

export interface KpiSeries<R> {
  key: keyof R & string;
  label: string;
  color: string;
  /** Bars of the same stack pile up. */
  stack?: string;
  /** A line rather than a bar. */
  line?: boolean;
  dash?: string;
  /** SVG pattern id (see <Patterns/>): bars differ by more than their colour. */
  pattern?: string;
}

/** Hatchings for bars, so that stacked segments can be told apart without colour. */
function Patterns({ series }: { series: readonly KpiSeries<object>[] }) {
  return (
    <defs>
      {series
        .filter((s) => s.pattern)
        .map((s) => (
          <pattern key={s.key} id={`${s.pattern}`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform={s.pattern?.endsWith('dots') ? undefined : 'rotate(45)'}>
            <rect width="6" height="6" fill={s.color} />
            {s.pattern?.endsWith('dots') ? <circle cx="3" cy="3" r="1.2" fill="var(--surface)" /> : <line x1="0" y1="0" x2="0" y2="6" stroke="var(--surface)" strokeWidth="1.5" />}
          </pattern>
        ))}
    </defs>
  );
}

/**
 * Figures per interval as bars (stacked or side by side) and lines, on a category
 * axis of the rows' starts; a legend below; values in `unit`.
 */
export function KpiChart<R extends { startMs: number }>({ rows, interval, series, unit, title, testId, yMax }: { rows: readonly R[]; interval: Interval; series: readonly KpiSeries<R>[]; unit: string; title: string; testId?: string; yMax?: number }) {
  const { fmt } = useI18n();
  const data = rows.map((r) => ({ ...r, label: rowLabel(interval, r.startMs, fmt) }));
  const decimals = unit === '€' ? 2 : 1;
  return (
    <figure className="kpi-chart" data-testid={testId}>
      <h3>{title}</h3>
      <div className="kpi-chart-area">
        <ComposedChart responsive data={data} style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} barGap={1} barCategoryGap="15%">
          <Patterns series={series as readonly KpiSeries<object>[]} />
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} minTickGap={8} interval="preserveStartEnd" />
          <YAxis stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} width={60} tickFormatter={(v: number) => fmt.number(v, 1)} domain={yMax === undefined ? [0, 'auto'] : [0, yMax]} label={{ value: unit, angle: -90, position: 'insideLeft', fill: 'var(--muted)', fontSize: 12 }} />
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: 'var(--grid)', opacity: 0.5 }}
            content={(props: TooltipContentProps) =>
              props.active && props.payload?.length ? (
                <div className="chart-tooltip">
                  <p className="chart-tooltip-time">{String(props.label)}</p>
                  <ul>
                    {series.map((s) => {
                      const row = props.payload?.[0]?.payload as Record<string, unknown> | undefined;
                      const v = row?.[s.key];
                      return (
                        <li key={s.key}>
                          <span className="chart-tooltip-label">{s.label}</span> <strong>{typeof v === 'number' ? (unit === '%' ? fmt.percent(v, 1) : fmt.unit(v, unit, decimals)) : '—'}</strong>
                        </li>
                      );
                    })}
                  </ul>
                </div>
              ) : null
            }
          />
          {series.map((s) =>
            s.line ? (
              <Line key={s.key} dataKey={s.key as string} name={s.label} stroke={s.color} strokeDasharray={s.dash} strokeWidth={2} dot={rows.length <= 40 ? { r: 2.5, fill: s.color } : false} connectNulls={false} isAnimationActive={false} type="linear" />
            ) : (
              <Bar key={s.key} dataKey={s.key as string} name={s.label} stackId={s.stack} fill={s.pattern ? `url(#${s.pattern})` : s.color} stroke={s.color} isAnimationActive={false} />
            ),
          )}
        </ComposedChart>
      </div>
      <figcaption>
        <ul className="legend">
          {series.map((s) => (
            <li key={s.key}>
              <svg width="28" height="12" viewBox="0 0 28 12" aria-hidden="true" focusable="false">
                {s.line ? (
                  <line x1="1" y1="6" x2="27" y2="6" stroke={s.color} strokeWidth="3" strokeDasharray={s.dash} />
                ) : (
                  <>
                    <Patterns series={[s as KpiSeries<object>]} />
                    <rect x="1" y="1" width="26" height="10" fill={s.pattern ? `url(#${s.pattern})` : s.color} stroke={s.color} />
                  </>
                )}
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
        <p className="chart-note">{unit}</p>
      </figcaption>
    </figure>
  );
}
