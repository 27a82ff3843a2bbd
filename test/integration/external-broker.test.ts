import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { provision } from '../../server/auth/provision';
import { Registry } from '../../server/auth/registry';
import { catalogue, seriesId } from '../../shared/catalogue';
import { type RunningMosquitto, mosquittoAvailable, startMosquitto } from '../helpers/mosquitto';
import { spawnTs } from '../helpers/process';
import { mqttCredentials, startTestServer, tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

const mosquitto = mosquittoAvailable();
const SITE = 'le-numerique';
const SERIES = seriesId('grid-meter', 'import_power');

/** Resolves with the CONNACK refusal code, or 0 when the broker accepts. */
async function connackCode(url: string, opts: IClientOptions): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    await c.endAsync();
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe.skipIf(!mosquitto.ok)(`an external Mosquitto fed from the device registry${mosquitto.ok ? '' : ` (skipped: ${mosquitto.reason})`}`, () => {
  let dataDir: string;
  let broker: RunningMosquitto;
  let exportDir: string;
  const clients: MqttClient[] = [];
  const servers: RunningServer[] = [];
  const admin = () => mqttCredentials(dataDir, 'admin');
  const serverUrl = () => {
    const u = new URL(broker.url);
    u.username = admin().username;
    u.password = admin().password;
    return u.toString();
  };

  beforeAll(async () => {
    // The registry of a site, as the first start of a server provisions it.
    dataDir = tempDir('lnm-ext-');
    await provision(new Registry(dataDir, SITE), catalogue, dataDir);
    exportDir = path.join(dataDir, 'mosquitto');
    const p = spawnTs('scripts/devices.ts', { DATA_DIR: dataDir }, ['export-mosquitto', exportDir]);
    const { code } = await p.exited;
    expect(code, p.output()).toBe(0);
    broker = await startMosquitto({ passwordFile: path.join(exportDir, 'passwd'), aclFile: path.join(exportDir, 'acl') });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    await Promise.all(servers.map((s) => s.close()));
    await broker?.stop();
  });

  it('export-mosquitto writes a Mosquitto password file (PBKDF2-SHA512, readable by its owner only) and an ACL file for every identity', () => {
    const passwd = fs.readFileSync(path.join(exportDir, 'passwd'), 'utf8').trim().split('\n');
    expect(passwd).toHaveLength(catalogue.devices.length + 2);
    for (const line of passwd) expect(line).toMatch(/^[a-z0-9-]+:\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/);
    expect(fs.statSync(path.join(exportDir, 'passwd')).mode & 0o777).toBe(0o600);
    // No password in clear in either file.
    const acl = fs.readFileSync(path.join(exportDir, 'acl'), 'utf8');
    expect(passwd.join('\n') + acl).not.toContain(mqttCredentials(dataDir, 'grid-meter').password);
    expect(acl).toContain(`user grid-meter\ntopic write ${SITE}/grid-meter/telemetry\ntopic write ${SITE}/grid-meter/status\ntopic read ${SITE}/grid-meter/command\n`);
  });

  it('Mosquitto lets a device in with its registry password and refuses a wrong password, an unknown user and anonymous clients', async () => {
    expect(await connackCode(broker.url, { clientId: 'ext-right', ...mqttCredentials(dataDir, 'grid-meter') })).toBe(0);
    expect(await connackCode(broker.url, { clientId: 'ext-wrong', username: 'grid-meter', password: 'not-the-password' })).not.toBe(0);
    expect(await connackCode(broker.url, { clientId: 'ext-nobody', username: 'nobody', password: 'x' })).not.toBe(0);
    expect(await connackCode(broker.url, { clientId: 'ext-anon' })).not.toBe(0);
  });

  it('Mosquitto holds a device to its own topics: another device\'s telemetry never arrives, another\'s commands cannot be read', async () => {
    const watcher = await mqtt.connectAsync(broker.url, { clientId: 'ext-watcher', ...admin(), protocolVersion: 5 });
    clients.push(watcher);
    const seen: string[] = [];
    watcher.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await watcher.subscribeAsync(`${SITE}/+/telemetry`, { qos: 1 });
    const meter = await mqtt.connectAsync(broker.url, { clientId: 'ext-meter', ...mqttCredentials(dataDir, 'grid-meter'), protocolVersion: 5 });
    clients.push(meter);
    // MQTT 5: the broker says "not authorized" (0x87) in the PUBACK; the message goes nowhere.
    await expect(meter.publishAsync(`${SITE}/pv-inverter-1/telemetry`, 'forged', { qos: 1 })).rejects.toThrow();
    await meter.publishAsync(`${SITE}/grid-meter/telemetry`, 'own', { qos: 1 });
    await waitFor(() => seen.includes(`${SITE}/grid-meter/telemetry own`), 'the meter\'s own message');
    expect(seen.filter((s) => s.includes('forged'))).toEqual([]);
    // Mosquitto 2.0 grants any subscription and applies the read ACL to each message it would deliver.
    const commands: string[] = [];
    meter.on('message', (topic) => commands.push(topic));
    await meter.subscribeAsync([`${SITE}/pv-inverter-1/command`, `${SITE}/grid-meter/command`], { qos: 1 });
    await watcher.publishAsync(`${SITE}/pv-inverter-1/command`, '{}', { qos: 1 });
    await watcher.publishAsync(`${SITE}/grid-meter/command`, '{}', { qos: 1 });
    await waitFor(() => commands.includes(`${SITE}/grid-meter/command`), 'the meter\'s own command');
    expect(commands).toEqual([`${SITE}/grid-meter/command`]);
  });

  it('a server refused by the broker stops at start and names MQTT_URL, without printing its password', async () => {
    const u = new URL(broker.url);
    u.username = 'admin';
    u.password = 'wrong-password-123';
    await expect(startTestServer({ MQTT_URL: u.toString(), INSTANCE_ID: 'refused' })).rejects.toThrow(/MQTT_URL: cannot ingest from mqtt:\/\/admin:\*\*\*@127\.0\.0\.1/);
  });

  it('two server instances split the telemetry through the shared subscription: each reading is stored by exactly one, both know every status', async () => {
    const a = await startTestServer({ MQTT_URL: serverUrl(), INSTANCE_ID: 'a' });
    servers.push(a);
    const b = await startTestServer({ MQTT_URL: serverUrl(), INSTANCE_ID: 'b' });
    servers.push(b);
    const meter = await mqtt.connectAsync(broker.url, {
      clientId: 'grid-meter',
      ...mqttCredentials(dataDir, 'grid-meter'),
      will: { topic: `${SITE}/grid-meter/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    clients.push(meter);
    await meter.publishAsync(`${SITE}/grid-meter/status`, 'online', { qos: 1, retain: true });
    const t0 = Math.floor(testNow() / 1000) * 1000 - 200_000;
    const n = 100;
    for (let i = 0; i < n; i++) {
      await meter.publishAsync(`${SITE}/grid-meter/telemetry`, JSON.stringify([{ bn: 'grid-meter:', bt: (t0 + i * 1000) / 1000, n: 'import_power', u: 'W', v: i }]), { qos: 1 });
    }
    const stored = async () => {
      const [ha, hb] = await Promise.all([a.store.history(SERIES, t0, t0 + n * 1000, 10_000), b.store.history(SERIES, t0, t0 + n * 1000, 10_000)]);
      return { a: ha.points.map((p) => p[1]), b: hb.points.map((p) => p[1]) };
    };
    const both = await waitFor(async () => {
      const s = await stored();
      return s.a.length + s.b.length >= n && s;
    }, `${n} readings stored between the two instances`);
    // Every reading once: no value in both, none missing.
    expect([...both.a, ...both.b].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    // The broker shares the group's messages between its members.
    expect(both.a.length).toBeGreaterThan(0);
    expect(both.b.length).toBeGreaterThan(0);
    // Statuses come to every instance (a normal subscription, retained included).
    const status = (s: RunningServer) => fetch(`http://127.0.0.1:${s.httpPort}/api/v1/ingest/stats`, { headers: { authorization: `Bearer ${(s as RunningServer & { adminToken: string }).adminToken}` } }).then(async (r) => ((await r.json()) as { devices: Record<string, { status: string }> }).devices['grid-meter']?.status);
    await waitFor(async () => (await status(a)) === 'online' && (await status(b)) === 'online', 'both instances to know the meter is online');
    // A late instance still learns it from the retained message.
    const c = await startTestServer({ MQTT_URL: serverUrl(), INSTANCE_ID: 'c' });
    servers.push(c);
    await waitFor(async () => (await status(c)) === 'online', 'a late instance to know the meter is online');
  });
});
