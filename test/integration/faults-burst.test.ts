import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../shared/api';
import { catalogue, checkPoint, findDevice, seriesId } from '../../shared/catalogue';
import { resolvePack, SenmlPackSchema } from '../../shared/senml';
import { parseTopic } from '../../shared/topics';
import { readSimulatorSecrets } from '../../server/auth/provision';
import { startSimulator } from '../../simulator/engine';
import { health, storedTimes } from '../helpers/faults';
import { mqttCredentials, startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * Every device of the building publishes ten times faster than its period for
 * 30 s (the simulator's "burst" fault). A listener on the broker sees every
 * reading published; afterwards each one is stored or was rejected and counted,
 * exactly: none silently dropped.
 */
const quiet = { info() {}, warn() {}, debug() {} };
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const PERIOD_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: a burst of ten times the nominal rate', () => {
  it('every reading published during a 30 s burst at 10x the nominal rate is stored or rejected and counted, exactly', async () => {
    const server = await startTestServer();
    cleanup.push(() => server.close());
    const base = `http://127.0.0.1:${server.httpPort}`;

    // What was published, as the broker delivered it: every reading, by series (a repeated instant once).
    const published = new Map<string, Set<number>>();
    let records = 0;
    let invalid = 0;
    const listener = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'burst-listener', ...mqttCredentials(server.dataDir, 'admin') });
    cleanup.push(() => listener.endAsync());
    await listener.subscribeAsync('le-numerique/+/telemetry', { qos: 1 });
    listener.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      const known = t.ok ? findDevice(catalogue, t.deviceId) : undefined;
      const pack = SenmlPackSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!t.ok || !known || !pack.success) return void invalid++;
      const { records: recs, errors } = resolvePack(pack.data, testNow());
      invalid += errors.length;
      for (const rec of recs) {
        const check = checkPoint(t.deviceId, known.type, rec);
        if (!check.ok) {
          invalid++;
          continue;
        }
        records++;
        const id = seriesId(t.deviceId, check.point.name);
        let set = published.get(id);
        if (!set) published.set(id, (set = new Set()));
        set.add(rec.timeMs);
      }
    });

    // Every device on a 10 s period: ten times faster is 1 s, the finest the simulator's world steps
    // (with the building's own periods, 5 s devices could only go 5 times faster).
    const sim = await startSimulator({ brokerUrl: `mqtt://127.0.0.1:${server.mqttPort}`, siteId: 'le-numerique', seed: 8, log: quiet, credentials: readSimulatorSecrets(server.dataDir), periodMs: PERIOD_MS, wall: testNow });
    cleanup.push(() => sim.stop());
    const t0 = testNow();
    await sleep(10_000);
    const nominal = records;
    sim.command({ cmd: 'fault', fault: { device: '*', kind: 'burst', magnitude: 10, durationS: 30 } });
    const burstFrom = records;
    // Each device changes pace at its next reading, up to one nominal period later: the rate is taken over the last 20 s.
    await sleep(10_000);
    const paced = records;
    await sleep(20_000);
    const inBurst = records - burstFrom;
    const burstPerS = (records - paced) / 20;
    await sleep(2_000);
    await sim.stop();
    cleanup.pop();
    const end = testNow();
    await waitFor(async () => (await health(base)).store.pending === 0, 'everything written');
    await sleep(500); // the listener's last messages

    // About ten times the nominal rate: every series once a second instead of once every 10 s.
    const nominalPerS = published.size / (PERIOD_MS / 1000);
    expect(burstPerS).toBeGreaterThan(7 * nominalPerS); // about 9x measured: the world steps whole seconds, some devices miss one
    const h: HealthResponse = await health(base);
    expect(h.ingest.accepted).toBe(records);
    expect(h.ingest.rejected).toBe(invalid);
    expect(h.store.dropped).toBe(0);
    let stored = 0;
    let distinct = 0;
    for (const [id, set] of published) {
      const ts = await storedTimes(base, id, t0 - 60_000, end + 60_000);
      expect(ts, id).toEqual([...set].sort((a, b) => a - b));
      stored += ts.length;
      distinct += set.size;
    }
    expect(stored).toBe(distinct);
    expect(h.store.written).toBe(distinct);
    process.stdout.write(`burst: nominal ${nominalPerS} readings/s (${nominal} in the first 10 s), ${inBurst} in the 30 s burst (${burstPerS} readings/s at full pace); ${records} published, ${distinct} distinct, ${stored} stored, ${h.ingest.rejected} rejected\n`);
  }, 120_000);
});
