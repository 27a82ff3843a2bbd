import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../server/kpi/html';
import { createKpiService, type KpiService } from '../../server/kpi/service';
import { createLogger } from '../../server/logger';
import { openSqliteStore } from '../../server/store/sqlite';
import type { Store } from '../../server/store/types';
import type { Reading } from '../../shared/api';
import { BuildingSchema } from '../../shared/building';
import { building, catalogueFromBuilding, catalogueSeries } from '../../shared/catalogue';
import { ComfortResponseSchema, CompareResponseSchema, EnergyResponseSchema, HeatResponseSchema, ReportResponseSchema, WaterResponseSchema } from '../../shared/kpi';

/**
 * The KPI service on a real SQLite store: what the store's hourly increases
 * make of a meter reset and of a meter replaced at a higher index, reads longer
 * than one query, the EV source, and every answer against its schema.
 */

const H = 3_600_000;
const Q = 15 * 60_000;
const NOW = Date.UTC(2026, 5, 1, 12);
// A zone label that HTML must escape.
const site = BuildingSchema.parse({ ...building, zones: building.zones.map((z) => (z.id === 'rdc-accueil' ? { ...z, label: '<b>Hall & "Accueil"</b>' } : z)) });
const catalogue = catalogueFromBuilding(site);

let dir: string;
let store: Store;
let kpi: KpiService;

/** 15-minute readings of a counter from `from` (excluded: the first reading has no step) while `index(t)` says. */
function counter(seriesId: string, from: number, to: number, index: (t: number) => number): Reading[] {
  const out: Reading[] = [];
  for (let t = from; t <= to; t += Q) out.push({ seriesId, ts: t, value: index(t) });
  return out;
}

// 15 January 2026, local: 00:00 is 23:00 UTC the day before.
const DAY0 = Date.UTC(2026, 0, 14, 23);
const RESET = DAY0 + 10 * H;
const REPLACED = DAY0 + 12 * H;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lnm-kpi-'));
  store = openSqliteStore({ dataDir: dir, log: createLogger('silent')('store'), flushIntervalMs: 60_000 });
  store.upsertSeries(catalogueSeries(catalogue));
  const readings: Reading[] = [
    // Import: 1 kWh an hour all day; the meter resets at 10:00 local and counts again from zero.
    ...counter('grid-meter.import_energy', DAY0 - Q, DAY0 + 24 * H - Q, (t) => (t < RESET ? 50_000 + ((t - DAY0) / H) * 1000 : ((t - RESET) / H) * 1000 + 250)),
    // Export: 0.5 kWh an hour; at 12:00 the meter is replaced by one that starts at 5 MWh.
    ...counter('grid-meter.export_energy', DAY0 - Q, DAY0 + 24 * H - Q, (t) => (t < REPLACED ? 2_000 + ((t - DAY0) / H) * 500 : 5_000_000 + ((t - REPLACED) / H) * 500 + 125)),
    // PV: 2 kWh an hour from 09:00 to 15:00 local on each of the three inverters' first.
    ...counter('pv-inverter-1.ac_energy', DAY0 - Q, DAY0 + 24 * H - Q, (t) => 10_000 + Math.min(6, Math.max(0, (t - DAY0) / H - 9)) * 2000),
    // No EV sub-meter: charger 1 delivers 3 kWh between 13:00 and 14:00.
    ...counter('ev-charger-1.energy', DAY0 - Q, DAY0 + 24 * H - Q, (t) => 700 + Math.min(1, Math.max(0, (t - DAY0) / H - 13)) * 3000),
    // Heat, far apart: read in two chunks of hourly rollups (three years are 26,304 hours).
    { seriesId: 'heat-substation.heat_energy', ts: Date.UTC(2023, 0, 1, 0), value: 1000 },
    { seriesId: 'heat-substation.heat_energy', ts: Date.UTC(2023, 0, 1, 0, 30), value: 2000 },
    { seriesId: 'heat-substation.heat_energy', ts: Date.UTC(2025, 11, 31, 12), value: 3000 },
    { seriesId: 'heat-substation.heat_energy', ts: Date.UTC(2025, 11, 31, 12, 30), value: 4000 },
  ];
  // An occupied morning in the hall: 09:00-11:00 local, CO2 1000 ppm (580 above outdoor: II), 21.5 °C (I), 45 %RH (I).
  for (let t = DAY0 + 9 * H; t < DAY0 + 11 * H; t += Q) {
    readings.push(
      { seriesId: 'room-rdc-accueil.occupancy', ts: t, value: 12 },
      { seriesId: 'room-rdc-accueil.co2', ts: t, value: 1000 },
      { seriesId: 'room-rdc-accueil.temperature', ts: t, value: 21.5 },
      { seriesId: 'room-rdc-accueil.humidity', ts: t, value: 45 },
    );
  }
  store.write(readings);
  await store.flush();
  kpi = createKpiService({ store, catalogue, building: site, now: () => NOW });
});

afterAll(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the KPI service on the SQLite store', () => {
  it('counts a meter reset from zero, leaves out a meter replaced at a higher index, and says so', async () => {
    const e = EnergyResponseSchema.parse(await kpi.energy({ period: 'day', date: '2026-01-15', locale: 'fr' }));
    expect(e.rows).toHaveLength(24);
    // Every hour imported 1 kWh, the reset hour included (its first step is the new meter's 250 Wh).
    expect(e.rows.map((r) => r.importKWh)).toEqual(new Array(24).fill(1));
    expect(e.totals.importKWh).toBe(24);
    // Exports: 0.5 kWh an hour, but the hour of the replacement is left out.
    expect(e.rows[12]?.exportKWh).toBe(0);
    expect(e.totals.exportKWh).toBe(11.5);
    expect(e.warnings).toHaveLength(1);
    expect(e.warnings[0]).toMatchObject({ seriesId: 'grid-meter.export_energy', at: '2026-01-15T12:00:00+01:00' });
    expect(e.totals.pvKWh).toBe(12);
    // The EV from its chargers' meters, the sub-meter having said nothing.
    expect(e.evSource).toBe('chargers');
    expect(e.totals.evKWh).toBe(3);
    expect(e.coverage.find((c) => c.seriesId === 'grid-meter.import_energy')).toEqual({ seriesId: 'grid-meter.import_energy', hours: 24, expectedHours: 24 });
    expect(e.period).toMatchObject({ from: '2026-01-15T00:00:00+01:00', to: '2026-01-16T00:00:00+01:00', hours: 24, partial: false });
  });

  it('reads more hourly rollups than one query returns, in chunks', async () => {
    const h = HeatResponseSchema.parse(await kpi.heat({ from: '2023-01-01', to: '2025-12-31', interval: 'month', locale: 'fr' }));
    expect(h.period.hours).toBeGreaterThan(20_000);
    expect(h.rows).toHaveLength(36);
    expect(h.rows[0]?.heatKWh).toBe(1);
    expect(h.rows[35]?.heatKWh).toBe(2);
    expect(h.totals.heatKWh).toBe(3);
  });

  it('classifies the occupied hours of a zone', async () => {
    const c = ComfortResponseSchema.parse(await kpi.comfort({ period: 'day', date: '2026-01-15', locale: 'fr' }));
    const hall = c.rows.find((r) => r.zone === 'rdc-accueil');
    expect(hall).toMatchObject({ occupiedHours: 2, co2II: 2, temperatureI: 2, humidityI: 2, co2IIOrBetterPct: 100 });
    expect(c.totals.occupiedHours).toBe(2);
    expect(c.rows).toHaveLength(catalogue.devices.filter((d) => d.type === 'room-sensor').length);
  });

  it('answers water and comparisons that fit their schemas', async () => {
    WaterResponseSchema.parse(await kpi.water({ period: 'month', date: '2026-01', locale: 'en' }));
    const cmp = CompareResponseSchema.parse(await kpi.compare('energy', { period: 'day', date: '2026-01-16', locale: 'en' }));
    expect(cmp.previous.label).toBe('2026-01-15');
    expect(cmp.yearBefore.label).toBe('2025-01-16');
    const imp = cmp.figures.find((f) => f.key === 'importKWh');
    expect(imp).toMatchObject({ current: 0, previous: 24, diffPrevious: -24, diffPreviousPct: -100, yearBefore: 0, diffYearBeforePct: null });
  });

  it('reports a period as JSON and as a printable, escaped HTML page', async () => {
    const r = ReportResponseSchema.parse(await kpi.report({ period: 'month', date: '2026-01', locale: 'fr' }));
    expect(r.energy.totals.importKWh).toBe(24);
    expect(r.yearBefore.period.label).toBe('2025-01');
    const html = renderReportHtml(r, 'fr');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).not.toContain('<b>Hall');
    expect(html).toContain('&lt;b&gt;Hall &amp; &quot;Accueil&quot;&lt;/b&gt;');
    // French numbers: a decimal comma (24,0 kWh imported).
    expect(html).toMatch(/Soutirage réseau<\/td><td>24,000<\/td>/);
    expect(renderReportHtml(r, 'en')).toMatch(/Soutirage réseau<\/td><td>24.000<\/td>/);
  });

  it('says a period still running stops at the report time, not at the end of the current hour', async () => {
    // NOW is 2026-06-01 12:00 UTC, 14:00 in Paris: the month is cut at the end of its current hour, 15:00.
    const r = ReportResponseSchema.parse(await kpi.report({ period: 'month', date: '2026-06', locale: 'fr' }));
    expect(r.period).toMatchObject({ partial: true, to: '2026-06-01T15:00:00+02:00' });
    expect(renderReportHtml(r, 'fr')).toContain('Période en cours : les chiffres s’arrêtent à 2026-06-01 14:00.');
  });
});
