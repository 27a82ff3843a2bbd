/**
 * Civil time for reports: local days, weeks, months and years of the site's
 * time zone, as UTC instants. Pure, no state beyond small caches; runs in the
 * browser too.
 *
 * - Europe/Paris (the site's zone) follows the EU rule in law, without Intl:
 *   Directive 2000/84/EC, art. 2-3 — summer time from 01:00 UTC on the last
 *   Sunday of March to 01:00 UTC on the last Sunday of October; UTC+1 in winter,
 *   UTC+2 in summer. (The simulator's simulator/physics/calendar.ts implements
 *   the same rule for its hot loop; the two are tested against the tz database.)
 * - Any other IANA zone is answered by Intl (the tz database Node ships with).
 * - Calendar arithmetic: Howard Hinnant, "chrono-Compatible Low-Level Date
 *   Algorithms" (days_from_civil / civil_from_days), proleptic Gregorian.
 *
 * Paris is always a whole number of hours from UTC, so a local day is made of
 * whole UTC hours: 24, or 23 on the last Sunday of March and 25 on the last
 * Sunday of October. That is what lets reports add up hourly rollups by local day.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
export const PARIS = 'Europe/Paris';

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Proleptic Gregorian date of a day count since 1970-01-01 (Hinnant civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Days in a month of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

function lastSundayDays(year: number, month: number): number {
  const last = daysFromCivil(year, month, daysInMonth(year, month));
  return last - weekdayOfDays(last);
}

/** EU summer time of a year: both switches at 01:00 UTC (Directive 2000/84/EC, art. 2 and 3). */
export function euSummerTime(year: number): { startMs: number; endMs: number } {
  return { startMs: lastSundayDays(year, 3) * MS_PER_DAY + MS_PER_HOUR, endMs: lastSundayDays(year, 10) * MS_PER_DAY + MS_PER_HOUR };
}

// The last year asked for: reports ask for every hour of a year in a row.
let cachedYearFrom = Number.NaN;
let cachedYearTo = Number.NaN;
let cachedSummer = { startMs: 0, endMs: 0 };

/** Offset of Paris civil time from UTC at an instant, minutes: 60 (CET) or 120 (CEST). */
export function parisOffsetMinutes(tMs: number): number {
  if (!(tMs >= cachedYearFrom && tMs < cachedYearTo)) {
    const { year } = civilFromDays(Math.floor(tMs / MS_PER_DAY));
    cachedYearFrom = daysFromCivil(year, 1, 1) * MS_PER_DAY;
    cachedYearTo = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
    cachedSummer = euSummerTime(year);
  }
  return tMs >= cachedSummer.startMs && tMs < cachedSummer.endMs ? 120 : 60;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether Intl knows this IANA time zone. */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone === PARIS) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function intlOffsetMinutes(timeZone: string, tMs: number): number {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, fmt);
  }
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(tMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return Math.round((wall - Math.floor(tMs / 1000) * 1000) / MS_PER_MINUTE);
}

/** Offset of a zone's civil time from UTC at an instant, minutes (east positive). */
export function offsetMinutes(timeZone: string, tMs: number): number {
  return timeZone === PARIS ? parisOffsetMinutes(tMs) : intlOffsetMinutes(timeZone, tMs);
}

/** The local wall-clock time of an instant, as if it were UTC (epoch ms). */
export function wallMs(timeZone: string, tMs: number): number {
  return tMs + offsetMinutes(timeZone, tMs) * MS_PER_MINUTE;
}

/**
 * The instant a local wall-clock time (as if UTC, epoch ms) names. A time that
 * occurs twice (the hour the clocks go back) is its first occurrence; a time
 * that does not exist (the hour skipped in spring) is read with the offset in
 * force before the switch, i.e. it lands after the gap.
 */
export function fromWallMs(timeZone: string, wall: number): number {
  const first = wall - offsetMinutes(timeZone, wall - 14 * MS_PER_HOUR) * MS_PER_MINUTE;
  if (wallMs(timeZone, first) === wall) return first;
  const second = wall - offsetMinutes(timeZone, wall + 14 * MS_PER_HOUR) * MS_PER_MINUTE;
  if (wallMs(timeZone, second) === wall) return second;
  return first;
}

export interface LocalDate {
  year: number;
  /** 1-12. */
  month: number;
  /** 1-31. */
  day: number;
}

export interface LocalParts extends LocalDate {
  /** 0-23. */
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Whole local days since 1970-01-01. */
  dayIndex: number;
  /** Offset from UTC, minutes. */
  offsetMinutes: number;
}

export function localParts(timeZone: string, tMs: number): LocalParts {
  const off = offsetMinutes(timeZone, tMs);
  const wall = tMs + off * MS_PER_MINUTE;
  const dayIndex = Math.floor(wall / MS_PER_DAY);
  const msOfDay = wall - dayIndex * MS_PER_DAY;
  // Fields copied one by one: a spread here costs more than the rest of the function (reports call it for every hour).
  const c = civilFromDays(dayIndex);
  return { year: c.year, month: c.month, day: c.day, hour: Math.floor(msOfDay / MS_PER_HOUR), minute: Math.floor((msOfDay % MS_PER_HOUR) / MS_PER_MINUTE), weekday: weekdayOfDays(dayIndex), dayIndex, offsetMinutes: off };
}

/** The local day index (days since 1970-01-01, local midnight to local midnight) of an instant. */
export function localDayIndex(timeZone: string, tMs: number): number {
  return Math.floor(wallMs(timeZone, tMs) / MS_PER_DAY);
}

/** The instant local midnight starts a day, given as its day index. */
export function startOfLocalDay(timeZone: string, dayIndex: number): number {
  return fromWallMs(timeZone, dayIndex * MS_PER_DAY);
}

/** The instant local midnight starts a date. */
export function localMidnight(timeZone: string, date: LocalDate): number {
  return startOfLocalDay(timeZone, daysFromCivil(date.year, date.month, date.day));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function dateKey(d: LocalDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

/** 'YYYY-MM-DD' to a date, or undefined if it is not a real date. */
export function parseDateKey(s: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** '+01:00', '-05:30'. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** ISO 8601 local date-time with its offset: '2026-03-29T03:00:00+02:00'. */
export function formatLocalIso(timeZone: string, tMs: number): string {
  const p = localParts(timeZone, tMs);
  const s = Math.floor((((tMs % MS_PER_MINUTE) + MS_PER_MINUTE) % MS_PER_MINUTE) / 1000);
  return `${dateKey(p)}T${pad(p.hour)}:${pad(p.minute)}:${pad(s)}${formatOffset(p.offsetMinutes)}`;
}

/** 'YYYY-MM-DD HH:mm', local: what a spreadsheet reads as a date-time. */
export function formatLocalDateTime(timeZone: string, tMs: number): string {
  const p = localParts(timeZone, tMs);
  return `${dateKey(p)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** ISO 8601 week-numbering year and week of a local date (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeek(date: LocalDate): { year: number; week: number } {
  const days = daysFromCivil(date.year, date.month, date.day);
  const weekday = (weekdayOfDays(days) + 6) % 7; // Monday = 0
  const thursday = days - weekday + 3;
  const { year } = civilFromDays(thursday);
  return { year, week: Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1 };
}

/** The date a number of days after (or before) another. */
export function addDays(date: LocalDate, days: number): LocalDate {
  return civilFromDays(daysFromCivil(date.year, date.month, date.day) + days);
}

/** The same day some months later (or earlier), the day clamped to the month's length (31 Mar - 1 month = 28/29 Feb). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const m0 = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(m0 / 12);
  const month = m0 - year * 12 + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}
