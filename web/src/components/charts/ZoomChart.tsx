import { type MouseEvent as ReactMouseEvent, useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, type TooltipContentProps, XAxis, YAxis } from 'recharts';
import { type Aggregate, HistoryResponseSchema } from '../../../../shared/api';
import { errorMessage, getJson, isAbortError } from '../../lib/api';
import { useI18n, useMessages } from '../../lib/i18n';
import './charts.css';
import { capPoints, coarsest, displayUnit, historyPath, MAX_POINTS, pan, type Range, type Resolution, resolutionLabel, zoomBy, zoomTo } from './zoom';

/** One line of a ZoomChart. */
export interface ZoomSeries {
  /** A series id of the store, e.g. 'ahu.supply_temperature'. */
  id: string;
  /** What the legend and the tooltip say. */
  label: string;
  /** The bucket value (default: the server's, the mean for a gauge). */
  agg?: Aggregate;
  /** A CSS colour; default one of the palette's. */
  color?: string;
  /** An SVG dash array; default one per line, so lines differ by more than their colour. */
  dash?: string;
}

export interface ZoomChartProps {
  series: readonly ZoomSeries[];
  /** The whole range, epoch ms (`to` excluded): what "reset zoom" comes back to. */
  from: number;
  to: number;
  /** Shown above the chart. */
  title: string;
  /** Values are multiplied by `factor` and shown in `unit` (e.g. W → kW: 0.001, 'kW'); default: the series' own unit. */
  scale?: { factor: number; unit: string };
  /** The value axis (default: fitted to the data), e.g. [0, 100] for a level in %. */
  yDomain?: [number, number];
  /** data-testid of the figure. */
  testId?: string;
}

export const ZOOM_PALETTE = [
  { color: 'var(--series-1)', dash: undefined },
  { color: 'var(--series-2)', dash: '8 4' },
  { color: 'var(--series-3)', dash: '2 3' },
  { color: 'var(--chart-4)', dash: '12 3 2 3' },
] as const;

const messages = {
  fr: {
    resolution: 'résolution',
    reset: 'Réinitialiser le zoom',
    zoomIn: 'Zoom avant',
    zoomOut: 'Zoom arrière',
    earlier: '◀ Plus tôt',
    later: 'Plus tard ▶',
    loading: 'Chargement…',
    empty: 'Aucune mesure sur cette plage.',
    help: 'Glissez sur le graphique pour zoomer ; la résolution s’adapte.',
    valuesIn: (unit: string) => `Valeurs en ${unit}, heure de Paris.`,
    shown: (from: string, to: string) => `Du ${from} au ${to}`,
    controls: 'Zoom du graphique',
  },
  en: {
    resolution: 'resolution',
    reset: 'Reset zoom',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    earlier: '◀ Earlier',
    later: 'Later ▶',
    loading: 'Loading…',
    empty: 'No readings in this range.',
    help: 'Drag across the chart to zoom; the resolution adapts.',
    valuesIn: (unit: string) => `Values in ${unit}, Paris time.`,
    shown: (from: string, to: string) => `From ${from} to ${to}`,
    controls: 'Chart zoom',
  },
};

interface Loaded {
  key: string;
  lines: { id: string; data: { t: number; v: number | null }[]; raw: [number, number][] }[];
  unit: string;
  resolution: Resolution | null;
  truncated: boolean;
  errors: string[];
}

/** Inserts a null where readings stop for longer than three usual steps: a gap stays a gap. */
function withGaps(points: readonly [number, number][]): { t: number; v: number | null }[] {
  if (points.length < 3) return points.map(([t, v]) => ({ t, v }));
  const steps = points
    .slice(1)
    .map((p, i) => p[0] - (points[i] as [number, number])[0])
    .sort((a, b) => a - b);
  const usual = steps[Math.floor(steps.length / 2)] as number;
  const out: { t: number; v: number | null }[] = [];
  points.forEach(([t, v], i) => {
    const prev = points[i - 1];
    if (prev && t - prev[0] > 3 * usual) out.push({ t: prev[0] + usual, v: null });
    out.push({ t, v });
  });
  return out;
}

function nearest(points: readonly [number, number][], t: number): [number, number] | undefined {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((points[mid] as [number, number])[0] < t) lo = mid + 1;
    else hi = mid;
  }
  const a = points[lo];
  const b = points[lo - 1];
  if (!a) return b;
  if (!b) return a;
  return Math.abs(a[0] - t) <= Math.abs(b[0] - t) ? a : b;
}

/** Y axis left of the plot and the right margin (px): the drag maps pixels to time with them. */
const Y_AXIS_PX = 60;
const RIGHT_PX = 16;

/**
 * A zoomable history chart: drag across it (or use the buttons) to zoom; each
 * range is fetched again at the resolution the server picks for about one point
 * per pixel of the chart's width (raw, 1 min, 1 h, 1 d), which it shows.
 */
export function ZoomChart({ series, from, to, title, scale, yDomain, testId }: ZoomChartProps) {
  const t = useMessages(messages);
  const { lang, fmt } = useI18n();
  const outer: Range = useMemo(() => [from, to], [from, to]);
  const [range, setRange] = useState<Range>(outer);
  const [width, setWidth] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const area = useRef<HTMLDivElement>(null);

  // A new outer range (another period) starts unzoomed.
  useEffect(() => setRange(outer), [outer]);

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    const measure = () => setWidth(Math.round(el.getBoundingClientRect().width / 50) * 50);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const idsKey = series.map((s) => `${s.id}:${s.agg ?? ''}`).join(' ');
  const plotPx = Math.max(1, width - Y_AXIS_PX - RIGHT_PX);
  const key = `${idsKey}|${range[0]}|${range[1]}|${plotPx}`;

  useEffect(() => {
    if (width === 0) return;
    const controller = new AbortController();
    const specs = idsKey.split(' ').map((s) => s.split(':') as [string, string]);
    void Promise.allSettled(specs.map(([id, agg]) => getJson(historyPath(id, range, plotPx, agg || undefined), HistoryResponseSchema, id, controller.signal))).then((results) => {
      if (controller.signal.aborted) return;
      const errors: string[] = [];
      const lines: Loaded['lines'] = [];
      const resolutions: Resolution[] = [];
      let unit = '';
      let truncated = false;
      results.forEach((r, i) => {
        const id = (specs[i] as [string, string])[0];
        if (r.status === 'rejected') {
          if (!isAbortError(r.reason)) errors.push(errorMessage(r.reason));
          lines.push({ id, data: [], raw: [] });
          return;
        }
        unit ||= r.value.series.unit;
        resolutions.push(r.value.resolution);
        truncated ||= r.value.truncated;
        const pts = capPoints(r.value.points, MAX_POINTS).map(([ts, v]) => [ts, scale ? v * scale.factor : v] as [number, number]);
        lines.push({ id, data: withGaps(pts), raw: pts });
      });
      setLoaded({ key, lines, unit: scale?.unit ?? displayUnit(unit), resolution: coarsest(resolutions), truncated, errors });
    });
    return () => controller.abort();
    // `key` sums up idsKey, range and plotPx.
  }, [key, scale?.factor, scale?.unit]);

  const loading = !loaded || loaded.key !== key;
  const zoomed = range[0] !== outer[0] || range[1] !== outer[1];
  const span = range[1] - range[0];
  const tickFormat = (ms: number) => (span <= 2 * 86_400_000 ? fmt.time(ms) : span <= 120 * 86_400_000 ? fmt.date(ms, { day: 'numeric', month: 'short' }) : fmt.date(ms, { month: 'short', year: '2-digit' }));

  const timeAt = (e: ReactMouseEvent) => {
    const rect = (area.current as HTMLDivElement).getBoundingClientRect();
    const x = Math.max(0, Math.min(plotPx, e.clientX - rect.left - Y_AXIS_PX));
    return range[0] + (x / plotPx) * span;
  };
  const onMouseDown = (e: ReactMouseEvent) => {
    if (e.button !== 0) return;
    e.preventDefault();
    const at = timeAt(e);
    setDrag({ a: at, b: at });
  };
  const onMouseMove = (e: ReactMouseEvent) => {
    if (drag) setDrag({ a: drag.a, b: timeAt(e) });
  };
  const onMouseUp = () => {
    if (!drag) return;
    // A drag narrower than 1 % of the chart is a click, not a zoom.
    const next = Math.abs(drag.b - drag.a) > span / 100 ? zoomTo(drag.a, drag.b, outer) : null;
    setDrag(null);
    if (next) setRange(next);
  };
  const toPx = (ms: number) => Y_AXIS_PX + ((ms - range[0]) / span) * plotPx;

  const lines = series.map((s, i) => {
    const style = ZOOM_PALETTE[i % ZOOM_PALETTE.length] as (typeof ZOOM_PALETTE)[number];
    const l = loaded?.lines.find((x) => x.id === s.id);
    return { ...s, color: s.color ?? style.color, dash: s.dash ?? style.dash, data: l?.data ?? [], raw: l?.raw ?? [] };
  });
  const empty = !loading && lines.every((l) => l.data.length === 0);
  const unit = loaded?.unit ?? '';

  return (
    <figure className="zoom-chart" data-testid={testId}>
      <div className="zoom-head">
        <h3>{title}</h3>
        <p className="zoom-resolution" data-testid="zoom-resolution" data-resolution={loaded?.resolution ?? ''} aria-live="polite">
          {loaded?.resolution ? `${t.resolution} : ${resolutionLabel(loaded.resolution, lang)}` : `${t.resolution} : …`}
          {loading ? <span className="zoom-loading"> — {t.loading}</span> : null}
        </p>
      </div>
      <div className="zoom-controls" role="group" aria-label={t.controls}>
        <button type="button" onClick={() => setRange(pan(range, -0.5, outer))} disabled={range[0] <= outer[0]}>
          {t.earlier}
        </button>
        <button type="button" onClick={() => setRange(zoomBy(range, 0.5, outer))}>
          {t.zoomIn}
        </button>
        <button type="button" onClick={() => setRange(zoomBy(range, 2, outer))} disabled={!zoomed}>
          {t.zoomOut}
        </button>
        <button type="button" onClick={() => setRange(pan(range, 0.5, outer))} disabled={range[1] >= outer[1]}>
          {t.later}
        </button>
        <button type="button" data-testid="zoom-reset" onClick={() => setRange(outer)} disabled={!zoomed}>
          {t.reset}
        </button>
      </div>
      <p className="chart-note">{t.shown(fmt.dateTime(range[0]), fmt.dateTime(range[1]))}</p>
      <div ref={area} className="zoom-area" data-testid="zoom-area" onMouseDown={onMouseDown} onMouseMove={onMouseMove} onMouseUp={onMouseUp} onMouseLeave={onMouseUp}>
        {width > 0 ? (
          <LineChart width={width} height={280} margin={{ top: 8, right: RIGHT_PX, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" domain={[range[0], range[1]]} allowDataOverflow tickFormatter={tickFormat} stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} minTickGap={24} />
            <YAxis type="number" domain={yDomain ?? ['auto', 'auto']} tickFormatter={(v: number) => fmt.number(v, 1)} stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} width={Y_AXIS_PX} />
            <Tooltip content={(props: TooltipContentProps) => <ZoomTooltip {...props} lines={lines} unit={unit} />} isAnimationActive={false} />
            {lines.map((l) => (
              <Line key={l.id} data={l.data} dataKey="v" name={l.label} type="linear" stroke={l.color} strokeDasharray={l.dash} strokeWidth={2} dot={false} activeDot={false} connectNulls={false} isAnimationActive={false} />
            ))}
          </LineChart>
        ) : null}
        {drag ? <div className="zoom-selection" style={{ left: Math.min(toPx(drag.a), toPx(drag.b)), width: Math.abs(toPx(drag.b) - toPx(drag.a)) }} /> : null}
        {empty ? <p className="chart-empty">{t.empty}</p> : null}
      </div>
      {loaded && loaded.errors.length > 0 ? (
        <div className="error" role="alert">
          {loaded.errors.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      ) : null}
      <figcaption>
        <ul className="legend">
          {lines.map((l) => (
            <li key={l.id}>
              <svg width="28" height="10" viewBox="0 0 28 10" aria-hidden="true" focusable="false">
                <line x1="1" y1="5" x2="27" y2="5" stroke={l.color} strokeWidth="3" strokeDasharray={l.dash} />
              </svg>
              {l.label}
            </li>
          ))}
        </ul>
        <p className="chart-note">
          {unit ? t.valuesIn(unit) : ''} {t.help}
        </p>
      </figcaption>
    </figure>
  );
}

function ZoomTooltip({ active, label, lines, unit }: TooltipContentProps & { lines: { id: string; label: string; raw: [number, number][] }[]; unit: string }) {
  const { fmt } = useI18n();
  if (!active || typeof label !== 'number') return null;
  return (
    <div className="chart-tooltip">
      <p className="chart-tooltip-time">{fmt.dateTime(label)}</p>
      <ul>
        {lines.map((l) => {
          const p = nearest(l.raw, label);
          return (
            <li key={l.id}>
              <span className="chart-tooltip-label">{l.label}</span> <strong>{p ? fmt.unit(p[1], unit, 1) : '—'}</strong>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
