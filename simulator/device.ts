import mqtt, { type MqttClient } from 'mqtt';
import type { Point } from '../shared/catalogue';
import { STATUS_OFFLINE, STATUS_ONLINE, statusTopic, telemetryTopic } from '../shared/topics';
import { DeviceFaults, malformedPayload } from './faults';
import { type Sample, samplesToPacks } from './pack';

export interface SimLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface DeviceRuntimeOptions {
  id: string;
  typeId: string;
  points: readonly Point[];
  qos: 0 | 1;
  periodMs: number;
  brokerUrl: string;
  siteId: string;
  username?: string;
  password?: string;
  log: SimLogger;
  /** Samples kept while disconnected; past it the oldest are lost (and counted), as in a meter's ring buffer. */
  maxBuffered?: number;
}

/** QoS 1 packs in flight per device: enough to fill a fast link, few enough to bound memory. */
const WINDOW = 16;
/** Samples per pack when catching up (store-and-forward, backfill). */
const SAMPLES_PER_PACK = 60;

/**
 * One simulated field device: its own MQTT connection (client id, retained
 * online status, "offline" last will) and its own store-and-forward buffer.
 * Readings wait in the buffer until the broker acknowledges them, so a cut
 * connection loses nothing: on reconnection they go out in order, with their
 * original timestamps.
 */
export class DeviceRuntime {
  readonly faults: DeviceFaults;
  readonly client: MqttClient;
  private buffer: Sample[] = [];
  /** Backfilled history: sent only when the live buffer is empty, so history never delays live readings. */
  private history: Sample[] = [];
  private inflight = 0;
  private held: string[] = [];
  private malformedCount = 0;
  private stopped = false;
  /**
   * Set by the "offline" fault at once, cleared by the next CONNACK: the client only
   * notices the cut socket on a later turn and still says "connected" until then.
   */
  private linkDown = false;
  published = 0;
  lost = 0;

  constructor(readonly opts: DeviceRuntimeOptions) {
    this.faults = new DeviceFaults(opts.points);
    this.client = mqtt.connect(opts.brokerUrl, {
      clientId: `sim-${opts.siteId}-${opts.id}`,
      username: opts.username,
      password: opts.password,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      will: { topic: statusTopic(opts.siteId, opts.id), payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
    });
    this.client.on('connect', () => {
      this.linkDown = false;
      this.client.publish(statusTopic(opts.siteId, opts.id), STATUS_ONLINE, { qos: 1, retain: true });
      opts.log.debug({ deviceId: opts.id, buffered: this.buffer.length }, 'device online');
      this.pump();
    });
    this.client.on('error', (err) => opts.log.warn({ deviceId: opts.id, err: err.message }, 'device mqtt error'));
  }

  get id(): string {
    return this.opts.id;
  }

  get connected(): boolean {
    return !this.linkDown && this.client.connected;
  }

  get buffered(): number {
    return this.buffer.length + this.history.length + this.inflight;
  }

  get historyQueued(): number {
    return this.history.length;
  }

  /** Queues generated history (no faults: it is what the meter recorded), behind any live reading. */
  enqueueHistory(samples: readonly Sample[]): void {
    for (const s of samples) this.history.push(s);
    this.pump();
  }

  connectedOnce(): Promise<void> {
    return this.client.connected ? Promise.resolve() : new Promise((resolve) => this.client.once('connect', () => resolve()));
  }

  /** Queues one reading of every point (value faults applied) and sends what the link allows. */
  enqueue(sample: Sample): void {
    this.buffer.push(this.faults.apply(sample));
    const max = this.opts.maxBuffered ?? 500_000;
    if (this.buffer.length > max) {
      const drop = this.buffer.length - max;
      this.buffer.splice(0, drop);
      this.lost += drop;
    }
    this.pump();
  }

  /** Sends buffered samples while connected, at most WINDOW packs in flight. */
  pump(): void {
    while (!this.stopped && this.connected && (this.buffer.length > 0 || this.history.length > 0) && this.inflight < WINDOW) {
      if (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, SAMPLES_PER_PACK);
        for (const pack of samplesToPacks(this.opts.id, this.opts.points, batch)) this.send(JSON.stringify(pack), batch[0]?.t ?? 0);
      } else {
        const batch = this.history.splice(0, SAMPLES_PER_PACK);
        for (const pack of samplesToPacks(this.opts.id, this.opts.points, batch)) this.publishRaw(JSON.stringify(pack));
      }
    }
    if (this.buffer.length === 0 && this.history.length === 0 && this.inflight === 0) this.emitDrained();
  }

  private send(payload: string, t: number): void {
    let body = payload;
    if (this.faults.has('malformed')) body = malformedPayload(this.opts.id, this.malformedCount++, t, this.opts.points);
    if (this.faults.has('out-of-order')) {
      // Hold packs and let them go newest first, five at a time.
      this.held.push(body);
      if (this.held.length < 5) return;
      const out = this.held.reverse();
      this.held = [];
      for (const p of out) this.publishRaw(p);
      return;
    }
    this.publishRaw(body);
    if (this.faults.has('duplicates')) this.publishRaw(body);
  }

  private publishRaw(payload: string): void {
    this.inflight++;
    this.client.publish(telemetryTopic(this.opts.siteId, this.opts.id), payload, { qos: this.opts.qos }, (err) => {
      this.inflight--;
      if (err) this.opts.log.warn({ deviceId: this.opts.id, err: err.message }, 'publish failed');
      else this.published++;
      this.pump();
    });
  }

  /** Releases packs held by an out-of-order fault (when it ends). */
  flushHeld(): void {
    const out = this.held;
    this.held = [];
    for (const p of out) this.publishRaw(p);
  }

  /** The "offline" fault: drop the TCP connection without DISCONNECT, so the broker fires the last will. */
  goOffline(): void {
    // Until the client sees the close, it still says "connected": anything published
    // meanwhile would go to the dead socket and be lost (QoS 0) with no callback ever.
    this.linkDown = true;
    this.client.options.reconnectPeriod = 0;
    this.client.stream?.destroy();
  }

  goOnline(): void {
    if (this.stopped) return;
    this.client.options.reconnectPeriod = 1000;
    // Keep the client's stores: reconnect() without them starts from empty ones, which
    // drops the QoS 1 packs that were in flight when the link was cut (never resent,
    // never acknowledged) and leaves their slots of the window taken for good.
    // (Still "connected": the close is yet to come, and the client reconnects by itself.)
    if (!this.client.connected) this.client.reconnect({ incomingStore: this.client.incomingStore, outgoingStore: this.client.outgoingStore });
  }

  private drainWaiters: Array<() => void> = [];
  private emitDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once everything queued has been acknowledged (or sent, at QoS 0). */
  drained(): Promise<void> {
    if (this.buffer.length === 0 && this.history.length === 0 && this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.flushHeld();
    // Give the link a moment to send what is queued; a real device would keep it for later.
    if (this.client.connected) await Promise.race([this.drained(), new Promise((r) => setTimeout(r, 2000))]);
    this.stopped = true;
    if (this.client.connected) await this.client.publishAsync(statusTopic(this.opts.siteId, this.opts.id), STATUS_OFFLINE, { qos: 1, retain: true }).catch(() => undefined);
    await this.client.endAsync();
  }
}
