import type { Reading } from '../../shared/api';
import { type Bucket, DEFAULT_MAX_POINTS, RESOLUTION_MS, type RangeQuery, type Resolution } from './types';

/**
 * The rollup arithmetic both backends share, free of I/O so that it is the same
 * code whatever stores the rows (docs/storage.md, "Rollups").
 *
 * The 1m row of a minute keeps, besides count/sum/min/max/last, its first and
 * last reading times and values and the counter steps inside it (incInner).
 * With those a late reading that falls before or after a minute's readings
 * merges exactly without reading raw rows (which retention may have deleted);
 * only a reading strictly between two stored readings of the same minute needs
 * that minute's raw readings. A minute's `increase` is incInner plus the step
 * from the last reading of the previous non-empty minute, which is why a change
 * to one minute also recomputes the increase of the next non-empty one.
 * Hours are recomputed from their minutes and days from their hours, so the
 * coarse levels never read raw readings either.
 */

export const MINUTE = RESOLUTION_MS['1m'];
export const HOUR = RESOLUTION_MS['1h'];
export const DAY = RESOLUTION_MS['1d'];

export type Point = [ts: number, value: number];

export const floorTo = (t: number, size: number): number => Math.floor(t / size) * size;

/** Number of UTC-aligned buckets of `size` that [from, to] touches. */
export const bucketCount = (from: number, to: number, size: number): number => (to < from ? 0 : Math.floor(to / size) - Math.floor(from / size) + 1);

/** A counter's step from `prev` to `v`: a drop is a meter reset, the new value counted from zero. */
export const counterStep = (prev: number, v: number): number => (v >= prev ? v - prev : v);

export interface MinuteRow {
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  firstTs: number;
  last: number;
  lastTs: number;
  /** Counters: the steps between the readings of this minute (0 otherwise). */
  incInner: number;
  /** Counters: incInner plus the step from the previous non-empty minute's last reading; null otherwise. */
  increase: number | null;
}

/** An hour or a day: what a query returns, before the mean. */
export interface CoarseRow {
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  increase: number | null;
}

/**
 * Every MinuteRow is made here (new minutes, merged minutes, rows read back from
 * the database), so that they all share one shape, and warmed up below.
 */
export function minuteRow(t: number, count: number, sum: number, min: number, max: number, first: number, firstTs: number, last: number, lastTs: number, incInner: number, increase: number | null): MinuteRow {
  return { t, count, sum, min, max, first, firstTs, last, lastTs, incInner, increase };
}

// V8 stores a field that has only held whole numbers as a small integer, and changes
// the objects' shape the first time a fraction comes (a counter's step of 0.37 Wh,
// a live reading beside a backfill). Code optimized for the old shape was then
// thrown away and, in half of the runs, the writer stayed at 186,000 readings/s
// instead of 257,000 for the rest of the backfill (bench/history.ts, the writer
// alone, five runs each). Made once with fractions and null, every field starts
// at its most general representation and the shape never changes.
for (const increase of [null, 0.5]) minuteRow(0.5, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, increase);

/** The row of the minute `t` made of `points` (time order, distinct times, at least one). */
export function minuteOf(t: number, points: readonly Point[], counter: boolean): MinuteRow {
  const [first] = points;
  if (!first) throw new Error('minuteOf: no readings');
  // Locals, and the row made once at the end (see minuteRow).
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let incInner = 0;
  let prev: number | undefined;
  let last = first;
  for (const p of points) {
    const v = p[1];
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (counter && prev !== undefined) incInner += counterStep(prev, v);
    prev = v;
    last = p;
  }
  return minuteRow(t, count, sum, min, max, first[1], first[0], last[1], last[0], incInner, null);
}

/** `a` then `b`, every reading of `a` being earlier than every reading of `b`. */
function concat(a: MinuteRow, b: MinuteRow, counter: boolean, increase: number | null): MinuteRow {
  return minuteRow(a.t, a.count + b.count, a.sum + b.sum, Math.min(a.min, b.min), Math.max(a.max, b.max), a.first, a.firstTs, b.last, b.lastTs, counter ? a.incInner + counterStep(a.last, b.first) + b.incInner : 0, increase);
}

/** Sorts by time and keeps the first of readings with the same time (what INSERT OR IGNORE keeps). */
export function sortDistinct(points: Point[]): { points: Point[]; duplicates: number } {
  // Readings mostly arrive in time order, distinct: then the list is kept as it is.
  let ordered = true;
  for (let i = 1; i < points.length && ordered; i++) ordered = (points[i - 1] as Point)[0] < (points[i] as Point)[0];
  if (ordered) return { points, duplicates: 0 };
  // A stable sort: of two readings at the same time, the one written first stays first.
  const sorted = points.slice().sort((a, b) => a[0] - b[0]);
  const out: Point[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last[0] === p[0]) continue;
    out.push(p);
  }
  return { points: out, duplicates: points.length - out.length };
}

/** Groups the readings of each series, in arrival order. */
export function bySeries(readings: readonly Reading[]): Map<string, Point[]> {
  const map = new Map<string, Point[]>();
  for (const r of readings) {
    let list = map.get(r.seriesId);
    if (!list) map.set(r.seriesId, (list = []));
    list.push([r.ts, r.value]);
  }
  return map;
}

/** Sorted, distinct starts of the `size` buckets these times fall in. */
export function bucketsOf(times: readonly number[], size: number): number[] {
  // One pass while the times come in order (the usual case), a set and a sort otherwise.
  const out: number[] = [];
  for (const t of times) {
    const b = floorTo(t, size);
    const last = out[out.length - 1];
    if (last === undefined || b > last) out.push(b);
    else if (b < last) return [...new Set([...times].map((x) => floorTo(x, size)))].sort((x, y) => x - y);
  }
  return out;
}

/**
 * Splits sorted bucket starts into ranges [start, end] (bucket starts, inclusive)
 * wherever two neighbours are more than `gap` apart: one query per range fetches
 * the stored rows of every bucket in it, touched or not, and a range never
 * spans a long stretch of untouched history.
 */
export function rangesOf(starts: readonly number[], gap: number): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (const t of starts) {
    const last = ranges[ranges.length - 1];
    if (last && t - last.end <= gap) last.end = t;
    else ranges.push({ start: t, end: t });
  }
  return ranges;
}

/** Minutes where a new reading falls strictly between the first and last stored readings: only raw readings can place it. */
export function minutesNeedingRaw(points: readonly Point[], rows: ReadonlyMap<number, MinuteRow>): number[] {
  // Only a minute of two readings or more has a "between": in a backfill at 1-minute
  // steps there is none, and its readings are not looked up one by one.
  const spans = new Map<number, MinuteRow>();
  for (const row of rows.values()) if (row.firstTs < row.lastTs) spans.set(row.t, row);
  const out = new Set<number>();
  if (spans.size === 0) return [];
  for (const [ts] of points) {
    const row = spans.get(floorTo(ts, MINUTE));
    if (row && ts > row.firstTs && ts < row.lastTs) out.add(row.t);
  }
  return [...out];
}

export interface ApplyResult {
  /** New readings to store raw (not duplicates, not dropped), time order. */
  accepted: Point[];
  duplicates: number;
  /** Readings strictly inside a stored minute whose raw readings are gone. */
  dropped: Point[];
  /** Minute rows to write (new or changed), time order. */
  changed: MinuteRow[];
}

/**
 * Applies the readings of one series to its minute rows.
 *
 * `points`: time order, distinct times. `rows`: the stored minute rows of the
 * series covering every range of `ranges` completely plus, for each range, the
 * nearest stored row before and after it; updated in place. `ranges`: from
 * rangesOf() over the minutes of `points`. `raw`: the raw readings of the
 * minutes minutesNeedingRaw() named, for those whose raw readings are complete;
 * a reading inside any other of them is dropped.
 */
export function applyPoints(counter: boolean, points: readonly Point[], rows: Map<number, MinuteRow>, ranges: readonly { start: number; end: number }[], raw: ReadonlyMap<number, readonly Point[]>): ApplyResult {
  if (ranges.length <= 1) return appendPoints(counter, points, rows) ?? mergePoints(counter, points, rows, ranges, raw);
  // Range by range, in time order: a range changes only its own rows and the first
  // one after it, so each sees every row before it final. A backfill's chunk and
  // the live reading beside it are two ranges: the first appends, the second merges.
  const result: ApplyResult = { accepted: [], duplicates: 0, dropped: [], changed: [] };
  const changed = new Set<number>();
  let i = 0;
  for (const range of ranges) {
    let j = i;
    while (j < points.length && floorTo((points[j] as Point)[0], MINUTE) <= range.end) j++;
    const part = points.slice(i, j);
    i = j;
    const one = appendPoints(counter, part, rows) ?? mergePoints(counter, part, rows, [range], raw);
    for (const p of one.accepted) result.accepted.push(p);
    result.duplicates += one.duplicates;
    for (const p of one.dropped) result.dropped.push(p);
    for (const row of one.changed) changed.add(row.t);
  }
  // A row changed by two ranges (the first after one, inside the next) is written once, as the last left it.
  result.changed = Array.from(Float64Array.from(changed).sort(), (t) => rows.get(t) as MinuteRow);
  return result;
}

/** applyPoints in general: any stored minutes among the new ones (late readings, live ones). */
function mergePoints(counter: boolean, points: readonly Point[], rows: Map<number, MinuteRow>, ranges: readonly { start: number; end: number }[], raw: ReadonlyMap<number, readonly Point[]>): ApplyResult {
  const result: ApplyResult = { accepted: [], duplicates: 0, dropped: [], changed: [] };
  const changed = new Set<number>();

  // 1. Each touched minute: merge its new readings.
  let i = 0;
  while (i < points.length) {
    const m = floorTo((points[i] as Point)[0], MINUTE);
    let j = i;
    while (j < points.length && floorTo((points[j] as Point)[0], MINUTE) === m) j++;
    const group = points.slice(i, j);
    i = j;
    const stored = rows.get(m);
    if (!stored) {
      rows.set(m, minuteOf(m, group, counter));
      for (const p of group) result.accepted.push(p);
      changed.add(m);
    } else if (mergeIntoStored(counter, m, group, stored, raw.get(m), rows, result)) changed.add(m);
  }

  // 2. Increases: every row in a range, and the first row after each range,
  // from its predecessor (the rows map holds every true predecessor, see above).
  // Rows before the first range change nothing and are not visited: only the
  // latest of them, the first range's predecessor, is needed.
  const first = ranges.length > 0 ? (ranges[0] as { start: number }).start : -Infinity;
  let pred: MinuteRow | undefined;
  const later: number[] = [];
  for (const [t, row] of rows) {
    if (t >= first) later.push(t);
    else if (!pred || t > pred.t) pred = row;
  }
  // A typed array sorts numbers without calling a comparator.
  const keys = Float64Array.from(later).sort();
  let r = 0;
  let prevInRange = false;
  for (const t of keys) {
    const row = rows.get(t) as MinuteRow;
    while (r < ranges.length && (ranges[r] as { end: number }).end < t) r++;
    const inRange = r < ranges.length && t >= (ranges[r] as { start: number }).start;
    if (inRange || prevInRange) {
      const increase = counter ? row.incInner + (pred ? counterStep(pred.last, row.first) : 0) : null;
      if (increase !== row.increase) {
        row.increase = increase;
        changed.add(t);
      }
    }
    prevInRange = inRange;
    pred = row;
  }
  result.accepted.sort((a, b) => a[0] - b[0]);
  result.changed = [...changed].sort((a, b) => a - b).map((t) => rows.get(t) as MinuteRow);
  return result;
}

/**
 * applyPoints when no stored minute lies within the minutes of `points` (a backfill,
 * chunk after chunk, and any reading in a minute of its own): the new minutes in
 * one pass, each increase from the row before it, and the next stored row's
 * increase from the last new one. Undefined when a stored minute is among them.
 */
function appendPoints(counter: boolean, points: readonly Point[], rows: Map<number, MinuteRow>): ApplyResult | undefined {
  const n = points.length;
  if (n === 0) return undefined;
  const firstMinute = floorTo((points[0] as Point)[0], MINUTE);
  const lastMinute = floorTo((points[n - 1] as Point)[0], MINUTE);
  let pred: MinuteRow | undefined;
  let next: MinuteRow | undefined;
  for (const row of rows.values()) {
    if (row.t < firstMinute) {
      if (!pred || row.t > pred.t) pred = row;
    } else if (row.t > lastMinute) {
      if (!next || row.t < next.t) next = row;
    } else return undefined;
  }
  const changed: MinuteRow[] = [];
  let i = 0;
  while (i < n) {
    const m = floorTo((points[i] as Point)[0], MINUTE);
    let j = i + 1;
    while (j < n && (points[j] as Point)[0] < m + MINUTE) j++;
    const row = minuteOf(m, points.slice(i, j), counter);
    i = j;
    if (counter) row.increase = row.incInner + (pred ? counterStep(pred.last, row.first) : 0);
    rows.set(m, row);
    changed.push(row);
    pred = row;
  }
  if (next && counter && pred) {
    const increase = next.incInner + counterStep(pred.last, next.first);
    if (increase !== next.increase) {
      next.increase = increase;
      changed.push(next);
    }
  }
  return { accepted: points as Point[], duplicates: 0, dropped: [], changed };
}

/**
 * New readings of a minute already stored (applyPoints, step 1): with its raw
 * readings, the minute again from all of them; without, before or after its
 * readings they merge, between them they are dropped. True if the row changed.
 * A function of its own, out of the loop every backfilled minute runs through:
 * a backfill's minutes are new and never come here, live readings beside it do,
 * and the first of them deoptimized applyPoints (V8, "insufficient type feedback").
 */
function mergeIntoStored(counter: boolean, m: number, group: Point[], stored: MinuteRow, rawPoints: readonly Point[] | undefined, rows: Map<number, MinuteRow>, result: ApplyResult): boolean {
  if (rawPoints) {
    const known = new Set(rawPoints.map((p) => p[0]));
    const fresh = group.filter((p) => !known.has(p[0]));
    result.duplicates += group.length - fresh.length;
    // The minute is made again from its raw readings even when every reading of the
    // group is among them: InfluxDB takes a batch's raw readings before its rollups
    // (server/store/influx.ts, step 4), so a batch written again after its writer died
    // between the two finds its readings in raw while the stored minute lacks them.
    const row = minuteOf(m, sortDistinct([...rawPoints, ...fresh]).points, counter);
    if (fresh.length === 0 && sameReadings(row, stored)) return false;
    rows.set(m, row);
    result.accepted.push(...fresh);
    return true;
  }
  const before = group.filter((p) => p[0] < stored.firstTs);
  const after = group.filter((p) => p[0] > stored.lastTs);
  const inside = group.filter((p) => p[0] > stored.firstTs && p[0] < stored.lastTs);
  result.duplicates += group.length - before.length - after.length - inside.length;
  result.dropped.push(...inside);
  let row = stored;
  // The increase is that of the stored row until applyPoints' step 2 recomputes it.
  if (before.length > 0) row = concat(minuteOf(m, before, counter), row, counter, stored.increase);
  if (after.length > 0) row = concat(row, minuteOf(m, after, counter), counter, stored.increase);
  if (row === stored) return false;
  rows.set(m, row);
  result.accepted.push(...before, ...after);
  return true;
}

/** Two rows of one minute that count the same readings (the increase aside: it depends on the minute before). */
const sameReadings = (a: MinuteRow, b: MinuteRow): boolean =>
  a.count === b.count && a.sum === b.sum && a.min === b.min && a.max === b.max && a.first === b.first && a.firstTs === b.firstTs && a.last === b.last && a.lastTs === b.lastTs && a.incInner === b.incInner;

/** Coarser buckets of `size` from finer rows (time order). */
export function combine(rows: readonly CoarseRow[], size: number): CoarseRow[] {
  const out: CoarseRow[] = [];
  for (const row of rows) {
    const t = floorTo(row.t, size);
    const cur = out[out.length - 1];
    if (!cur || cur.t !== t) {
      out.push({ t, count: row.count, sum: row.sum, min: row.min, max: row.max, last: row.last, increase: row.increase });
      continue;
    }
    cur.count += row.count;
    cur.sum += row.sum;
    cur.min = Math.min(cur.min, row.min);
    cur.max = Math.max(cur.max, row.max);
    cur.last = row.last;
    cur.increase = cur.increase === null && row.increase === null ? null : (cur.increase ?? 0) + (row.increase ?? 0);
  }
  return out;
}

/** A bucket from a rollup row's values (an hour or a day read as an array, or a CoarseRow). */
export const coarseBucket = (t: number, count: number, sum: number, min: number, max: number, last: number, increase: number | null): Bucket => ({ t, count, mean: sum / count, min, max, sum, last, increase });

export const toBucket = (row: CoarseRow): Bucket => coarseBucket(row.t, row.count, row.sum, row.min, row.max, row.last, row.increase);

/** Raw readings as buckets of one; `prev` is the reading before the first (for a counter's first step). */
export function rawBuckets(points: readonly Point[], prev: number | undefined, counter: boolean): Bucket[] {
  let before = prev;
  return points.map(([t, v]) => {
    const increase = counter ? (before === undefined ? 0 : counterStep(before, v)) : null;
    before = v;
    return { t, count: 1, mean: v, min: v, max: v, sum: v, last: v, increase };
  });
}

/** A query's maxPoints as a whole number, at least 1. */
export const pointsLimit = (maxPoints: number): number => Math.max(1, Math.floor(maxPoints));

export interface Plan {
  /** An explicit resolution, or undefined: 'auto', try raw first (if `rawCandidate`), then the rollup. */
  resolution: Resolution;
  /** 'auto' only: raw is worth counting (its bucket count may fit). */
  rawCandidate: boolean;
  /** What 'auto' falls back to when raw does not fit. */
  rollup: Exclude<Resolution, 'raw'>;
  maxPoints: number;
  from: number;
  to: number;
}

/**
 * What a range query reads. `rawFrom`: raw readings are complete from this time
 * on (retention). 'auto' may pick raw only then, and only if at most maxPoints
 * readings are there: the backend counts them, at most maxPoints + 1.
 */
export function planQuery(q: RangeQuery, rawFrom: number): Plan {
  const maxPoints = pointsLimit(q.maxPoints ?? DEFAULT_MAX_POINTS);
  const requested = q.resolution ?? 'auto';
  const rollup = (['1m', '1h', '1d'] as const).find((r) => bucketCount(q.from, q.to, RESOLUTION_MS[r]) <= maxPoints) ?? '1d';
  if (requested !== 'auto') return { resolution: requested, rawCandidate: false, rollup, maxPoints, from: q.from, to: q.to };
  return { resolution: rollup, rawCandidate: q.from >= rawFrom, rollup, maxPoints, from: q.from, to: q.to };
}

/** The first bucket start a query at `resolution` reads. */
export const queryStart = (from: number, resolution: Resolution): number => (resolution === 'raw' ? from : floorTo(from, RESOLUTION_MS[resolution]));
