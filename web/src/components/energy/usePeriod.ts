import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { parsePeriod, type PeriodKind, periodParams, periodRange, type PeriodState } from '../../lib/periods';

const PERIOD_KEYS = ['period', 'date', 'from', 'to'];

/** The period kept in the URL's query (so it can be bookmarked); other query parameters are left alone. */
export function usePeriod(fallback: PeriodKind = 'month') {
  const [params, setParams] = useSearchParams();
  const key = PERIOD_KEYS.map((k) => params.get(k) ?? '').join('|');
  // eslint-free: `key` is what the period depends on.
  const period = useMemo(() => parsePeriod(new URLSearchParams(key.split('|').map((v, i) => [PERIOD_KEYS[i] as string, v])), Date.now(), fallback), [key, fallback]);
  const setPeriod = useCallback(
    (p: PeriodState) =>
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        for (const k of PERIOD_KEYS) next.delete(k);
        for (const [k, v] of Object.entries(periodParams(p))) next.set(k, v);
        return next;
      }),
    [setParams],
  );
  /** The period's instants, its end cut at the current minute (no history in the future); stable while the period is. */
  const range = useMemo(() => {
    const r = periodRange(period);
    const now = Math.ceil(Date.now() / 60_000) * 60_000;
    return { fromMs: r.fromMs, toMs: Math.max(r.fromMs + 3600_000, Math.min(r.toMs, now)) };
  }, [period]);
  return { period, setPeriod, range, params, setParams };
}
