import type { Alert } from '../../shared/alerts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/api';
import { type ClientToServerEvents, type DeviceStatusEvent, type ReadingsFrame, type Resync, type ServerToClientEvents, type Snapshot, type SubscribeAck, frameReadings } from '../../shared/live';
import type { Principal } from '../../server/auth/accounts';
import { type Live, type LiveOptions, startLive, tokenAuthenticator } from '../../server/live/index';

/**
 * The live push alone, on a plain HTTP server, with readings pushed by hand:
 * what a slow client costs, stale devices and the events pushed to everyone.
 * (test/integration/live.test.ts drives it through the whole server.)
 */

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const principals: Record<string, Principal> = {
  reader: { username: 'reader', role: 'viewer', permissions: ['read'], via: 'token' },
  other: { username: 'other', role: 'operator', permissions: ['simulator'], via: 'token' },
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(opts: Partial<LiveOptions> = {}): Promise<{ live: Live; base: string }> {
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const live = startLive({ http: server, log: pino({ level: 'silent' }), authenticate: tokenAuthenticator((t) => principals[t]), frameMs: 50, ...opts });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await live.close();
  });
  return { live, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function client(base: string, token = 'reader'): Client & { frames: ReadingsFrame[]; statuses: DeviceStatusEvent[]; events: Array<[string, unknown]> } {
  const socket = connect(base, { auth: { token }, transports: ['websocket'] }) as Client & { frames: ReadingsFrame[]; statuses: DeviceStatusEvent[]; events: Array<[string, unknown]> };
  socket.frames = [];
  socket.statuses = [];
  socket.events = [];
  socket.on('readings', (f) => socket.frames.push(f));
  socket.on('device:status', (e) => socket.statuses.push(e));
  socket.onAny((name: string, payload: unknown) => socket.events.push([name, payload]));
  cleanups.push(() => void socket.close());
  return socket;
}

const subscribe = (socket: Client, req: Parameters<ClientToServerEvents['subscribe']>[0] = {}) => socket.timeout(5000).emitWithAck('subscribe', req) as Promise<SubscribeAck>;

/** A long-polling engine.io client by hand: it can stop polling, as a frozen browser tab does. */
class PollingClient {
  private sid = '';
  readonly events: Array<[string, unknown]> = [];
  private acks = new Map<number, (v: unknown) => void>();
  constructor(private readonly base: string) {}

  private url(): string {
    return `${this.base}/socket.io/?EIO=4&transport=polling${this.sid ? `&sid=${this.sid}` : ''}`;
  }

  async open(token: string): Promise<void> {
    const open = await (await fetch(this.url())).text();
    this.sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    await this.send(`40${JSON.stringify({ token })}`);
    await this.poll();
  }

  async send(packet: string): Promise<void> {
    const res = await fetch(this.url(), { method: 'POST', body: packet });
    expect(await res.text()).toBe('ok');
  }

  emit(event: string, payload: unknown, ackId: number): Promise<unknown> {
    const acked = new Promise((resolve) => this.acks.set(ackId, resolve));
    void this.send(`42${ackId}${JSON.stringify([event, payload])}`);
    return acked;
  }

  /** One GET: everything the server had waiting (or the next packet, when nothing was). */
  async poll(): Promise<number> {
    const body = await (await fetch(this.url())).text();
    const packets = body.split('\x1e');
    for (const p of packets) {
      if (p === '2') await this.send('3'); // ping: pong
      const event = /^42(\[.*)$/s.exec(p);
      if (event) {
        const [name, payload] = JSON.parse(event[1] as string) as [string, unknown];
        this.events.push([name, payload]);
      }
      const ack = /^43(\d+)(\[.*)$/s.exec(p);
      if (ack) this.acks.get(Number(ack[1]))?.((JSON.parse(ack[2] as string) as unknown[])[0]);
    }
    return packets.length;
  }

  frames(): ReadingsFrame[] {
    return this.events.filter(([n]) => n === 'readings').map(([, f]) => f as ReadingsFrame);
  }
}

/** Every reading a run of frames delivered, checking that each frame follows the one before. */
function delivered(frames: readonly ReadingsFrame[], first: number): Reading[] {
  let last = first;
  const out: Reading[] = [];
  for (const f of frames) {
    expect(f.prev, `frame ${f.seq} follows ${last}`).toBe(last);
    expect(f.seq).toBeGreaterThan(f.prev);
    last = f.seq;
    out.push(...frameReadings(f));
  }
  return out;
}

const key = (r: Reading) => `${r.seriesId}@${r.ts}`;

describe('the live push, alone', () => {
  it('holds frames back from a client that stops taking them, without slowing the others, then catches it up from the ring buffer', async () => {
    const { live, base } = await rig({ maxPendingPackets: 6 });
    const fast = client(base);
    const fastAck = await subscribe(fast, { devices: ['grid-meter'] });
    if (!fastAck.ok) throw new Error(fastAck.error);
    const stuck = new PollingClient(base);
    await stuck.open('reader');
    const ackPromise = stuck.emit('subscribe', { devices: ['grid-meter'] }, 1);
    await stuck.poll();
    const stuckAck = (await ackPromise) as SubscribeAck;
    expect(stuckAck).toMatchObject({ ok: true });
    if (!stuckAck.ok) return;

    // It stops polling; readings keep coming, one frame every 50 ms.
    const sent: Reading[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) {
      const r = { seriesId: 'grid-meter.import_power', ts: t0 + i, value: i };
      sent.push(r);
      live.push([r, { seriesId: 'weather-station.temperature', ts: t0 + i, value: 20 }]);
      await new Promise((res) => setTimeout(res, 60));
    }
    await waitFor(() => live.stats().lagging === 1, 'the stuck client marked lagging');
    // What waits for it stays near the bound, however long it stays stuck.
    expect(live.stats().maxPendingPackets).toBeLessThanOrEqual(6 + 2);
    // The other client got every frame, in order.
    await waitFor(() => fast.frames.flatMap((f) => frameReadings(f)).length >= 40, 'every reading for the fast client');
    expect(delivered(fast.frames, fastAck.seq).map(key)).toEqual(sent.map(key));

    // It polls again: what was waiting, then the rest replayed from the ring buffer, without a gap.
    for (let i = 0; i < 20 && stuck.frames().flatMap((f) => frameReadings(f)).length < 40; i++) await stuck.poll();
    expect(delivered(stuck.frames(), stuckAck.seq).map(key)).toEqual(sent.map(key));
    expect(stuck.events.filter(([n]) => n === 'resync')).toEqual([]);
    expect(live.stats().lagging).toBe(0);
  });

  it('tells a client that fell behind further than the ring buffer to resync, with the gap', async () => {
    const { live, base } = await rig({ maxPendingPackets: 4, bufferReadings: 5 });
    const stuck = new PollingClient(base);
    await stuck.open('reader');
    const ackPromise = stuck.emit('subscribe', {}, 7);
    await stuck.poll();
    const ack = (await ackPromise) as SubscribeAck;
    if (!ack.ok) throw new Error(ack.error);
    const t0 = Date.now();
    for (let i = 0; i < 30; i++) {
      live.push([{ seriesId: 'grid-meter.import_power', ts: t0 + i, value: i }]);
      await new Promise((res) => setTimeout(res, 60));
    }
    await waitFor(() => live.stats().lagging === 1, 'lagging');
    for (let i = 0; i < 20 && !stuck.events.some(([n]) => n === 'resync'); i++) await stuck.poll();
    const [, resync] = stuck.events.find(([n]) => n === 'resync') as [string, Resync];
    const readingsAfterResync = () => stuck.events.slice(stuck.events.findIndex(([n]) => n === 'resync')).filter(([n]) => n === 'readings').length;
    for (let i = 0; i < 5 && readingsAfterResync() === 0; i++) await stuck.poll();
    expect(resync.gap?.from).toBeGreaterThanOrEqual(t0 - 100);
    expect(resync.gap?.to).toBeGreaterThan(resync.gap?.from ?? Infinity);
    // Frames before the resync chain from the ack, those after it from the resync's seq.
    const at = stuck.events.findIndex(([n]) => n === 'resync');
    const before = stuck.events.slice(0, at).filter(([n]) => n === 'readings').map(([, f]) => f as ReadingsFrame);
    const after = stuck.events.slice(at).filter(([n]) => n === 'readings').map(([, f]) => f as ReadingsFrame);
    delivered(before, ack.seq);
    delivered(after, resync.seq);
    // The ring buffer held the last 5 readings: all of them came after the resync.
    expect(after.flatMap((f) => frameReadings(f)).map((r) => r.value)).toEqual([25, 26, 27, 28, 29]);
  });

  it('pushes stale changes, statuses and alerts to every reader, and checks alert payloads', async () => {
    let states: Record<string, { status: 'online' | 'offline' | 'unknown'; stale: boolean }> = { 'grid-meter': { status: 'online', stale: false } };
    const { live, base } = await rig({ deviceStates: () => states, staleCheckMs: 50 });
    const a = client(base);
    await waitFor(() => a.connected, 'connected');
    live.status({ deviceId: 'grid-meter', status: 'online', ts: 1 });
    await waitFor(() => a.statuses.length === 1, 'online');
    states = { 'grid-meter': { status: 'online', stale: true } };
    const stale = await waitFor(() => a.statuses.find((s) => s.stale === true), 'stale');
    expect(stale).toMatchObject({ deviceId: 'grid-meter', status: 'online', stale: true });
    // A reading from it: fresh again at once.
    live.push([{ seriesId: 'grid-meter.import_power', ts: Date.now(), value: 1 }]);
    await waitFor(() => a.statuses.at(-1)?.stale === false, 'fresh again');
    // Offline keeps what is known of staleness.
    states = { 'grid-meter': { status: 'offline', stale: true } };
    await waitFor(() => a.statuses.at(-1)?.stale === true, 'stale again');
    live.status({ deviceId: 'grid-meter', status: 'offline', ts: Date.now() });
    await waitFor(() => a.statuses.at(-1)?.status === 'offline', 'offline');
    expect(a.statuses.at(-1)?.stale).toBe(true);

    // Late subscribers find the statuses in their snapshot.
    const b = client(base);
    const snapshot = new Promise<Snapshot>((resolve) => b.once('snapshot', resolve));
    await subscribe(b, { zones: ['r1-coworking'] });
    expect((await snapshot).devices).toEqual([expect.objectContaining({ deviceId: 'grid-meter', status: 'offline', stale: true })]);

    const t = Date.now();
    const alert: Alert = {
      id: 1,
      ruleId: 'co2-occupied',
      ruleName: 'CO2',
      kind: 'threshold',
      severity: 'warning',
      target: { id: 'room-r1-coworking.co2', deviceId: 'room-r1-coworking', seriesId: 'room-r1-coworking.co2', zone: 'r1-coworking', label: 'CO2' },
      state: 'active',
      message: 'CO2 high',
      value: 1300,
      raisedAt: t,
      lastRaisedAt: t,
      occurrences: 1,
      clearedAt: null,
      clearMessage: null,
      acknowledged: null,
      shelved: null,
      updatedAt: t,
    };
    const raised = { type: 'alert:raised' as const, alert };
    const cleared = { type: 'alert:cleared' as const, alert: { ...alert, state: 'cleared' as const, clearedAt: t } };
    expect(live.alert('raised', raised)).toBe(true);
    expect(live.pushEvent('alert:cleared', cleared)).toBe(true);
    // A payload that is not an alert event never leaves the server.
    expect(live.pushEvent('alert:cleared', { id: 'a1' })).toBe(false);
    await waitFor(() => b.events.some(([n]) => n === 'alert:cleared'), 'the alert events');
    expect(b.events.filter(([n]) => n.startsWith('alert:'))).toEqual([
      ['alert:raised', raised],
      ['alert:cleared', cleared],
    ]);
    expect(a.events.some(([n]) => n === 'alert:raised')).toBe(true);
    expect(live.pushEvent('alert:nonsense' as 'alert:raised', {})).toBe(false);
  });

  it('checks credentials again: a lost permission stops the push, revoked credentials end the connection', async () => {
    const who: Record<string, Principal | undefined> = { t: principals.reader };
    const { live, base } = await rig({ authenticate: tokenAuthenticator((t) => who[t]), reauthMs: 100 });
    const a = client(base, 't');
    expect(await subscribe(a)).toMatchObject({ ok: true });
    who.t = principals.other;
    await new Promise((r) => setTimeout(r, 300));
    live.push([{ seriesId: 'grid-meter.import_power', ts: Date.now(), value: 1 }]);
    live.status({ deviceId: 'grid-meter', status: 'online', ts: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(a.frames).toEqual([]);
    expect(a.statuses).toEqual([]);
    expect(await subscribe(a)).toEqual({ ok: false, error: 'permission "read" required' });
    const gone = new Promise<string>((resolve) => a.once('disconnect', resolve));
    who.t = undefined;
    expect(await gone).toBe('io server disconnect');
    expect(live.stats().clients).toBe(0);
  });

  it('refuses a frame interval outside 50 to 5,000 ms', () => {
    const server = http.createServer();
    expect(() => startLive({ http: server, log: pino({ level: 'silent' }), authenticate: () => undefined, frameMs: 10 })).toThrow(/50 to 5000/);
    expect(() => startLive({ http: server, log: pino({ level: 'silent' }), authenticate: () => undefined, frameMs: 6000 })).toThrow(/50 to 5000/);
  });

  it('refuses subscriptions past the rate limit, and without read, and stops frames on unsubscribe', async () => {
    const { live, base } = await rig({ maxSubscribesPerMinute: 3 });
    const a = client(base);
    for (let i = 0; i < 3; i++) expect(await subscribe(a)).toMatchObject({ ok: true });
    expect(await subscribe(a)).toEqual({ ok: false, error: 'too many subscriptions: at most 3 a minute' });
    live.push([{ seriesId: 'grid-meter.import_power', ts: Date.now(), value: 1 }]);
    await waitFor(() => a.frames.length === 1, 'a frame');
    expect(await a.timeout(5000).emitWithAck('unsubscribe')).toEqual({ ok: true });
    live.push([{ seriesId: 'grid-meter.import_power', ts: Date.now(), value: 2 }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.frames).toHaveLength(1);

    const other = client(base, 'other');
    const err = await new Promise<Error>((resolve) => other.once('connect_error', resolve));
    expect(err.message).toBe('permission "read" required');
  });
});
