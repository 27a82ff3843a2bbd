import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse, HealthResponse, HistoryResponse } from '../../shared/api';
import type { RunningServer } from '../../server/app';
import { type RunningInfluxd, influxdAvailable, startInfluxd } from '../helpers/influxd';
import { publishSeries } from '../helpers/publish';
import { printedPorts, type Spawned, spawnServer } from '../helpers/process';
import { apiFetch, getJson, login, mqttCredentials, startTestServer, tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * The whole server on STORE=influx: readings from MQTT devices through ingest into a
 * real influxd, read back through the REST API; then InfluxDB goes away while the
 * devices keep publishing, and comes back.
 */
const available = influxdAvailable();
const SECOND = 1000;
let influxd: RunningInfluxd;
let server: RunningServer & { dataDir: string };
let meter: MqttClient;
let base: string;

const health = async () => (await getJson<HealthResponse>(`${base}/api/health`)).body;
const historyOf = async (from: number, to: number) => {
  const { status, body } = await getJson<HistoryResponse>(`${base}/api/v1/series/grid-meter.import_power/history?from=${from}&to=${to}&resolution=raw&maxPoints=20000`);
  return status === 200 ? body.points : undefined;
};

describe.skipIf(!available.ok)(`the server on InfluxDB${available.ok ? '' : ` (${available.reason})`}`, () => {
  beforeAll(async () => {
    influxd = await startInfluxd();
    server = await startTestServer({ STORE: 'influx', INFLUX_URL: `${influxd.url}/lenumerique_server`, STORE_FLUSH_MS: '100' });
    base = `http://127.0.0.1:${server.httpPort}`;
    meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'test-grid-meter', ...mqttCredentials(server.dataDir, 'grid-meter') });
  }, 60_000);

  afterAll(async () => {
    await meter?.endAsync();
    await server?.close();
    await influxd?.close();
  });

  it('stores what devices publish and serves it back, raw and rolled up, with the layout docs/storage.md gives', async () => {
    const t0 = Math.floor(testNow() / 60_000) * 60_000 - 10 * 60_000;
    const points: [number, number][] = [];
    for (let t = t0; t < t0 + 5 * 60_000; t += 5 * SECOND) points.push([t, 1000 + (t - t0) / SECOND]);
    await publishSeries(meter, 'le-numerique', 'grid-meter', [{ name: 'import_power', unit: 'W', points }]);
    const stored = await waitFor(async () => {
      const got = await historyOf(t0, t0 + 5 * 60_000);
      return got && got.length === points.length && got;
    }, 'the readings in InfluxDB');
    expect(stored).toEqual(points);

    const minutes = await getJson<HistoryResponse>(`${base}/api/v1/series/grid-meter.import_power/history?from=${t0}&to=${t0 + 5 * 60_000 - 1}&resolution=1m&agg=count`);
    expect(minutes.body.points).toEqual([0, 1, 2, 3, 4].map((i) => [t0 + i * 60_000, 12]));

    // What a Grafana user would query: one measurement, device and point as tags.
    const q = new URLSearchParams({ db: 'lenumerique_server', q: `SELECT count("value") FROM "raw"."reading" WHERE "device" = 'grid-meter' AND "point" = 'import_power' AND time >= ${t0}ms` });
    const raw = (await (await fetch(`${influxd.url}/query?${q}`)).json()) as { results: { series?: { values: [string, number][] }[] }[] };
    expect(raw.results[0]?.series?.[0]?.values[0]?.[1]).toBe(points.length);

    const h = await health();
    expect(h.store).toMatchObject({ kind: 'influx', state: 'up', spooled: 0, dropped: 0 });
  });

  it('spools readings on disk while InfluxDB is down, shows it in /api/health, and writes them all in order once it is back', async () => {
    const t0 = testNow();
    const sent: [number, number][] = [];
    let i = 0;
    // The meter keeps publishing, one reading every 100 ms, throughout.
    const timer = setInterval(() => {
      const ts = testNow();
      const value = 5000 + i++;
      sent.push([ts, value]);
      void publishSeries(meter, 'le-numerique', 'grid-meter', [{ name: 'import_power', unit: 'W', points: [[ts, value]] }]);
    }, 100);
    try {
      await waitFor(() => sent.length >= 10, 'readings before the outage');
      await influxd.stop();
      const stoppedAt = testNow();

      const down = await waitFor(async () => {
        const h = await health();
        return h.store.state === 'degraded' && (h.store.spooled ?? 0) > 0 && h;
      }, 'the spool in /api/health');
      expect(down.status).toBe('degraded');
      expect(down.store.spooledBytes).toBeGreaterThan(0);

      // Reads say plainly that the store is away; the live view goes on.
      const res = await apiFetch(`${base}/api/v1/series/grid-meter.import_power/history?from=${t0}&to=${testNow()}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as ErrorResponse).error).toMatch(/unreachable/);

      await new Promise((r) => setTimeout(r, 2000));
      const latest = await getJson<{ readings: { seriesId: string; ts: number }[] }>(`${base}/api/v1/latest`);
      expect(latest.body.readings.find((r) => r.seriesId === 'grid-meter.import_power')?.ts).toBeGreaterThan(stoppedAt);
      await influxd.restart();
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      clearInterval(timer);
    }
    const until = sent[sent.length - 1]?.[0] ?? 0;
    // What was seen last, so that a time-out says which step never came.
    let seen = '';
    const stored = await waitFor(
      async () => {
        const h = await health();
        seen = `store ${JSON.stringify(h.store)}`;
        if (h.store.spooled !== 0 || h.store.state !== 'up') return false;
        const got = await historyOf(t0, until);
        seen += `, ${got?.length ?? 'no'} of ${sent.length} readings stored`;
        return got && got.length === sent.length && got;
      },
      'every reading written after the outage',
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${seen}; influxd said: ${influxd.output().trim().slice(-1500)}`);
    });
    // Every reading, in order, none lost, none twice.
    expect(stored).toEqual(sent.slice().sort((a, b) => a[0] - b[0]));
    expect((await health()).store.dropped).toBe(0);
  }, 60_000);

  it('after kill -9, at most the last flush interval (1 s) of acknowledged readings is missing, the spool written at the next start', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'warn', SIM_BACKFILL_DAYS: '0', STORE: 'influx', INFLUX_URL: `${influxd.url}/lenumerique_kill9`, HTTP_PORT: '0', MQTT_PORT: '0' };
    const processes: Spawned[] = [];
    try {
      const first = spawnServer(env);
      processes.push(first);
      const ports = await waitFor(() => printedPorts(first.output()), 'the server', 30_000);
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { clientId: 'kill-9-meter', reconnectPeriod: 0, ...mqttCredentials(dataDir, 'grid-meter') });
      const acked: { ts: number; at: number }[] = [];
      const start = testNow() - 60_000;
      let i = 0;
      const stopAt = testNow() + 2500;
      while (testNow() < stopAt) {
        const ts = start + i++;
        await device.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: ts / 1000, n: 'import_power', u: 'W', v: 1000 }]), { qos: 1 });
        acked.push({ ts, at: testNow() });
      }
      const killedAt = testNow();
      first.child.kill('SIGKILL');
      await first.exited;
      device.end(true);

      // The next start writes what the killed one left in its spool.
      const second = spawnServer(env);
      processes.push(second);
      const again = await waitFor(() => printedPorts(second.output()), 'the restarted server', 30_000);
      const base2 = `http://127.0.0.1:${again.http}`;
      await login(base2);
      await waitFor(async () => (await getJson<HealthResponse>(`${base2}/api/health`)).body.store.spooled === 0, 'the spool written');
      const { body } = await getJson<HistoryResponse>(`${base2}/api/v1/series/grid-meter.import_power/history?from=${start}&to=${start + i}&resolution=raw&maxPoints=20000`);
      const stored = new Set(body.points.map(([t]) => t));
      const mustHave = acked.filter((a) => a.at < killedAt - 1000);
      expect(mustHave.length).toBeGreaterThan(50);
      expect(mustHave.filter((a) => !stored.has(a.ts))).toEqual([]);
    } finally {
      for (const p of processes) p.child.kill('SIGKILL');
    }
  }, 90_000);
});
