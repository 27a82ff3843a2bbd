import { describe, expect, it } from 'vitest';
import { compareFigures } from '../../server/kpi/compare';
import { formatCsvNumber, toCsv } from '../../server/kpi/csv';
import { escapeHtml } from '../../server/kpi/html';
import { compareCsv, kpiCsv } from '../../server/kpi/tables';
import { ENERGY_FIGURES } from '../../shared/kpi';

const TZ = 'Europe/Paris';
const H = 3_600_000;
const BOM = '\uFEFF';

/** A minimal RFC 4180 reader, to read back what was written. */
function parseCsv(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

const columns = [
  { key: 'name', header: 'Zone' },
  { key: 'kwh', header: 'Énergie', unit: 'kWh', decimals: 3 },
  { key: 'pct', header: 'Taux', unit: '%', decimals: 1 },
];
const rows = [
  { name: 'Salle "immersive"; RDC', kwh: 1234.5678, pct: 12.34 },
  { name: '=HYPERLINK("http://evil")', kwh: -1.5, pct: null },
  { name: 'Hall, accueil', kwh: -0.0001, pct: 100 },
];

describe('CSV for spreadsheets', () => {
  it('writes French CSV: BOM, ";" separator, decimal comma, units in the headers, CRLF, quotes where needed', () => {
    const csv = toCsv(columns, rows, 'fr');
    expect(csv.startsWith(BOM)).toBe(true);
    expect(csv.split('\r\n')[0]).toBe(`${BOM}Zone;Énergie (kWh);Taux (%)`);
    expect(csv.endsWith('\r\n')).toBe(true);
    const back = parseCsv(csv.slice(1), ';');
    expect(back).toEqual([
      ['Zone', 'Énergie (kWh)', 'Taux (%)'],
      ['Salle "immersive"; RDC', '1234,568', '12,3'],
      // A formula is made inert; a negative number is not text and stays a number.
      [`'=HYPERLINK("http://evil")`, '-1,500', ''],
      ['Hall, accueil', '0,000', '100,0'],
    ]);
  });

  it('writes English CSV: "," separator, decimal point, no BOM', () => {
    const csv = toCsv(columns, rows, 'en');
    expect(csv.startsWith(BOM)).toBe(false);
    expect(parseCsv(csv, ',')).toEqual([
      ['Zone', 'Énergie (kWh)', 'Taux (%)'],
      ['Salle "immersive"; RDC', '1234.568', '12.3'],
      [`'=HYPERLINK("http://evil")`, '-1.500', ''],
      ['Hall, accueil', '0.000', '100.0'],
    ]);
  });

  it('formats numbers without exponents or thousands separators', () => {
    expect(formatCsvNumber(1e-7, 'en')).toBe('0');
    expect(formatCsvNumber(1234567.125, 'fr')).toBe('1234567,125');
    expect(formatCsvNumber(2.5e21, 'en', 1)).toMatch(/^\d+\.\d$/);
    expect(formatCsvNumber(Number.NaN, 'fr')).toBe('');
  });

  it('writes KPI rows with local start and end and the UTC offset, twice 02:00 on the fall-back night', () => {
    const t = Date.UTC(2026, 9, 25, 0); // 02:00 CEST
    const kpiRows = [0, 1].map((i) => ({ startMs: t + i * H, endMs: t + (i + 1) * H, ...Object.fromEntries(Object.keys(ENERGY_FIGURES).map((k) => [k, i + 0.5])) }));
    const fr = parseCsv(kpiCsv('energy', kpiRows, TZ, 'fr').slice(1), ';');
    expect(fr[0]?.slice(0, 5)).toEqual(['Début (heure locale)', 'Fin (heure locale)', 'Décalage horaire', 'Durée (h)', 'Production PV (kWh)']);
    expect(fr[1]?.slice(0, 5)).toEqual(['2026-10-25 02:00', '2026-10-25 02:00', 'UTC+02:00', '1', '0,500']);
    expect(fr[2]?.slice(0, 5)).toEqual(['2026-10-25 02:00', '2026-10-25 03:00', 'UTC+01:00', '1', '1,500']);
    expect(fr[0]).toHaveLength(4 + Object.keys(ENERGY_FIGURES).length);
    const en = parseCsv(kpiCsv('energy', kpiRows, TZ, 'en'), ',');
    expect(en[0]?.slice(0, 5)).toEqual(['Start (local time)', 'End (local time)', 'UTC offset', 'Duration (h)', 'PV production (kWh)']);
    expect(en[1]?.[4]).toBe('0.500');
  });
});

describe('comparisons', () => {
  it('gives absolute and relative differences, null where the reference is 0 or unknown', () => {
    const meta = { a: ENERGY_FIGURES.pvKWh, b: ENERGY_FIGURES.selfSufficiencyPct };
    const f = compareFigures(meta, { a: 120, b: 40 }, { a: 100, b: null }, { a: 0, b: 50 }, 'en');
    expect(f[0]).toEqual({ key: 'a', label: 'PV production', unit: 'kWh', current: 120, previous: 100, yearBefore: 0, diffPrevious: 20, diffPreviousPct: 20, diffYearBefore: 120, diffYearBeforePct: null });
    expect(f[1]).toMatchObject({ diffPrevious: null, diffPreviousPct: null, diffYearBefore: -10, diffYearBeforePct: -20 });
    const csv = parseCsv(compareCsv('energy', compareFigures(ENERGY_FIGURES, { pvKWh: 1.23456 }, { pvKWh: 1 }, {}, 'fr'), 'fr').slice(1), ';');
    expect(csv[0]?.[0]).toBe('Indicateur');
    expect(csv[1]).toEqual(['Production PV', 'kWh', '1,235', '1', '0,235', '23,5', '', '', '']);
  });
});

describe('HTML escaping', () => {
  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
