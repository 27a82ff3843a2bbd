import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryResponse, SeriesListResponse } from '../../shared/api';
import type { RunningServer } from '../../server/app';
import { CREDENTIALS_FILE } from '../../server/auth/registry';
import { debianBinary } from '../helpers/debian';
import { spawnTs } from '../helpers/process';
import { getJson, mqttCredentials, startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

let server: RunningServer & { dataDir: string };
let url: string;
let base: string;

beforeAll(async () => {
  server = await startTestServer();
  url = `mqtt://127.0.0.1:${server.mqttPort}`;
  base = `http://127.0.0.1:${server.httpPort}`;
});
afterAll(async () => server?.close());

/** Resolves with the CONNACK refusal code, or 0 when the broker accepts. */
async function connackCode(opts: IClientOptions): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    await c.endAsync();
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

async function devices(...args: string[]): Promise<{ code: number | null; out: string }> {
  const p = spawnTs('scripts/devices.ts', { DATA_DIR: server.dataDir }, args);
  const { code } = await p.exited;
  return { code, out: p.output() };
}

describe('the broker lets in only known identities', () => {
  it('refuses anonymous connections (CONNACK 5, not authorized)', async () => {
    expect(await connackCode({ clientId: 'anonymous-test' })).toBe(5);
  });

  it('refuses a wrong password (CONNACK 4) and an unknown user', async () => {
    expect(await connackCode({ clientId: 'wrong-pw', username: 'grid-meter', password: 'not-the-password' })).toBe(4);
    expect(await connackCode({ clientId: 'who', username: 'nobody', password: 'x' })).toBe(4);
    expect(await connackCode({ clientId: 'right', ...mqttCredentials(server.dataDir, 'grid-meter') })).toBe(0);
  });

  it('keeps only scrypt hashes at rest, in a file only its owner can read', () => {
    const file = path.join(server.dataDir, CREDENTIALS_FILE);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(mqttCredentials(server.dataDir, 'grid-meter').password);
    expect(text).toMatch(/"hash": "scrypt\$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('a device is held to its own topics', () => {
  it('cannot publish as another device: the broker drops the connection and nothing is stored', async () => {
    const meter = await mqtt.connectAsync(url, { clientId: 'impostor', reconnectPeriod: 0, ...mqttCredentials(server.dataDir, 'grid-meter') });
    const closed = new Promise<void>((resolve) => meter.once('close', () => resolve()));
    const ts = testNow() - 1000;
    meter.publish('le-numerique/pv-inverter-1/telemetry', JSON.stringify([{ bn: 'pv-inverter-1:', bt: ts / 1000, n: 'ac_power', u: 'W', v: 4242 }]), { qos: 0 });
    await closed;
    await meter.endAsync(true);
    const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/pv-inverter-1.ac_power/history?from=${ts - 1}&to=${ts + 1}`);
    expect(body.points).toEqual([]);
  });

  it("may subscribe to its own command topic and not to another device's", async () => {
    const meter = await mqtt.connectAsync(url, { clientId: 'nosy-meter', reconnectPeriod: 0, ...mqttCredentials(server.dataDir, 'grid-meter') });
    // The SUBACK return code: the granted QoS, or 0x80 for a refusal (MQTT 3.1.1 §3.9.3).
    const granted = (topic: string) =>
      meter.subscribeAsync(topic, { qos: 1 }).then(
        (g) => g[0]?.qos,
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0],
      );
    expect(await granted('le-numerique/grid-meter/command')).toBe(1);
    expect(await granted('le-numerique/pv-inverter-1/command')).toBe(128);
    expect(await granted('le-numerique/#')).toBe(128);
    expect(meter.connected).toBe(true);
    await meter.endAsync();
  });
});

describe('provisioning with npm run devices', () => {
  it('adds a device whose credentials, shown once, let it publish readings that are stored', async () => {
    const added = await devices('add', 'meter-annexe', '--type', 'submeter', '--zone', 'rdc-technique');
    expect(added.code).toBe(0);
    const issued = JSON.parse(added.out.slice(added.out.indexOf('{'))) as { username: string; password: string; topics: { publish: string[]; subscribe: string[] } };
    expect(issued.username).toBe('meter-annexe');
    expect(issued.topics.publish).toEqual(['le-numerique/meter-annexe/telemetry', 'le-numerique/meter-annexe/status']);
    expect(issued.topics.subscribe).toEqual(['le-numerique/meter-annexe/command']);

    const dev = await mqtt.connectAsync(url, { clientId: 'meter-annexe', username: issued.username, password: issued.password, reconnectPeriod: 0 });
    const ts = testNow() - 500;
    await dev.publishAsync('le-numerique/meter-annexe/telemetry', JSON.stringify([{ bn: 'meter-annexe:', bt: ts / 1000, n: 'power', u: 'W', v: 1234 }, { n: 'energy', u: 'Wh', v: 99 }]), { qos: 1 });
    await dev.endAsync();
    const history = await waitFor(async () => {
      const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/meter-annexe.power/history?from=${ts - 1}&to=${ts + 1}`);
      return body.points?.length ? body : undefined;
    }, 'the new device reading stored');
    expect(history.points).toEqual([[ts, 1234]]);
    const series = (await getJson<SeriesListResponse>(`${base}/api/v1/series`)).body.series;
    expect(series).toContainEqual(expect.objectContaining({ id: 'meter-annexe.energy', kind: 'counter', unit: 'Wh' }));

    const list = await devices('list');
    expect(list.out).toContain('"username": "meter-annexe"');
    expect(list.out).not.toContain(issued.password);
  });

  it('disable refuses a device at once; rotate gives a new password and the old one stops working', async () => {
    const old = mqttCredentials(server.dataDir, 'room-r1-reunion');
    expect((await devices('disable', 'room-r1-reunion')).code).toBe(0);
    expect(await connackCode({ clientId: 'disabled', ...old })).toBe(4);
    const rotated = await devices('rotate', 'room-r1-reunion');
    expect(rotated.code).toBe(0);
    const fresh = JSON.parse(rotated.out.slice(rotated.out.indexOf('{'))) as { password: string };
    expect(await connackCode({ clientId: 'old-pw', ...old })).toBe(4);
    expect(await connackCode({ clientId: 'new-pw', username: 'room-r1-reunion', password: fresh.password })).toBe(0);
  });

  it('refuses an unknown device type with a usage line', async () => {
    const bad = await devices('add', 'x-1', '--type', 'toaster');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/unknown type "toaster"/);
  });
});

const mosquittoPub = debianBinary('/usr/bin/mosquitto_pub', 'mosquitto-clients');
describe.skipIf(!mosquittoPub.ok)(`an outside client${mosquittoPub.ok ? '' : ` (skipped: ${mosquittoPub.reason})`}`, () => {
  it("Mosquitto's mosquitto_pub, with a device's credentials, publishes a reading that ends up stored", async () => {
    const cred = mqttCredentials(server.dataDir, 'room-r2-coworking');
    const ts = testNow() - 2000;
    const pack = JSON.stringify([{ bn: 'room-r2-coworking:', bt: ts / 1000, n: 'co2', u: 'ppm', v: 777 }]);
    const pub = spawn('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(server.mqttPort), '-q', '1', '-i', 'outside-client', '-u', cred.username, '-P', cred.password, '-t', 'le-numerique/room-r2-coworking/telemetry', '-m', pack]);
    const code = await new Promise<number | null>((resolve) => pub.on('exit', resolve));
    expect(code).toBe(0);
    const history = await waitFor(async () => {
      const { body } = await getJson<HistoryResponse>(`${base}/api/v1/series/room-r2-coworking.co2/history?from=${ts - 1}&to=${ts + 1}`);
      return body.points?.length ? body : undefined;
    }, 'the mosquitto_pub reading stored');
    expect(history.points).toEqual([[ts, 777]]);
  });
});
