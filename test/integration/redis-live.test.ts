import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { type RunningRedis, redisAvailable, startRedis } from '../helpers/redis';
import { mqttCredentials, startTestServer, waitFor } from '../helpers/server';

const redis = redisAvailable();
type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;
type Server = RunningServer & { dataDir: string; adminToken: string };

describe.skipIf(!redis.ok)(`two instances sharing live push through Redis${redis.ok ? '' : ` (skipped: ${redis.reason})`}`, () => {
  let r: RunningRedis;
  let a: Server;
  let b: Server;
  let device: MqttClient;
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    r = await startRedis();
    a = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'live-a' });
    b = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'live-b' });
    device = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.mqttPort}`, { clientId: 'redis-live-meter', ...mqttCredentials(b.dataDir, 'admin') });
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await device?.endAsync();
    await a?.close();
    await b?.close();
    await r?.stop();
  });

  it('a dashboard connected to instance A receives, once, the readings instance B ingested, and its own', async () => {
    const socket: LiveClient = io(`http://127.0.0.1:${a.httpPort}`, { auth: { token: a.adminToken }, reconnection: false });
    sockets.push(socket);
    const values: number[] = [];
    socket.on('readings', (frame) => {
      for (const x of frame.readings) if (x.seriesId === 'grid-meter.import_power') values.push(x.value);
    });
    expect(await socket.timeout(5000).emitWithAck('subscribe', { series: ['grid-meter.import_power'] })).toMatchObject({ ok: true });
    const t = Date.now();
    for (let i = 1; i <= 5; i++) {
      await device.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: (t + i) / 1000, n: 'import_power', u: 'W', v: 1000 + i }]), { qos: 1 });
    }
    await waitFor(() => values.length >= 5, 'the five readings of instance B on instance A');
    // Instance A's own ingest still reaches it, once.
    const own = await mqtt.connectAsync(`mqtt://127.0.0.1:${a.mqttPort}`, { clientId: 'redis-live-own', ...mqttCredentials(a.dataDir, 'admin') });
    await own.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: (t + 10) / 1000, n: 'import_power', u: 'W', v: 2000 }]), { qos: 1 });
    await own.endAsync();
    await waitFor(() => values.includes(2000), 'instance A\'s own reading');
    await new Promise((res) => setTimeout(res, 600));
    expect(values).toEqual([1001, 1002, 1003, 1004, 1005, 2000]);
    // B stored them; A did not (each instance stores what it ingests).
    expect((await b.store.history('grid-meter.import_power', t, t + 5, 100)).points).toHaveLength(5);
    expect((await a.store.history('grid-meter.import_power', t, t + 5, 100)).points).toHaveLength(0);
  });

  it('a server that cannot reach REDIS_URL stops at start and names the variable', async () => {
    await expect(startTestServer({ REDIS_URL: 'redis://127.0.0.1:1', INSTANCE_ID: 'no-redis' })).rejects.toThrow(/REDIS_URL: cannot reach redis:\/\/127\.0\.0\.1:1/);
  });
});
