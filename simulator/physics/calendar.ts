/**
 * Civil time in Besançon (Europe/Paris) without Intl, for the simulator's hot
 * loop (every simulated minute, for a year, for ~20 zones).
 *
 * - Offset: Directive 2000/84/EC, art. 2-3: summer time runs from 01:00 UTC on
 *   the last Sunday of March to 01:00 UTC on the last Sunday of October, for
 *   every Member State at the same instant. Paris is UTC+1 in winter, UTC+2 in
 *   summer. (The rule is fixed in law; no tz database is needed.)
 * - Calendar arithmetic: Howard Hinnant, "chrono-Compatible Low-Level Date
 *   Algorithms" (days_from_civil / civil_from_days), proleptic Gregorian,
 *   integer only, no Date object.
 * - French public holidays: Code du travail, art. L3133-1 (the 11 "jours fériés"
 *   of metropolitan France outside Alsace-Moselle; Besançon is in the Doubs, so
 *   Good Friday and 26 December do not apply). Easter Sunday by the anonymous
 *   Gregorian algorithm (Meeus, "Astronomical Algorithms", 2nd ed., ch. 8,
 *   after Jones 1876 / Butcher 1877).
 */

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // [0, 399]
  const mp = (month + 9) % 12; // March = 0, so the leap day ends the "year"
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1; // [0, 365]
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // [0, 146096]
  return era * 146_097 + doe - 719_468; // 719468 = days from 0000-03-01 to 1970-01-01
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

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday (4). */
function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Day count of the last Sunday of a month. */
function lastSundayDays(year: number, month: number): number {
  const last = daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - 1;
  return last - weekdayOfDays(last);
}

// One-year cache of the two switch instants: the offset is asked for every
// simulated minute, and the year changes once in 525 600 calls.
let dstYearFromMs = Number.NaN;
let dstYearToMs = Number.NaN;
let dstStartMs = 0;
let dstEndMs = 0;

function loadDstYear(tMs: number): void {
  const { year } = civilFromDays(Math.floor(tMs / MS_PER_DAY));
  dstYearFromMs = daysFromCivil(year, 1, 1) * MS_PER_DAY;
  dstYearToMs = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
  // Both switches happen at 01:00 UTC (Directive 2000/84/EC, art. 2 and 3).
  dstStartMs = lastSundayDays(year, 3) * MS_PER_DAY + MS_PER_HOUR;
  dstEndMs = lastSundayDays(year, 10) * MS_PER_DAY + MS_PER_HOUR;
}

/** Summer-time switch instants (UTC ms) of a year under the EU rule. */
export function dstTransitionsUtc(year: number): { startMs: number; endMs: number } {
  return {
    startMs: lastSundayDays(year, 3) * MS_PER_DAY + MS_PER_HOUR,
    endMs: lastSundayDays(year, 10) * MS_PER_DAY + MS_PER_HOUR,
  };
}

/** Offset of Paris civil time from UTC at an instant, minutes: 60 (CET) or 120 (CEST). */
export function parisOffsetMinutes(tMs: number): number {
  if (!(tMs >= dstYearFromMs && tMs < dstYearToMs)) loadDstYear(tMs);
  return tMs >= dstStartMs && tMs < dstEndMs ? 120 : 60;
}

/** Local civil time in Paris. */
export interface LocalTime {
  year: number;
  /** 1-12. */
  month: number;
  /** 1-31. */
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Fractional local hour, 0 ≤ hour < 24 (jumps 2→3 and 3→2 on switch days). */
  hour: number;
  /** 1-based day of the year. */
  dayOfYear: number;
  /** Whole local days since 1970-01-01 (local midnight to local midnight). */
  dayIndex: number;
  /** 'YYYY-MM-DD'. */
  dateKey: string;
  /** French public holiday (see frenchPublicHolidays). */
  isHoliday: boolean;
}

type LocalDay = Omit<LocalTime, 'hour'>;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function dateKeyOf(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

function buildLocalDay(dayIndex: number): LocalDay {
  const { year, month, day } = civilFromDays(dayIndex);
  const dateKey = dateKeyOf(year, month, day);
  return {
    year,
    month,
    day,
    weekday: weekdayOfDays(dayIndex),
    dayOfYear: dayIndex - daysFromCivil(year, 1, 1) + 1,
    dayIndex,
    dateKey,
    isHoliday: isPublicHoliday(dateKey),
  };
}

// Last local day seen: consecutive minutes (and the ~20 zones asking for the
// same minute) hit it, so the date string is built once per simulated day.
let cachedDayIndex = Number.NaN;
let cachedDay: LocalDay | undefined;

/** Paris civil time of an instant; the date part is cached per local day. */
export function localTime(tMs: number): LocalTime {
  const localMs = tMs + parisOffsetMinutes(tMs) * 60_000;
  const dayIndex = Math.floor(localMs / MS_PER_DAY);
  let d = cachedDay;
  if (dayIndex !== cachedDayIndex || d === undefined) {
    d = buildLocalDay(dayIndex);
    cachedDay = d;
    cachedDayIndex = dayIndex;
  }
  return {
    year: d.year,
    month: d.month,
    day: d.day,
    weekday: d.weekday,
    hour: (localMs - dayIndex * MS_PER_DAY) / MS_PER_HOUR,
    dayOfYear: d.dayOfYear,
    dayIndex,
    dateKey: d.dateKey,
    isHoliday: d.isHoliday,
  };
}

/** Easter Sunday (Gregorian) by the anonymous Meeus/Jones/Butcher algorithm. */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return { month: Math.floor(n / 31), day: (n % 31) + 1 };
}

export interface Holiday {
  /** 'YYYY-MM-DD'. */
  date: string;
  name: string;
}

/** The 11 public holidays of metropolitan France (Code du travail L3133-1), in date order. */
export function frenchPublicHolidays(year: number): Holiday[] {
  const easter = easterSunday(year);
  const easterDays = daysFromCivil(year, easter.month, easter.day);
  const movable = (offsetDays: number, name: string): Holiday => {
    const c = civilFromDays(easterDays + offsetDays);
    return { date: dateKeyOf(c.year, c.month, c.day), name };
  };
  const fixed = (month: number, day: number, name: string): Holiday => ({ date: dateKeyOf(year, month, day), name });
  const list = [
    fixed(1, 1, "Jour de l'an"),
    movable(1, 'Lundi de Pâques'),
    fixed(5, 1, 'Fête du Travail'),
    fixed(5, 8, 'Victoire 1945'),
    movable(39, 'Ascension'),
    // Also the usual "journée de solidarité" (Code du travail L3133-7): many
    // employers work that day, but it remains a legal public holiday.
    movable(50, 'Lundi de Pentecôte'),
    fixed(7, 14, 'Fête nationale'),
    fixed(8, 15, 'Assomption'),
    fixed(11, 1, 'Toussaint'),
    fixed(11, 11, 'Armistice 1918'),
    fixed(12, 25, 'Noël'),
  ];
  // ISO dates sort as strings; 8 May and Ascension can swap order.
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

const holidaySets = new Map<number, Set<string>>();

/** Whether a 'YYYY-MM-DD' date is a French public holiday (one set built per year). */
export function isPublicHoliday(dateKey: string): boolean {
  // The year is read from the digits, not by parsing a Date.
  const year = Number(dateKey.slice(0, 4));
  let set = holidaySets.get(year);
  if (set === undefined) {
    set = new Set(frenchPublicHolidays(year).map((h) => h.date));
    holidaySets.set(year, set);
  }
  return set.has(dateKey);
}
