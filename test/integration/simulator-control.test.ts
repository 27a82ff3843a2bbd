import mqtt, { type MqttClient } from 'mqtt';
import { type Socket, io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthResponse, HistoryResponse, LatestResponse } from '../../shared/api';
import { catalogue, checkPoint, findDevice } from '../../shared/catalogue';
import type { ClientToServerEvents, DeviceStatusEvent, ServerToClientEvents } from '../../shared/live';
import { SenmlPackSchema, resolvePack } from '../../shared/senml';
import { type SimulatorCommand, type SimulatorState, SimulatorStateSchema } from '../../shared/simulator';
import type { RunningServer } from '../../server/app';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator/index';
import { readSimulatorSecrets } from '../../server/auth/provision';
import { getJson, mqttCredentials, startTestServer, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * The simulator driven as its users drive it: a real server (embedded broker,
 * ingest, SQLite, API) with its own simulator off, and a simulator started here
 * against that broker, most often on the stepped clock (speed 0) so that every
 * reading's simulated instant is known in advance.
 */

const SITE = 'le-numerique';
const COMMAND_TOPIC = `${SITE}/simulator/command`;
const STATE_TOPIC = `${SITE}/simulator/state`;
const DEVICES = ['grid-meter', 'pv-inverter-1', 'room-r1-coworking', 'weather-station'];
const quiet = { info() {}, warn() {}, debug() {} };

/** A fixed simulated instant, well in the past: readings stamped then are never "from the future". */
const START = Date.parse('2026-06-15T10:00:00Z');
const SECOND = 1000;

interface Rig {
  server: RunningServer & { adminToken: string };
  base: string;
  sim: Simulator;
  brokerUrl: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // Last started, first stopped: clients and simulators before their server.
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(opts: Partial<SimulatorOptions> = {}): Promise<Rig> {
  // A tester replaying a day months ago and reading its raw readings back: raw
  // retention must reach back to it (readings older are stored as rollups only).
  const server = await startTestServer({ RAW_RETENTION_DAYS: '3650' });
  cleanups.push(() => server.close());
  const brokerUrl = `mqtt://127.0.0.1:${server.mqttPort}`;
  adminFor.set(brokerUrl, mqttCredentials(server.dataDir, 'admin'));
  const credentials = readSimulatorSecrets(server.dataDir);
  const sim = await startSimulator({ brokerUrl, siteId: SITE, seed: 7, log: quiet, start: START, speed: 0, deviceIds: DEVICES, periodMs: 200, credentials, wall: testNow, ...opts });
  cleanups.push(() => sim.stop());
  return { server, base: `http://127.0.0.1:${server.httpPort}`, sim, brokerUrl };
}

/** Operators' tools connect with the admin identity the server provisioned. */
const adminFor = new Map<string, { username: string; password: string }>();

async function client(url: string, clientId: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 0, ...adminFor.get(url) });
  cleanups.push(() => c.endAsync());
  return c;
}

const seconds = (from: number, n: number, stepS = 1): number[] => Array.from({ length: n }, (_, i) => from + (i + 1) * stepS * SECOND);

async function history(base: string, id: string, from: number | string, to: number | string): Promise<[number, number][]> {
  const { status, body } = await getJson<HistoryResponse>(`${base}/api/v1/series/${id}/history?from=${from}&to=${to}`);
  expect(status, `history of ${id}`).toBe(200);
  expect(body.truncated).toBe(false);
  return body.points;
}

/** Waits until the stored history of a series holds at least `n` points, then returns all of them. */
async function stored(base: string, id: string, n: number, from = START - 3600 * SECOND, to = START + 3600 * SECOND): Promise<[number, number][]> {
  let last: [number, number][] = [];
  try {
    return await waitFor(async () => {
      last = await history(base, id, from, to);
      return last.length >= n ? last : undefined;
    }, `${n} stored readings of ${id}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; stored: ${JSON.stringify(last.map(([ts]) => ts - from))} (ms after "from")`, { cause: err });
  }
}

const health = async (base: string) => (await getJson<HealthResponse>(`${base}/api/health`)).body;
const step = (sim: Simulator, s: number) => sim.command({ cmd: 'step', seconds: s });

describe('the stepped clock (speed 0)', () => {
  it('turns a "step" command of N seconds into N readings per series, stamped with simulated time', async () => {
    const { base, sim, brokerUrl } = await rig();
    // Nothing moves until stepped: the simulated clock stands at START.
    expect(sim.state()).toMatchObject({ simTime: START, speed: 0, paused: true, devices: DEVICES.length });

    const operator = await client(brokerUrl, 'test-operator-step');
    await operator.publishAsync(COMMAND_TOPIC, JSON.stringify({ cmd: 'step', seconds: 10 } satisfies SimulatorCommand), { qos: 1 });

    const expected = seconds(START, 10);
    for (const id of ['grid-meter.import_power', 'grid-meter.import_energy', 'pv-inverter-1.ac_power', 'room-r1-coworking.co2', 'weather-station.temperature']) {
      const points = await stored(base, id, 10);
      expect(points.map(([ts]) => ts), id).toEqual(expected);
    }
    // The same range asked with ISO 8601 bounds.
    const iso = await history(base, 'grid-meter.import_power', new Date(START).toISOString(), new Date(START + 10 * SECOND).toISOString());
    expect(iso.map(([ts]) => ts)).toEqual(expected);

    expect(sim.state().simTime).toBe(START + 10 * SECOND);
    // Simulated time, not wall time: no reading anywhere is later than the simulated now.
    const latest = (await getJson<LatestResponse>(`${base}/api/v1/latest`)).body.readings;
    expect(latest.length).toBeGreaterThan(0);
    expect(Math.max(...latest.map((r) => r.ts))).toBe(START + 10 * SECOND);
  });

  it('is deterministic over the wire: same seed, same start, same steps store the same history', async () => {
    const ids = ['grid-meter.import_power', 'grid-meter.import_energy', 'pv-inverter-1.ac_power', 'room-r1-coworking.co2', 'weather-station.temperature'];
    const runs: Array<Record<string, [number, number][]>> = [];
    for (let run = 0; run < 2; run++) {
      const { base, sim } = await rig({ seed: 1234 });
      step(sim, 60);
      step(sim, 30);
      const histories: Record<string, [number, number][]> = {};
      for (const id of ids) histories[id] = await stored(base, id, 90);
      runs.push(histories);
      // One run at a time: both simulators use the same MQTT client ids.
      for (const c of cleanups.splice(0).reverse()) await c();
    }
    expect(runs[1]).toEqual(runs[0]);
    // A real signal, not constants that would trivially match.
    for (const id of ['pv-inverter-1.ac_power', 'weather-station.temperature']) {
      expect(new Set(runs[0]?.[id]?.map(([, v]) => v)).size, id).toBeGreaterThan(1);
    }
  });
});

describe('the control channel over MQTT', () => {
  it('applies a command published on <site>/simulator/command and retains the new state on <site>/simulator/state; invalid commands are ignored', async () => {
    const warnings: string[] = [];
    const { sim, brokerUrl } = await rig({ log: { ...quiet, warn: (_obj: object, msg?: string) => void warnings.push(msg ?? '') } });

    const states: SimulatorState[] = [];
    const watcher = await client(brokerUrl, 'test-state-watcher');
    watcher.on('message', (topic, payload) => {
      if (topic === STATE_TOPIC) states.push(SimulatorStateSchema.parse(JSON.parse(payload.toString())));
    });
    await watcher.subscribeAsync(STATE_TOPIC, { qos: 1 });
    await waitFor(() => states.some((s) => s.scenario === 'normal'), 'the retained state');

    const operator = await client(brokerUrl, 'test-operator');
    await operator.publishAsync(COMMAND_TOPIC, JSON.stringify({ cmd: 'scenario', name: 'heat-wave' }), { qos: 1 });
    await waitFor(() => states.some((s) => s.scenario === 'heat-wave'), 'the state to show the heat-wave scenario');

    // Not JSON, an unknown command, an unknown scenario, a negative step: each ignored.
    for (const bad of ['{"cmd":', '{"cmd":"warp","factor":9}', '{"cmd":"scenario","name":"volcano"}', '{"cmd":"step","seconds":-60}', '[]']) {
      await operator.publishAsync(COMMAND_TOPIC, bad, { qos: 1 });
    }
    await operator.publishAsync(COMMAND_TOPIC, JSON.stringify({ cmd: 'step', seconds: 2 }), { qos: 1 });
    const after = await waitFor(() => states.find((s) => s.simTime !== START), 'the valid step after the invalid commands');
    // Only the valid step moved the clock; the scenario stayed.
    expect(after).toMatchObject({ simTime: START + 2 * SECOND, scenario: 'heat-wave', paused: true, speed: 0 });
    expect(warnings).toEqual(['simulator command is not JSON', 'invalid simulator command', 'invalid simulator command', 'invalid simulator command', 'invalid simulator command']);
    expect(sim.stats().state).toBe('up');
    expect(sim.state().scenario).toBe('heat-wave');

    // A tool that connects later reads what runs now at once: the state is retained.
    const late = await client(brokerUrl, 'test-late-reader');
    const retained = new Promise<{ state: SimulatorState; retain: boolean }>((resolve) =>
      late.on('message', (_t, payload, packet) => resolve({ state: SimulatorStateSchema.parse(JSON.parse(payload.toString())), retain: packet.retain })),
    );
    await late.subscribeAsync(STATE_TOPIC, { qos: 1 });
    const got = await retained;
    expect(got.retain).toBe(true);
    expect(got.state).toMatchObject({ scenario: 'heat-wave', simTime: START + 2 * SECOND, devices: DEVICES.length, connected: DEVICES.length });
  });
});

describe('faults, end to end (simulator -> broker -> ingest -> store -> API)', () => {
  it('offline: dashboards see the last will "offline" then "online", and the readings taken during the outage are stored in order with their own timestamps', async () => {
    const { base, sim, server } = await rig();
    const dashboard: Socket<ServerToClientEvents, ClientToServerEvents> = io(`http://127.0.0.1:${server.httpPort}`, { auth: { token: server.adminToken } });
    cleanups.push(async () => void dashboard.close());
    const statuses: DeviceStatusEvent[] = [];
    // The statuses known when it subscribes come in its snapshot, later changes as events.
    dashboard.on('snapshot', (s) => statuses.push(...s.devices));
    dashboard.on('device:status', (e) => statuses.push(e));
    dashboard.emit('subscribe', { devices: ['grid-meter'] }, () => undefined);
    const gridStatuses = () => statuses.filter((s) => s.deviceId === 'grid-meter').map((s) => s.status);
    await waitFor(() => gridStatuses().includes('online'), 'grid-meter online');

    step(sim, 5);
    await stored(base, 'grid-meter.import_power', 5);

    sim.command({ cmd: 'fault', fault: { device: 'grid-meter', kind: 'offline', durationS: 30 } });
    await waitFor(() => gridStatuses().at(-1) === 'offline', 'the last will "offline" on the dashboard');
    expect(sim.state().faults).toEqual([expect.objectContaining({ device: 'grid-meter', kind: 'offline', untilSimTime: START + 35 * SECOND })]);

    // 30 simulated seconds of outage: the meter keeps measuring into its buffer.
    step(sim, 29);
    // (buffered sums every device: the others' packs may still await their acknowledgement.)
    expect(sim.state().buffered).toBeGreaterThanOrEqual(29);
    expect((await history(base, 'grid-meter.import_power', START, START + 3600 * SECOND)).length).toBe(5);
    // The 30th second ends the fault: the device reconnects and forwards its buffer.
    step(sim, 1);
    await waitFor(() => gridStatuses().at(-1) === 'online', '"online" again after the fault');
    step(sim, 5);

    const expected = seconds(START, 40);
    for (const id of ['grid-meter.import_power', 'grid-meter.import_energy']) {
      const points = await stored(base, id, 40);
      expect(points.map(([ts]) => ts), id).toEqual(expected);
    }
    const energy = (await history(base, 'grid-meter.import_energy', START, START + 40 * SECOND)).map(([, v]) => v);
    for (let i = 1; i < energy.length; i++) expect(energy[i]).toBeGreaterThanOrEqual(energy[i - 1] ?? 0);
    // The other devices never stopped.
    expect((await stored(base, 'weather-station.temperature', 40)).map(([ts]) => ts)).toEqual(expected);
    expect(gridStatuses().slice(-3)).toEqual(['online', 'offline', 'online']);
    await waitFor(() => sim.state().buffered === 0 && sim.state().faults.length === 0, 'the buffer forwarded');
  });

  it('offline on a busy link: packs in flight and readings taken in the same instant are not lost, and the simulator still stops', async () => {
    const { base, sim, brokerUrl } = await rig({ deviceIds: ['grid-meter', 'weather-station'] });
    const status: string[] = [];
    const watcher = await client(brokerUrl, 'test-busy-status');
    watcher.on('message', (_t, payload) => status.push(payload.toString()));
    await watcher.subscribeAsync(`${SITE}/grid-meter/status`, { qos: 1 });
    await waitFor(() => status.at(-1) === 'online', 'the meter online');
    // The cut comes while the meter (QoS 1) has a full window of packs unacknowledged;
    // it reconnects once the broker has seen it go (its last will).
    step(sim, 20);
    sim.command({ cmd: 'fault', fault: { device: 'grid-meter', kind: 'offline', durationS: 10 } });
    await waitFor(() => status.at(-1) === 'offline', 'the meter cut off');
    step(sim, 10);
    expect((await stored(base, 'grid-meter.import_power', 30)).map(([ts]) => ts)).toEqual(seconds(START, 30));
    // The weather station (QoS 0) is cut and measures at once, before its client has even
    // noticed the cut: those readings wait in its buffer too.
    await stored(base, 'weather-station.temperature', 30);
    sim.command({ cmd: 'fault', fault: { device: 'weather-station', kind: 'offline', durationS: 10 } });
    step(sim, 10);
    step(sim, 2);
    for (const id of ['grid-meter.import_power', 'grid-meter.import_energy', 'weather-station.temperature']) {
      expect((await stored(base, id, 42)).map(([ts]) => ts), id).toEqual(seconds(START, 42));
    }
    await waitFor(() => sim.state().buffered === 0, 'every buffer forwarded');
    // Nothing is left waiting for an acknowledgement that will never come.
    await sim.stop();
    expect(sim.stats().state).toBe('down');
  });

  it('counter-reset: the stored energy counter falls back near zero once, then counts up again', async () => {
    // A winter night: the building imports from the grid, so the import counter moves.
    const start = Date.parse('2026-01-15T05:00:00Z');
    const { base, sim } = await rig({ start, deviceIds: ['grid-meter'] });
    step(sim, 120);
    const before = await stored(base, 'grid-meter.import_energy', 120, start, start + 3600 * SECOND);
    sim.command({ cmd: 'fault', fault: { device: 'grid-meter', kind: 'counter-reset' } });
    step(sim, 60);
    const all = await stored(base, 'grid-meter.import_energy', 180, start, start + 3600 * SECOND);
    expect(all.map(([ts]) => ts)).toEqual(seconds(start, 180));
    expect(all.slice(0, 120)).toEqual(before);

    const values = all.map(([, v]) => v);
    const drops = values.flatMap((v, i) => (i > 0 && v < (values[i - 1] ?? 0) ? [i] : []));
    expect(drops).toEqual([120]);
    const peak = values[119] ?? 0;
    const reset = values[120] ?? 0;
    expect(peak).toBeGreaterThan(0);
    expect(reset).toBeGreaterThanOrEqual(0);
    expect(reset).toBeLessThan(peak * 0.05);
    expect(values.at(-1) ?? 0).toBeGreaterThan(reset);
  });

  it('clock-skew of 900 s: every skewed reading is rejected by ingest as from the future and none is stored', async () => {
    // Near the wall clock this time, so that +900 s lands beyond ingest's 5-minute tolerance.
    const start = Math.floor((testNow() - 120_000) / SECOND) * SECOND;
    const { base, sim } = await rig({ start, deviceIds: ['grid-meter', 'weather-station'] });
    step(sim, 3);
    await stored(base, 'grid-meter.import_power', 3, start, start + 3600 * SECOND);
    const before = await health(base);

    sim.command({ cmd: 'fault', fault: { device: 'grid-meter', kind: 'clock-skew', magnitude: 900 } });
    step(sim, 5);
    sim.command({ cmd: 'clear-fault', device: 'grid-meter', kind: 'clock-skew' });
    step(sim, 2);

    // The readings after the fault come on the same connection, after the skewed ones.
    const points = await stored(base, 'grid-meter.import_power', 5, start, start + 3600 * SECOND);
    expect(points.map(([ts]) => ts)).toEqual([1, 2, 3, 9, 10].map((s) => start + s * SECOND));
    for (const id of ['grid-meter.import_energy', 'grid-meter.export_power', 'grid-meter.export_energy']) {
      expect((await history(base, id, start, start + 3600 * SECOND)).length, id).toBe(5);
    }
    // The weather station was not skewed: all 10 of its seconds are there.
    expect((await stored(base, 'weather-station.temperature', 10, start, start + 3600 * SECOND)).map(([ts]) => ts)).toEqual(seconds(start, 10));

    const after = await health(base);
    // 5 packs of the 4 grid-meter points, each record rejected (future-timestamp).
    expect(after.ingest.rejected - before.ingest.rejected).toBe(5 * 4);
    expect(after.status).toBe('ok');
  });

  it('duplicates: every pack is published twice, each reading is stored once', async () => {
    const { base, sim } = await rig({ deviceIds: ['grid-meter'] });
    sim.command({ cmd: 'fault', fault: { device: 'grid-meter', kind: 'duplicates' } });
    step(sim, 10);
    // Ingest accepts both copies (4 points x 10 samples x 2)...
    const h = await waitFor(async () => {
      const b = await health(base);
      return b.ingest.accepted >= 80 ? b : undefined;
    }, 'both copies of every pack accepted');
    expect(h.ingest).toEqual({ accepted: 80, rejected: 0, rejectedByReason: {} });
    // ...and the store keeps one row per series and instant.
    for (const id of ['grid-meter.import_power', 'grid-meter.export_power', 'grid-meter.import_energy', 'grid-meter.export_energy']) {
      expect((await stored(base, id, 10)).map(([ts]) => ts), id).toEqual(seconds(START, 10));
    }
    expect((await health(base)).store.written).toBe(40);
  });

  it('malformed: the corrupted packs are rejected and counted, the other devices keep flowing, and the device recovers when the fault is cleared', async () => {
    const { base, sim, brokerUrl } = await rig({ deviceIds: ['grid-meter', 'room-r1-coworking', 'weather-station'] });
    const seen: string[] = [];
    const spy = await client(brokerUrl, 'test-malformed-spy');
    spy.on('message', (_t, payload) => seen.push(payload.toString()));
    await spy.subscribeAsync(`${SITE}/grid-meter/telemetry`, { qos: 1 });

    sim.command({ cmd: 'fault', fault: { device: 'grid-meter', kind: 'malformed' } });
    step(sim, 14);
    // Every point of the healthy devices, every second.
    for (const id of ['room-r1-coworking.co2', 'room-r1-coworking.temperature', 'weather-station.temperature', 'weather-station.rain']) {
      expect((await stored(base, id, 14)).map(([ts]) => ts), id).toEqual(seconds(START, 14));
    }
    // One pack per sample, each broken: one rejection each.
    const h = await waitFor(async () => {
      const b = await health(base);
      return b.ingest.rejected >= 14 ? b : undefined;
    }, '14 rejections');
    expect(h.ingest.rejected).toBe(14);
    expect(h.status).toBe('ok');
    expect(await history(base, 'grid-meter.import_power', START, START + 3600 * SECOND)).toEqual([]);

    // What went over the wire is broken in each of the ways ingest tells apart.
    const meter = findDevice(catalogue, 'grid-meter');
    if (!meter) throw new Error('grid-meter is not in the catalogue');
    const reasons = new Set<string>();
    for (const text of seen.slice(0, 14)) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        reasons.add('bad-json');
        continue;
      }
      const pack = SenmlPackSchema.safeParse(json);
      if (!pack.success) {
        reasons.add('bad-senml');
        continue;
      }
      const { records, errors } = resolvePack(pack.data, testNow());
      if (errors.length > 0) reasons.add('bad-record');
      for (const rec of records) {
        const check = checkPoint('grid-meter', meter.type, rec);
        if (!check.ok) reasons.add(`catalogue: ${check.reason.replace(/"[^"]*"/g, 'X').replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N')}`);
        else reasons.add('valid');
      }
    }
    expect([...reasons].sort()).toEqual(
      [
        'bad-json',
        'bad-record',
        'bad-senml',
        'catalogue: unit X is not a SenML unit this monitor accepts (see docs/mqtt.md)',
        'catalogue: point X value N outside plausible range [N, N]',
        'catalogue: unknown point X for device type grid-meter',
      ].sort(),
    );

    sim.command({ cmd: 'clear-fault', device: 'grid-meter', kind: 'malformed' });
    step(sim, 2);
    expect((await stored(base, 'grid-meter.import_power', 2)).map(([ts]) => ts)).toEqual([15, 16].map((s) => START + s * SECOND));
  });

  it('out-of-order: readings delivered newest first are stored at their own timestamps, complete and sorted', async () => {
    const { base, sim, brokerUrl } = await rig({ deviceIds: ['grid-meter'] });
    const delivered: number[] = [];
    const spy = await client(brokerUrl, 'test-order-spy');
    spy.on('message', (_t, payload) => {
      const first = (JSON.parse(payload.toString()) as Array<{ bt?: number }>)[0];
      if (first?.bt !== undefined) delivered.push(Math.round(first.bt * 1000) - START);
    });
    await spy.subscribeAsync(`${SITE}/grid-meter/telemetry`, { qos: 1 });

    sim.command({ cmd: 'fault', fault: { device: 'grid-meter', kind: 'out-of-order' } });
    step(sim, 10);
    await waitFor(() => delivered.length >= 10, 'ten packs delivered');
    // Held and released newest first, five at a time.
    expect(delivered).toEqual([5, 4, 3, 2, 1, 10, 9, 8, 7, 6].map((s) => s * SECOND));

    for (const id of ['grid-meter.import_power', 'grid-meter.import_energy']) {
      expect((await stored(base, id, 10)).map(([ts]) => ts), id).toEqual(seconds(START, 10));
    }
    const energy = (await history(base, 'grid-meter.import_energy', START, START + 10 * SECOND)).map(([, v]) => v);
    expect([...energy].sort((a, b) => a - b)).toEqual(energy);
    // The latest value is the newest reading, not the last one delivered.
    const latest = (await getJson<LatestResponse>(`${base}/api/v1/latest`)).body.readings.find((r) => r.seriesId === 'grid-meter.import_energy');
    expect(latest).toEqual({ seriesId: 'grid-meter.import_energy', ts: START + 10 * SECOND, value: energy.at(-1) });
  });
});

describe('backfill', () => {
  it('stores a day of history at the backfill step through the broker and ingest, then live readings follow', async () => {
    const start = Date.parse('2026-02-01T00:00:00Z');
    const day = 86_400 * SECOND;
    const { base, sim } = await rig({ start, speed: 1, backfillDays: 1, backfillStepS: 600, deviceIds: ['grid-meter', 'weather-station'] });
    expect(sim.state().backfill?.total).toBe(144);

    const expected = Array.from({ length: 144 }, (_, i) => start - day + (i + 1) * 600 * SECOND);
    for (const id of ['grid-meter.import_energy', 'grid-meter.import_power', 'weather-station.temperature']) {
      const points = await stored(base, id, 144, start - day, start);
      expect(points.map(([ts]) => ts), id).toEqual(expected);
    }
    const energy = (await history(base, 'grid-meter.import_energy', start - day, start)).map(([, v]) => v);
    for (let i = 1; i < energy.length; i++) expect(energy[i]).toBeGreaterThanOrEqual(energy[i - 1] ?? 0);
    expect(energy.at(-1) ?? 0).toBeGreaterThan(energy[0] ?? 0);

    // Live, at speed 1 from the start: the counter carries on from the backfill.
    const live = await waitFor(async () => {
      const p = await history(base, 'grid-meter.import_energy', start + 1, start + day);
      return p.length >= 2 ? p : undefined;
    }, 'live readings after the backfill');
    expect(live[0]?.[0]).toBe(start + SECOND);
    expect(live[0]?.[1] ?? 0).toBeGreaterThanOrEqual(energy.at(-1) ?? 0);
    await waitFor(() => sim.state().backfill?.running === false, 'the backfill to report done');
    expect(sim.state().backfill).toEqual({ running: false, done: 144, total: 144 });
  });
});
