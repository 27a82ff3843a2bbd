import type { Building } from '../shared/building';
import { type Catalogue, catalogueFromBuilding, building as defaultBuilding } from '../shared/catalogue';
import { type FaultSpec, type ScenarioName, type SimulatorCommand, SimulatorCommandSchema, type SimulatorState } from '../shared/simulator';
import { SIMULATOR_DEVICE_ID } from '../shared/simulator';
import { commandTopic, stateTopic } from '../shared/topics';
import { SimClock } from './clock';
import { DeviceRuntime, type SimLogger } from './device';
import type { Sample } from './pack';
import { SCENARIOS } from './scenarios';
import fs from 'node:fs';
import { World, type WorldState } from './world';
import mqtt, { type MqttClient } from 'mqtt';

export type { SimLogger };

export interface SimulatorOptions {
  brokerUrl: string;
  siteId: string;
  seed: number;
  log: SimLogger;
  building?: Building;
  /** One username and password for every device (brokers with a shared account). */
  username?: string;
  password?: string;
  /** Per-device passwords (username = device id) and the control tool's identity, as provisioned by the server. */
  credentials?: { control?: { username: string; password: string }; devices?: Record<string, string> };
  /** Simulated start, epoch ms (default: now). */
  start?: number;
  /** 1 = real time, up to 10,000; 0 = stepped (time moves on "step" commands only). */
  speed?: number;
  scenario?: ScenarioName;
  /** Before running live, generate this many days of history up to the start, at backfillStepS. */
  backfillDays?: number;
  backfillStepS?: number;
  /** Only these devices (default: all of the catalogue). */
  deviceIds?: string[];
  /** Overrides every device's reporting period (simulated ms), for tests and demos. */
  periodMs?: number;
  /** Wall clock, injected for tests. */
  wall?: () => number;
  /** Wall milliseconds between two ticks of the live loop. */
  tickMs?: number;
  /**
   * Where the world's state is saved (every minute and on stop). On the next
   * start the simulator resumes from it and first replays the time it was
   * down, so counters never run backwards and the history has no gap.
   */
  stateFile?: string;
}

/** Longest outage a restart replays; past it the simulator starts afresh. */
const MAX_CATCH_UP_MS = 31 * 86_400_000;

interface SavedState {
  version: 1;
  seed: number;
  buildingId: string;
  world: WorldState;
}

function loadSaved(file: string | undefined, seed: number, buildingId: string, start: number, log: SimLogger): WorldState | undefined {
  if (!file || !fs.existsSync(file)) return undefined;
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedState;
    if (saved.version !== 1 || saved.seed !== seed || saved.buildingId !== buildingId) {
      log.info({ file }, 'saved simulator state is for another seed or building: starting afresh');
      return undefined;
    }
    if (saved.world.t > start || start - saved.world.t > MAX_CATCH_UP_MS) {
      log.info({ file, savedAt: new Date(saved.world.t).toISOString() }, 'saved simulator state is outside the replay window: starting afresh');
      return undefined;
    }
    return saved.world;
  } catch (err) {
    log.warn({ file, err: (err as Error).message }, 'cannot read the saved simulator state: starting afresh');
    return undefined;
  }
}

function saveState(file: string, state: SavedState): void {
  // Write then rename: a crash mid-write never leaves a truncated state behind.
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

export interface SimulatorStats {
  state: 'starting' | 'up' | 'down';
  devices: number;
  connected: number;
  published: number;
}

export interface Simulator {
  stats(): SimulatorStats;
  state(): SimulatorState;
  command(cmd: SimulatorCommand): void;
  readonly catalogue: Catalogue;
  /** Resolves when the backfilled history has been handed to the broker. */
  backfillDone(): Promise<void>;
  stop(): Promise<void>;
}

/** Longest physics step: one minute keeps the thermal, CO2 and tank models smooth. */
const MAX_WORLD_STEP_MS = 60_000;
/** At high speed a device reports at most this often in wall time, so the link is not flooded. */
const MIN_WALL_REPORT_MS = 250;

/**
 * The simulated building on the wire: one World (the physics), one
 * DeviceRuntime per device (MQTT client, faults, store-and-forward), a clock,
 * and a control channel on `<siteId>/simulator/command`.
 */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { log, siteId } = opts;
  const building = opts.building ?? defaultBuilding;
  const catalogue = catalogueFromBuilding(building);
  const wall = opts.wall ?? Date.now;
  let scenario: ScenarioName = opts.scenario ?? 'normal';
  // A scenario chosen at start-up brings its season unless a start is given.
  const suggested = SCENARIOS[scenario].suggestedStart;
  const start = opts.start ?? (suggested ? Date.parse(suggested) : wall());
  const backfillDays = opts.backfillDays ?? 0;
  const backfillStepMs = (opts.backfillStepS ?? 300) * 1000;
  const saved = loadSaved(opts.stateFile, opts.seed, building.site.id, start, log);
  // Resuming: replay from where the last run stopped. Otherwise: from the backfill's first day.
  const worldStart = saved ? saved.t : start - backfillDays * 86_400_000;
  const world = new World(building, opts.seed, worldStart, saved);
  world.setScenario(SCENARIOS[scenario]);
  const clock = new SimClock(start, opts.speed ?? 1, wall);
  let state: SimulatorStats['state'] = 'starting';
  let backfill: SimulatorState['backfill'];

  const devices = catalogue.devices
    .filter((d) => !opts.deviceIds || opts.deviceIds.includes(d.id))
    .map((d) => {
      const type = catalogue.deviceTypes.find((t) => t.id === d.type);
      if (!type) throw new Error(`device ${d.id} has unknown type ${d.type}`);
      const own = opts.credentials?.devices?.[d.id];
      return new DeviceRuntime({ id: d.id, typeId: type.id, points: type.points, qos: type.qos, periodMs: opts.periodMs ?? type.periodS * 1000, brokerUrl: opts.brokerUrl, siteId, username: own ? d.id : opts.username, password: own ?? opts.password, log });
    });
  const byId = new Map(devices.map((d) => [d.id, d]));
  const nextSample = new Map(devices.map((d) => [d.id, 0]));

  // The control channel: its own client, as an operator's tool would have.
  const controlId = opts.credentials?.control ?? (opts.username ? { username: opts.username, password: opts.password ?? '' } : undefined);
  const control: MqttClient = mqtt.connect(opts.brokerUrl, { clientId: `sim-${siteId}-control`, username: controlId?.username, password: controlId?.password, reconnectPeriod: 1000 });
  control.on('connect', () => {
    control.subscribe(commandTopic(siteId, SIMULATOR_DEVICE_ID), { qos: 1 });
    publishState();
  });
  control.on('message', (_topic, payload) => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return log.warn({ payload: payload.toString('utf8').slice(0, 100) }, 'simulator command is not JSON');
    }
    const parsed = SimulatorCommandSchema.safeParse(json);
    if (!parsed.success) return log.warn({ detail: parsed.error.issues[0]?.message }, 'invalid simulator command');
    command(parsed.data);
  });
  control.on('error', (err) => log.warn({ err: err.message }, 'simulator control error'));

  function effectivePeriod(d: DeviceRuntime): number {
    let period = Math.max(d.opts.periodMs, clock.speed * MIN_WALL_REPORT_MS);
    const burst = d.faults.has('burst');
    if (burst) period /= burst.magnitude ?? 10;
    return period;
  }

  /** Reads the devices due at the world's current instant. */
  function sampleDue(t: number, fixedPeriod?: number): void {
    for (const d of devices) {
      const due = nextSample.get(d.id) ?? 0;
      if (t < due) continue;
      d.enqueue({ t, values: world.read(d.id) });
      const period = fixedPeriod ?? effectivePeriod(d);
      // A device that fell behind (a slow tick) reports once, then keeps its rhythm.
      nextSample.set(d.id, Math.max(due + period, t + period / 2));
    }
  }

  function expireFaults(t: number): void {
    for (const d of devices) {
      for (const kind of d.faults.expire(t)) {
        log.info({ deviceId: d.id, kind }, 'fault ended');
        if (kind === 'offline' && !SCENARIOS[scenario].commsCut) d.goOnline();
        if (kind === 'out-of-order') d.flushHeld();
        if (kind === 'equipment') world.setEquipmentFault(d.id, false);
      }
    }
  }

  function advanceTo(target: number, stepMs: number, fixedPeriod?: number): void {
    while (world.t + stepMs <= target) {
      world.step(world.t + stepMs);
      sampleDue(world.t, fixedPeriod);
      expireFaults(world.t);
    }
  }

  function applyFault(spec: FaultSpec): void {
    const targets = spec.device === '*' ? devices : [byId.get(spec.device)].filter((d): d is DeviceRuntime => d !== undefined);
    if (targets.length === 0) return log.warn({ device: spec.device }, 'fault for an unknown device');
    for (const d of targets) {
      d.faults.add(spec, world.t);
      if (spec.kind === 'offline') d.goOffline();
      if (spec.kind === 'equipment') world.setEquipmentFault(d.id, true);
      log.info({ deviceId: d.id, kind: spec.kind }, 'fault injected');
    }
  }

  function setScenario(name: ScenarioName): void {
    const was = SCENARIOS[scenario];
    scenario = name;
    const effects = SCENARIOS[name];
    world.setScenario(effects);
    if (effects.commsCut) for (const d of devices) d.goOffline();
    else if (was.commsCut) for (const d of devices) if (!d.faults.has('offline')) d.goOnline();
    log.info({ scenario: name }, 'scenario');
  }

  function command(cmd: SimulatorCommand): void {
    switch (cmd.cmd) {
      case 'scenario':
        setScenario(cmd.name);
        break;
      case 'speed':
        clock.setSpeed(cmd.speed);
        break;
      case 'pause':
        clock.pause();
        break;
      case 'resume':
        clock.resume();
        break;
      case 'step':
        clock.advance(cmd.seconds * 1000);
        tick();
        break;
      case 'fault':
        applyFault(cmd.fault);
        break;
      case 'clear-fault':
        for (const d of cmd.device === '*' ? devices : [byId.get(cmd.device)]) {
          if (!d) continue;
          const hadOffline = d.faults.has('offline');
          d.faults.clear(cmd.kind);
          if (!d.faults.has('equipment')) world.setEquipmentFault(d.id, false);
          if (hadOffline && !d.faults.has('offline') && !SCENARIOS[scenario].commsCut) d.goOnline();
          d.flushHeld();
        }
        break;
    }
    publishState();
  }

  function currentState(): SimulatorState {
    return {
      seed: opts.seed,
      simTime: Math.round(world.t),
      speed: clock.speed,
      paused: clock.paused,
      scenario,
      devices: devices.length,
      connected: devices.filter((d) => d.connected).length,
      published: devices.reduce((a, d) => a + d.published, 0),
      buffered: devices.reduce((a, d) => a + d.buffered, 0),
      faults: devices.flatMap((d) => d.faults.list().map((f) => ({ device: d.id, kind: f.kind, durationS: f.durationS, magnitude: f.magnitude, untilSimTime: f.untilSimTime }))),
      backfill,
    };
  }

  let lastStatePublish = 0;
  function publishState(): void {
    if (!control.connected) return;
    lastStatePublish = wall();
    control.publish(stateTopic(siteId, SIMULATOR_DEVICE_ID), JSON.stringify(currentState()), { qos: 1, retain: true });
  }

  let caughtUp = false;
  function tick(): void {
    // Simulated time never runs ahead of the wall clock: readings from the future are
    // what ingest rejects as a skewed device clock. An accelerated run from the past
    // catches up with now, then carries on in real time.
    let target = clock.now();
    const now = wall();
    if (target > now) {
      target = now;
      clock.set(now);
      if (clock.speed > 1 && !caughtUp) {
        caughtUp = true;
        clock.setSpeed(1);
        log.info({ simTime: new Date(now).toISOString() }, 'caught up with real time: continuing at speed 1');
      }
    }
    // The world steps once a second at the finest (devices never report faster), a minute at most.
    const stepMs = Math.min(MAX_WORLD_STEP_MS, Math.max(1000, Math.min(...devices.map((d) => effectivePeriod(d)))));
    advanceTo(target, stepMs);
    if (wall() - lastStatePublish > 5000) publishState();
  }

  await Promise.all([...devices.map((d) => d.connectedOnce()), new Promise<void>((resolve) => (control.connected ? resolve() : control.once('connect', () => resolve())))]);

  let stopping = false;
  let backfillDone: Promise<void> = Promise.resolve();
  if (worldStart < start) {
    // Two passes over the same deterministic world. Pass 1, without I/O (a year takes
    // seconds), brings the live world to the start, so the live run begins at once and
    // its counters continue the history. Pass 2 replays the same steps from a twin
    // world and sends them, behind live readings, through the broker and ingest.
    const historyWorld = new World(building, opts.seed, worldStart, saved ? structuredClone(saved) : undefined);
    historyWorld.setScenario(SCENARIOS[scenario]);
    while (world.t + backfillStepMs <= start) world.step(world.t + backfillStepMs);
    const total = Math.floor((start - worldStart) / backfillStepMs);
    backfill = { running: true, done: 0, total };
    log.info({ from: new Date(worldStart).toISOString(), steps: total, stepS: backfillStepMs / 1000, resumed: saved !== undefined }, 'backfill started');
    backfillDone = (async () => {
      const chunk = 1440;
      for (let done = 0; done < total && !stopping; ) {
        const n = Math.min(chunk, total - done);
        const perDevice = new Map(devices.map((d) => [d.id, [] as Sample[]]));
        for (let i = 0; i < n; i++) {
          historyWorld.step(historyWorld.t + backfillStepMs);
          for (const d of devices) perDevice.get(d.id)?.push({ t: historyWorld.t, values: historyWorld.read(d.id) });
        }
        for (const d of devices) d.enqueueHistory(perDevice.get(d.id) ?? []);
        done += n;
        backfill = { running: true, done, total };
        // Wait for the broker to take it: memory stays bounded, nothing is dropped.
        await Promise.all(devices.map((d) => d.drained()));
      }
      backfill = { running: false, done: total, total };
      log.info({ published: devices.reduce((a, d) => a + d.published, 0) }, 'backfill done');
      publishState();
    })();
  }

  for (const d of devices) nextSample.set(d.id, world.t);
  tick();
  const timer = setInterval(tick, opts.tickMs ?? 100);
  const persist = () => {
    if (opts.stateFile) saveState(opts.stateFile, { version: 1, seed: opts.seed, buildingId: building.site.id, world: world.exportState() });
  };
  const persistTimer = setInterval(() => {
    try {
      persist();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot save the simulator state');
    }
  }, 60_000);
  state = 'up';
  publishState();
  log.info({ devices: devices.length, broker: opts.brokerUrl, speed: clock.speed, scenario }, 'simulator running');

  return {
    catalogue,
    stats: () => ({ state, devices: devices.length, connected: devices.filter((d) => d.connected).length, published: devices.reduce((a, d) => a + d.published, 0) }),
    state: currentState,
    command,
    backfillDone: () => backfillDone,
    async stop() {
      stopping = true;
      clearInterval(timer);
      clearInterval(persistTimer);
      await Promise.all(devices.map((d) => d.stop()));
      try {
        persist();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cannot save the simulator state');
      }
      if (control.connected) await control.publishAsync(stateTopic(siteId, SIMULATOR_DEVICE_ID), JSON.stringify({ ...currentState(), connected: 0 }), { qos: 1, retain: true }).catch(() => undefined);
      await control.endAsync();
      state = 'down';
      log.info({ published: devices.reduce((a, d) => a + d.published, 0) }, 'simulator stopped');
    },
  };
}
