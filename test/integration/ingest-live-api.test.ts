import mqtt, { type MqttClient } from 'mqtt';
import { type Socket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, HistoryResponse, IngestStatsResponse, LatestResponse, RejectedResponse, SeriesListResponse } from '../../shared/api';
import { type ClientToServerEvents, type DeviceStatusEvent, type ReadingsFrame, type ServerToClientEvents, frameReadings } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { apiFetch, getJson, mqttCredentials, startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

let server: RunningServer & { dataDir: string; adminToken: string };
let device: MqttClient;
let dashboard: Socket<ServerToClientEvents, ClientToServerEvents>;
const frames: ReadingsFrame[] = [];
const statuses: DeviceStatusEvent[] = [];
let base: string;

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  // Default transports (HTTP long-polling, then the WebSocket upgrade), as a browser
  // connects: polling requests must never reach express.
  dashboard = io(base, { auth: { token: server.adminToken } });
  // Subscribed to everything, on every (re)connection.
  dashboard.on('connect', () => dashboard.emit('subscribe', {}, () => undefined));
  dashboard.on('readings', (f) => frames.push(f));
  dashboard.on('device:status', (s) => statuses.push(s));
  await waitFor(() => dashboard.connected, 'socket.io connection');
  // An operator's tool (admin identity): it may publish on any topic of the site, which
  // lets these tests send good and bad messages for every device.
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, {
    clientId: 'test-pv-inverter-1',
    ...mqttCredentials(server.dataDir, 'admin'),
    will: { topic: 'le-numerique/pv-inverter-1/status', payload: Buffer.from('offline'), qos: 1, retain: true },
  });
});

afterAll(async () => {
  dashboard?.close();
  await device?.endAsync();
  await server?.close();
});

const readingIn = (ts: number, seriesId: string) => frames.some((f) => frameReadings(f).some((r) => r.ts === ts && r.seriesId === seriesId));

describe('a SenML reading from an MQTT device to the dashboard and the API', () => {
  it('is stored, pushed live over socket.io and read back from the REST API', async () => {
    const ts = testNow() - 1000;
    const pack = [
      { bn: 'pv-inverter-1:', bt: ts / 1000, n: 'ac_power', u: 'W', v: 12345.6 },
      { n: 'ac_energy', u: 'Wh', v: 987654 },
    ];
    await device.publishAsync('le-numerique/pv-inverter-1/telemetry', JSON.stringify(pack), { qos: 1 });

    await waitFor(() => readingIn(ts, 'pv-inverter-1.ac_power'), 'the reading in a socket.io frame');
    const frame = frames.find((f) => frameReadings(f).some((r) => r.ts === ts));
    expect(frame && frameReadings(frame)).toEqual(
      expect.arrayContaining([
        { seriesId: 'pv-inverter-1.ac_power', ts, value: 12345.6 },
        { seriesId: 'pv-inverter-1.ac_energy', ts, value: 987654 },
      ]),
    );

    const { status, body } = await getJson<HistoryResponse>(`${base}/api/v1/series/pv-inverter-1.ac_power/history?from=${ts - 60_000}&to=${new Date(ts + 60_000).toISOString()}`);
    expect(status).toBe(200);
    expect(body.series).toMatchObject({ id: 'pv-inverter-1.ac_power', deviceId: 'pv-inverter-1', point: 'ac_power', unit: 'W', kind: 'gauge' });
    expect(body.points).toContainEqual([ts, 12345.6]);

    const latest = await getJson<LatestResponse>(`${base}/api/v1/latest`);
    expect(latest.body.readings).toContainEqual({ seriesId: 'pv-inverter-1.ac_power', ts, value: 12345.6 });
  });

  it('stores an old reading (a replayed history) without pushing it to dashboards', async () => {
    const old = testNow() - 2 * 3_600_000;
    const recent = testNow() - 1000;
    await device.publishAsync('le-numerique/pv-inverter-1/telemetry', JSON.stringify([{ bn: 'pv-inverter-1:', bt: old / 1000, n: 'ac_power', u: 'W', v: 111 }, { bt: recent / 1000, n: 'ac_power', u: 'W', v: 222 }]), { qos: 1 });
    await waitFor(() => readingIn(recent, 'pv-inverter-1.ac_power'), 'the recent reading live');
    expect(readingIn(old, 'pv-inverter-1.ac_power')).toBe(false);
    const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/pv-inverter-1.ac_power/history?from=${old}&to=${old}`);
    expect(body.points).toEqual([[old, 111]]);
  });

  it('lists every catalogued series with its id, device, point and unit', async () => {
    const { status, body } = await getJson<SeriesListResponse>(`${base}/api/v1/series`);
    expect(status).toBe(200);
    expect(body.series).toContainEqual(expect.objectContaining({ id: 'grid-meter.import_energy', deviceId: 'grid-meter', point: 'import_energy', unit: 'Wh', kind: 'counter' }));
    expect(body.series).toContainEqual(expect.objectContaining({ id: 'room-r1-coworking.co2', unit: 'ppm' }));
    // A state series names its states, so a dashboard can show "charging" rather than 1.
    expect(body.series).toContainEqual(expect.objectContaining({ id: 'ev-charger-1.state', kind: 'state', states: ['available', 'charging', 'finished', 'fault'] }));
  });

  it('keeps the good records of a pack and rejects the bad ones, counted in /api/health', async () => {
    const before = (await getJson<HealthResponse>(`${base}/api/health`)).body.ingest;
    const ts = testNow() - 500;
    const pack = [
      { bn: 'room-r1-coworking:', bt: ts / 1000, n: 'temperature', u: 'Cel', v: 21.5 },
      { n: 'humidity', u: '%RH', v: 180 }, // out of range
      { n: 'co2', u: 'W', v: 600 }, // wrong unit
      { n: 'laser', u: 'W', v: 1 }, // unknown point
      { n: 'co2', u: 'ppm', v: 640 },
    ];
    await device.publishAsync('le-numerique/room-r1-coworking/telemetry', JSON.stringify(pack), { qos: 1 });
    await device.publishAsync('le-numerique/room-r1-coworking/telemetry', '{not json', { qos: 1 });
    await device.publishAsync('le-numerique/no-such-device/telemetry', JSON.stringify(pack), { qos: 1 });
    await device.publishAsync('le-numerique/room-r1-coworking/commands/x', 'hello', { qos: 1 });

    await waitFor(() => readingIn(ts, 'room-r1-coworking.co2'), 'the good records live');
    const history = await getJson<HistoryResponse>(`${base}/api/v1/series/room-r1-coworking.co2/history?from=${ts - 1}&to=${ts + 1}`);
    expect(history.body.points).toEqual([[ts, 640]]);
    const temp = await getJson<HistoryResponse>(`${base}/api/v1/series/room-r1-coworking.temperature/history?from=${ts - 1}&to=${ts + 1}`);
    expect(temp.body.points).toEqual([[ts, 21.5]]);
    const humidity = await getJson<HistoryResponse>(`${base}/api/v1/series/room-r1-coworking.humidity/history?from=${ts - 1}&to=${ts + 1}`);
    expect(humidity.body.points).toEqual([]);

    const after = await waitFor(async () => {
      const h = (await getJson<HealthResponse>(`${base}/api/health`)).body;
      return h.ingest.rejected - before.rejected >= 6 ? h : undefined;
    }, 'rejections counted');
    expect(after.ingest.rejected - before.rejected).toBe(6);
    expect(after.status).toBe('ok');
  });

  it('keeps each rejected message with its reason, per device, at /api/v1/ingest/rejected and /stats', async () => {
    const rejected = await getJson<RejectedResponse>(`${base}/api/v1/ingest/rejected?device=room-r1-coworking`);
    expect(rejected.status).toBe(200);
    const reasons = rejected.body.items.map((i) => i.reason);
    expect(reasons).toEqual(expect.arrayContaining(['catalogue', 'bad-json']));
    const wrongUnit = rejected.body.items.find((i) => i.reason === 'catalogue' && i.detail.includes('expects unit ppm'));
    expect(wrongUnit?.payload).toContain('"co2"');
    expect(wrongUnit?.topic).toBe('le-numerique/room-r1-coworking/telemetry');

    const unknown = await getJson<RejectedResponse>(`${base}/api/v1/ingest/rejected?reason=unknown-device&limit=5`);
    expect(unknown.body.items.every((i) => i.reason === 'unknown-device')).toBe(true);
    expect(unknown.body.items.length).toBeGreaterThan(0);

    const stats = await getJson<IngestStatsResponse>(`${base}/api/v1/ingest/stats`);
    const room = stats.body.devices['room-r1-coworking'];
    expect(room?.rejectedByReason).toMatchObject({ catalogue: 3, 'bad-json': 1 });
    expect(room?.accepted).toBeGreaterThan(0);
    // A device that never reported is stale; one that just did is not.
    expect(stats.body.devices['weather-station']).toMatchObject({ stale: true, lastSeen: null });
    expect(room?.stale).toBe(false);

    const bad = await apiFetch(`${base}/api/v1/ingest/rejected?limit=0`);
    expect(bad.status).toBe(400);
  });

  it('stores a repeated reading (same series, same instant) once', async () => {
    const ts = testNow() - 200;
    const pack = JSON.stringify([{ bn: 'grid-meter:', bt: ts / 1000, n: 'import_power', u: 'W', v: 4000 }]);
    await device.publishAsync('le-numerique/grid-meter/telemetry', pack, { qos: 1 });
    await device.publishAsync('le-numerique/grid-meter/telemetry', pack, { qos: 1 });
    await waitFor(() => readingIn(ts, 'grid-meter.import_power'), 'the reading live');
    await server.store.flush();
    const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/grid-meter.import_power/history?from=${ts}&to=${ts}`);
    expect(body.points).toEqual([[ts, 4000]]);
  });

  it('relays a device status change to dashboards', async () => {
    await device.publishAsync('le-numerique/pv-inverter-1/status', 'online', { qos: 1, retain: true });
    const event = await waitFor(() => statuses.find((s) => s.deviceId === 'pv-inverter-1' && s.status === 'online'), 'device:status online');
    expect(event.ts).toBeGreaterThan(0);
  });

  it('announces a device "offline" to dashboards when its connection drops (its last will)', async () => {
    const meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, {
      clientId: 'test-will-grid-meter',
      ...mqttCredentials(server.dataDir, 'grid-meter'),
      reconnectPeriod: 0,
      will: { topic: 'le-numerique/grid-meter/status', payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await meter.publishAsync('le-numerique/grid-meter/status', 'online', { qos: 1, retain: true });
    await waitFor(() => statuses.some((s) => s.deviceId === 'grid-meter' && s.status === 'online'), 'online');
    // An unclean loss (no DISCONNECT packet), as when a device loses power.
    meter.stream.destroy();
    await waitFor(() => statuses.some((s) => s.deviceId === 'grid-meter' && s.status === 'offline'), 'the last will as a device:status event');
    await meter.endAsync(true);
  });

  it('replays the last known device statuses to a dashboard that connects later', async () => {
    await device.publishAsync('le-numerique/room-r1-coworking/status', 'online', { qos: 1, retain: true });
    await waitFor(() => statuses.some((s) => s.deviceId === 'room-r1-coworking'), 'the live status');
    const late = io(base, { auth: { token: server.adminToken } });
    const seen: DeviceStatusEvent[] = [];
    // The snapshot a subscription starts with holds every known status.
    late.on('snapshot', (s) => seen.push(...s.devices));
    late.emit('subscribe', { zones: ['r1-coworking'] }, () => undefined);
    await waitFor(() => seen.find((s) => s.deviceId === 'room-r1-coworking' && s.status === 'online'), 'the replayed status');
    late.close();
  });

  it('serves dashboards stuck on HTTP long-polling (proxies that refuse WebSocket)', async () => {
    const polling = io(base, { transports: ['polling'], auth: { token: server.adminToken } });
    const got: ReadingsFrame[] = [];
    polling.on('readings', (f) => got.push(f));
    await waitFor(() => polling.connected, 'a polling connection');
    expect(await polling.timeout(5000).emitWithAck('subscribe', { devices: ['grid-meter'] })).toMatchObject({ ok: true });
    const ts = testNow() - 100;
    for (let i = 0; i < 5; i++) {
      await device.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: (ts + i) / 1000, n: 'import_power', u: 'W', v: 100 + i }]), { qos: 1 });
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor(() => got.some((f) => frameReadings(f).some((r) => r.ts === ts + 4)), 'frames over polling');
    polling.close();
    const health = await getJson<HealthResponse>(`${base}/api/health`);
    expect(health.status).toBe(200);
  });

  it('accepts MQTT over WebSocket on the HTTP port at /mqtt', async () => {
    const wsDevice = await mqtt.connectAsync(`ws://127.0.0.1:${server.httpPort}/mqtt`, { clientId: 'test-ws-grid-meter', ...mqttCredentials(server.dataDir, 'grid-meter') });
    const ts = testNow() - 300;
    await wsDevice.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: ts / 1000, n: 'export_power', u: 'W', v: 777 }]), { qos: 1 });
    await wsDevice.endAsync();
    await waitFor(() => readingIn(ts, 'grid-meter.export_power'), 'the websocket reading live');
  });

  it('answers a bad history query with a 400 JSON error naming the parameter', async () => {
    const cases = [
      ['/api/v1/series/pv-inverter-1.ac_power/history?from=yesterday', /from/],
      ['/api/v1/series/pv-inverter-1.ac_power/history?from=2000&to=1000', /"from" must not be after "to"/],
      ['/api/v1/series/DROP%20TABLE/history', /series ids look like/],
    ] as const;
    for (const [path, message] of cases) {
      const res = await apiFetch(base + path);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { error: string; details: unknown };
      expect(body.error).toMatch(message);
      expect(body.details).toBeDefined();
    }
    const missing = await apiFetch(`${base}/api/v1/series/no-such.point/history`);
    expect(missing.status).toBe(404);
  });

  it('reports broker, store and simulator state in /api/health', async () => {
    const { status, body } = await getJson<HealthResponse>(`${base}/api/health`);
    expect(status).toBe(200);
    expect(body.broker).toMatchObject({ state: 'up', mqttPort: server.mqttPort, websocketPath: '/mqtt' });
    expect(body.broker.clients).toBeGreaterThanOrEqual(1);
    expect(body.store).toMatchObject({ state: 'up', kind: 'sqlite' });
    expect(body.simulator.state).toBe('off');
  });
});
