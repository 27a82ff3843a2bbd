import { formatLocalIso, MS_PER_HOUR } from '../../shared/calendar';
import type { Catalogue } from '../../shared/catalogue';
import type { Coverage, KpiWarning } from '../../shared/kpi';
import type { Bucket, IncreaseBucket, Store } from '../store/types';
import type { Span } from './periods';

/**
 * The KPI layer's only reads: hourly rollups (resolution '1h'), never raw or
 * minute readings, so a year of one series is 8,760 rows (8,784 in a leap
 * year). A span longer than one query's 20,000 buckets is read in chunks.
 * Of a counter only its increases are read (Store.increases), at about half
 * the cost of whole buckets.
 */

/** An hour of a series: a counter's increase, or a gauge's whole bucket. */
export type HourBucket = IncreaseBucket & Partial<Pick<Bucket, 'mean' | 'min' | 'max'>>;

export const MAX_BUCKETS_PER_QUERY = 20_000;
/** Series read at once (SQLite answers one at a time anyway; InfluxDB takes them in parallel). */
const CONCURRENCY = 8;

/** Hourly buckets of several series over whole UTC hours, indexed by hour. */
export class HourlyFrame {
  readonly hours: number;
  private readonly data = new Map<string, (HourBucket | undefined)[]>();
  readonly warnings: KpiWarning[] = [];

  constructor(
    readonly span: Span,
    readonly timeZone: string,
  ) {
    this.hours = Math.max(0, Math.round((span.endMs - span.startMs) / MS_PER_HOUR));
  }

  /** The UTC start of hour i. */
  t(i: number): number {
    return this.span.startMs + i * MS_PER_HOUR;
  }

  set(seriesId: string, buckets: readonly HourBucket[]): void {
    const arr: (HourBucket | undefined)[] = new Array(this.hours);
    for (const b of buckets) {
      const i = Math.round((b.t - this.span.startMs) / MS_PER_HOUR);
      if (i >= 0 && i < this.hours) arr[i] = b;
    }
    this.data.set(seriesId, arr);
  }

  bucket(seriesId: string, i: number): HourBucket | undefined {
    return this.data.get(seriesId)?.[i];
  }

  /** Hours with at least one reading. */
  hoursWithData(seriesId: string): number {
    let n = 0;
    for (const b of this.data.get(seriesId) ?? []) if (b) n++;
    return n;
  }

  coverage(ids: readonly string[]): Coverage[] {
    return ids.map((seriesId) => ({ seriesId, hours: this.hoursWithData(seriesId), expectedHours: this.hours }));
  }

  /**
   * A counter's increase in each hour (0 without readings: a gap's energy lands
   * in the hour readings resume, as the store's increase puts it). An increase
   * faster than `maxPerHour` over the hours since the previous hour with
   * readings (a meter replaced by one that starts at a higher index: no meter
   * can count that fast) is left out and reported as a warning. The first hour
   * with readings is not checked: its step may come from before the period.
   */
  increases(seriesId: string, maxPerHour?: number): number[] {
    const out = new Array<number>(this.hours).fill(0);
    const arr = this.data.get(seriesId);
    if (!arr) return out;
    let previous = -1;
    for (let i = 0; i < this.hours; i++) {
      const b = arr[i];
      if (!b) continue;
      const v = b.increase ?? 0;
      const limit = maxPerHour !== undefined && previous >= 0 ? maxPerHour * (i - previous) : undefined;
      previous = i;
      if (limit !== undefined && v > limit) {
        this.warnings.push({ seriesId, at: formatLocalIso(this.timeZone, this.t(i)), message: `an increase of ${v} is more than the meter can count in ${limit / (maxPerHour ?? 1)} h (${limit}): left out (a meter replaced by one at a higher index?)` });
        continue;
      }
      out[i] = v;
    }
    return out;
  }

  /** A gauge's mean (or min, max) in each hour; null without readings. */
  gauge(seriesId: string, agg: 'mean' | 'min' | 'max' = 'mean'): (number | null)[] {
    const arr = this.data.get(seriesId);
    const out = new Array<number | null>(this.hours).fill(null);
    if (!arr) return out;
    for (let i = 0; i < this.hours; i++) {
      const b = arr[i];
      if (b && b.count > 0) out[i] = b[agg] ?? null;
    }
    return out;
  }
}

/** Reads the hourly rollups of series over a span of whole UTC hours (into an existing frame of that span, if given). */
export async function readHourly(store: Store, seriesIds: readonly string[], span: Span, timeZone: string, into?: HourlyFrame): Promise<HourlyFrame> {
  const frame = into ?? new HourlyFrame(span, timeZone);
  const ids = [...new Set(seriesIds)];
  const readOne = async (id: string): Promise<void> => {
    const buckets: HourBucket[] = [];
    const counter = store.getSeries(id)?.kind === 'counter';
    for (let from = span.startMs; from < span.endMs; from += MAX_BUCKETS_PER_QUERY * MS_PER_HOUR) {
      const to = Math.min(span.endMs, from + MAX_BUCKETS_PER_QUERY * MS_PER_HOUR) - 1;
      const q = { from, to, resolution: '1h', maxPoints: MAX_BUCKETS_PER_QUERY } as const;
      for (const b of counter ? await store.increases(id, q) : (await store.query(id, q)).buckets) buckets.push(b);
    }
    frame.set(id, buckets);
  };
  for (let i = 0; i < ids.length; i += CONCURRENCY) await Promise.all(ids.slice(i, i + CONCURRENCY).map(readOne));
  return frame;
}

/**
 * The most a counter can rise in an hour: its device's power point (by name,
 * "energy" → "power", "rain" → "rain_rate") at its catalogue maximum for one
 * hour. Undefined when the catalogue has no such point.
 */
export function maxIncreasePerHour(catalogue: Catalogue, seriesId: string): number | undefined {
  const [deviceId, point] = seriesId.split('.') as [string, string | undefined];
  if (!point) return undefined;
  const device = catalogue.devices.find((d) => d.id === deviceId);
  const type = catalogue.deviceTypes.find((t) => t.id === device?.type);
  const rateName = point === 'rain' ? 'rain_rate' : point.replace('energy', 'power');
  if (rateName === point) return undefined;
  const rate = type?.points.find((p) => p.name === rateName);
  return rate ? rate.max : undefined;
}
