import readline from 'node:readline';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/live';

/**
 * The outside world of a benchmark, in a process of its own so that it never
 * shares the measured process's event loop: MQTT devices that publish, and
 * dashboards that receive over socket.io. The parent gives a job (JSON, argv[2]),
 * waits for {"event":"ready"} on stdout, writes "go" on stdin, and reads
 * {"event":"done", ...} when the job is over.
 */
export interface LoadDevice {
  id: string;
  username?: string;
  password?: string;
  /** A point of this device that takes watts. */
  point: string;
}

export interface LoadJob {
  siteId: string;
  publish?: {
    mqttUrl: string;
    devices: LoadDevice[];
    qos: 0 | 1;
    /** Messages in all, shared between the devices (one reading each). */
    count?: number;
    /** Or a steady rate for a while: readings per second, seconds. */
    rate?: number;
    seconds?: number;
    /** Timestamp of the first reading (epoch ms); each next one is 1 ms later per device. Default: the publish time. */
    t0?: number;
    /** Messages in flight per device before waiting for the socket (QoS 0) or the PUBACKs (QoS 1). */
    window?: number;
  };
  dashboards?: {
    httpUrl: string;
    token: string;
    clients: number;
    series: string[];
    /** Done when each client has this many readings. */
    expect?: number;
    /** Measure publish-to-screen latency from the readings' own timestamps. */
    latency?: boolean;
  };
  /** Raw socket.io: a client that counts `tick` events until it has this many. */
  rawSocket?: { url: string; expect: number };
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const send = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

function pack(deviceId: string, point: string, ts: number, value: number): string {
  return JSON.stringify([{ bn: `${deviceId}:`, bt: ts / 1000, n: point, u: 'W', v: value }]);
}

async function connectDevices(p: NonNullable<LoadJob['publish']>): Promise<MqttClient[]> {
  return Promise.all(
    p.devices.map(async (d) => {
      const c = await mqtt.connectAsync(p.mqttUrl, { clientId: `bench-${d.id}`, username: d.username, password: d.password, reconnectPeriod: 0, protocolVersion: 4 });
      // Nagle off: QoS 1 acknowledgements would otherwise wait on delayed ACKs.
      const stream = (c as unknown as { stream?: { setNoDelay?: (b: boolean) => void } }).stream;
      stream?.setNoDelay?.(true);
      return c;
    }),
  );
}

/** As fast as the broker takes them: `window` publishes in flight per device. */
async function publishCount(p: NonNullable<LoadJob['publish']>, clients: MqttClient[]): Promise<number> {
  const count = p.count ?? 0;
  const window = p.window ?? (p.qos === 1 ? 100 : 500);
  const per = Math.ceil(count / clients.length);
  const t0 = p.t0 ?? Date.now();
  let sent = 0;
  await Promise.all(
    clients.map(async (c, k) => {
      const d = p.devices[k] as LoadDevice;
      const topic = `${job.siteId}/${d.id}/telemetry`;
      const n = Math.min(per, count - k * per);
      let inFlight = 0;
      let wake: (() => void) | undefined;
      for (let i = 0; i < n; i++) {
        while (inFlight >= window) await new Promise<void>((r) => (wake = r));
        inFlight++;
        c.publish(topic, pack(d.id, d.point, t0 + i, 1000 + (i % 1000)), { qos: p.qos }, () => {
          inFlight--;
          sent++;
          const w = wake;
          wake = undefined;
          w?.();
        });
      }
      while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    }),
  );
  return sent;
}

/** A steady rate: every 10 ms, the readings due, spread over the devices, stamped with the time they are sent. */
async function publishRate(p: NonNullable<LoadJob['publish']>, clients: MqttClient[]): Promise<number> {
  const rate = p.rate ?? 1000;
  const end = Date.now() + (p.seconds ?? 10) * 1000;
  const start = Date.now();
  let sent = 0;
  let k = 0;
  const last = new Map<string, number>();
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - start) / 1000) * rate);
    while (sent < due) {
      const c = clients[k % clients.length] as MqttClient;
      const d = p.devices[k % clients.length] as LoadDevice;
      k++;
      // One reading per device and millisecond: a later one at the same instant would be a duplicate.
      const ts = Math.max(Date.now(), (last.get(d.id) ?? 0) + 1);
      last.set(d.id, ts);
      c.publish(`${job.siteId}/${d.id}/telemetry`, pack(d.id, d.point, ts, 1000 + (sent % 1000)), { qos: p.qos });
      sent++;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return sent;
}

interface Dashboards {
  sockets: Socket<ServerToClientEvents, ClientToServerEvents>[];
  received: number[];
  latencies: number[];
  done: Promise<void>;
}

async function connectDashboards(d: NonNullable<LoadJob['dashboards']>): Promise<Dashboards> {
  const received = Array.from({ length: d.clients }, () => 0);
  const latencies: number[] = [];
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  const sockets = await Promise.all(
    Array.from({ length: d.clients }, async (_, i) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(d.httpUrl, { transports: ['websocket'], auth: { token: d.token }, reconnection: false });
      socket.on('readings', (frame) => {
        const now = Date.now();
        received[i] = (received[i] ?? 0) + frame.points.length / 3;
        if (d.latency && i === 0) for (let k = 1; k < frame.points.length; k += 3) latencies.push(now - (frame.points[k] as number));
        if (d.expect !== undefined && received.every((n) => n >= (d.expect as number))) finish();
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const ack = await socket.timeout(10_000).emitWithAck('subscribe', { series: d.series });
      if (!ack.ok) throw new Error(`subscribe refused: ${ack.error}`);
      return socket;
    }),
  );
  return { sockets, received, latencies, done };
}

async function main(): Promise<void> {
  const clients = job.publish ? await connectDevices(job.publish) : [];
  const dash = job.dashboards ? await connectDashboards(job.dashboards) : undefined;
  let rawCount = 0;
  let rawDone: Promise<void> = Promise.resolve();
  let rawSocket: Socket | undefined;
  if (job.rawSocket) {
    const want = job.rawSocket.expect;
    rawSocket = io(job.rawSocket.url, { transports: ['websocket'], reconnection: false });
    rawDone = new Promise<void>((r) =>
      rawSocket?.on('tick', () => {
        if (++rawCount >= want) r();
      }),
    );
    await new Promise<void>((r) => rawSocket?.once('connect', () => r()));
  }
  send({ event: 'ready' });
  await new Promise<void>((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    rl.on('line', (l) => {
      if (l.trim() === 'go') {
        rl.close();
        resolve();
      }
    });
  });
  const t0 = performance.now();
  let sent = 0;
  if (job.publish) sent = job.publish.rate ? await publishRate(job.publish, clients) : await publishCount(job.publish, clients);
  const publishedMs = performance.now() - t0;
  if (dash && job.dashboards?.expect !== undefined) await dash.done;
  await rawDone;
  const result: Record<string, unknown> = { event: 'done', sent, publishedMs, received: dash?.received, rawCount };
  if (dash?.latencies.length) {
    // Let the last frames arrive before the figures are taken.
    await new Promise((r) => setTimeout(r, 1000));
    const s = [...dash.latencies].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    Object.assign(result, { latency: { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] } });
  }
  send(result);
  await Promise.all(clients.map((c) => c.endAsync()));
  for (const s of dash?.sockets ?? []) s.close();
  rawSocket?.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  send({ event: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
