import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadingsFrame, frameReadings } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { getJson, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Bad input over socket.io: unknown events, malformed and oversized
 * subscriptions, floods of events. Where the protocol has an acknowledgement the
 * server answers with an error; it stays up; a bystander dashboard keeps its
 * frames; and a flooding socket costs a counter per event, then its connection.
 */

// Untyped on purpose: these clients send what the protocol does not allow.
type Raw = Socket;
type Ack = { ok: boolean; error?: string };

let server: RunningServer & { dataDir: string; adminToken: string };
let base: string;
let meter: MqttClient;
let publishing: NodeJS.Timeout | undefined;
const open: Raw[] = [];

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.httpPort}`;
  meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'bad-socket-meter', reconnectPeriod: 0, ...mqttCredentials(server.dataDir, 'grid-meter') });
  // A reading every 100 ms throughout, for the bystander to receive.
  let v = 0;
  publishing = setInterval(() => {
    void meter.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ n: 'grid-meter:import_power', u: 'W', v: ++v, t: testNow() / 1000 }]), { qos: 0 }).catch(() => undefined);
  }, 100);
});

afterAll(async () => {
  clearInterval(publishing);
  for (const s of open) s.close();
  await meter?.endAsync();
  await server?.close();
});

async function connect(token: string): Promise<Raw> {
  const socket = io(base, { reconnection: false, auth: { token }, transports: ['websocket'] });
  open.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

function ask(socket: Raw, event: string, ...args: unknown[]): Promise<Ack> {
  return socket.timeout(5000).emitWithAck(event, ...args) as Promise<Ack>;
}

/** A dashboard that is doing nothing wrong: its frames are counted. */
async function bystander() {
  const socket = await connect(server.adminToken);
  const frames: ReadingsFrame[] = [];
  socket.on('readings', (f: ReadingsFrame) => frames.push(f));
  expect(await ask(socket, 'subscribe', { devices: ['grid-meter'] })).toMatchObject({ ok: true });
  return { socket, frames, framesSince: (n: number) => frames.slice(n).reduce((s, f) => s + frameReadings(f).length, 0) };
}

describe('bad input over socket.io', () => {
  it('unknown events and malformed subscriptions get an error acknowledgement, and the socket keeps working', async () => {
    const socket = await connect(await tokenFor(base, 'viewer'));
    for (const event of ['nonsense', 'subscribe ', 'SUBSCRIBE', '__proto__', 'constructor', 'readings', 'x'.repeat(10_000)]) {
      const ack = await ask(socket, event, { zones: ['rdc-accueil'] });
      expect(ack.ok, event.slice(0, 30)).toBe(false);
      expect(ack.error).toMatch(/^unknown event/);
    }
    const bad: unknown[] = [
      42,
      'all',
      null,
      [],
      { zones: 'rdc-accueil' },
      { zones: [1] },
      { devices: ['GRID-METER'] },
      { devices: ["grid-meter' OR 1=1"] },
      { series: ['not a series'] },
      { series: ['grid-meter.no_such_point'] },
      { zones: ['no-such-zone'] },
      { devices: ['no-such-device'] },
      { series: Array.from({ length: 20_001 }, (_, i) => `d${i}.p`) },
      { zones: Array.from({ length: 201 }, () => 'rdc-accueil') },
      { since: -1 },
      { since: { seq: 'x' } },
      { since: { server: 'x'.repeat(100), seq: 1 } },
      { since: {} },
      { admin: true },
      { __proto__: { admin: true }, zones: ['rdc-accueil'], extra: 1 },
    ];
    for (const request of bad) {
      const ack = await ask(socket, 'subscribe', request);
      expect(ack.ok, JSON.stringify(request).slice(0, 60)).toBe(false);
      expect(ack.error, JSON.stringify(request).slice(0, 60)).toMatch(/^bad subscription/);
    }
    // A subscription without an acknowledgement function is ignored, not a crash.
    socket.emit('subscribe', { zones: 7 });
    socket.emit('unsubscribe', 'not a function');
    // The same socket still works.
    expect(await ask(socket, 'subscribe', { devices: ['grid-meter'] })).toMatchObject({ ok: true });
    expect(await ask(socket, 'unsubscribe')).toEqual({ ok: true });
    socket.close();
  });

  it('a message over the size limit ends only its own connection', async () => {
    const watcher = await bystander();
    const socket = await connect(server.adminToken);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    // engine.io refuses messages over maxHttpBufferSize (1 MB) and closes the connection.
    socket.emit('subscribe', { series: ['x'.repeat(2 * 2 ** 20)] }, () => undefined);
    expect(await closed).toMatch(/transport close|transport error/);
    const before = watcher.frames.length;
    await waitFor(() => watcher.framesSince(before) >= 3, 'the bystander still getting frames');
    expect((await getJson(`${base}/api/health`, null)).status).toBe(200);
    watcher.socket.close();
  });

  it('a flood of 20,000 events is refused past a budget, then disconnected, while another dashboard keeps its frames', async () => {
    const watcher = await bystander();
    const flooder = await connect(await tokenFor(base, 'viewer'));
    let refused = 0;
    let unknown = 0;
    let answered = 0;
    const disconnected = new Promise<string>((resolve) => flooder.once('disconnect', (reason) => resolve(reason)));
    const before = watcher.frames.length;
    const events = ['subscribe', 'unsubscribe', 'nonsense'];
    for (let i = 0; i < 20_000; i++) {
      const event = events[i % 3] as string;
      const ack = (r: Ack) => {
        answered++;
        if (/^too many events/.test(r.error ?? '')) refused++;
        if (/^unknown event/.test(r.error ?? '')) unknown++;
      };
      if (event === 'unsubscribe') flooder.emit(event, ack);
      else flooder.emit(event, { zones: ['rdc-accueil'] }, ack);
    }
    const reason = await Promise.race([disconnected, new Promise<string>((r) => setTimeout(() => r('still connected'), 15_000))]);
    console.log(`socket.io flood: 20000 events sent, ${answered} answered (${refused} "too many events", ${unknown} "unknown event"), then ${reason}; the bystander got ${watcher.framesSince(before)} readings meanwhile`);
    // The budget (100 at once) let a few through; the rest were refused, and the socket was cut.
    expect(reason).toBe('io server disconnect');
    expect(answered - refused).toBeLessThanOrEqual(110);
    expect(refused).toBeGreaterThanOrEqual(900);
    // The bystander never stopped getting frames.
    const afterFlood = watcher.frames.length;
    await waitFor(() => watcher.framesSince(afterFlood) >= 3, 'the bystander still getting frames after the flood');
    expect((await getJson(`${base}/api/health`, null)).status).toBe(200);
    watcher.socket.close();
  });
});
