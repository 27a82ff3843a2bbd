import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogue, checkPoint, findDevice } from '../../shared/catalogue';
import { SenmlPackSchema, resolvePack } from '../../shared/senml';
import { type RunningMosquitto, mosquittoAvailable, startMosquitto } from '../helpers/mosquitto';
import { type Spawned, spawnTs } from '../helpers/process';
import { waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

const mosquitto = mosquittoAvailable();
const SITE = 'le-numerique';

/** Reads the retained messages of a topic filter with a fresh client: what a late subscriber sees first. */
async function retained(url: string, filter: string, expected: number): Promise<Map<string, string>> {
  const client = await mqtt.connectAsync(url, { clientId: `test-retained-${process.pid}-${testNow()}`, reconnectPeriod: 0 });
  const seen = new Map<string, string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) seen.set(topic, payload.toString());
  });
  try {
    await client.subscribeAsync(filter, { qos: 1 });
    await waitFor(() => seen.size >= expected, `${expected} retained messages on ${filter} (got ${seen.size})`);
    return seen;
  } finally {
    await client.endAsync();
  }
}

describe.skipIf(!mosquitto.ok)(`the standalone simulator against Debian's Mosquitto${mosquitto.ok ? '' : ` (skipped: ${mosquitto.reason})`}`, () => {
  let broker: RunningMosquitto | undefined;
  let sim: Spawned | undefined;
  let watcher: MqttClient | undefined;

  afterAll(async () => {
    sim?.child.kill('SIGKILL');
    await watcher?.endAsync();
    await broker?.stop();
  });

  it('publishes a valid SenML pack from every catalogued device, retained "online" statuses, and "offline" after SIGINT', async () => {
    broker = await startMosquitto();
    const url = broker.url;
    const packs = new Map<string, unknown[]>();
    const problems: string[] = [];
    watcher = await mqtt.connectAsync(url, { clientId: 'test-mosquitto-watcher' });
    watcher.on('message', (topic, payload) => {
      const [, deviceId, kind] = topic.split('/');
      if (kind !== 'telemetry' || !deviceId) return;
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        problems.push(`${deviceId}: not JSON`);
        return;
      }
      const list = packs.get(deviceId) ?? [];
      list.push(json);
      packs.set(deviceId, list);
    });
    await watcher.subscribeAsync(`${SITE}/#`, { qos: 1 });

    const proc = spawnTs('simulator/cli.ts', {}, ['--broker', url, '--period', '1000', '--log-level', 'warn']);
    sim = proc;
    const ids = catalogue.devices.map((d) => d.id);
    await waitFor(() => {
      if (proc.child.exitCode !== null) throw new Error(`the simulator exited early:\n${proc.output()}`);
      return ids.every((id) => packs.has(id));
    }, `a pack from each of the ${ids.length} devices`);
    expect(problems).toEqual([]);

    for (const id of ids) {
      const known = findDevice(catalogue, id);
      expect(known, id).toBeDefined();
      if (!known) continue;
      const points = new Set<string>();
      for (const raw of packs.get(id) ?? []) {
        const pack = SenmlPackSchema.safeParse(raw);
        expect(pack.success, `${id}: ${JSON.stringify(raw)}`).toBe(true);
        if (!pack.success) continue;
        const { records, errors } = resolvePack(pack.data, testNow());
        expect(errors, id).toEqual([]);
        for (const rec of records) {
          const check = checkPoint(id, known.type, rec);
          expect(check.ok ? '' : check.reason, `${id} ${rec.name}`).toBe('');
          if (check.ok) points.add(check.point.name);
          // Live readings carry the simulated "now", which at speed 1 is the wall clock.
          expect(Math.abs(rec.timeMs - testNow()), `${id} ${rec.name} timestamp`).toBeLessThan(60_000);
        }
      }
      // One reading of every point the device type promises.
      expect([...points].sort(), id).toEqual(known.type.points.map((p) => p.name).sort());
    }

    const online = await retained(url, `${SITE}/+/status`, ids.length);
    expect([...online.keys()].sort()).toEqual(ids.map((id) => `${SITE}/${id}/status`).sort());
    expect(new Set(online.values())).toEqual(new Set(['online']));

    proc.child.kill('SIGINT');
    const { code, signal } = await proc.exited;
    expect({ code, signal }, proc.output()).toEqual({ code: 0, signal: null });

    const offline = await retained(url, `${SITE}/+/status`, ids.length);
    expect(offline.size).toBe(ids.length);
    expect(new Set(offline.values())).toEqual(new Set(['offline']));
  });
});
