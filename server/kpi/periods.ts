import { addDays, addMonths, civilFromDays, dateKey, daysFromCivil, formatLocalDateTime, formatLocalIso, fromWallMs, isoWeek, type LocalDate, localDayIndex, localMidnight, localParts, MS_PER_DAY, MS_PER_HOUR, parseDateKey, startOfLocalDay, wallMs } from '../../shared/calendar';
import { type Interval, MAX_KPI_DAYS, MAX_KPI_ROWS, type PeriodInfo, type PeriodKind } from '../../shared/kpi';

/**
 * Periods and intervals in the site's local time (Europe/Paris), as UTC
 * instants. Every boundary is a local midnight (or a whole hour for custom
 * periods and hourly rows), so every period and row is made of whole UTC
 * hours: the hourly rollups add up exactly to any of them. Pure.
 */

/** Bad input a person should fix: the API answers 400 with this message. */
export class KpiInputError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'KpiInputError';
  }
}

export interface Span {
  startMs: number;
  /** Excluded. */
  endMs: number;
}

export interface Period extends Span {
  kind: PeriodKind;
  timeZone: string;
  label: string;
  /** The end the period would have if it were not cut at now. */
  fullEndMs: number;
  /** Cut at the end of the current hour. */
  partial: boolean;
  /** Whole-day periods: the first local date and the day after the last. Undefined for custom instants. */
  startDate?: LocalDate;
  endDate?: LocalDate;
}

export interface PeriodRequest {
  period?: PeriodKind | undefined;
  date?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function parseDatePrefix(s: string): LocalDate {
  const [y, m = '01', d = '01'] = s.split('-');
  const date = parseDateKey(`${y}-${m}-${d}`);
  if (!date) throw new KpiInputError(`date "${s}" is not a calendar date`, { path: ['date'] });
  return date;
}

/** A custom bound: a local date (whole day) or an instant on a whole UTC hour. */
function parseBound(name: 'from' | 'to', s: string, timeZone: string): { ms: number; date?: LocalDate } {
  const date = parseDateKey(s);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    if (!date) throw new KpiInputError(`${name} "${s}" is not a calendar date`, { path: [name] });
    const d = name === 'to' ? addDays(date, 1) : date;
    return { ms: localMidnight(timeZone, d), date: d };
  }
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) throw new KpiInputError(`${name} "${s}" is not an ISO 8601 date-time`, { path: [name] });
  if (ms % MS_PER_HOUR !== 0) throw new KpiInputError(`${name} "${s}" must fall on a whole hour: figures are read from hourly rollups`, { path: [name] });
  return { ms };
}

const weekLabel = (d: LocalDate): string => {
  const w = isoWeek(d);
  return `${w.year}-W${String(w.week).padStart(2, '0')}`;
};

function dayPeriod(kind: Exclude<PeriodKind, 'custom'>, start: LocalDate, timeZone: string): Omit<Period, 'partial' | 'fullEndMs'> {
  const end = kind === 'day' ? addDays(start, 1) : kind === 'week' ? addDays(start, 7) : kind === 'month' ? addMonths(start, 1) : addMonths(start, 12);
  const label = kind === 'day' ? dateKey(start) : kind === 'week' ? weekLabel(start) : kind === 'month' ? dateKey(start).slice(0, 7) : String(start.year);
  return { kind, timeZone, label, startMs: localMidnight(timeZone, start), endMs: localMidnight(timeZone, end), startDate: start, endDate: end };
}

/** The first day of the day/week/month/year holding a date. */
function periodStart(kind: Exclude<PeriodKind, 'custom'>, d: LocalDate): LocalDate {
  if (kind === 'day') return d;
  if (kind === 'week') {
    const days = daysFromCivil(d.year, d.month, d.day);
    return addDays(d, -((((days + 4) % 7) + 7 + 6) % 7)); // back to Monday (ISO 8601)
  }
  if (kind === 'month') return { year: d.year, month: d.month, day: 1 };
  return { year: d.year, month: 1, day: 1 };
}

/** The end of the hour holding now: the store's latest bucket. */
export const endOfCurrentHour = (nowMs: number): number => Math.floor(nowMs / MS_PER_HOUR) * MS_PER_HOUR + MS_PER_HOUR;

function finish(p: Omit<Period, 'partial' | 'fullEndMs'>, nowMs: number): Period {
  const days = (p.endMs - p.startMs) / MS_PER_DAY;
  if (days > MAX_KPI_DAYS) throw new KpiInputError(`the period is ${Math.round(days)} days long; at most ${MAX_KPI_DAYS} (ten years)`, { path: ['to'] });
  const cut = endOfCurrentHour(nowMs);
  if (p.startMs >= cut) throw new KpiInputError(`the period ${p.label} starts in the future (now is ${new Date(nowMs).toISOString()})`, { path: ['date'] });
  return { ...p, fullEndMs: p.endMs, endMs: Math.min(p.endMs, cut), partial: p.endMs > cut };
}

/**
 * The period a query names: period=day|week|month|year around `date` (a local
 * date, today by default; weeks are ISO weeks, Monday to Sunday), or
 * period=custom from `from` to `to` (local dates, both included, or instants on
 * whole hours, `to` excluded). Cut at the end of the current hour.
 */
export function resolvePeriod(q: PeriodRequest, timeZone: string, nowMs: number): Period {
  const kind: PeriodKind = q.period ?? (q.from !== undefined || q.to !== undefined ? 'custom' : 'month');
  if (kind !== 'custom') {
    if (q.from !== undefined || q.to !== undefined) throw new KpiInputError(`from and to apply to period=custom; period=${kind} takes a date`, { path: ['from'] });
    const today = localParts(timeZone, nowMs);
    const date = q.date === undefined ? { year: today.year, month: today.month, day: today.day } : parseDatePrefix(q.date);
    return finish(dayPeriod(kind, periodStart(kind, date), timeZone), nowMs);
  }
  if (q.date !== undefined) throw new KpiInputError('period=custom takes from and to, not date', { path: ['date'] });
  if (q.from === undefined || q.to === undefined) throw new KpiInputError('period=custom needs both from and to', { path: [q.from === undefined ? 'from' : 'to'] });
  const from = parseBound('from', q.from, timeZone);
  const to = parseBound('to', q.to, timeZone);
  if (to.ms <= from.ms) throw new KpiInputError(`"to" (${q.to}) must be after "from" (${q.from})`, { path: ['to'] });
  const label = `${from.date ? dateKey(from.date) : formatLocalDateTime(timeZone, from.ms)} → ${to.date ? dateKey(addDays(to.date, -1)) : formatLocalDateTime(timeZone, to.ms)}`;
  return finish({ kind, timeZone, label, startMs: from.ms, endMs: to.ms, ...(from.date && to.date ? { startDate: from.date, endDate: to.date } : {}) }, nowMs);
}

/** A period cut to as far into it as another (partial) one has gone, in local wall-clock time. */
function cutLike(p: Omit<Period, 'partial' | 'fullEndMs'>, like: Period): Period {
  const full = { ...p, fullEndMs: p.endMs, partial: false };
  if (!like.partial) return full;
  const elapsed = wallMs(like.timeZone, like.endMs) - wallMs(like.timeZone, like.startMs);
  const end = fromWallMs(p.timeZone, wallMs(p.timeZone, p.startMs) + elapsed);
  return end < p.endMs ? { ...full, endMs: end, partial: true } : full;
}

/** The period just before: the previous day, week, month or year; a custom period's length just before it. */
export function previousPeriod(p: Period): Period {
  const tz = p.timeZone;
  if (p.kind !== 'custom' && p.startDate) {
    const start = p.kind === 'day' ? addDays(p.startDate, -1) : p.kind === 'week' ? addDays(p.startDate, -7) : addMonths(p.startDate, p.kind === 'month' ? -1 : -12);
    return cutLike(dayPeriod(p.kind, start, tz), p);
  }
  if (p.startDate && p.endDate) {
    const days = daysFromCivil(p.endDate.year, p.endDate.month, p.endDate.day) - daysFromCivil(p.startDate.year, p.startDate.month, p.startDate.day);
    const start = addDays(p.startDate, -days);
    return cutLike(customDays(start, p.startDate, tz), p);
  }
  const length = p.fullEndMs - p.startMs;
  return cutLike(customInstants(p.startMs - length, p.startMs, tz), p);
}

/** The same period a year earlier: same dates (29 February → 28), a week 52 weeks earlier (same weekdays). */
export function yearBeforePeriod(p: Period): Period {
  const tz = p.timeZone;
  if (p.kind === 'week' && p.startDate) return cutLike(dayPeriod('week', addDays(p.startDate, -364), tz), p);
  if (p.kind !== 'custom' && p.startDate) return cutLike(dayPeriod(p.kind, addMonths(p.startDate, -12), tz), p);
  if (p.startDate && p.endDate) return cutLike(customDays(addMonths(p.startDate, -12), addMonths(p.endDate, -12), tz), p);
  const shift = (t: number) => {
    const w = wallMs(tz, t);
    const day = Math.floor(w / MS_PER_DAY);
    const d = addMonths(localDate(day), -12);
    return fromWallMs(tz, daysFromCivil(d.year, d.month, d.day) * MS_PER_DAY + (w - day * MS_PER_DAY));
  };
  return cutLike(customInstants(shift(p.startMs), shift(p.fullEndMs), tz), p);
}

const localDate = (dayIndex: number): LocalDate => civilFromDays(dayIndex);

function customDays(start: LocalDate, endExcl: LocalDate, tz: string): Omit<Period, 'partial' | 'fullEndMs'> {
  return { kind: 'custom', timeZone: tz, label: `${dateKey(start)} → ${dateKey(addDays(endExcl, -1))}`, startMs: localMidnight(tz, start), endMs: localMidnight(tz, endExcl), startDate: start, endDate: endExcl };
}

function customInstants(startMs: number, endMs: number, tz: string): Omit<Period, 'partial' | 'fullEndMs'> {
  return { kind: 'custom', timeZone: tz, label: `${formatLocalDateTime(tz, startMs)} → ${formatLocalDateTime(tz, endMs)}`, startMs, endMs };
}

/** The interval a query gets when it names none. */
export function defaultInterval(p: Period): Interval {
  if (p.kind === 'day') return 'hour';
  if (p.kind === 'week' || p.kind === 'month') return 'day';
  if (p.kind === 'year') return 'month';
  const days = (p.fullEndMs - p.startMs) / MS_PER_DAY;
  return days <= 2 ? 'hour' : days <= 92 ? 'day' : 'month';
}

/** The first boundary of an interval after an instant: the next UTC hour, local midnight, Monday or first of the month. */
export function nextBoundary(tMs: number, interval: Interval, timeZone: string): number {
  if (interval === 'hour') return Math.floor(tMs / MS_PER_HOUR) * MS_PER_HOUR + MS_PER_HOUR;
  if (interval === 'period') return Number.POSITIVE_INFINITY;
  const day = localDayIndex(timeZone, tMs);
  if (interval === 'day') return startOfLocalDay(timeZone, day + 1);
  if (interval === 'week') {
    const mondayBased = (((day + 4) % 7) + 7 + 6) % 7; // 0 on Monday
    return startOfLocalDay(timeZone, day - mondayBased + 7);
  }
  const d = localDate(day);
  return localMidnight(timeZone, addMonths({ year: d.year, month: d.month, day: 1 }, 1));
}

/**
 * The rows of a period: consecutive spans cut at the interval's local
 * boundaries (the first and last may be partial, e.g. weeks in a month).
 */
export function splitIntervals(span: Span, interval: Interval, timeZone: string): Span[] {
  if (interval === 'hour' && (span.endMs - span.startMs) / MS_PER_HOUR > MAX_KPI_ROWS) {
    throw new KpiInputError(`interval=hour over this period gives ${Math.ceil((span.endMs - span.startMs) / MS_PER_HOUR)} rows; at most ${MAX_KPI_ROWS}: choose interval=day, week or month, or a shorter period`, { path: ['interval'] });
  }
  const out: Span[] = [];
  for (let t = span.startMs; t < span.endMs; ) {
    const next = Math.min(nextBoundary(t, interval, timeZone), span.endMs);
    out.push({ startMs: t, endMs: next });
    t = next;
  }
  return out;
}

export function periodInfo(p: Period): PeriodInfo {
  return {
    kind: p.kind,
    label: p.label,
    timeZone: p.timeZone,
    from: formatLocalIso(p.timeZone, p.startMs),
    to: formatLocalIso(p.timeZone, p.endMs),
    fromMs: p.startMs,
    toMs: p.endMs,
    hours: (p.endMs - p.startMs) / MS_PER_HOUR,
    partial: p.partial,
  };
}

/** The time columns of a row. */
export function rowTime(span: Span, timeZone: string): { start: string; end: string; startMs: number; endMs: number; hours: number } {
  return { start: formatLocalIso(timeZone, span.startMs), end: formatLocalIso(timeZone, span.endMs), startMs: span.startMs, endMs: span.endMs, hours: (span.endMs - span.startMs) / MS_PER_HOUR };
}
