/**
 * How alert messages write numbers and durations. Messages are in French, like
 * the dashboard and the catalogue's labels: a facility manager reads them as is.
 */

const formats = new Map<number, Intl.NumberFormat>();

/** 1340 -> "1 340", 0.8 -> "0,8"; at most `digits` decimals. */
export function num(value: number, digits = 1): string {
  let f = formats.get(digits);
  if (!f) formats.set(digits, (f = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits })));
  // Intl writes a narrow no-break space between thousands: keep it, it never wraps.
  // A true minus sign: "−1 °C" reads better than "-1 °C" in a sentence.
  return f.format(value).replace('-', '\u2212');
}

// The first fr-FR format pages about 5 MB of ICU data in from the node binary
// (file-backed, read-only: RssFile in /proc/<pid>/status). Made at load rather than
// at the first alert, where it showed as a step in the server's RSS minutes into a
// run (docs/performance.md, "What limits each figure", Memory).
num(0);

/** A value with its unit, as the catalogue writes units (ppm, Cel -> °C, W, %...). */
export function withUnit(value: number, unit: string, digits = 1): string {
  const u = UNIT_TEXT[unit] ?? unit;
  if (u === '') return num(value, digits);
  return u === '%' ? `${num(value, digits)} %` : `${num(value, digits)} ${u}`;
}

const UNIT_TEXT: Record<string, string> = { Cel: '°C', 'W/m2': 'W/m²', m3: 'm³', 'm3/s': 'm³/s', '%RH': '% HR', count: 'pers.' };

/** 45 s, 12 min, 1 h 05, 3 j 4 h. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')}`;
  return `${Math.floor(h / 24)} j ${h % 24} h`;
}
