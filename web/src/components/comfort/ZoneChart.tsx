import { useEffect, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { errorMessage, fetchHistory, isAbortError } from '../../lib/api';
import { useI18n } from '../../lib/i18n';

const WINDOW_MS = 24 * 3600_000;
const REFRESH_MS = 60_000;

interface Props {
  seriesId: string;
  title: string;
  unit: string;
  decimals: number;
  /** Draw steps (occupancy counts) rather than lines. */
  step?: boolean;
}

/**
 * The last 24 h of one series, fetched again every minute. (The shared HistoryChart
 * picks its own series from a menu, and no ZoomChart was published yet: this small
 * chart shows exactly the series it is given.)
 */
export function ZoneChart({ seriesId, title, unit, decimals, step }: Props) {
  const { fmt } = useI18n();
  const [points, setPoints] = useState<Array<{ ts: number; v: number }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [range, setRange] = useState<[number, number]>(() => [Date.now() - WINDOW_MS, Date.now()]);
  useEffect(() => {
    const controller = new AbortController();
    const load = () => {
      const to = Date.now();
      const from = to - WINDOW_MS;
      fetchHistory(seriesId, from, to, controller.signal).then(
        (h) => {
          setPoints(h.points.map(([ts, v]) => ({ ts, v })));
          setRange([from, to]);
          setError(null);
        },
        (err: unknown) => {
          if (!isAbortError(err)) setError(errorMessage(err));
        },
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [seriesId]);
  const last = points && points.length > 0 ? points[points.length - 1] : undefined;
  return (
    <figure className="mini-chart" data-testid={`zone-chart-${seriesId}`}>
      <h4>{title}</h4>
      {error ? <p className="error">{error}</p> : null}
      <div className="mini-chart-area" role="img" aria-label={`${title}, 24 h${last ? ` : ${fmt.unit(last.v, unit, decimals)}` : ''}`}>
        {points ? (
          <LineChart responsive style={{ width: '100%', height: '100%' }} data={points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis dataKey="ts" type="number" domain={range} tickFormatter={(v: number) => fmt.time(v)} stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} minTickGap={24} />
            <YAxis domain={['auto', 'auto']} tickFormatter={(v: number) => fmt.number(v, decimals)} stroke="var(--muted)" tick={{ fill: 'var(--muted)', fontSize: 12 }} width={48} />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(v) => fmt.dateTime(Number(v))}
              formatter={(v) => [fmt.unit(Number(v), unit, decimals), title]}
              contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }}
            />
            <Line dataKey="v" type={step ? 'stepAfter' : 'linear'} stroke="var(--series-1)" strokeWidth={2} dot={false} isAnimationActive={false} />
          </LineChart>
        ) : (
          <p className="notice">…</p>
        )}
      </div>
    </figure>
  );
}
