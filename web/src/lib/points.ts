/**
 * Time-ordered [epoch ms, value] buffers for the chart: merge history with live
 * readings, keep a sliding window, and thin what is drawn.
 */

export type Point = readonly [ts: number, value: number];

/** A point as recharts draws it; `v: null` breaks the line where data is missing. */
export interface ChartPoint {
  ts: number;
  v: number | null;
}

/** Index of the first point with ts >= `ts` (binary search). */
export function lowerBound(points: readonly Point[], ts: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as Point)[0] < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts a point in time order, in place; a point at an existing instant replaces it. */
export function insertPoint(points: Point[], p: Point): void {
  const last = points[points.length - 1];
  if (!last || last[0] < p[0]) {
    points.push(p);
    return;
  }
  const i = lowerBound(points, p[0]);
  if (points[i]?.[0] === p[0]) points[i] = p;
  else points.splice(i, 0, p);
}

/** Merges two time-ordered lists into a new one; on equal instants `b` wins. */
export function mergePoints(a: readonly Point[], b: readonly Point[]): Point[] {
  const out: Point[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const pa = a[i];
    const pb = b[j];
    if (pb === undefined || (pa !== undefined && pa[0] < pb[0])) {
      out.push(pa as Point);
      i++;
    } else {
      if (pa !== undefined && pa[0] === pb[0]) i++;
      out.push(pb);
      j++;
    }
  }
  return out;
}

/** Drops, in place, the points older than `from`, then the oldest beyond `cap`. */
export function trimPoints(points: Point[], from: number, cap: number): void {
  const drop = Math.max(lowerBound(points, from), points.length - cap);
  if (drop > 0) points.splice(0, drop);
}

/**
 * Thins a list to about `max` points by keeping, in each of max/2 equal slices,
 * its lowest and its highest point: peaks survive, unlike with plain sampling.
 */
export function decimateMinMax(points: readonly Point[], max: number): Point[] {
  if (points.length <= max) return points.slice();
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = points.length / buckets;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(points.length, Math.floor((b + 1) * size));
    let lo: Point | undefined;
    let hi: Point | undefined;
    for (let k = start; k < end; k++) {
      const p = points[k] as Point;
      if (!lo || p[1] < lo[1]) lo = p;
      if (!hi || p[1] > hi[1]) hi = p;
    }
    if (!lo || !hi) continue;
    if (lo === hi) out.push(lo);
    else if (lo[0] < hi[0]) out.push(lo, hi);
    else out.push(hi, lo);
  }
  // The newest point is the one users look at: always draw it.
  const last = points[points.length - 1] as Point;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

/**
 * What one line of the chart draws: at most about `max` points from `from` on,
 * with a break (v: null) wherever two readings are more than `gapMs` apart.
 */
export function toChartPoints(points: readonly Point[], from: number, gapMs: number, max: number): ChartPoint[] {
  const visible = points.slice(lowerBound(points, from));
  const breaks: number[] = [];
  for (let k = 1; k < visible.length; k++) {
    const a = (visible[k - 1] as Point)[0];
    const b = (visible[k] as Point)[0];
    if (b - a > gapMs) breaks.push((a + b) / 2);
  }
  const drawn = decimateMinMax(visible, max);
  const out: ChartPoint[] = [];
  let g = 0;
  for (const [ts, v] of drawn) {
    while (g < breaks.length && (breaks[g] as number) < ts) out.push({ ts: breaks[g++] as number, v: null });
    out.push({ ts, v });
  }
  return out;
}

/** The point nearest to `ts`, if one lies within `maxDistance`. */
export function nearestPoint(points: readonly Point[], ts: number, maxDistance: number): Point | undefined {
  const i = lowerBound(points, ts);
  const candidates = [points[i - 1], points[i]].filter((p): p is Point => p !== undefined);
  let best: Point | undefined;
  for (const p of candidates) if (!best || Math.abs(p[0] - ts) < Math.abs(best[0] - ts)) best = p;
  return best && Math.abs(best[0] - ts) <= maxDistance ? best : undefined;
}

/** A round step (1, 2, 2,5 or 5 times a power of ten) near `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * magnitude;
}

/**
 * A value axis for data between `min` and `max`: at least `minSpan` wide (a
 * steady 20,5 °C is drawn flat, not as noise), never below `floor` when the data
 * is not, and bounded by round ticks.
 */
export function niceScale(min: number, max: number, minSpan: number, floor?: number): { domain: [number, number]; ticks: number[] } {
  let lo = Number.isFinite(min) ? min : (floor ?? 0);
  let hi = Number.isFinite(max) ? max : lo + minSpan;
  if (hi - lo < minSpan) {
    const mid = (lo + hi) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  if (floor !== undefined && lo < floor && min >= floor) {
    hi += floor - lo;
    lo = floor;
  }
  const step = niceStep((hi - lo) / 4);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let k = 0; lo + k * step <= hi + step / 1000; k++) ticks.push(Number((lo + k * step).toPrecision(12)));
  return { domain: [lo, hi], ticks };
}
