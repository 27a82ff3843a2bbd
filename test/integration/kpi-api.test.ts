import { Ajv2020 } from 'ajv/dist/2020.js';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import type { Reading } from '../../shared/api';
import { euSummerTime } from '../../shared/calendar';
import { building } from '../../shared/catalogue';
import { ComfortResponseSchema, CompareResponseSchema, EnergyResponseSchema, type EnergyResponse, HeatResponseSchema, ReportResponseSchema, WaterResponseSchema } from '../../shared/kpi';
import { publishSeries } from '../helpers/publish';
import { apiFetch, getJson, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * The KPI API end to end: a real server, the meters of a whole day sent through
 * the broker and ingest (the night the clocks go back: 25 hours), and the API's
 * figures checked against sums computed here, independently of server/kpi, from
 * what was sent. Then the CSV in both locales, the printable report, who may
 * export, and bad queries.
 */

const H = 3_600_000;
const Q = 15 * 60_000;
const SITE = 'le-numerique';
const T = building.tariffs;
const GRID_KG = building.emissionFactors.gridKgPerKWh;

// The latest fall-back day in the past (25 hours): the last Sunday of October, 00:00 local is 22:00 UTC the day before.
const year = new Date(testNow() - 2 * 86_400_000).getUTCFullYear();
const fallBack = euSummerTime(euSummerTime(year).endMs < testNow() - 2 * 86_400_000 ? year : year - 1).endMs;
const DAY_START = fallBack - 3 * H;
const DAY_END = DAY_START + 25 * H;
const DATE = new Date(fallBack).toISOString().slice(0, 10);
const NEXT_DATE = new Date(DAY_END + 12 * H).toISOString().slice(0, 10);

/** Local hour of an instant, from the tz database (not from shared/calendar.ts). */
const PARIS_HOUR = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: 'numeric', hourCycle: 'h23' });
const localHour = (t: number) => Number(PARIS_HOUR.format(t));

// What each hour of the day really did, Wh: PV in the daytime, a load that PV exceeds around noon.
const hours = Array.from({ length: 25 }, (_, i) => {
  const t = DAY_START + i * H;
  const lh = localHour(t);
  const pv = lh >= 8 && lh < 17 ? 3000 + 2000 * (i % 3) : 0;
  const load = 2000 + 500 * (i % 4);
  const ev = i % 5 === 0 ? Math.min(1500, load) : 0;
  return { t, pv, load, ev, imp: Math.max(0, load - pv), exp: Math.max(0, pv - load) };
});

/**
 * Readings every 15 minutes of a counter whose hour i grows by rate(i), from a
 * quarter before the day to its last quarter; with a meter reset at `resetAt`
 * (the new meter counts from zero).
 */
function meterReadings(rate: (i: number) => number, start: number, resetAt?: number): [number, number][] {
  const out: [number, number][] = [];
  let index = start;
  out.push([DAY_START - Q, index]);
  for (let k = 0; k < 25 * 4; k++) {
    const ts = DAY_START + k * Q;
    // The quarter ending at ts belongs to the hour it lies in.
    const i = Math.floor((ts - Q - DAY_START) / H);
    const step = i >= 0 ? rate(i) / 4 : 0;
    index = resetAt !== undefined && ts === resetAt ? step : index + step;
    out.push([ts, index]);
  }
  return out;
}

/** Hourly increases as the store defines them: steps between consecutive readings, a drop counted from zero, each in the hour of its later reading. */
function hourlyIncreases(points: [number, number][]): number[] {
  const out = new Array<number>(25).fill(0);
  for (let k = 1; k < points.length; k++) {
    const [ts, v] = points[k] as [number, number];
    const prev = (points[k - 1] as [number, number])[1];
    const i = Math.floor((ts - DAY_START) / H);
    if (i >= 0 && i < 25) out[i] = (out[i] ?? 0) + (v >= prev ? v - prev : v);
  }
  return out;
}

// In the repeated hour, 02:30 CET (the second 02:30 of the night), while importing.
const RESET_AT = DAY_START + 3 * H + 2 * Q;
const series = {
  import: meterReadings((i) => hours[i]?.imp ?? 0, 12_345_000, RESET_AT),
  export: meterReadings((i) => hours[i]?.exp ?? 0, 4_000_000),
  pv: meterReadings((i) => hours[i]?.pv ?? 0, 90_000_000),
  ev: meterReadings((i) => hours[i]?.ev ?? 0, 777_000),
};

/** The day's expected figures, hour by hour, then summed. */
function expected() {
  const [imp, exp, pv, ev] = [series.import, series.export, series.pv, series.ev].map(hourlyIncreases) as [number[], number[], number[], number[]];
  const rows = hours.map((h, i) => {
    const p = (pv[i] ?? 0) / 1000;
    const im = (imp[i] ?? 0) / 1000;
    const ex = (exp[i] ?? 0) / 1000;
    const e = (ev[i] ?? 0) / 1000;
    const self = Math.max(0, Math.min(p, p - ex));
    const cons = self + im;
    const evPv = Math.max(0, Math.min(e, self - (cons - e)));
    const lh = localHour(h.t);
    const tariff = lh >= 22 || lh < 6 ? T.importOffPeakPerKWh : T.importPeakPerKWh;
    return { pvKWh: p, importKWh: im, exportKWh: ex, evKWh: e, selfConsumedKWh: self, consumptionKWh: cons, evFromPvKWh: evPv, importCostEur: im * tariff, exportRevenueEur: ex * T.feedInPerKWh, selfConsumptionSavingsEur: self * tariff, co2AvoidedKg: p * GRID_KG };
  });
  const total = Object.fromEntries(Object.keys(rows[0] ?? {}).map((k) => [k, rows.reduce((a, r) => a + (r as Record<string, number>)[k]!, 0)])) as (typeof rows)[number];
  return { rows, total };
}

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;
let reviewer: string;
let viewer: string;

async function energy(query: string, token?: string): Promise<EnergyResponse> {
  const { status, body } = await getJson<EnergyResponse>(`${base}/api/v1/kpi/energy?${query}`, token);
  expect(status, JSON.stringify(body).slice(0, 400)).toBe(200);
  return EnergyResponseSchema.parse(body);
}

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  const send = async (deviceId: string, points: { name: string; unit: string; points: [number, number][] }[]) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: `kpi-test-${deviceId}`, ...mqttCredentials(server.dataDir, deviceId) });
    await publishSeries(client, SITE, deviceId, points);
    await client.endAsync();
  };
  await send('grid-meter', [
    { name: 'import_energy', unit: 'Wh', points: series.import },
    { name: 'export_energy', unit: 'Wh', points: series.export },
  ]);
  await send('pv-inverter-1', [{ name: 'ac_energy', unit: 'Wh', points: series.pv }]);
  await send('submeter-ev', [{ name: 'energy', unit: 'Wh', points: series.ev }]);
  // Water, heat, weather and a room: what MQTT would add nothing to, written to the store directly.
  const direct: Reading[] = [];
  for (let i = 0; i <= 25; i++) {
    const ts = DAY_START + i * H - (i === 25 ? 1 : 0);
    direct.push(
      { seriesId: 'weather-station.rain', ts, value: 100 + 0.5 * i },
      { seriesId: 'rainwater-tank.inflow', ts, value: 1000 + 40 * i },
      { seriesId: 'rainwater-tank.toilet_use', ts, value: 2000 + 30 * i },
      { seriesId: 'rainwater-tank.watering_use', ts, value: 3000 + 10 * i },
      { seriesId: 'rainwater-tank.mains_topup', ts, value: i < 20 ? 500 : 500 + 60 * (i - 19) },
      { seriesId: 'rainwater-tank.overflow', ts, value: 50 },
      { seriesId: 'heat-substation.heat_energy', ts, value: 1_000_000 + 4000 * i },
      { seriesId: 'weather-station.temperature', ts, value: 8 },
    );
  }
  for (let ts = DAY_START + 10 * H; ts < DAY_START + 13 * H; ts += Q) {
    direct.push(
      { seriesId: 'room-r1-coworking.occupancy', ts, value: 20 },
      { seriesId: 'room-r1-coworking.co2', ts, value: 1500 },
      { seriesId: 'room-r1-coworking.temperature', ts, value: 21 },
      { seriesId: 'room-r1-coworking.humidity', ts, value: 40 },
    );
  }
  server.store.write(direct);
  await server.store.flush();
  const want = expected().total;
  await waitFor(async () => {
    const e = await energy(`period=day&date=${DATE}`);
    return Math.abs(e.totals.importKWh - want.importKWh) < 1e-9 && Math.abs(e.totals.pvKWh - want.pvKWh) < 1e-9 && Math.abs(e.totals.evKWh - want.evKWh) < 1e-9;
  }, 'the day of meter readings stored', 30_000);
  reviewer = await tokenFor(base, 'energy-reviewer');
  viewer = await tokenFor(base, 'viewer');
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('energy KPIs over the API', () => {
  it('gives the 25 hours of the fall-back day, each equal to what the meters say for it', async () => {
    const e = await energy(`period=day&date=${DATE}`);
    const want = expected();
    expect(e.interval).toBe('hour');
    expect(e.rows).toHaveLength(25);
    expect(e.evSource).toBe('submeter');
    expect(e.rows.map((r) => r.start.slice(11))).toContain('02:00:00+02:00');
    expect(e.rows.map((r) => r.start.slice(11))).toContain('02:00:00+01:00');
    want.rows.forEach((w, i) => {
      for (const [k, v] of Object.entries(w)) expect((e.rows[i] as Record<string, unknown>)[k], `hour ${i} ${k}`).toBeCloseTo(v, 9);
    });
    for (const [k, v] of Object.entries(want.total)) expect((e.totals as Record<string, unknown>)[k], k).toBeCloseTo(v, 9);
    // Imports and exports on the same day: self-sufficiency from the hours, not from the netted day.
    expect(want.total.importKWh).toBeGreaterThan(0);
    expect(want.total.exportKWh).toBeGreaterThan(0);
    expect(e.totals.selfSufficiencyPct).toBeCloseTo((100 * want.total.selfConsumedKWh) / want.total.consumptionKWh, 9);
    expect(e.totals.evPvSharePct).toBeCloseTo((100 * want.total.evFromPvKWh) / want.total.evKWh, 9);
    expect(e.warnings).toEqual([]);
    expect(e.coverage.find((c) => c.seriesId === 'grid-meter.import_energy')).toEqual({ seriesId: 'grid-meter.import_energy', hours: 25, expectedHours: 25 });
  });

  it('adds up: the day row of the month equals the day, the month the sum of its days and of its weeks', async () => {
    const day = await energy(`period=day&date=${DATE}`);
    const month = await energy(`period=month&date=${DATE}&interval=day`);
    const weeks = await energy(`period=month&date=${DATE}&interval=week`);
    const row = month.rows.find((r) => r.start.startsWith(DATE));
    expect(row?.hours).toBe(25);
    for (const k of ['pvKWh', 'importKWh', 'exportKWh', 'selfConsumedKWh', 'importCostEur', 'evFromPvKWh'] as const) {
      expect(row?.[k]).toBeCloseTo(day.totals[k], 9);
      expect(month.rows.reduce((a, r) => a + r[k], 0)).toBeCloseTo(month.totals[k], 9);
      expect(weeks.rows.reduce((a, r) => a + r[k], 0)).toBeCloseTo(month.totals[k], 9);
    }
  });

  it('takes tariffs from the query', async () => {
    const e = await energy(`period=day&date=${DATE}&importPeakPerKWh=1&importOffPeakPerKWh=1&offPeakHours=none&feedInPerKWh=0.5&gridKgPerKWh=0.1`);
    const want = expected().total;
    expect(e.totals.importCostEur).toBeCloseTo(want.importKWh, 9);
    expect(e.totals.exportRevenueEur).toBeCloseTo(want.exportKWh * 0.5, 9);
    expect(e.totals.co2AvoidedKg).toBeCloseTo(want.pvKWh * 0.1, 9);
    expect(e.parameters.offPeakHours).toEqual([]);
  });

  it('compares a day with the day before and the same day a year earlier', async () => {
    const { status, body } = await getJson(`${base}/api/v1/kpi/compare?kpi=energy&period=day&date=${NEXT_DATE}`);
    expect(status).toBe(200);
    const c = CompareResponseSchema.parse(body);
    expect(c.previous.label).toBe(DATE);
    const pv = c.figures.find((f) => f.key === 'pvKWh');
    expect(pv?.previous).toBeCloseTo(expected().total.pvKWh, 9);
    expect(pv?.diffPreviousPct).toBe(-100);
  });
});

describe('water, heat and comfort over the API', () => {
  it('sums the tank counters and the rain gauge', async () => {
    const { status, body } = await getJson(`${base}/api/v1/kpi/water?period=day&date=${DATE}`);
    expect(status).toBe(200);
    const w = WaterResponseSchema.parse(body).totals;
    // 25 hourly steps; the first reading of each series has none.
    expect(w.rainfallMm).toBeCloseTo(12.5, 9);
    expect(w.harvestedM3).toBeCloseTo(1.0, 9);
    expect(w.usedM3).toBeCloseTo(1.0, 9);
    expect(w.mainsTopupM3).toBeCloseTo(0.36, 9);
    expect(w.potableSavedM3).toBeCloseTo(0.64, 9);
    expect(w.potableSavedEur).toBeCloseTo(0.64 * T.waterPerM3, 9);
    expect(w.substitutionPct).toBeCloseTo(64, 9);
  });

  it('gives the heat delivered and its degree-days', async () => {
    const { status, body } = await getJson(`${base}/api/v1/kpi/heat?period=day&date=${DATE}&interval=day`);
    expect(status).toBe(200);
    const h = HeatResponseSchema.parse(body).totals;
    expect(h.heatKWh).toBeCloseTo(100, 9);
    expect(h.degreeDays).toBeCloseTo(10, 9);
    expect(h.heatPerDegreeDayKWh).toBeCloseTo(10, 9);
  });

  it('counts the occupied hours of a room by category', async () => {
    const { status, body } = await getJson(`${base}/api/v1/kpi/comfort?period=day&date=${DATE}`);
    expect(status).toBe(200);
    const room = ComfortResponseSchema.parse(body).rows.find((r) => r.zone === 'r1-coworking');
    // 1500 ppm is 1080 above outdoor: III; 21 °C in the heating season: I; 40 %RH: I.
    expect(room).toMatchObject({ occupiedHours: 3, co2III: 3, temperatureI: 3, humidityI: 3 });
  });
});

/** A minimal RFC 4180 reader. */
function parseCsv(text: string, sep: string): string[][] {
  return text
    .split('\r\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(sep).map((c) => c.replace(/^"|"$/g, '')));
}

describe('exports', () => {
  it('gives an energy reviewer French CSV: BOM, ";", decimal comma, units in the headers, one line per hour', async () => {
    const res = await apiFetch(`${base}/api/v1/kpi/energy?period=day&date=${DATE}&format=csv&locale=fr`, { token: reviewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="energie-${DATE}.csv"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = parseCsv(text, ';');
    expect(lines).toHaveLength(26);
    expect(lines[0]?.slice(0, 5)).toEqual(['Début (heure locale)', 'Fin (heure locale)', 'Décalage horaire', 'Durée (h)', 'Production PV (kWh)']);
    expect(lines.slice(1).filter((l) => l[0] === `${DATE} 02:00`).map((l) => l[2])).toEqual(['UTC+02:00', 'UTC+01:00']);
    const pv = lines.slice(1).reduce((a, l) => a + Number((l[4] ?? '').replace(',', '.')), 0);
    expect(pv).toBeCloseTo(expected().total.pvKWh, 2);
    expect(lines[1]?.[4]).toMatch(/^\d+,\d{3}$/);
  });

  it('gives English CSV: ",", decimal point, no BOM', async () => {
    const res = await apiFetch(`${base}/api/v1/kpi/water?period=day&date=${DATE}&format=csv&locale=en&interval=period`, { token: reviewer });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const lines = parseCsv(text, ',');
    expect(lines).toHaveLength(2);
    expect(lines[0]?.slice(3, 5)).toEqual(['Duration (h)', 'Rainfall (mm)']);
    expect(lines[1]?.slice(3, 5)).toEqual(['25', '12.5']);
    const cmp = await apiFetch(`${base}/api/v1/kpi/compare?kpi=heat&period=day&date=${DATE}&format=csv&locale=en`, { token: reviewer });
    expect(cmp.status).toBe(200);
    expect((await cmp.text()).split('\r\n')[1]).toMatch(/^Heat delivered,kWh,100,/);
  });

  it('prints the period report as a self-contained HTML page, and gives it as JSON', async () => {
    const res = await apiFetch(`${base}/api/v1/reports/period?period=day&date=${DATE}&format=html`, { token: reviewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('@media print');
    expect(html).toContain('Le Numérique — rapport de période');
    expect(html).toContain('Électricité');
    expect(html).not.toMatch(/<script|<link |src="/i);
    const json = await getJson(`${base}/api/v1/reports/period?period=day&date=${DATE}`, reviewer);
    expect(json.status).toBe(200);
    const r = ReportResponseSchema.parse(json.body);
    expect(r.energy.totals.pvKWh).toBeCloseTo(expected().total.pvKWh, 9);
    expect(r.heat.totals.heatKWh).toBeCloseTo(100, 9);
  });

  it('lets a viewer read the KPIs but not export them nor print the report', async () => {
    expect((await apiFetch(`${base}/api/v1/kpi/energy?period=day&date=${DATE}`, { token: viewer })).status).toBe(200);
    for (const path of [`kpi/energy?period=day&date=${DATE}&format=csv`, `kpi/compare?kpi=water&format=csv`, `reports/period?period=day&date=${DATE}`, `reports/period?period=day&date=${DATE}&format=html`]) {
      const res = await apiFetch(`${base}/api/v1/${path}`, { token: viewer });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/export/);
    }
    expect((await apiFetch(`${base}/api/v1/kpi/energy`, { token: null })).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('describes what each KPI route answers, its permission and its other content types', async () => {
    type Op = { 'x-permission'?: string; parameters: { name: string }[]; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> };
    const doc = (await getJson<{ paths: Record<string, { get?: Op }> }>(`${base}/api/v1/openapi.json`, null)).body;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const paths = { '/api/v1/kpi/energy': 'read', '/api/v1/kpi/water': 'read', '/api/v1/kpi/heat': 'read', '/api/v1/kpi/comfort': 'read', '/api/v1/kpi/compare': 'read', '/api/v1/reports/period': 'export' };
    for (const [path, permission] of Object.entries(paths)) {
      const op = doc.paths[path]?.get;
      expect(op?.['x-permission'], path).toBe(permission);
      expect(op?.parameters.map((p) => p.name), path).toEqual(expect.arrayContaining(['period', 'date', 'from', 'to', 'interval', 'locale', 'format']));
      expect(Object.keys(op?.responses['200']?.content ?? {}).sort(), path).toEqual(path.includes('reports') ? ['application/json', 'text/html'] : ['application/json', 'text/csv']);
      // The default query (this month so far) and a day with data, each against the documented schema.
      for (const query of ['', `?period=day&date=${DATE}`]) {
        const { status, body } = await getJson(`${base}${path}${query}`);
        expect(status, `${path}${query}`).toBe(200);
        const validate = ajv.compile(op?.responses['200']?.content?.['application/json']?.schema ?? {});
        expect(validate(body), `${path}${query}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    }
  });
});

describe('bad queries', () => {
  it('answers 400 with a message that says what to fix', async () => {
    const cases: [string, RegExp][] = [
      ['kpi/energy?from=2026-03-01&to=2026-02-01', /"to" \(2026-02-01\) must be after "from"/],
      ['kpi/energy?period=fortnight', /period must be one of day, week, month, year, custom/],
      ['kpi/energy?period=day&date=2026-02-30', /not a calendar date/],
      ['kpi/energy?from=2015-01-01&to=2024-12-31&interval=hour', /at most 20000/],
      ['kpi/water?period=month&date=2099-01', /starts in the future/],
      ['kpi/energy?offPeakHours=22h-6h', /offPeakHours/],
      ['kpi/heat?degreeDayMethod=kelvin', /degreeDayMethod must be one of/],
      ['kpi/compare?kpi=gas', /kpi must be one of/],
      ['kpi/comfort?period=year&date=2025&interval=hour', /rows; at most 20000/],
    ];
    for (const [path, message] of cases) {
      const res = await apiFetch(`${base}/api/v1/${path}`);
      const body = (await res.json()) as { error: string };
      expect(res.status, path).toBe(400);
      expect(body.error, path).toMatch(message);
    }
  });
});
