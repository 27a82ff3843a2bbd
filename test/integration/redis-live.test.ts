import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientToServerEvents, type ServerToClientEvents, frameReadings } from '../../shared/live';
import type { RunningServer } from '../../server/app';
import { type RunningRedis, redisAvailable, startRedis } from '../helpers/redis';
import { apiFetch, login, mqttCredentials, startTestServer, tokenFor, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

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
      for (const x of frameReadings(frame)) if (x.seriesId === 'grid-meter.import_power') values.push(x.value);
    });
    expect(await socket.timeout(5000).emitWithAck('subscribe', { series: ['grid-meter.import_power'] })).toMatchObject({ ok: true });
    const t = testNow();
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

  it('a session opened through one instance is valid on the other, for REST and socket.io, until it logs out there', async () => {
    const baseA = `http://127.0.0.1:${a.httpPort}`;
    const baseB = `http://127.0.0.1:${b.httpPort}`;
    const operator = await tokenFor(baseA, 'operator');
    // The login was on A; B accepts the session, with its role, over REST and socket.io.
    const me = await waitFor(async () => {
      const res = await apiFetch(`${baseB}/api/v1/auth/me`, { token: operator });
      return res.status === 200 && ((await res.json()) as { username: string; role: string });
    }, 'instance B to accept the session');
    expect(me).toMatchObject({ role: 'operator' });
    const socket: LiveClient = io(baseB, { auth: { token: operator }, reconnection: false });
    sockets.push(socket);
    await waitFor(() => socket.connected, 'a socket.io connection to B with a session of A');
    // An operator may not manage users on B either: the role travels with the session.
    expect((await apiFetch(`${baseB}/api/v1/users`, { token: operator })).status).toBe(403);
    // Logging out on B ends it everywhere.
    expect((await apiFetch(`${baseB}/api/v1/auth/logout`, { method: 'POST', token: operator })).status).toBeLessThan(300);
    await waitFor(async () => (await apiFetch(`${baseA}/api/v1/auth/me`, { token: operator })).status === 401, 'the session to end on A');
    expect((await apiFetch(`${baseB}/api/v1/auth/me`, { token: operator })).status).toBe(401);
    // A made-up token is refused by both.
    expect((await apiFetch(`${baseB}/api/v1/auth/me`, { token: 'x'.repeat(43) })).status).toBe(401);
  });

  it('a role taken away on the instance that holds the user ends that user\'s sessions on the other too', async () => {
    const baseA = `http://127.0.0.1:${a.httpPort}`;
    const baseB = `http://127.0.0.1:${b.httpPort}`;
    const username = `demoted-${process.pid}`;
    expect((await apiFetch(`${baseA}/api/v1/users`, { method: 'POST', body: JSON.stringify({ username, role: 'operator', password: `password-of-${username}` }), token: a.adminToken })).status).toBe(201);
    const token = await login(baseA, username, `password-of-${username}`, false);
    await waitFor(async () => (await apiFetch(`${baseB}/api/v1/auth/me`, { token })).status === 200, 'instance B to accept the session');
    expect((await apiFetch(`${baseA}/api/v1/users/${username}`, { method: 'PATCH', body: JSON.stringify({ role: 'viewer' }), token: a.adminToken })).status).toBe(200);
    await waitFor(async () => (await apiFetch(`${baseB}/api/v1/auth/me`, { token })).status === 401, 'the session to end on B');
    expect((await apiFetch(`${baseA}/api/v1/auth/me`, { token })).status).toBe(401);
  });

  it('an instance started later knows the sessions opened before it', async () => {
    const token = await login(`http://127.0.0.1:${a.httpPort}`, 'admin', undefined, false);
    const c = await startTestServer({ REDIS_URL: r.url, INSTANCE_ID: 'live-c' });
    try {
      expect((await apiFetch(`http://127.0.0.1:${c.httpPort}/api/v1/auth/me`, { token })).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('a server that cannot reach REDIS_URL stops at start and names the variable', async () => {
    await expect(startTestServer({ REDIS_URL: 'redis://127.0.0.1:1', INSTANCE_ID: 'no-redis' })).rejects.toThrow(/REDIS_URL: cannot reach redis:\/\/127\.0\.0\.1:1/);
  });
});
