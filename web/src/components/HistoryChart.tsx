import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, type TooltipContentProps, XAxis, YAxis } from 'recharts';
import type { Series } from '../../../shared/api';
import { catalogue } from '../../../shared/catalogue';
import { errorMessage, fetchHistory, isAbortError } from '../lib/api';
import { groupByDevice, reportingPeriodMs } from '../lib/devices';
import { axisFormatter, formatClock, formatHourMinute, formatValue } from '../lib/format';
import { type ChartPoint, insertPoint, mergePoints, nearestPoint, niceScale, type Point, toChartPoints, trimPoints } from '../lib/points';
import type { ReadingsListener } from '../lib/use-live';

/** What the chart shows until the user picks another series: production and the grid exchange. */
export const DEFAULT_CHART_SERIES = ['pv-inverter-1.ac_power', 'grid-meter.import_power', 'grid-meter.export_power'];
const DEFAULT_SELECTION = 'default';

const WINDOW_MS = 3600_000;
/** Points kept per series: one a second over the hour at most. */
const MAX_POINTS_PER_SERIES = 3600;
/** Points drawn per series: enough for any screen, few enough for recharts to stay quick. */
const MAX_DRAWN_PER_SERIES = 800;
/** Live frames come every 250 ms; the chart is redrawn at most this often. */
const REDRAW_MS = 1000;
/** Even without data, the window slides on. */
const SLIDE_MS = 15_000;
const TICK_STEP_MS = 10 * 60_000;

/** Smallest value range drawn, per unit: small wobbles of a steady value stay small. */
const MIN_SPAN: Record<string, number> = { Cel: 2, '%RH': 10, ppm: 100, lx: 50, count: 5, W: 100, Wh: 100 };
/** Quantities that cannot go below zero: their axis starts at zero. */
const NON_NEGATIVE = new Set(['W', 'Wh', 'kWh', '%RH', '%', 'ppm', 'lx', 'count']);

/** Colour and dash per line: lines differ by more than their colour. */
const LINE_STYLES = [
  { color: 'var(--series-1)', dash: undefined },
  { color: 'var(--series-2)', dash: '8 4' },
  { color: 'var(--series-3)', dash: '2 3' },
] as const;

interface ChartLine {
  series: Series;
  data: ChartPoint[];
  raw: Point[];
  gapMs: number;
  style: (typeof LINE_STYLES)[number];
}

type LoadState = { status: 'loading' } | { status: 'ready'; errors: string[]; truncated: boolean };

interface Props {
  /** The series the server knows; null while loading. */
  series: readonly Series[] | null;
  subscribe: (listener: ReadingsListener) => () => void;
  /** Changes when live readings were missed (shared/live.ts: a gap): the history is fetched again to fill the hole. */
  resyncs: number;
}

function gapFor(series: Series): number {
  return Math.max(30_000, 3 * (reportingPeriodMs(catalogue, series.deviceId) ?? 10_000));
}

function lineName(s: Series): string {
  const device = catalogue.devices.find((d) => d.id === s.deviceId)?.label ?? s.deviceId;
  return `${s.label} — ${device}`;
}

/** The last hour of a few series: history first, then live readings. */
export function HistoryChart({ series, subscribe, resyncs }: Props) {
  const selectId = useId();
  const [selection, setSelection] = useState(DEFAULT_SELECTION);
  const [load, setLoad] = useState<LoadState>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const buffers = useRef(new Map<string, Point[]>());

  const byId = useMemo(() => new Map((series ?? []).map((s) => [s.id, s])), [series]);
  const gaugeGroups = useMemo(
    () => groupByDevice((series ?? []).filter((s) => s.kind === 'gauge'), catalogue),
    [series],
  );
  const idsKey = (selection === DEFAULT_SELECTION ? DEFAULT_CHART_SERIES : [selection]).filter((id) => byId.has(id)).join(' ');
  const ready = series !== null;

  useEffect(() => {
    if (!ready) return;
    const ids = idsKey === '' ? [] : idsKey.split(' ');
    const bufs = new Map<string, Point[]>(ids.map((id) => [id, []]));
    buffers.current = bufs;
    setVersion((v) => v + 1);
    if (ids.length === 0) {
      setLoad({ status: 'ready', errors: [], truncated: false });
      return;
    }

    let redraw: ReturnType<typeof setTimeout> | undefined;
    const scheduleRedraw = () => {
      redraw ??= setTimeout(() => {
        redraw = undefined;
        setVersion((v) => v + 1);
      }, REDRAW_MS);
    };
    const trimAll = () => {
      const from = Date.now() - WINDOW_MS;
      for (const buf of bufs.values()) trimPoints(buf, from, MAX_POINTS_PER_SERIES);
    };

    // Listen before fetching: readings pushed while the history loads are kept and merged.
    const unsubscribe = subscribe((readings) => {
      let touched = false;
      for (const r of readings) {
        const buf = bufs.get(r.seriesId);
        if (!buf) continue;
        insertPoint(buf, [r.ts, r.value]);
        touched = true;
      }
      if (touched) {
        trimAll();
        scheduleRedraw();
      }
    });
    const slide = setInterval(() => {
      trimAll();
      setVersion((v) => v + 1);
    }, SLIDE_MS);

    const controller = new AbortController();
    const to = Date.now();
    setLoad({ status: 'loading' });
    void Promise.allSettled(ids.map((id) => fetchHistory(id, to - WINDOW_MS, to, controller.signal))).then((results) => {
      if (controller.signal.aborted) return;
      const errors: string[] = [];
      let truncated = false;
      results.forEach((result, i) => {
        const id = ids[i] as string;
        if (result.status === 'fulfilled') {
          bufs.set(id, mergePoints(result.value.points, bufs.get(id) ?? []));
          truncated ||= result.value.truncated;
        } else if (!isAbortError(result.reason)) {
          errors.push(errorMessage(result.reason));
        }
      });
      trimAll();
      setLoad({ status: 'ready', errors, truncated });
      setVersion((v) => v + 1);
    });

    return () => {
      controller.abort();
      unsubscribe();
      clearTimeout(redraw);
      clearInterval(slide);
    };
  }, [ready, idsKey, resyncs, subscribe]);

  // `version` is the redraw signal: the buffers themselves live in a ref.
  const chart = useMemo(() => {
    const to = Date.now();
    const from = to - WINDOW_MS;
    const lines: ChartLine[] = [];
    const ids = idsKey === '' ? [] : idsKey.split(' ');
    ids.forEach((id, i) => {
      const s = byId.get(id);
      if (!s) return;
      const raw = (buffers.current.get(id) ?? []).slice();
      const gapMs = gapFor(s);
      lines.push({ series: s, raw, gapMs, data: toChartPoints(raw, from, gapMs, MAX_DRAWN_PER_SERIES), style: LINE_STYLES[i % LINE_STYLES.length] as ChartLine['style'] });
    });
    let min = Infinity;
    let max = -Infinity;
    for (const line of lines) {
      for (const p of line.data) {
        if (p.v === null) continue;
        min = Math.min(min, p.v);
        max = Math.max(max, p.v);
      }
    }
    const first = lines[0]?.series;
    const unit = first?.unit ?? '';
    const y = niceScale(min, max, MIN_SPAN[unit] ?? 1, NON_NEGATIVE.has(unit) ? 0 : undefined);
    const axis = axisFormatter(unit, first?.kind ?? 'gauge', Math.max(Math.abs(y.domain[0]), Math.abs(y.domain[1])));
    const ticks: number[] = [];
    for (let t = Math.ceil(from / TICK_STEP_MS) * TICK_STEP_MS; t <= to; t += TICK_STEP_MS) ticks.push(t);
    const empty = lines.every((l) => l.data.length === 0);
    return { from, to, lines, axis, ticks, y, empty };
  }, [version, idsKey, byId]);

  return (
    <div className="chart-panel">
      <div className="field">
        <label htmlFor={selectId}>Série affichée</label>
        <select id={selectId} data-testid="chart-series" value={selection} onChange={(e) => setSelection(e.target.value)} disabled={!ready}>
          <option value={DEFAULT_SELECTION}>Puissances (PV, soutirage, injection)</option>
          {gaugeGroups.map((g) => (
            <optgroup key={g.deviceId} label={g.label}>
              {g.series.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>

      {!ready || load.status === 'loading' ? (
        <p className="notice" role="status">
          Chargement de l'historique…
        </p>
      ) : null}
      {load.status === 'ready' && load.errors.length > 0 ? (
        <div className="error" role="alert">
          {load.errors.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      ) : null}
      {load.status === 'ready' && load.truncated ? <p className="notice">Historique incomplet : le serveur n'a renvoyé que le début de l'heure.</p> : null}
      {ready && chart.lines.length === 0 ? <p className="notice">Aucune des séries demandées n'est connue du serveur.</p> : null}

      <figure className="chart" data-testid="history-chart">
        <div className="chart-area">
          <LineChart responsive style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis
              dataKey="ts"
              type="number"
              domain={[chart.from, chart.to]}
              allowDataOverflow
              ticks={chart.ticks}
              tickFormatter={formatHourMinute}
              stroke="var(--muted)"
              tick={{ fill: 'var(--muted)', fontSize: 12 }}
              minTickGap={16}
            />
            <YAxis
              type="number"
              domain={chart.y.domain}
              ticks={chart.y.ticks}
              allowDataOverflow
              tickFormatter={chart.axis.format}
              stroke="var(--muted)"
              tick={{ fill: 'var(--muted)', fontSize: 12 }}
              width={56}
            />
            <Tooltip content={(props: TooltipContentProps) => <ChartTooltip {...props} lines={chart.lines} />} isAnimationActive={false} />
            {chart.lines.map((line) => (
              <Line
                key={line.series.id}
                data={line.data}
                dataKey="v"
                name={lineName(line.series)}
                type="linear"
                stroke={line.style.color}
                strokeDasharray={line.style.dash}
                strokeWidth={2}
                dot={false}
                activeDot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
          {load.status === 'ready' && chart.lines.length > 0 && chart.empty ? <p className="chart-empty">Aucune valeur sur la dernière heure.</p> : null}
        </div>
        <figcaption>
          <ul className="legend">
            {chart.lines.map((line) => (
              <li key={line.series.id}>
                <svg width="28" height="10" viewBox="0 0 28 10" aria-hidden="true" focusable="false">
                  <line x1="1" y1="5" x2="27" y2="5" stroke={line.style.color} strokeWidth="3" strokeDasharray={line.style.dash} />
                </svg>
                {lineName(line.series)}
              </li>
            ))}
          </ul>
          <p className="chart-note">
            {chart.axis.unit ? `Valeurs en ${chart.axis.unit}, ` : ''}heure de Paris, dernière heure glissante.
          </p>
        </figcaption>
      </figure>
    </div>
  );
}

/** The value of every line nearest to the hovered instant (each series has its own timestamps). */
function ChartTooltip({ active, label, lines }: TooltipContentProps & { lines: ChartLine[] }) {
  if (!active || typeof label !== 'number') return null;
  const rows = lines.map((line) => ({ line, point: nearestPoint(line.raw, label, line.gapMs) }));
  return (
    <div className="chart-tooltip">
      <p className="chart-tooltip-time">{formatClock(label)}</p>
      <ul>
        {rows.map(({ line, point }) => (
          <li key={line.series.id}>
            <span className="chart-tooltip-label">{line.series.label}</span> <strong>{point ? formatValue(point[1], line.series.unit, line.series.kind, line.series.states) : '—'}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}
