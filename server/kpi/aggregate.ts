import { MS_PER_DAY, MS_PER_HOUR, wallMs } from '../../shared/calendar';
import type { Span } from './periods';

/**
 * The two things every KPI does: tell the tariff (or anything local) of an
 * hour, and add hourly figures into rows. Pure.
 */

/** Sums of additive figures, by name. */
export type Sums<K extends string> = Record<K, number>;

export function zeroSums<K extends string>(keys: readonly K[]): Sums<K> {
  const out = {} as Sums<K>;
  for (const k of keys) out[k] = 0;
  return out;
}

export function addSums<K extends string>(into: Sums<K>, x: Sums<K>, keys: readonly K[]): void {
  for (const k of keys) into[k] += x[k];
}

/** a / b as a percentage; null when b is 0 (a ratio of nothing is not 0 %). */
export function percent(a: number, b: number): number | null {
  return b > 0 ? (100 * a) / b : null;
}

/**
 * Adds hourly items (sorted by `t`, a whole UTC hour) into consecutive spans,
 * and the spans into a total. Hours outside every span are ignored. Each hour
 * lands in exactly one row and the total is the sum of the rows, so rows add
 * up to the total at every interval size.
 */
export function groupBySpan<H extends { t: number }, A>(hours: readonly H[], spans: readonly Span[], zero: () => A, add: (acc: A, h: H) => void, merge: (into: A, row: A) => void): { rows: A[]; total: A } {
  const rows = spans.map(zero);
  let i = 0;
  for (const h of hours) {
    while (i < spans.length && h.t >= (spans[i] as Span).endMs) i++;
    const span = spans[i];
    if (!span) break;
    if (h.t < span.startMs) continue;
    add(rows[i] as A, h);
  }
  const total = zero();
  for (const r of rows) merge(total, r);
  return { rows, total };
}

/** Local wall-clock hour (0 ≤ h < 24, fractional for half-hour zones) at which a UTC hour starts. */
export function localHourOf(timeZone: string, tMs: number): number {
  const w = wallMs(timeZone, tMs);
  return (((w % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR;
}

/**
 * The share of one hour [h, h + 1) of local time that falls within the
 * off-peak ranges, 0 to 1. Ranges are [start, end) in local hours and may wrap
 * midnight ([22, 6) is 22:00 to 06:00); overlapping ranges count once; a range
 * whose start equals its end is empty. An hour cut by a range boundary (22:30)
 * is shared in proportion, as if its energy were drawn evenly.
 */
export function offPeakFraction(ranges: readonly (readonly [number, number])[], localHour: number): number {
  // Every range as pieces within [0, 24).
  const pieces: [number, number][] = [];
  for (const [a, b] of ranges) {
    if (a < b) pieces.push([a, b]);
    else if (a > b) pieces.push([a, 24], [0, b]);
  }
  // The hour as pieces within [0, 24) too (a half-hour zone's hour may cross midnight).
  const h = ((localHour % 24) + 24) % 24;
  const hour: [number, number][] = h + 1 <= 24 ? [[h, h + 1]] : [[h, 24], [0, h + 1 - 24]];
  // Union length of the overlaps: sort the clipped pieces and sweep.
  const clipped: [number, number][] = [];
  for (const [ha, hb] of hour) for (const [a, b] of pieces) if (Math.min(hb, b) > Math.max(ha, a)) clipped.push([Math.max(ha, a), Math.min(hb, b)]);
  clipped.sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [a, b] of clipped) {
    const from = Math.max(a, reach);
    if (b > from) covered += b - from;
    reach = Math.max(reach, b);
  }
  return Math.min(1, covered);
}

const offPeakTables = new WeakMap<readonly (readonly [number, number])[], Map<number, number>>();

/** offPeakFraction, remembered per set of ranges and hour (a year asks for the same 24 hours 365 times). */
export function offPeakShare(ranges: readonly (readonly [number, number])[], localHour: number): number {
  let table = offPeakTables.get(ranges);
  if (!table) offPeakTables.set(ranges, (table = new Map()));
  let share = table.get(localHour);
  if (share === undefined) table.set(localHour, (share = offPeakFraction(ranges, localHour)));
  return share;
}
