import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { HealthResponse, LatestResponse } from '../../shared/api';
import { catalogue } from '../../shared/catalogue';
import type { RunningServer } from '../../server/app';
import { type Spawned, spawnTs } from '../helpers/process';
import { simulatorSecretsFile } from '../../server/auth/provision';
import { getJson, mqttCredentials, startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

const allSeries = catalogue.devices.flatMap((d) => catalogue.deviceTypes.find((t) => t.id === d.type)?.points.map((p) => `${d.id}.${p.name}`) ?? []);

describe('the simulator inside the server', () => {
  let server: RunningServer;
  afterAll(async () => server?.close());

  it('connects every catalogued device, which publish valid readings for every point', async () => {
    server = await startTestServer({ SIMULATOR: 'on' }, { simulatorPeriodMs: 200 });
    const base = `http://127.0.0.1:${server.httpPort}`;
    const latest = await waitFor(async () => {
      const { body } = await getJson<LatestResponse>(`${base}/api/v1/latest`);
      return body.readings.length === allSeries.length ? body.readings : undefined;
    }, 'a reading for every series');
    expect(latest.map((r) => r.seriesId).sort()).toEqual([...allSeries].sort());
    const health = (await getJson<HealthResponse>(`${base}/api/health`)).body;
    expect(health.simulator).toMatchObject({ state: 'up', devices: catalogue.devices.length });
    expect(health.ingest.rejected).toBe(0);
    // Each device holds its own MQTT connection, as a field device would.
    expect(health.broker.clients).toBe(catalogue.devices.length + 1); // plus the control channel
  });

  it('leaves a retained "online" status for each device, and "offline" once stopped', async () => {
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'test-status-watcher', ...mqttCredentials((server as RunningServer & { dataDir: string }).dataDir, 'admin') });
    const seen = new Map<string, string>();
    watcher.on('message', (topic, payload) => seen.set(topic, payload.toString()));
    await watcher.subscribeAsync('le-numerique/+/status', { qos: 1 });
    await waitFor(() => seen.size === catalogue.devices.length, 'retained status of every device');
    expect([...seen.values()].every((v) => v === 'online')).toBe(true);
    await server.close();
    await watcher.endAsync();
  });
});

describe('the simulator on its own (npm run simulator -- --broker ...)', () => {
  let server: RunningServer;
  let sim: Spawned | undefined;
  afterAll(async () => {
    sim?.child.kill('SIGKILL');
    await server?.close();
  });

  it('publishes to a broker given on the command line and stops cleanly on SIGINT', async () => {
    server = await startTestServer();
    const base = `http://127.0.0.1:${server.httpPort}`;
    // The server's provisioned secrets let the standalone simulator play its devices.
    sim = spawnTs('simulator/cli.ts', {}, ['--broker', `mqtt://127.0.0.1:${server.mqttPort}`, '--credentials', simulatorSecretsFile((server as RunningServer & { dataDir: string }).dataDir), '--period', '1000', '--log-level', 'warn']);
    await waitFor(async () => (await getJson<LatestResponse>(`${base}/api/v1/latest`)).body.readings.length === allSeries.length, 'readings from the standalone simulator');
    sim.child.kill('SIGINT');
    expect((await sim.exited).code).toBe(0);
  });

  it('refuses a malformed --broker with a usage line', async () => {
    const bad = spawnTs('simulator/cli.ts', {}, ['--broker', 'localhost:1883']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.output()).toMatch(/--broker must be an mqtt:\/\//);
  });
});

describe('the simulator across a server restart', () => {
  it('resumes its meters where they stopped: counters never run backwards, history has no hole', async () => {
    const dataDir = (await import('../helpers/server')).tempDir();
    const first = await startTestServer({ SIMULATOR: 'on', DATA_DIR: dataDir }, { simulatorPeriodMs: 200 });
    const base1 = `http://127.0.0.1:${first.httpPort}`;
    // A meter that counts at any hour: the plugs' standby load never stops, whereas the grid
    // import stands still whenever the PV covers the building (a sunny midday).
    const series = 'submeter-plugs.energy';
    // Any energy counted: a meter that restarted from zero would then run backwards.
    await waitFor(async () => ((await getJson<LatestResponse>(`${base1}/api/v1/latest`)).body.readings.some((r) => r.seriesId === series && r.value > 0) ? true : undefined), 'energy counted');
    await first.close();

    const second = await startTestServer({ SIMULATOR: 'on', DATA_DIR: dataDir }, { simulatorPeriodMs: 200 });
    const base2 = `http://127.0.0.1:${second.httpPort}`;
    const restartedAt = testNow();
    const history = () => getJson<{ points: [number, number][] }>(`${base2}/api/v1/series/${series}/history?from=${restartedAt - 600_000}&to=${testNow() + 1000}`);
    const body = await waitFor(async () => {
      const { body } = await history();
      return body.points.filter(([ts]) => ts > restartedAt).length >= 3 ? body : undefined;
    }, 'readings after the restart');
    await second.close();
    expect(body.points.filter(([ts]) => ts < restartedAt).length).toBeGreaterThan(0);
    for (let i = 1; i < body.points.length; i++) expect(body.points[i]?.[1] ?? 0).toBeGreaterThanOrEqual(body.points[i - 1]?.[1] ?? 0);
  });
});
