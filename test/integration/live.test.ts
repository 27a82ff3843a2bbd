import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import type { CreateApiTokenResponse } from '../../shared/auth';
import { type ClientToServerEvents, type Gap, type ReadingsFrame, type ServerToClientEvents, type Snapshot, type SubscribeAck, type SubscribeRequest, frameReadings } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { LiveCursor } from '../../web/src/lib/live-client';
import { apiFetch, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Live push through the whole server: MQTT in, socket.io out, with real
 * socket.io clients that follow the stream as the dashboard does (LiveCursor).
 */

type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;
let device: MqttClient;
const startedAt = testNow();

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'test-live-publisher', ...mqttCredentials(server.dataDir, 'admin') });
});

const open: LiveClient[] = [];
afterAll(async () => {
  for (const s of open) s.close();
  await device?.endAsync();
  await server?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes one reading of one point, as its device would. */
async function publish(deviceId: string, point: string, unit: string, ts: number, value: number): Promise<Reading> {
  await device.publishAsync(`le-numerique/${deviceId}/telemetry`, JSON.stringify([{ bn: `${deviceId}:`, bt: ts / 1000, n: point, u: unit, v: value }]), { qos: 1 });
  return { seriesId: `${deviceId}.${point}`, ts, value };
}

function connect(opts: Parameters<typeof io>[1] = {}): LiveClient {
  const socket: LiveClient = io(base, { reconnection: false, ...opts });
  open.push(socket);
  return socket;
}

/** Why a connection was refused. */
function refusal(socket: LiveClient): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => resolve(err.message));
    socket.once('connect', () => reject(new Error('connected')));
  });
}

/** A client that subscribes on every (re)connection, sending where it left off, and records everything in order. */
function follow(request: Omit<SubscribeRequest, 'since'>, opts: Parameters<typeof io>[1] = {}) {
  const socket = connect({ auth: { token: server.adminToken }, reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 500, ...opts });
  const cursor = new LiveCursor();
  const f = { socket, acks: [] as SubscribeAck[], snapshots: [] as Snapshot[], frames: [] as ReadingsFrame[], gaps: [] as Gap[], broken: [] as ReadingsFrame[], log: [] as string[] };
  socket.on('connect', () => {
    socket.emit('subscribe', { ...request, since: cursor.since() }, (ack) => {
      f.log.push('ack');
      f.acks.push(ack);
      const gap = ack.ok ? cursor.acked(ack) : undefined;
      if (gap) f.gaps.push(gap);
    });
  });
  socket.on('snapshot', (s) => {
    f.log.push('snapshot');
    cursor.snapshot(s);
    f.snapshots.push(s);
  });
  socket.on('readings', (frame) => {
    f.log.push('readings');
    if (cursor.frame(frame)) f.broken.push(frame);
    f.frames.push(frame);
  });
  socket.on('resync', (r) => {
    f.log.push('resync');
    const gap = cursor.resync(r);
    if (gap) f.gaps.push(gap);
  });
  return Object.assign(f, { readings: () => f.frames.flatMap((fr) => frameReadings(fr)), has: (r: Reading) => f.frames.some((fr) => frameReadings(fr).some((x) => x.seriesId === r.seriesId && x.ts === r.ts)) });
}

describe('live push: who may connect', () => {
  it('refuses a connection without valid credentials', async () => {
    expect(await refusal(connect())).toBe('authentication required');
    expect(await refusal(connect({ auth: { token: 'not-a-token' } }))).toBe('authentication required');
    expect(await refusal(connect({ transports: ['polling'], extraHeaders: { authorization: 'Bearer lnm_forged' } }))).toBe('authentication required');
  });

  it('accepts the session cookie (from this origin only), a Bearer header or auth.token', async () => {
    const cookie = { cookie: `lnm_session=${server.adminToken}` };
    for (const socket of [connect({ transports: ['polling'], extraHeaders: cookie }), connect({ transports: ['websocket'], extraHeaders: { ...cookie, origin: base } }), connect({ extraHeaders: { authorization: `Bearer ${server.adminToken}` } }), connect({ auth: { token: server.adminToken } })]) {
      await waitFor(() => socket.connected, 'connected');
      socket.close();
    }
    // Another page of the same site must not ride the user's cookie.
    expect(await refusal(connect({ transports: ['polling'], extraHeaders: { ...cookie, origin: 'http://127.0.0.1:1' } }))).toBe('authentication required');
  });

  it("refuses a token without 'read', accepts a viewer, and stops a client whose token is revoked", async () => {
    const create = async (scopes: string[]) => {
      const res = await apiFetch(`${base}/api/v1/auth/tokens`, { method: 'POST', body: JSON.stringify({ name: `live-${scopes.join('-')}`, scopes }) });
      expect(res.status).toBe(201);
      return (await res.json()) as CreateApiTokenResponse;
    };
    const exporter = await create(['export']);
    expect(await refusal(connect({ auth: { token: exporter.token } }))).toBe('permission "read" required');

    const viewer = connect({ auth: { token: await tokenFor(base, 'viewer') } });
    expect(await viewer.timeout(5000).emitWithAck('subscribe', {})).toMatchObject({ ok: true });

    const reader = await create(['read']);
    const integration = connect({ auth: { token: reader.token } });
    expect(await integration.timeout(5000).emitWithAck('subscribe', {})).toMatchObject({ ok: true });
    expect((await apiFetch(`${base}/api/v1/auth/tokens/${reader.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    const disconnected = new Promise<string>((resolve) => integration.once('disconnect', resolve));
    expect(await integration.timeout(5000).emitWithAck('subscribe', {})).toEqual({ ok: false, error: 'authentication required' });
    expect(await disconnected).toBe('io server disconnect');
  });
});

describe('live push: subscriptions', () => {
  it('answers a bad subscription with an error and stays up', async () => {
    const socket = connect({ auth: { token: server.adminToken } });
    const ask = (req: unknown) => socket.timeout(5000).emitWithAck('subscribe', req as SubscribeRequest);
    expect(await ask({ zones: 'r1-coworking' })).toMatchObject({ ok: false, error: expect.stringMatching(/^bad subscription: zones/) });
    expect(await ask('everything')).toMatchObject({ ok: false, error: expect.stringMatching(/^bad subscription/) });
    expect(await ask({ zones: ['attic'], devices: ['toaster'] })).toEqual({ ok: false, error: 'bad subscription: unknown zone "attic"; unknown device "toaster"' });
    expect(await ask({ since: { seq: -4 } })).toMatchObject({ ok: false });
    expect(await ask({ topics: ['#'] })).toMatchObject({ ok: false, error: expect.stringMatching(/topics/) });
    // Without an acknowledgement to answer, and with nonsense: nothing breaks.
    (socket.emit as (...args: unknown[]) => void)('subscribe', { zones: 5 });
    (socket.emit as (...args: unknown[]) => void)('subscribe');
    (socket.emit as (...args: unknown[]) => void)('unsubscribe', 'x', 'y');
    expect(await ask({ devices: ['grid-meter'] })).toMatchObject({ ok: true });
    expect(socket.connected).toBe(true);
    expect((await apiFetch(`${base}/api/health`)).status).toBe(200);
  });

  it('sends the acknowledgement, then a snapshot of the latest values and statuses, then frames that chain from the ack', async () => {
    await device.publishAsync('le-numerique/grid-meter/status', 'online', { qos: 1, retain: true });
    const before = await publish('grid-meter', 'import_power', 'W', testNow() - 5000, 1234);
    await publish('weather-station', 'temperature', 'Cel', testNow() - 5000, 12.5);
    await server.store.flush();

    const f = follow({ devices: ['grid-meter'] });
    await waitFor(() => f.snapshots.length === 1, 'the snapshot');
    const snapshot = f.snapshots[0] as Snapshot;
    expect(snapshot.readings).toContainEqual(before);
    expect(snapshot.readings.every((r) => r.seriesId.startsWith('grid-meter.'))).toBe(true);
    expect(snapshot.devices).toContainEqual(expect.objectContaining({ deviceId: 'grid-meter', status: 'online' }));

    const next = await publish('grid-meter', 'import_power', 'W', testNow(), 1500);
    await waitFor(() => f.has(next), 'the next reading in a frame');
    expect(f.log.slice(0, 3)).toEqual(['ack', 'snapshot', 'readings']);
    const ack = f.acks[0] as Extract<SubscribeAck, { ok: true }>;
    expect(ack).toMatchObject({ ok: true, server: expect.any(String) });
    expect(f.frames[0]?.prev).toBe(ack.seq);
    expect(f.frames[0]?.seq).toBeGreaterThan(ack.seq);
    expect(f.broken).toEqual([]);
  });

  it('sends a zone subscriber only the series of that zone', async () => {
    const zone = follow({ zones: ['r1-coworking'] });
    const everything = follow({});
    await waitFor(() => zone.snapshots.length === 1 && everything.snapshots.length === 1, 'both subscribed');
    expect(zone.snapshots[0]?.readings.every((r) => r.seriesId.startsWith('room-r1-coworking.'))).toBe(true);
    const ts = testNow();
    const inZone = await publish('room-r1-coworking', 'co2', 'ppm', ts, 612);
    const elsewhere = await publish('grid-meter', 'import_power', 'W', ts, 3000);
    const otherRoom = await publish('room-r2-coworking', 'co2', 'ppm', ts, 700);
    await waitFor(() => everything.has(inZone) && everything.has(elsewhere) && everything.has(otherRoom), 'all three for the subscriber to everything');
    await waitFor(() => zone.has(inZone), 'the zone reading');
    // Frames are made for everyone at once: what the zone subscriber did not get by now, it never gets.
    await sleep(600);
    expect(zone.readings().map((r) => r.seriesId).every((id) => id.startsWith('room-r1-coworking.'))).toBe(true);
    expect(zone.has(elsewhere) || zone.has(otherRoom)).toBe(false);
  });

  it('dashboards with the same subscription share each frame, and each still gets an unbroken chain of its own', async () => {
    // Two on one device (the server sends them one broadcast), one joining later (another
    // point of the stream, so its own packet at first), and one on another device.
    const first = follow({ devices: ['grid-meter'] });
    const second = follow({ devices: ['grid-meter'] });
    const other = follow({ devices: ['pv-inverter-1'] });
    await waitFor(() => first.snapshots.length === 1 && second.snapshots.length === 1 && other.snapshots.length === 1, 'three subscribed');
    const t0 = testNow() - 10_000;
    const meter: Reading[] = [];
    const pv: Reading[] = [];
    let late: ReturnType<typeof follow> | undefined;
    for (let i = 0; i < 12; i++) {
      meter.push(await publish('grid-meter', 'import_power', 'W', t0 + i, 100 + i));
      if (i % 3 === 0) pv.push(await publish('pv-inverter-1', 'ac_power', 'W', t0 + i, 10 + i));
      if (i === 5) late = follow({ devices: ['grid-meter'] });
      await sleep(120);
    }
    const later = late as ReturnType<typeof follow>;
    await waitFor(() => meter.every((r) => first.has(r) && second.has(r)) && pv.every((r) => other.has(r)), 'every reading to its subscribers');
    await waitFor(() => later.has(meter[11] as Reading), 'the late subscriber on the stream');
    for (const f of [first, second, other, later]) {
      expect(f.broken).toEqual([]);
      expect(f.gaps).toEqual([]);
    }
    const mine = (f: ReturnType<typeof follow>, id: string) => f.readings().filter((r) => r.seriesId === id && r.ts >= t0 && r.ts < t0 + 12);
    expect(mine(first, 'grid-meter.import_power').map((r) => r.value)).toEqual(meter.map((r) => r.value));
    expect(mine(second, 'grid-meter.import_power').map((r) => r.value)).toEqual(meter.map((r) => r.value));
    expect(mine(other, 'pv-inverter-1.ac_power').map((r) => r.value)).toEqual(pv.map((r) => r.value));
    expect(first.readings().some((r) => r.seriesId.startsWith('pv-inverter-1.')) || other.readings().some((r) => r.seriesId.startsWith('grid-meter.'))).toBe(false);
    // The same frames, number for number, for the two that subscribed together.
    expect(second.frames.map((fr) => fr.seq)).toEqual(first.frames.map((fr) => fr.seq));
  });

  it('batches readings into frames no more often than the frame interval (250 ms)', async () => {
    const f = follow({ devices: ['weather-station'] });
    await waitFor(() => f.snapshots.length === 1, 'subscribed');
    const t0 = testNow() - 10_000;
    const sent: Reading[] = [];
    const started = testNow();
    // Five bursts of twelve readings, 150 ms apart: readings come far faster than frames.
    for (let burst = 0; burst < 5; burst++) {
      sent.push(...(await Promise.all(Array.from({ length: 12 }, (_, j) => publish('weather-station', 'temperature', 'Cel', t0 + burst * 12 + j, 10 + j / 10)))));
      await sleep(150);
    }
    await waitFor(() => sent.every((r) => f.has(r)), 'every reading');
    const elapsed = testNow() - started;
    const frames = f.frames.filter((fr) => frameReadings(fr).some((r) => r.ts >= t0 && r.ts < t0 + 60));
    // Loose bounds, the machine is shared: never more than one frame per interval (plus the edges), never one per reading.
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < frames.length; i++) expect((frames[i] as ReadingsFrame).ts - (frames[i - 1] as ReadingsFrame).ts).toBeGreaterThanOrEqual(200);
    expect(frames.length).toBeLessThanOrEqual(sent.length / 4);
  });
});

describe('live push: reconnecting', () => {
  it('replays what a client missed while its connection was down: not a reading lost, none twice', async () => {
    // Away a fixed second, not 100 to 300 ms: on a loaded machine so short an absence
    // could see no reading published, and nothing to replay.
    const f = follow({ devices: ['grid-meter'] }, { reconnectionDelay: 1000, reconnectionDelayMax: 1000, randomizationFactor: 0 });
    await waitFor(() => f.snapshots.length === 1, 'subscribed');
    const t0 = testNow() - 20_000;
    const sent: Reading[] = [];
    let dropped = false;
    for (let i = 0; i < 80; i++) {
      sent.push(await publish('grid-meter', 'export_power', 'W', t0 + i, i));
      if (i === 20) {
        // The transport dies under it (a network loss); socket.io-client reconnects by itself.
        f.socket.io.engine.close();
        dropped = true;
      }
      await sleep(30);
    }
    expect(dropped).toBe(true);
    await waitFor(() => f.acks.length >= 2, 'the new subscription');
    await waitFor(() => sent.every((r) => f.has(r)), 'every reading, after catching up', 20_000);
    const got = f.readings().filter((r) => r.seriesId === 'grid-meter.export_power' && r.ts >= t0 && r.ts < t0 + 80);
    expect(got.map((r) => r.value)).toEqual(sent.map((r) => r.value));
    expect(f.gaps).toEqual([]);
    expect(f.broken).toEqual([]);
    // The second ack resumed where the first connection stopped.
    const acks = f.acks as Extract<SubscribeAck, { ok: true }>[];
    expect(acks[1]?.server).toBe(acks[0]?.server);
    expect(acks[1]?.gap).toBeUndefined();
    // And it did replay: frames made while the client was away came after that ack.
    const replayed = f.frames.filter((fr) => fr.seq > (acks[1]?.seq ?? Infinity) && fr.ts < (acks[1]?.ts ?? 0));
    expect(replayed.flatMap((fr) => frameReadings(fr)).length).toBeGreaterThan(0);
  });

  it('says what it can no longer replay (another server run, or older than its buffer) as a gap to fetch over REST', async () => {
    const socket = connect({ auth: { token: server.adminToken } });
    const since = { server: 'an-earlier-run', seq: 9, ts: startedAt - 600_000 };
    const ack = await socket.timeout(5000).emitWithAck('subscribe', { since });
    expect(ack).toMatchObject({ ok: true, gap: { from: since.ts - 250 } });
    if (!ack.ok || !ack.gap) return;
    expect(ack.gap.to).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(ack.gap.to).toBeLessThanOrEqual(testNow());
    // A seq alone, of another run: the whole live window is to be fetched.
    const bare = await socket.timeout(5000).emitWithAck('subscribe', { since: { seq: 123_456_789 } });
    expect(bare).toMatchObject({ ok: true, gap: { from: expect.any(Number) } });
    if (bare.ok) expect(bare.gap?.from).toBeLessThan(testNow() - 3_500_000);
    // Then live frames continue as usual.
    const frames: ReadingsFrame[] = [];
    socket.on('readings', (fr) => frames.push(fr));
    const r = await publish('grid-meter', 'import_power', 'W', testNow(), 42);
    await waitFor(() => frames.some((fr) => frameReadings(fr).some((x) => x.ts === r.ts && x.seriesId === r.seriesId)), 'a live frame');
  });
});
