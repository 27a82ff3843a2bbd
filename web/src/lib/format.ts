/**
 * Number, unit and time formatting for the dashboard: French, times in the
 * building's time zone. Pure functions (formatters are cached, nothing else).
 */

export const LOCALE = 'fr-FR';
export const TIME_ZONE = 'Europe/Paris';

/** Between a number and its unit, French typography wants a no-break space. */
const NBSP = '\u00a0';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(minDecimals: number, maxDecimals: number): Intl.NumberFormat {
  const key = `${minDecimals}:${maxDecimals}`;
  let f = numberFormats.get(key);
  if (!f) {
    // signDisplay 'negative': -0.04 shown with one decimal reads "0,0", not "-0,0".
    f = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: minDecimals, maximumFractionDigits: maxDecimals, signDisplay: 'negative' });
    numberFormats.set(key, f);
  }
  return f;
}

/** Formats a number in French ("12 345,6"); never shows "-0". */
export function formatNumber(value: number, decimals: number, minDecimals = decimals): string {
  return numberFormat(minDecimals, decimals).format(value);
}

/** How one value of a series is shown: the unit to print, the factor to divide by, the decimals. */
export interface DisplayUnit {
  symbol: string;
  factor: number;
  decimals: number;
  /** Plural-aware units ("personne"/"personnes") set this instead of a fixed symbol. */
  plural?: { one: string; other: string };
}

/** Watts read better as kilowatts from this magnitude on. */
export const KILO_FROM = 10_000;

/**
 * Maps a SenML unit symbol (and the magnitude to show) to a human unit.
 * `magnitude` is the largest absolute value shown together (one value, or a whole chart axis).
 */
export function displayUnit(unit: string, kind: 'gauge' | 'counter' | 'state', magnitude: number): DisplayUnit {
  const big = Math.abs(magnitude) >= KILO_FROM;
  switch (unit) {
    case 'W':
      return big ? { symbol: 'kW', factor: 1000, decimals: 1 } : { symbol: 'W', factor: 1, decimals: 0 };
    case 'Wh':
      // Meter readings are read in kWh; a small gauge in Wh stays in Wh.
      return kind === 'counter' || big ? { symbol: 'kWh', factor: 1000, decimals: 1 } : { symbol: 'Wh', factor: 1, decimals: 0 };
    case 'kWh':
      return { symbol: 'kWh', factor: 1, decimals: 1 };
    case 'Cel':
      return { symbol: '°C', factor: 1, decimals: 1 };
    case '%RH':
      return { symbol: '% HR', factor: 1, decimals: 0 };
    case '%':
      return { symbol: '%', factor: 1, decimals: 0 };
    case 'ppm':
      return { symbol: 'ppm', factor: 1, decimals: 0 };
    case 'lx':
      return { symbol: 'lx', factor: 1, decimals: 0 };
    case 'count':
      return { symbol: 'personnes', factor: 1, decimals: 0, plural: { one: 'personne', other: 'personnes' } };
    case 'W/m2':
      return { symbol: 'W/m²', factor: 1, decimals: 0 };
    case 'l':
      // Water meters are read in m³ once past 10 000 L.
      return big ? { symbol: 'm³', factor: 1000, decimals: 1 } : { symbol: 'L', factor: 1, decimals: 0 };
    case 'mm':
      return { symbol: 'mm', factor: 1, decimals: 1 };
    case 'mm/h':
      return { symbol: 'mm/h', factor: 1, decimals: 1 };
    case 'm/s':
      return { symbol: 'm/s', factor: 1, decimals: 1 };
    case 'm3':
      return { symbol: 'm³', factor: 1, decimals: 2 };
    case 'm3/s':
      return { symbol: 'm³/s', factor: 1, decimals: 3 };
    case 'Pa':
      return { symbol: 'Pa', factor: 1, decimals: 0 };
    case 'hPa':
      return { symbol: 'hPa', factor: 1, decimals: 1 };
    case 's':
      return { symbol: 's', factor: 1, decimals: 0 };
    case '/':
      return { symbol: '', factor: 1, decimals: 2 };
    default:
      return { symbol: unit, factor: 1, decimals: 2 };
  }
}

const pluralRules = new Intl.PluralRules(LOCALE);

function unitText(d: DisplayUnit, shown: number): string {
  if (d.plural) return pluralRules.select(shown) === 'one' ? d.plural.one : d.plural.other;
  return d.symbol;
}

function join(number: string, unit: string): string {
  return unit === '' ? number : `${number}${NBSP}${unit}`;
}

/** One reading, ready to print: "12,3 kW", "21,4 °C", "45 % HR", "3 personnes". */
export function formatValue(value: number, unit: string, kind: 'gauge' | 'counter' | 'state' = 'gauge', states?: readonly string[]): string {
  if (kind === 'state') return stateLabel(states?.[value] ?? String(value));
  const d = displayUnit(unit, kind, value);
  const scaled = value / d.factor;
  const rounded = Number(scaled.toFixed(d.decimals));
  return join(formatNumber(scaled, d.decimals), unitText(d, Math.abs(rounded)));
}

/**
 * A tick formatter for a chart axis whose largest absolute value is `magnitude`:
 * every tick uses the same unit, with as few decimals as the tick needs.
 */
export function axisFormatter(unit: string, kind: 'gauge' | 'counter' | 'state', magnitude: number): { unit: string; format: (value: number) => string } {
  const d = displayUnit(unit, kind, magnitude);
  const label = d.plural ? d.plural.other : d.symbol;
  return {
    unit: label,
    format: (value: number) => formatNumber(value / d.factor, Math.max(d.decimals, d.factor > 1 ? 1 : 0), 0),
  };
}

const clockFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const hourMinuteFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const dayKeyFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** "14:05:09", Paris time. */
export function formatClock(ts: number): string {
  return clockFormat.format(ts);
}

/** "14:05", Paris time: chart time axis. */
export function formatHourMinute(ts: number): string {
  return hourMinuteFormat.format(ts);
}

/** "22/11/2025 14:05:09", Paris time. */
export function formatDateTime(ts: number): string {
  return dateTimeFormat.format(ts);
}

/** The calendar day in Paris, "2025-11-22". */
export function parisDay(ts: number): string {
  return dayKeyFormat.format(ts);
}

/** The time of a reading: the clock alone when it is from today (in Paris), the date too otherwise. */
export function formatReadingTime(ts: number, now: number): string {
  return parisDay(ts) === parisDay(now) ? formatClock(ts) : formatDateTime(ts);
}

/** Machine-readable time for <time dateTime>. */
export function isoTime(ts: number): string {
  return new Date(ts).toISOString();
}

/** French names of the device states carried by state points (inverters, chargers). */
const STATE_LABELS: Record<string, string> = {
  off: 'Arrêt',
  mppt: 'Production (MPPT)',
  clipping: 'Écrêtage',
  fault: 'Défaut',
  available: 'Disponible',
  charging: 'En charge',
  finished: 'Charge terminée',
};

export function stateLabel(state: string): string {
  return STATE_LABELS[state] ?? state;
}
