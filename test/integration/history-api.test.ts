import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse, HistoryResponse } from '../../shared/api';
import type { RunningServer } from '../../server/app';
import { publishSeries } from '../helpers/publish';
import { apiFetch, getJson, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * The history API over a stored week: the grid meter sent through the real broker
 * and ingest, one reading a minute, in packs, the newest week first then an older
 * one behind it (as a device's store-and-forward would). What the API answers is
 * checked against sums computed here from what was sent.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let server: RunningServer & { dataDir: string };
let client: MqttClient;
let base: string;
// Seven whole UTC days (the daily buckets), ending at 00:00 UTC today: in the past, as readings must be.
const end = Math.floor(testNow() / DAY) * DAY;
const start = end - 7 * DAY;
const times: number[] = [];
for (let t = start; t < end; t += MINUTE) times.push(t);
// A gauge with a daily shape and a counter that a meter reset sets back to zero on day 3.
const power = (t: number) => 20_000 + 10_000 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
const resetAt = start + 3 * DAY + 7 * HOUR + 13 * MINUTE;
const energyIndex = (t: number) => (t < resetAt ? 5_000_000 + (t - start) / 1000 : (t - resetAt) / 1000);

async function history(id: string, query: string): Promise<HistoryResponse> {
  const { status, body } = await getJson<HistoryResponse>(`${base}/api/v1/series/${id}/history?${query}`);
  expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
  return body;
}

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'test-grid-meter', ...mqttCredentials(server.dataDir, 'grid-meter') });
  const half = times.findIndex((t) => t >= start + 4 * DAY);
  // Late history behind newer readings: the later days first, then the earlier ones.
  for (const part of [times.slice(half), times.slice(0, half)]) {
    await publishSeries(client, 'le-numerique', 'grid-meter', [
      { name: 'import_power', unit: 'W', points: part.map((t) => [t, power(t)]) },
      { name: 'import_energy', unit: 'Wh', points: part.map((t) => [t, energyIndex(t)]) },
    ]);
  }
  await waitFor(async () => (await history('grid-meter.import_power', `from=${start}&to=${end}&resolution=1h&agg=count`)).points.reduce((n, p) => n + p[1], 0) === times.length, 'a week of readings stored', 60_000);
}, 120_000);

afterAll(async () => {
  await client?.endAsync();
  await server?.close();
});

describe('history of a series at the resolution its range needs', () => {
  it('gives raw readings over an hour, and says so', async () => {
    const from = start + 2 * DAY;
    const body = await history('grid-meter.import_power', `from=${from}&to=${from + HOUR - 1}`);
    expect(body.resolution).toBe('raw');
    expect(body.agg).toBe('mean');
    expect(body.points).toHaveLength(60);
    expect(body.points[7]).toEqual([from + 7 * MINUTE, power(from + 7 * MINUTE)]);
  });

  it('picks hours for a week (168 buckets, at most 2,000) and each hour is the mean of its 60 readings', async () => {
    const body = await history('grid-meter.import_power', `from=${new Date(start).toISOString()}&to=${new Date(end - 1).toISOString()}`);
    expect(body.resolution).toBe('1h');
    expect(body.points).toHaveLength(168);
    expect(body.truncated).toBe(false);
    const h = start + 30 * HOUR;
    const expected = times.filter((t) => t >= h && t < h + HOUR).reduce((s, t) => s + power(t), 0) / 60;
    const point = body.points.find((p) => p[0] === h);
    expect(point?.[1]).toBeCloseTo(expected, 6);
  });

  it('honours maxPoints: a week within 100 points comes in days', async () => {
    const body = await history('grid-meter.import_power', `from=${start}&to=${end - 1}&maxPoints=100`);
    expect(body.resolution).toBe('1d');
    expect(body.points).toHaveLength(7);
  });

  it('gives min and max of the same buckets, and an explicit resolution cut at maxPoints', async () => {
    const [min, max] = await Promise.all([history('grid-meter.import_power', `from=${start}&to=${end}&resolution=1d&agg=min`), history('grid-meter.import_power', `from=${start}&to=${end}&resolution=1d&agg=max`)]);
    for (let i = 0; i < 7; i++) {
      const day = times.filter((t) => t >= start + i * DAY && t < start + (i + 1) * DAY).map(power);
      expect(min.points[i]?.[1]).toBeCloseTo(Math.min(...day), 6);
      expect(max.points[i]?.[1]).toBeCloseTo(Math.max(...day), 6);
    }
    const cut = await history('grid-meter.import_power', `from=${start}&to=${end}&resolution=1m&maxPoints=500`);
    expect(cut).toMatchObject({ resolution: '1m', truncated: true });
    expect(cut.points).toHaveLength(500);
    expect(cut.points[0]?.[0]).toBe(start);
  });

  it("gives a meter's consumption per bucket that adds up to the same total at every resolution, across a reset", async () => {
    // Sent: steps of 60 Wh each minute, and after the reset a new meter counting from zero.
    const expected = times.slice(1).reduce((s, t, i) => {
      const prev = energyIndex(times[i] as number);
      const v = energyIndex(t);
      return s + (v >= prev ? v - prev : v);
    }, 0);
    const totals: Record<string, number> = {};
    for (const resolution of ['1m', '1h', '1d']) {
      const body = await history('grid-meter.import_energy', `from=${start}&to=${end - 1}&resolution=${resolution}&agg=increase&maxPoints=20000`);
      expect(body.truncated).toBe(false);
      totals[resolution] = body.points.reduce((s, p) => s + p[1], 0);
    }
    expect(totals['1m']).toBeCloseTo(expected, 3);
    expect(totals['1h']).toBeCloseTo(expected, 3);
    expect(totals['1d']).toBeCloseTo(expected, 3);
    // A counter's default value is its index as the meter shows it.
    const last = await history('grid-meter.import_energy', `from=${start}&to=${end - 1}&resolution=1d`);
    expect(last.agg).toBe('last');
    expect(last.points[6]?.[1]).toBeCloseTo(energyIndex(end - MINUTE), 6);
  });

  it('answers a bad resolution, aggregate or maxPoints with a 400 naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['resolution=5m', /resolution must be one of auto, raw, 1m, 1h, 1d/],
      ['agg=median', /agg must be one of/],
      ['maxPoints=0', /maxPoints must be from 1 to 20000/],
      ['maxPoints=many', /maxPoints must be a whole number/],
      [`from=${start - 4000 * DAY}&to=${start}`, /range longer than 3653 days/],
    ];
    for (const [query, message] of cases) {
      const res = await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?${query}`);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify((await res.json()) as ErrorResponse), query).toMatch(message);
    }
    const gauge = await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?agg=increase`);
    expect(gauge.status).toBe(400);
    expect(((await gauge.json()) as ErrorResponse).error).toMatch(/agg=increase applies to counters/);
  });

  it('exports the same points as CSV for a spreadsheet, in French or English, to those allowed to export', async () => {
    const from = start + 2 * DAY;
    const query = `from=${from}&to=${from + 3 * HOUR - 1}&resolution=1h`;
    const fr = await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?${query}&format=csv`);
    expect(fr.status).toBe(200);
    expect(fr.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(fr.headers.get('content-disposition')).toMatch(/attachment; filename="grid-meter.import_power-1h.csv"/);
    const bytes = new Uint8Array(await fr.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\r\n');
    expect(lines[0]).toBe('Horodatage (Europe/Paris);Puissance soutirée [grid-meter.import_power] mean 1h (W)');
    expect(lines).toHaveLength(4);
    const json = await history('grid-meter.import_power', query);
    const [t0, v0] = json.points[0] as [number, number];
    const [time, value] = (lines[1] as string).split(';');
    expect(Number((value as string).replace(',', '.'))).toBeCloseTo(v0, 4);
    expect(new Date(time as string).getTime()).toBe(t0);

    const en = await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?${query}&format=csv&locale=en`);
    const enLines = (await en.text()).trim().split('\r\n');
    expect(enLines[0]).toBe('Time (Europe/Paris),Puissance soutirée [grid-meter.import_power] mean 1h (W)');
    expect(Number((enLines[1] as string).split(',')[1])).toBeCloseTo(v0, 4);

    const viewer = await tokenFor(base, 'viewer');
    const refused = await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?${query}&format=csv`, { token: viewer });
    expect(refused.status).toBe(403);
    expect((await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?${query}`, { token: viewer })).status).toBe(200);
  });
});
