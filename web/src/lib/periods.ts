import { addDays, addMonths, dateKey, daysFromCivil, isoWeek, localMidnight, localParts, type LocalDate, PARIS, parseDateKey, weekdayOfDays } from '../../../shared/calendar';

/**
 * The period picker's logic, pure: what the URL says, what the KPI API is asked,
 * what "previous" and "next" mean, and the period in words. Periods are local to
 * the building (Europe/Paris), as the server reads them (docs/kpi.md).
 */
export const PERIOD_KINDS = ['day', 'week', 'month', 'year', 'custom'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface PeriodState {
  kind: PeriodKind;
  /** A local date inside the period (day, week, month, year). */
  date: string;
  /** custom: first and last local day, both included. */
  from: string;
  to: string;
}

/** Longest custom period the API takes (ten years). */
const MAX_CUSTOM_DAYS = 3654;

export function todayKey(nowMs: number = Date.now()): string {
  return dateKey(localParts(PARIS, nowMs));
}

/** The period a URL's query string describes; anything missing or wrong falls back to `fallback` (this month by default). */
export function parsePeriod(params: URLSearchParams, nowMs: number = Date.now(), fallback: PeriodKind = 'month'): PeriodState {
  const today = todayKey(nowMs);
  const raw = params.get('period');
  const kind: PeriodKind = (PERIOD_KINDS as readonly string[]).includes(raw ?? '') ? (raw as PeriodKind) : fallback;
  const date = parseDateKey(params.get('date') ?? '') ? (params.get('date') as string) : today;
  let from = parseDateKey(params.get('from') ?? '') ? (params.get('from') as string) : undefined;
  let to = parseDateKey(params.get('to') ?? '') ? (params.get('to') as string) : undefined;
  if (!from || !to || to < from) {
    // A custom period without valid bounds: the seven days to today.
    to = today;
    from = dateKey(addDays(parseDateKey(today) as LocalDate, -6));
  }
  if (daysBetween(from, to) + 1 > MAX_CUSTOM_DAYS) from = dateKey(addDays(parseDateKey(to) as LocalDate, -(MAX_CUSTOM_DAYS - 1)));
  return { kind, date, from, to };
}

/** The URL query of a period: only what it needs, so a bookmark stays short. */
export function periodParams(p: PeriodState): Record<string, string> {
  return p.kind === 'custom' ? { period: 'custom', from: p.from, to: p.to } : { period: p.kind, date: p.date };
}

/** The KPI API's query string for a period plus any extra parameters (format, locale, kpi…). */
export function kpiQuery(p: PeriodState, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ ...periodParams(p), ...extra }).toString();
}

function daysBetween(a: string, b: string): number {
  const x = parseDateKey(a) as LocalDate;
  const y = parseDateKey(b) as LocalDate;
  return daysFromCivil(y.year, y.month, y.day) - daysFromCivil(x.year, x.month, x.day);
}

/** First and last local day (included) of a period. */
export function periodDays(p: PeriodState): { first: LocalDate; last: LocalDate } {
  if (p.kind === 'custom') return { first: parseDateKey(p.from) as LocalDate, last: parseDateKey(p.to) as LocalDate };
  const d = parseDateKey(p.date) as LocalDate;
  switch (p.kind) {
    case 'day':
      return { first: d, last: d };
    case 'week': {
      // ISO week: Monday to Sunday.
      const days = daysFromCivil(d.year, d.month, d.day);
      const monday = addDays(d, -((weekdayOfDays(days) + 6) % 7));
      return { first: monday, last: addDays(monday, 6) };
    }
    case 'month':
      return { first: { ...d, day: 1 }, last: addDays(addMonths({ ...d, day: 1 }, 1), -1) };
    case 'year':
      return { first: { year: d.year, month: 1, day: 1 }, last: { year: d.year, month: 12, day: 31 } };
  }
}

/** The period as instants: local midnight of its first day to local midnight after its last (excluded). */
export function periodRange(p: PeriodState): { fromMs: number; toMs: number } {
  const { first, last } = periodDays(p);
  return { fromMs: localMidnight(PARIS, first), toMs: localMidnight(PARIS, addDays(last, 1)) };
}

/** The period before (-1) or after (+1): same kind; a custom period moves by its own length. */
export function shiftPeriod(p: PeriodState, step: -1 | 1): PeriodState {
  const d = parseDateKey(p.date) as LocalDate;
  switch (p.kind) {
    case 'day':
      return { ...p, date: dateKey(addDays(d, step)) };
    case 'week':
      return { ...p, date: dateKey(addDays(d, 7 * step)) };
    case 'month':
      return { ...p, date: dateKey(addMonths(d, step)) };
    case 'year':
      return { ...p, date: dateKey(addMonths(d, 12 * step)) };
    case 'custom': {
      const len = daysBetween(p.from, p.to) + 1;
      return { ...p, from: dateKey(addDays(parseDateKey(p.from) as LocalDate, len * step)), to: dateKey(addDays(parseDateKey(p.to) as LocalDate, len * step)) };
    }
  }
}

/** A period that starts after today has no data (the API answers 400): "next" stops before it. */
export function startsInFuture(p: PeriodState, nowMs: number = Date.now()): boolean {
  return periodRange(p).fromMs > nowMs;
}

/** Another kind around the same date (the custom period keeps the one shown so far). */
export function changeKind(p: PeriodState, kind: PeriodKind): PeriodState {
  if (kind === 'custom') {
    const { first, last } = periodDays(p);
    return { ...p, kind, from: dateKey(first), to: dateKey(last) };
  }
  // Coming from a custom period, the new one is around its last day.
  return { ...p, kind, date: p.kind === 'custom' ? p.to : p.date };
}

/** The KPI rows' interval the API picks by default (docs/kpi.md), for the labels. */
export function defaultInterval(p: PeriodState): 'hour' | 'day' | 'month' {
  if (p.kind === 'day') return 'hour';
  if (p.kind === 'week' || p.kind === 'month') return 'day';
  if (p.kind === 'year') return 'month';
  const days = daysBetween(p.from, p.to) + 1;
  return days <= 2 ? 'hour' : days <= 92 ? 'day' : 'month';
}

/** The period in words, in the language of `locale` (an Intl locale), dates in Europe/Paris: "novembre 2026", "semaine du 16 au 22 novembre 2026". */
export function describePeriod(p: PeriodState, locale: string): string {
  const { first, last } = periodDays(p);
  // Noon UTC of a date is that date in Paris.
  const at = (d: LocalDate) => Date.UTC(d.year, d.month - 1, d.day, 12);
  const fmt = (d: LocalDate, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone: PARIS, ...o }).format(at(d));
  const fr = locale.startsWith('fr');
  switch (p.kind) {
    case 'day':
      return fmt(first, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    case 'month':
      return fmt(first, { month: 'long', year: 'numeric' });
    case 'year':
      return String(first.year);
    case 'week':
    case 'custom': {
      const range = new Intl.DateTimeFormat(locale, { timeZone: PARIS, day: 'numeric', month: 'long', year: 'numeric' }).formatRange(at(first), at(last));
      if (p.kind === 'custom') return range;
      const { week } = isoWeek(first);
      return fr ? `semaine ${week} (${range})` : `week ${week} (${range})`;
    }
  }
}
