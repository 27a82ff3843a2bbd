import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryResponse } from '../../shared/api';
import { readSimulatorSecrets } from '../../server/auth/provision';
import { SQLITE_FILE } from '../../server/store/sqlite';
import { startSimulator } from '../../simulator/engine';
import { freePort } from '../helpers/mosquitto';
import { printedPorts, type Spawned, spawnServer } from '../helpers/process';
import { getJson, login, mqttCredentials, tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

const quiet = { info() {}, warn() {}, debug() {} };
const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});

function startServerProcess(env: Record<string, string>): Spawned {
  const p = spawnServer({ HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'warn', SIM_BACKFILL_DAYS: '0', ...env });
  running.push(p);
  return p;
}

describe('nothing lost', () => {
  it('a server restart while a meter keeps publishing leaves no hole in its history', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, HTTP_PORT: String(await freePort()), MQTT_PORT: String(await freePort()) };
    let server = startServerProcess(env);
    await waitFor(() => printedPorts(server.output()), 'the server');
    const base = `http://127.0.0.1:${env.HTTP_PORT}`;
    await login(base);
    // A real field device: its own client, QoS 1, readings buffered while the broker is away.
    const sim = await startSimulator({ brokerUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`, siteId: 'le-numerique', seed: 3, log: quiet, deviceIds: ['grid-meter'], periodMs: 1000, credentials: readSimulatorSecrets(dataDir), wall: testNow });
    const t0 = testNow();
    await new Promise((r) => setTimeout(r, 3000));

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    await new Promise((r) => setTimeout(r, 3000)); // three readings taken while nobody listens
    server = startServerProcess(env);
    await waitFor(() => printedPorts(server.output()), 'the restarted server');
    await login(base);
    const restartedAt = testNow();
    await waitFor(async () => {
      const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/grid-meter.import_power/history?from=${restartedAt}&to=${testNow()}`);
      return body.points.length >= 3 ? true : undefined;
    }, 'readings after the restart');
    await sim.stop();

    const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/grid-meter.import_power/history?from=${t0}&to=${testNow()}`);
    const ts = body.points.map(([t]) => t);
    expect(ts.length).toBeGreaterThan(8);
    // One reading a second, before, during and after the restart: no gap longer than a period and a half.
    for (let i = 1; i < ts.length; i++) expect((ts[i] ?? 0) - (ts[i - 1] ?? 0)).toBeLessThanOrEqual(1500);
  });

  it('after kill -9, at most the last flush interval (1 s) of acknowledged readings is missing', async () => {
    const dataDir = tempDir();
    const server = startServerProcess({ DATA_DIR: dataDir, HTTP_PORT: '0', MQTT_PORT: '0' });
    const ports = await waitFor(() => printedPorts(server.output()), 'the server');
    const meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { clientId: 'kill-9-meter', reconnectPeriod: 0, ...mqttCredentials(dataDir, 'grid-meter') });
    const acked: Array<{ ts: number; at: number }> = [];
    const start = testNow() - 60_000;
    let i = 0;
    const stopAt = testNow() + 2500;
    while (testNow() < stopAt) {
      const ts = start + i++;
      await meter.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify([{ bn: 'grid-meter:', bt: ts / 1000, n: 'import_power', u: 'W', v: 1000 }]), { qos: 1 });
      acked.push({ ts, at: testNow() });
    }
    const killedAt = testNow();
    server.child.kill('SIGKILL');
    await server.exited;
    meter.end(true);

    const db = new Database(path.join(dataDir, SQLITE_FILE), { readonly: true });
    const stored = new Set((db.prepare("SELECT ts FROM readings r JOIN series s ON s.key = r.series WHERE s.id = 'grid-meter.import_power'").all() as { ts: number }[]).map((r) => r.ts));
    db.close();
    const mustHave = acked.filter((a) => a.at < killedAt - 1000);
    expect(mustHave.length).toBeGreaterThan(50);
    expect(mustHave.filter((a) => !stored.has(a.ts))).toEqual([]);
  });
});
