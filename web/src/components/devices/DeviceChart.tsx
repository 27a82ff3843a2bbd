import { useEffect, useId, useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { Series } from '../../../../shared/api';
import { errorMessage, fetchHistory, isAbortError } from '../../lib/api';
import { useI18n, useMessages } from '../../lib/i18n';
import { useLiveData } from '../../lib/live-context';
import { insertPoint, mergePoints, niceScale, type Point, toChartPoints, trimPoints } from '../../lib/points';
import { displayUnit } from '../../lib/format';
import { formatReading } from './reading-format';

const WINDOW_MS = 3600_000;
/**
 * Readings further apart than this break the line. The backfilled history comes
 * every 15 minutes (SIM_BACKFILL_STEP_S): a shorter gap would draw it as nothing.
 */
const GAP_MS = 16 * 60_000;
/** Smallest value range drawn, per unit, and the quantities that never go below zero (as in HistoryChart). */
const MIN_SPAN: Record<string, number> = { Cel: 2, '%RH': 10, ppm: 100, lx: 50, count: 5, W: 100, Wh: 100, '%': 10, 'W/m2': 50 };
const NON_NEGATIVE = new Set(['W', 'Wh', 'kWh', '%RH', '%', 'ppm', 'lx', 'count', 'W/m2', 'l', 'm3', 'mm', 'mm/h', 'm/s', 'm3/s']);

const messages = {
  fr: {
    series: 'Mesure affichée',
    loading: 'Chargement de l’historique…',
    empty: 'Aucune valeur sur la dernière heure.',
    note: (label: string) => `${label}, dernière heure glissante, heure de Paris.`,
    noGauge: 'Cet équipement n’a pas de mesure à tracer.',
  },
  en: {
    series: 'Measurement shown',
    loading: 'Loading the history…',
    empty: 'No value over the last hour.',
    note: (label: string) => `${label}, last rolling hour, Paris time.`,
    noGauge: 'This device has no measurement to plot.',
  },
};

/** The last hour of one of a device's series: history, then live readings. */
export function DeviceChart({ series }: { series: Series[] }) {
  const t = useMessages(messages);
  const { fmt, lang } = useI18n();
  const { subscribe, resyncs } = useLiveData();
  const selectId = useId();
  // Gauges (power, temperature) first: they say more over an hour than a counter does.
  const plottable = [...series.filter((s) => s.kind === 'gauge'), ...series.filter((s) => s.kind === 'counter')];
  const [chosen, setChosen] = useState<string>('');
  const current = plottable.find((s) => s.id === chosen) ?? plottable[0];
  const [points, setPoints] = useState<Point[]>([]);
  const [status, setStatus] = useState<{ loading: boolean; error: string | null }>({ loading: true, error: null });

  const currentId = current?.id;
  const currentUnit = current?.unit;
  useEffect(() => {
    if (!currentId) return;
    const buf: Point[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const publish = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        trimPoints(buf, Date.now() - WINDOW_MS, 3600);
        setPoints(buf.slice());
      }, 1000);
    };
    const unsubscribe = subscribe((readings) => {
      let touched = false;
      for (const r of readings) {
        if (r.seriesId !== currentId) continue;
        insertPoint(buf, [r.ts, r.value]);
        touched = true;
      }
      if (touched) publish();
    });
    const controller = new AbortController();
    const to = Date.now();
    setStatus({ loading: true, error: null });
    fetchHistory(currentId, to - WINDOW_MS, to, controller.signal).then(
      (res) => {
        const merged = mergePoints(res.points, buf);
        buf.splice(0, buf.length, ...merged);
        setPoints(buf.slice());
        setStatus({ loading: false, error: null });
      },
      (err: unknown) => {
        if (!isAbortError(err)) setStatus({ loading: false, error: errorMessage(err) });
      },
    );
    return () => {
      controller.abort();
      unsubscribe();
      clearTimeout(timer);
    };
  }, [currentId, subscribe, resyncs]);

  const chart = useMemo(() => {
    const to = Date.now();
    const from = to - WINDOW_MS;
    const data = toChartPoints(points, from, GAP_MS, 600);
    let min = Infinity;
    let max = -Infinity;
    for (const p of data) {
      if (p.v === null) continue;
      min = Math.min(min, p.v);
      max = Math.max(max, p.v);
    }
    const unit = currentUnit ?? '';
    const y = niceScale(min, max, MIN_SPAN[unit] ?? 1, NON_NEGATIVE.has(unit) ? 0 : undefined);
    const ticks: number[] = [];
    for (let x = Math.ceil(from / 600_000) * 600_000; x <= to; x += 600_000) ticks.push(x);
    return { from, to, data, y, ticks };
  }, [points, currentUnit]);

  if (!current) return <p className="notice">{t.noGauge}</p>;
  const fmtValue = (v: number) => formatReading(fmt, lang, v, current);
  // Axis ticks: the unit of the largest tick, with as many decimals as the step needs ("18,21 kWh", not six "18,2 kWh").
  const magnitude = Math.max(Math.abs(chart.y.domain[0]), Math.abs(chart.y.domain[1]));
  const unit = displayUnit(current.unit, current.kind, magnitude);
  const step = (chart.y.ticks[1] ?? 1) - (chart.y.ticks[0] ?? 0);
  let tickDecimals = 0;
  while (tickDecimals < 4 && Math.abs(Math.round((step / unit.factor) * 10 ** tickDecimals) - (step / unit.factor) * 10 ** tickDecimals) > 1e-6) tickDecimals++;
  const tickSymbol = lang === 'en' && unit.symbol === '% HR' ? '% RH' : unit.plural ? '' : unit.symbol;
  const fmtTick = (v: number) => (tickSymbol ? `${fmt.number(v / unit.factor, tickDecimals)}\u00a0${tickSymbol}` : fmt.number(v / unit.factor, tickDecimals));

  return (
    <div className="chart-panel">
      <div className="field">
        <label htmlFor={selectId}>{t.series}</label>
        <select id={selectId} value={current.id} onChange={(e) => setChosen(e.target.value)} data-testid="device-chart-series">
          {plottable.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      {status.loading ? (
        <p className="notice" role="status">
          {t.loading}
        </p>
      ) : null}
      {status.error ? (
        <p className="error" role="alert">
          {status.error}
        </p>
      ) : null}
      <figure className="chart" data-testid="device-chart">
        <div className="chart-area">
          <LineChart responsive style={{ width: '100%', height: '100%' }} data={chart.data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis dataKey="ts" type="number" domain={[chart.from, chart.to]} allowDataOverflow ticks={chart.ticks} tickFormatter={(v: number) => fmt.time(v)} stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} />
            <YAxis type="number" domain={chart.y.domain} ticks={chart.y.ticks} allowDataOverflow tickFormatter={fmtTick} stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} width={80} />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(v) => (typeof v === 'number' ? fmt.time(v, true) : '')}
              formatter={(v) => [typeof v === 'number' ? fmtValue(v) : '—', current.label]}
              contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }}
            />
            <Line dataKey="v" type="linear" stroke="var(--series-1)" strokeWidth={2} dot={false} activeDot={false} connectNulls={false} isAnimationActive={false} />
          </LineChart>
          {!status.loading && chart.data.length === 0 ? <p className="chart-empty">{t.empty}</p> : null}
        </div>
        <figcaption className="chart-note">{t.note(current.label)}</figcaption>
      </figure>
    </div>
  );
}
