import { MAX_HISTORY_POINTS } from '../../../../shared/api';

/**
 * The zoomable chart's pure logic: which history query a range and a chart width
 * make, how a drag becomes a new range, how a resolution reads.
 */

/** Fewest and most points asked per series: about one per pixel, never thousands more than the screen shows. */
export const MIN_POINTS = 60;
export const MAX_POINTS = 2000;
/** The narrowest zoom: below a few minutes even raw readings are a handful of points. */
export const MIN_ZOOM_MS = 10 * 60_000;

export type Range = readonly [from: number, to: number];

/** Points asked for a chart `widthPx` wide: one per pixel, within [MIN_POINTS, MAX_POINTS]. */
export function pointsForWidth(widthPx: number): number {
  if (!Number.isFinite(widthPx) || widthPx <= 0) return 800;
  return Math.max(MIN_POINTS, Math.min(MAX_POINTS, MAX_HISTORY_POINTS, Math.round(widthPx)));
}

/** The history path for one series over a range: the server picks the resolution (raw, 1m, 1h, 1d) that fits maxPoints. */
export function historyPath(seriesId: string, range: Range, widthPx: number, agg?: string): string {
  const q = new URLSearchParams({ from: String(Math.floor(range[0])), to: String(Math.ceil(range[1])), resolution: 'auto', maxPoints: String(pointsForWidth(widthPx)) });
  if (agg) q.set('agg', agg);
  return `/api/v1/series/${encodeURIComponent(seriesId)}/history?${q}`;
}

/**
 * A drag from `a` to `b` (either order) inside `outer`: the new range, clamped to
 * `outer` and widened to MIN_ZOOM_MS around its middle; null for a click (no width).
 */
export function zoomTo(a: number, b: number, outer: Range, minMs: number = MIN_ZOOM_MS): Range | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return null;
  let from = Math.max(outer[0], Math.min(a, b));
  let to = Math.min(outer[1], Math.max(a, b));
  const min = Math.min(minMs, outer[1] - outer[0]);
  if (to - from < min) {
    const mid = (from + to) / 2;
    from = Math.max(outer[0], mid - min / 2);
    to = Math.min(outer[1], from + min);
    from = to - min;
  }
  return [from, to];
}

/** Zoom by a factor around the middle (0.5: in, 2: out), kept inside `outer`: the keyboard's zoom. */
export function zoomBy(range: Range, factor: number, outer: Range, minMs: number = MIN_ZOOM_MS): Range {
  const mid = (range[0] + range[1]) / 2;
  const half = Math.max(minMs, (range[1] - range[0]) * factor) / 2;
  const span = Math.min(outer[1] - outer[0], half * 2);
  let from = Math.max(outer[0], mid - span / 2);
  const to = Math.min(outer[1], from + span);
  from = to - span;
  return [from, to];
}

/** Move the range by a share of its width (-0.5: half a width back), kept inside `outer`. */
export function pan(range: Range, share: number, outer: Range): Range {
  const span = range[1] - range[0];
  const from = Math.max(outer[0], Math.min(outer[1] - span, range[0] + span * share));
  return [from, from + span];
}

export type Resolution = 'raw' | '1m' | '1h' | '1d';

/** "1 h", "1 min", "1 j" / "1 d", "brute" / "raw readings". */
export function resolutionLabel(resolution: Resolution, lang: 'fr' | 'en'): string {
  switch (resolution) {
    case 'raw':
      return lang === 'fr' ? 'mesures brutes' : 'raw readings';
    case '1m':
      return '1 min';
    case '1h':
      return '1 h';
    case '1d':
      return lang === 'fr' ? '1 j' : '1 d';
  }
}

/** The coarsest of several answers' resolutions: what the chart as a whole shows. */
export function coarsest(resolutions: readonly Resolution[]): Resolution | null {
  const order: Resolution[] = ['raw', '1m', '1h', '1d'];
  let best = -1;
  for (const r of resolutions) best = Math.max(best, order.indexOf(r));
  return best < 0 ? null : (order[best] as Resolution);
}

/** Catalogue units as a reader writes them. */
export function displayUnit(unit: string): string {
  const map: Record<string, string> = { Cel: '°C', m3: 'm³', 'm3/s': 'm³/s', '%RH': '% HR', count: '' };
  return map[unit] ?? unit;
}

/**
 * At most `max` points, keeping each slice's extremes so peaks survive: a guard for
 * recharts should an answer be larger than asked (it never should).
 */
export function capPoints(points: readonly (readonly [number, number])[], max: number): [number, number][] {
  if (points.length <= max) return points.map(([t, v]) => [t, v]);
  const out: [number, number][] = [];
  const slices = Math.max(1, Math.floor(max / 2));
  const size = points.length / slices;
  for (let i = 0; i < slices; i++) {
    const slice = points.slice(Math.floor(i * size), Math.floor((i + 1) * size));
    if (slice.length === 0) continue;
    let lo = slice[0] as readonly [number, number];
    let hi = lo;
    for (const p of slice) {
      if (p[1] < lo[1]) lo = p;
      if (p[1] > hi[1]) hi = p;
    }
    const pair = lo[0] <= hi[0] ? [lo, hi] : [hi, lo];
    for (const p of pair) if (out.length === 0 || (out[out.length - 1] as [number, number])[0] !== p[0]) out.push([p[0], p[1]]);
  }
  return out;
}
