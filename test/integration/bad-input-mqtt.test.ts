import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HistoryResponse, type IngestStatsResponse, MAX_HISTORY_POINTS, REJECT_REASONS, type RejectedResponse, type RejectReason } from '../../shared/api';
import { catalogue } from '../../shared/catalogue';
import type { RunningServer } from '../../server/app';
import { type MqttCase, Rng, fuzzSeed, mqttCases } from '../helpers/fuzz';
import { getJson, mqttCredentials, startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Bad input over MQTT: a seeded fuzz run of malformed messages mixed with valid
 * ones, published by authenticated devices. Each message says what must become
 * of it, so the run compares exact counts: every valid reading stored, every
 * invalid record rejected and counted under its reason, every illegal packet
 * refused by the broker, and the server up and bounded in memory throughout.
 * The seed is printed; FUZZ_SEED=<seed> replays the same messages.
 */

const SITE = 'le-numerique';
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 10_000);
/** A smaller packet limit than the default keeps the oversized cases cheap to send. */
const MAX_PACKET_KB = 256;
const DEVICES = ['grid-meter', 'weather-station', 'pv-inverter-1'];

let server: RunningServer & { dataDir: string };
let base: string;
let url: string;

beforeAll(async () => {
  server = await startTestServer({ MQTT_MAX_PACKET_KB: String(MAX_PACKET_KB) });
  base = `http://127.0.0.1:${server.httpPort}`;
  url = `mqtt://127.0.0.1:${server.mqttPort}`;
});
afterAll(async () => {
  await server?.close();
});

/** A full garbage collection, so heap figures compare what is still held. */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function heapUsedMiB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)))]).finally(() => clearTimeout(timer));
}

let ids = 0;
/** aedes refuses client ids over 23 characters (MQTT 3.1.1 §3.1.3.1). */
const clientId = () => `fz${process.pid % 10_000}-${++ids}`;

function connect(who: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: clientId(), reconnectPeriod: 0, connectTimeout: 10_000, ...mqttCredentials(server.dataDir, who) });
}

/** Publishes a case the broker must refuse, on a connection of its own; resolves how it ended. */
async function publishRefused(c: MqttCase): Promise<'closed' | 'acked' | 'timeout'> {
  const client = await connect(c.publisher);
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 10_000);
      client.once('close', () => {
        clearTimeout(timer);
        resolve('closed');
      });
      client.publish(c.topic, c.payload, { qos: 1 }, (err) => {
        if (!err) {
          clearTimeout(timer);
          resolve('acked');
        }
      });
    });
  } finally {
    client.end(true);
  }
}

describe('bad input over MQTT', () => {
  it(`a fuzz run of ${MESSAGES.toLocaleString('en')} messages stores every valid reading, rejects and counts every invalid one with its reason, and stays up and bounded`, async () => {
    const seed = fuzzSeed();
    console.log(`MQTT fuzz seed ${seed}: FUZZ_SEED=${seed} npx vitest run test/integration/bad-input-mqtt.test.ts replays it`);
    const rng = new Rng(seed);
    const now = testNow();
    const startMs = now - 2 * 3_600_000;
    const clients = new Map<string, MqttClient>();
    for (const who of [...DEVICES, 'admin']) clients.set(who, await connect(who));

    const heapBefore = heapUsedMiB();
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const expected = { stored: 0, rejected: {} as Partial<Record<RejectReason, number>>, refused: 0, kinds: {} as Record<string, number> };
    const perSeries = new Map<string, number>();
    const stamps = { next: startMs };
    const refusedHow: Record<string, number> = {};
    // Drawn in slices, so the run never holds all its payloads at once.
    for (let done = 0; done < MESSAGES; ) {
      const slice = mqttCases(rng, Math.min(500, MESSAGES - done), { catalogue, siteId: SITE, devices: DEVICES, stamps, nowMs: now, maxPacketBytes: MAX_PACKET_KB * 1024 });
      for (const c of slice) {
        c.n += done;
        expected.kinds[c.kind] = (expected.kinds[c.kind] ?? 0) + 1;
        if (c.expect.outcome === 'broker') {
          const how = await publishRefused(c);
          refusedHow[how] = (refusedHow[how] ?? 0) + 1;
          expect(how, `case ${c.n} (${c.kind}) on "${c.topic.slice(0, 80)}": the broker must close the connection (seed ${seed})`).toBe('closed');
          expected.refused++;
          continue;
        }
        const client = clients.get(c.publisher);
        if (!client?.connected) throw new Error(`case ${c.n} (${c.kind}): ${c.publisher}'s connection was closed (seed ${seed})`);
        await withTimeout(client.publishAsync(c.topic, c.payload, { qos: 1 }), 10_000, () => `case ${c.n} (${c.kind}) on "${c.topic.slice(0, 80)}" got no PUBACK; payload starts ${JSON.stringify(c.payload.subarray(0, 120).toString())} (seed ${seed})`);
        expected.stored += c.expect.stored.length;
        for (const s of c.expect.stored) perSeries.set(s, (perSeries.get(s) ?? 0) + 1);
        for (const [reason, n] of Object.entries(c.expect.rejected) as [RejectReason, number][]) expected.rejected[reason] = (expected.rejected[reason] ?? 0) + n;
      }
      done += slice.length;
    }
    const expectedRejected = Object.values(expected.rejected).reduce((a, b) => a + b, 0);

    // Ingest: the exact counts, per reason.
    const stats = await waitFor(async () => {
      const { body } = await getJson<IngestStatsResponse>(`${base}/api/v1/ingest/stats`);
      return body.accepted + body.rejected >= expected.stored + expectedRejected ? body : undefined;
    }, 'ingest to count every message', 30_000);
    expect(stats.accepted, `seed ${seed}`).toBe(expected.stored);
    expect(stats.rejected, `seed ${seed}`).toBe(expectedRejected);
    expect(stats.rejectedByReason, `seed ${seed}`).toEqual(expected.rejected);

    // The store: every valid reading, counted by the store and read back over the API.
    await server.store.flush();
    expect(server.store.stats().written, `seed ${seed}`).toBe(expected.stored);
    expect(server.store.stats().dropped).toBe(0);
    let readBack = 0;
    for (const [series, n] of perSeries) {
      const { status, body } = await getJson<HistoryResponse>(`${base}/api/v1/series/${series}/history?from=${startMs - 1000}&to=${testNow()}&resolution=raw&maxPoints=${MAX_HISTORY_POINTS}`);
      expect(status).toBe(200);
      expect(body.truncated).toBe(false);
      expect(body.points.length, `${series} (seed ${seed})`).toBe(n);
      readBack += body.points.length;
    }
    expect(readBack).toBe(expected.stored);

    // Every rejection kept with its reason and a detail, in a store that stays at its capacity.
    const dead = (await getJson<RejectedResponse>(`${base}/api/v1/ingest/rejected?limit=1000`)).body;
    expect(dead.items.length).toBe(Math.min(1000, expectedRejected));
    for (const item of dead.items) {
      expect(REJECT_REASONS).toContain(item.reason);
      expect(item.detail.length).toBeGreaterThan(0);
      expect(item.payload.length).toBeLessThanOrEqual(2049);
    }
    expect(stats.deadLetters).toEqual({ size: Math.min(1000, expectedRejected), capacity: 1000, dropped: Math.max(0, expectedRejected - 1000) });

    // Still serving: a new device connection's reading is stored and the API answers.
    for (const c of clients.values()) c.end(true);
    const meter = await connect('grid-meter');
    const lastTs = testNow() - 1000;
    await meter.publishAsync(`${SITE}/grid-meter/telemetry`, JSON.stringify([{ n: 'grid-meter:import_power', u: 'W', v: 4242, t: lastTs / 1000 }]), { qos: 1 });
    await meter.endAsync();
    await waitFor(async () => {
      const { body } = await getJson<{ readings: { seriesId: string; ts: number; value: number }[] }>(`${base}/api/v1/latest`);
      return body.readings.some((r) => r.seriesId === 'grid-meter.import_power' && r.ts === lastTs && r.value === 4242);
    }, 'the reading sent after the run');
    expect((await getJson(`${base}/api/health`, null)).status).toBe(200);

    // Memory: what the run leaves held, after a full collection.
    const heapAfter = heapUsedMiB();
    const rssAfter = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `MQTT fuzz seed ${seed}: ${MESSAGES} messages (${Object.entries(expected.kinds)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}); ${expected.stored} valid readings stored in ${perSeries.size} series; ${expectedRejected} records rejected ${JSON.stringify(expected.rejected)}; ${expected.refused} refused by the broker ${JSON.stringify(refusedHow)}; heap ${heapBefore.toFixed(1)} -> ${heapAfter.toFixed(1)} MiB, rss ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB; dead letters ${JSON.stringify(stats.deadLetters)}`,
    );
    expect(heapAfter - heapBefore).toBeLessThan(64);
  }, 600_000);

  it('a client announcing a 200 MB packet is disconnected at once, before authenticating and after, and nothing of it is held', async () => {
    const heapBefore = heapUsedMiB();
    /** A raw TCP client that sends a packet header announcing `length` bytes, then 64 KiB of it. */
    const announce = (head: Buffer, length: number) =>
      new Promise<{ closedAfterBytes: number }>((resolve, reject) => {
        const socket = net.connect(server.mqttPort, '127.0.0.1');
        let sent = 0;
        const timer = setTimeout(() => reject(new Error('the broker kept the connection open')), 10_000);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve({ closedAfterBytes: sent });
        });
        socket.on('connect', () => {
          const len: number[] = [];
          let x = length;
          do {
            let byte = x % 128;
            x = Math.floor(x / 128);
            if (x > 0) byte |= 0x80;
            len.push(byte);
          } while (x > 0);
          const chunk = Buffer.concat([head, Buffer.from([...len]), Buffer.alloc(65_536, 0x61)]);
          socket.write(chunk);
          sent += chunk.length;
        });
      });
    // A CONNECT (0x10) of 200 MB: nobody is authenticated yet.
    const before = await announce(Buffer.from([0x10]), 200 * 2 ** 20);
    expect(before.closedAfterBytes).toBeLessThan(70_000);

    // A PUBLISH (0x30) of 200 MB from an authenticated device, after its CONNECT.
    const { username, password } = mqttCredentials(server.dataDir, 'grid-meter');
    const closed = await new Promise<boolean>((resolve) => {
      const client = mqtt.connect(url, { clientId: clientId(), reconnectPeriod: 0, username, password });
      client.on('connect', () => {
        // MQTT.js would refuse nothing: write the header by hand on its stream.
        const stream = (client as unknown as { stream: net.Socket }).stream;
        stream.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64])); // remaining length 200 MiB (4 bytes)
        stream.write(Buffer.alloc(65_536, 0x61));
      });
      client.on('close', () => {
        client.end(true);
        resolve(true);
      });
      setTimeout(() => resolve(false), 10_000);
    });
    expect(closed).toBe(true);
    expect(heapUsedMiB() - heapBefore).toBeLessThan(32);
    expect((await getJson(`${base}/api/health`, null)).status).toBe(200);
    const stats = (await getJson<IngestStatsResponse>(`${base}/api/v1/ingest/stats`)).body;
    expect(stats.devices['grid-meter']).toBeDefined();
  });

  it('over WebSocket (/mqtt) too, a packet over the limit closes its connection and one under it is stored', async () => {
    const ws = `ws://127.0.0.1:${server.httpPort}/mqtt`;
    const creds = mqttCredentials(server.dataDir, 'weather-station');
    const ts = testNow() - 5000;
    const under = await mqtt.connectAsync(ws, { clientId: clientId(), reconnectPeriod: 0, ...creds });
    await under.publishAsync(`${SITE}/weather-station/telemetry`, JSON.stringify([{ n: 'weather-station:temperature', u: 'Cel', v: 21.5, t: ts / 1000, junk: 'x'.repeat(MAX_PACKET_KB * 1024 - 4096) }]), { qos: 1 });
    await under.endAsync();
    await waitFor(async () => {
      const { body } = await getJson<{ readings: { seriesId: string; ts: number }[] }>(`${base}/api/v1/latest`);
      return body.readings.some((r) => r.seriesId === 'weather-station.temperature' && r.ts === ts);
    }, 'the reading just under the limit');

    const over = await mqtt.connectAsync(ws, { clientId: clientId(), reconnectPeriod: 0, ...creds });
    const closed = new Promise<boolean>((resolve) => {
      over.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 10_000);
    });
    over.publish(`${SITE}/weather-station/telemetry`, JSON.stringify([{ n: 'weather-station:temperature', u: 'Cel', v: 22, t: ts / 1000 + 1, junk: 'x'.repeat(MAX_PACKET_KB * 1024 + 1) }]), { qos: 1 });
    expect(await closed).toBe(true);
    over.end(true);
    const { body } = await getJson<{ readings: { seriesId: string; ts: number }[] }>(`${base}/api/v1/latest`);
    expect(body.readings.find((r) => r.seriesId === 'weather-station.temperature')?.ts).toBe(ts);
  });
});
