import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../server/store/sqlite';
import { printedPorts, type Spawned, spawnServer } from '../helpers/process';
import { mqttCredentials, tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

let running: Spawned | undefined;
afterEach(() => {
  running?.child.kill('SIGKILL');
  running = undefined;
});

describe('the server process', () => {
  it('refuses a bad configuration, naming each variable and what it accepts', async () => {
    running = spawnServer({ HTTP_PORT: 'http', SIMULATOR: 'maybe', DATA_DIR: tempDir() });
    const { code } = await running.exited;
    expect(code).toBe(2);
    expect(running.output()).toMatch(/HTTP_PORT: HTTP_PORT must be a TCP port number/);
    expect(running.output()).toMatch(/SIMULATOR: SIMULATOR must be "on" or "off"/);
  });

  it('names the setting to change when a port is already taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    running = spawnServer({ HTTP_PORT: '0', MQTT_PORT: String(taken), HOST: '127.0.0.1', SIMULATOR: 'off', DATA_DIR: tempDir() });
    const { code } = await running.exited;
    blocker.close();
    expect(code).toBe(1);
    expect(running.output()).toMatch(new RegExp(`MQTT_PORT: port ${taken} is already in use`));
  });

  it('flushes every buffered reading to SQLite on SIGTERM and exits cleanly', async () => {
    const dataDir = tempDir();
    running = spawnServer({ HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'warn', DATA_DIR: dataDir });
    const proc = running;
    const ports = await waitFor(() => printedPorts(proc.output()), 'the server to print its ports');

    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { clientId: 'test-shutdown-meter', ...mqttCredentials(dataDir, 'grid-meter') });
    const t0 = testNow() - 10_000;
    // 50 packs of 4 records, each acknowledged (QoS 1) before the signal.
    for (let i = 0; i < 50; i++) {
      const pack = [
        { bn: 'grid-meter:', bt: (t0 + i * 100) / 1000, n: 'import_power', u: 'W', v: 1000 + i },
        { n: 'export_power', u: 'W', v: 0 },
        { n: 'import_energy', u: 'Wh', v: 5000 + i },
        { n: 'export_energy', u: 'Wh', v: 10 },
      ];
      await device.publishAsync('le-numerique/grid-meter/telemetry', JSON.stringify(pack), { qos: 1 });
    }
    await device.endAsync();
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    // Exit code 0 means the orderly path finished; the 5 s watchdog exits with 1.
    expect(code).toBe(0);

    const db = new Database(path.join(dataDir, SQLITE_FILE), { readonly: true });
    const count = db.prepare("SELECT count(*) AS n FROM readings r JOIN series s ON s.key = r.series WHERE s.device_id = 'grid-meter'").get() as { n: number };
    db.close();
    expect(count.n).toBe(200);
  });
});
