import { stringify } from 'csv-stringify/sync';
import type { KpiLocale } from '../../shared/kpi';

/**
 * CSV a spreadsheet opens cleanly (docs/kpi.md):
 * - fr: ";" between fields, a decimal comma, a UTF-8 byte-order mark (what
 *   Excel needs to read UTF-8 and what a French Excel or LibreOffice expects);
 * - en: "," between fields and a decimal point, no BOM.
 * Both: a header row with the unit of each column in brackets, CRLF line ends
 * (RFC 4180), fields quoted when they hold the separator, a quote or a line
 * break (csv-stringify), numbers without thousands separators at a fixed
 * precision per column, empty cells for unknown values, and text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) prefixed with
 * a quote (OWASP "CSV injection").
 */

export interface CsvColumn {
  key: string;
  header: string;
  unit?: string | undefined;
  /** Decimals of a number; default: as many as it has, up to 6. */
  decimals?: number | undefined;
}

const formats = new Map<string, Intl.NumberFormat>();

/** A number as a spreadsheet reads it: no grouping, no exponent, no "-0", the locale's decimal separator. */
export function formatCsvNumber(n: number, locale: KpiLocale, decimals?: number): string {
  if (!Number.isFinite(n)) return '';
  const key = `${locale}:${decimals ?? ''}`;
  let f = formats.get(key);
  if (!f) {
    // "negative": a value that rounds to zero is written 0, not -0.
    f = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-US', { useGrouping: false, signDisplay: 'negative', minimumFractionDigits: decimals ?? 0, maximumFractionDigits: decimals ?? 6 });
    formats.set(key, f);
  }
  // fr-FR writes its minus sign as U+2212 in some ICU versions: spreadsheets want "-".
  return f.format(n).replace('\u2212', '-');
}

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown, locale: KpiLocale, decimals: number | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatCsvNumber(value, locale, decimals);
  const s = String(value);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** A header with its unit: "PV production (kWh)". */
export const csvHeader = (c: CsvColumn): string => (c.unit ? `${c.header} (${c.unit})` : c.header);

export function toCsv(columns: readonly CsvColumn[], rows: readonly Readonly<Record<string, unknown>>[], locale: KpiLocale): string {
  const records = [columns.map((c) => cell(csvHeader(c), locale, undefined)), ...rows.map((r) => columns.map((c) => cell(r[c.key], locale, c.decimals)))];
  return stringify(records, { delimiter: locale === 'fr' ? ';' : ',', record_delimiter: 'windows', bom: locale === 'fr', quote_record_delimiter: true });
}
