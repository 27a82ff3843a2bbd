import fs from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { HealthResponse, HistoryResponse } from '../../shared/api';
import { MAX_RECORDS_PER_PACK } from '../../shared/senml';
import { printedPorts, type Spawned, spawnServer } from './process';
import { getJson, login, mqttCredentials, waitFor } from './server';
import { testNow } from './clock';

/** Devices with a power point in watts: what the fault tests and the soak publish. */
export const POWER_DEVICES: readonly (readonly [device: string, point: string])[] = [
  ['grid-meter', 'import_power'],
  ['pv-inverter-1', 'ac_power'],
  ['pv-inverter-2', 'ac_power'],
  ['pv-inverter-3', 'ac_power'],
  ['submeter-lighting', 'power'],
  ['submeter-plugs', 'power'],
  ['submeter-ahu', 'power'],
  ['submeter-fablab', 'power'],
];

/** Resident memory of a process, MiB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export interface ServerProcess extends Spawned {
  http: number;
  mqtt: number;
  base: string;
}

/** server/main.ts in a process of its own (so it can be killed, and its memory read), the admin logged in. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const p = spawnServer({ HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'warn', SIM_BACKFILL_DAYS: '0', HTTP_PORT: '0', MQTT_PORT: '0', ...env });
  const ports = await waitFor(
    () => {
      if (p.child.exitCode !== null) throw new Error(`the server exited: ${p.output().slice(-2000)}`);
      return printedPorts(p.output());
    },
    'the server process',
    60_000,
  );
  const base = `http://127.0.0.1:${ports.http}`;
  await login(base);
  return Object.assign(p, { http: ports.http, mqtt: ports.mqtt, base });
}

export async function health(base: string): Promise<HealthResponse> {
  return (await getJson<HealthResponse>(`${base}/api/health`)).body;
}

/**
 * Devices publishing one power reading each per tick, QoS 1, as packs of up to
 * `perPack` instants; every reading the broker acknowledged is kept in `acked`, by
 * series. Timestamps are unique per series and never ahead of the clock.
 */
export class PowerPublisher {
  readonly acked = new Map<string, number[]>();
  private clients: MqttClient[] = [];
  private last = new Map<string, number>();
  private value = 0;
  failed = 0;

  constructor(
    private readonly mqttUrl: string,
    private readonly dataDir: string,
    readonly devices: readonly (readonly [string, string])[] = POWER_DEVICES,
  ) {}

  async connect(): Promise<void> {
    this.clients = await Promise.all(this.devices.map(([id]) => mqtt.connectAsync(this.mqttUrl, { clientId: `fault-test-${id}`, reconnectPeriod: 500, ...mqttCredentials(this.dataDir, id) })));
  }

  get total(): number {
    let n = 0;
    for (const list of this.acked.values()) n += list.length;
    return n;
  }

  /** Publishes `n` readings per device now (each pack acknowledged before the next), stamped from the clock back. */
  async publish(n: number, perPack = MAX_RECORDS_PER_PACK): Promise<void> {
    await Promise.all(
      this.devices.map(async ([id, point], k) => {
        const client = this.clients[k] as MqttClient;
        const seriesId = `${id}.${point}`;
        const now = testNow();
        // n readings 1 ms apart, ending now, after the last one sent.
        let ts = Math.max((this.last.get(seriesId) ?? 0) + 1, now - n + 1);
        for (let i = 0; i < n; i += perPack) {
          const records: object[] = [];
          const batch: number[] = [];
          for (let j = i; j < Math.min(n, i + perPack); j++) {
            records.push({ t: ts / 1000, n: point, u: 'W', v: 1000 + (this.value++ % 5000) });
            batch.push(ts++);
          }
          (records[0] as Record<string, unknown>).bn = `${id}:`;
          try {
            await client.publishAsync(`le-numerique/${id}/telemetry`, JSON.stringify(records), { qos: 1 });
          } catch {
            this.failed += batch.length;
            continue;
          }
          let list = this.acked.get(seriesId);
          if (!list) this.acked.set(seriesId, (list = []));
          for (const t of batch) list.push(t);
        }
        this.last.set(seriesId, ts - 1);
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => undefined)));
  }
}

/** How many readings of a series the store holds in [from, to], from its 1-minute rollups (no 20,000-point cap). */
export async function storedCount(base: string, seriesId: string, from: number, to: number): Promise<number> {
  const { status, body } = await getJson<HistoryResponse>(`${base}/api/v1/series/${seriesId}/history?from=${from}&to=${to}&resolution=1m&agg=count&maxPoints=20000`);
  if (status !== 200) throw new Error(`history of ${seriesId}: HTTP ${status}`);
  return body.points.reduce((a, [, v]) => a + v, 0);
}

/** The raw timestamps a series holds in [from, to] (at most 20,000). */
export async function storedTimes(base: string, seriesId: string, from: number, to: number): Promise<number[]> {
  const { status, body } = await getJson<HistoryResponse>(`${base}/api/v1/series/${seriesId}/history?from=${from}&to=${to}&resolution=raw&maxPoints=20000`);
  if (status !== 200) throw new Error(`history of ${seriesId}: HTTP ${status} ${JSON.stringify(body)}`);
  return body.points.map(([t]) => t);
}
