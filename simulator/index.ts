import mqtt, { type MqttClient } from 'mqtt';
import type { Catalogue } from '../shared/catalogue';
import { STATUS_OFFLINE, STATUS_ONLINE, statusTopic, telemetryTopic } from '../shared/topics';
import { toPack } from './devices';
import { World, defaultBuilding } from './world';

export interface SimLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface SimulatorOptions {
  brokerUrl: string;
  siteId: string;
  catalogue: Catalogue;
  seed: number;
  log: SimLogger;
  /** Wall-clock source; the simulated clock follows it (time control arrives with issue #3). */
  now?: () => number;
  /** Only these devices (default: every catalogued device the simulator has a model for). */
  deviceIds?: string[];
  /** Overrides the catalogue periods, for tests and demos. */
  periodMs?: number;
}

export interface SimulatorStats {
  state: 'starting' | 'up' | 'down';
  devices: number;
  connected: number;
  published: number;
}

export interface Simulator {
  stats(): SimulatorStats;
  stop(): Promise<void>;
}

interface SimDevice {
  id: string;
  typeId: string;
  qos: 0 | 1;
  periodMs: number;
  client: MqttClient;
  timer?: NodeJS.Timeout;
}

/**
 * Runs each simulated device as its own MQTT client, exactly as a field device
 * would connect: its own client id, a retained "offline" last will, a retained
 * "online" on connect, telemetry at the catalogue's QoS and period.
 */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { catalogue, siteId, log } = opts;
  const now = opts.now ?? Date.now;
  const world = new World(defaultBuilding(catalogue), opts.seed);
  let snapshot = world.step(now());
  let published = 0;
  let state: SimulatorStats['state'] = 'starting';

  const devices: SimDevice[] = catalogue.devices
    .filter((d) => !opts.deviceIds || opts.deviceIds.includes(d.id))
    .map((d) => {
      const type = catalogue.deviceTypes.find((t) => t.id === d.type);
      if (!type) throw new Error(`device ${d.id} has unknown type ${d.type}`);
      const client = mqtt.connect(opts.brokerUrl, {
        clientId: `sim-${siteId}-${d.id}`,
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        will: { topic: statusTopic(siteId, d.id), payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
      });
      return { id: d.id, typeId: type.id, qos: type.qos, periodMs: opts.periodMs ?? type.periodS * 1000, client };
    });

  // One world, stepped once per tick, read by every device: the grid meter and
  // the inverter always agree on the same instant.
  const tickMs = Math.min(...devices.map((d) => d.periodMs), 1000);
  const worldTimer = setInterval(() => {
    snapshot = world.step(now());
  }, tickMs);

  function publish(d: SimDevice): void {
    if (!d.client.connected) return;
    const pack = toPack(d.id, d.typeId, snapshot);
    d.client.publish(telemetryTopic(siteId, d.id), JSON.stringify(pack), { qos: d.qos }, (err) => {
      if (err) log.warn({ deviceId: d.id, err: err.message }, 'publish failed');
      else published++;
    });
  }

  for (const d of devices) {
    d.client.on('connect', () => {
      d.client.publish(statusTopic(siteId, d.id), STATUS_ONLINE, { qos: 1, retain: true });
      log.debug({ deviceId: d.id }, 'device online');
      publish(d);
    });
    d.client.on('error', (err) => log.warn({ deviceId: d.id, err: err.message }, 'device mqtt error'));
    d.timer = setInterval(() => publish(d), d.periodMs);
  }

  await Promise.all(devices.map((d) => new Promise<void>((resolve) => (d.client.connected ? resolve() : d.client.once('connect', () => resolve())))));
  state = 'up';
  log.info({ devices: devices.length, broker: opts.brokerUrl }, 'simulator running');

  return {
    stats: () => ({ state, devices: devices.length, connected: devices.filter((d) => d.client.connected).length, published }),
    async stop() {
      clearInterval(worldTimer);
      for (const d of devices) clearInterval(d.timer);
      // A clean stop says "offline" itself: the broker sends the will only on an unclean loss.
      await Promise.all(
        devices.map(async (d) => {
          if (d.client.connected) await d.client.publishAsync(statusTopic(siteId, d.id), STATUS_OFFLINE, { qos: 1, retain: true }).catch(() => undefined);
          await d.client.endAsync();
        }),
      );
      state = 'down';
      log.info({ published }, 'simulator stopped');
    },
  };
}
