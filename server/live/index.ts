import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Reading } from '../../shared/api';
import { type Catalogue, catalogue as defaultCatalogue } from '../../shared/catalogue';
import {
  type AlertKind,
  type ClientToServerEvents,
  type DeviceStatusEvent,
  type Gap,
  LIVE_AUTH_REQUIRED,
  LIVE_FRAME_MAX_MS,
  LIVE_FRAME_MIN_MS,
  LIVE_FRAME_MS,
  LIVE_WINDOW_MS,
  PUSH_EVENT_SCHEMAS,
  type PushEventName,
  type ServerToClientEvents,
  type SubscribeAck,
  SubscribeRequestSchema,
  toFramePoints,
} from '../../shared/live';
import type { Principal } from '../auth/accounts';
import type { Logger } from '../logger';
import { type HandshakeLike, handshakeCredentials } from './auth';
import { type Frame, FrameRing, type Replay } from './ring';
import { Directory, filterReadings, makeSubscription, type Subscription, unknownIds } from './subscription';

export { handshakeCredentials, sameOrigin } from './auth';

/** What an ingest knows of each device (server/ingest stats): the live push relays 'stale' changes. */
export type DeviceStates = () => Record<string, { status: 'online' | 'offline' | 'unknown'; stale: boolean }>;

export interface LiveOptions {
  http: HttpServer;
  log: Logger;
  /** Who opens a connection; undefined refuses it. tokenAuthenticator() builds one from a token check. */
  authenticate: (handshake: HandshakeLike) => Principal | undefined;
  /** Zones and devices subscriptions may name (default: the shared catalogue). */
  catalogue?: Catalogue;
  /** Devices outside the catalogue (provisioned later): their zone. */
  deviceZone?: (deviceId: string) => string | undefined;
  /** The latest stored reading of each series, for snapshots (the store's; live readings are added). */
  latest?: () => Reading[];
  /** Polled every staleCheckMs: a device turning stale, or fresh again, is pushed as device:status. */
  deviceStates?: DeviceStates;
  /** At most one readings frame per client this often, 50 to 5,000 ms (default 250). */
  frameMs?: number;
  /** Frames kept for replay: this long (default 2 minutes)... */
  bufferMs?: number;
  /** ...and at most this many readings across them (default 20,000). */
  bufferReadings?: number;
  /**
   * Packets a client may have waiting to be sent (engine.io's write buffer) before
   * it stops getting frames; it gets them back, caught up, once it drains (default 40).
   */
  maxPendingPackets?: number;
  /** Connections' credentials are checked again this often: a logout or a revoked token ends the push (default 60 s). */
  reauthMs?: number;
  staleCheckMs?: number;
  /** Subscribe requests per socket and minute before they are refused (default 30). */
  maxSubscribesPerMinute?: number;
  /**
   * Events a socket may send in a burst (default 100), refilled at `eventsPerSecond`
   * (default 10): a dashboard sends a few; a flood is answered "too many events".
   */
  eventBurst?: number;
  eventsPerSecond?: number;
  /** Events refused in a row before the socket is disconnected (default 1,000). */
  maxRefusedEvents?: number;
  now?: () => number;
}

export interface LiveStats {
  clients: number;
  subscribed: number;
  /** Clients that currently do not take their frames. */
  lagging: number;
  seq: number;
  bufferedFrames: number;
  bufferedReadings: number;
  /** The largest engine.io write buffer among the clients, in packets. */
  maxPendingPackets: number;
  /** The most bytes waiting in one client's WebSocket (sent by us, not yet taken by the kernel). */
  maxPendingBytes: number;
  /** Frames not sent to a client because it was lagging, since the start (it gets them replayed, or a resync, once it drains). */
  framesHeld: number;
}

export interface Live {
  io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  /** This server run's id, as clients see it in acks and snapshots. */
  server: string;
  push(readings: Reading[]): void;
  status(event: DeviceStatusEvent): void;
  /**
   * Pushes an event to every client allowed to 'read', after checking its
   * payload against shared/live.ts. False (and logged) when it does not match.
   */
  pushEvent(name: PushEventName, payload: unknown): boolean;
  /** pushEvent('alert:<kind>', payload). */
  alert(kind: AlertKind, payload: unknown): boolean;
  clients(): number;
  stats(): LiveStats;
  close(): Promise<void>;
}

interface ClientState {
  principal: Principal;
  sub?: Subscription;
  /** The seq of the last frame sent to this client (the next frame's `prev`). */
  lastSent: number;
  /** The last frame this client is done with (sent, or nothing in it for it), and its time. */
  through: number;
  throughTs: number;
  lagging: boolean;
  missedStatus: boolean;
  missedAlerts: boolean;
  subscribes: number[];
  /** The socket's event budget (a token bucket) and the events refused since the last one allowed. */
  events: { tokens: number; at: number; refused: number };
}

/** The events a client may send (ClientToServerEvents); any other is answered as unknown. */
const CLIENT_EVENTS: ReadonlySet<string> = new Set(['subscribe', 'unsubscribe']);

export interface SocketData {
  live?: ClientState;
}

type LiveServer = Live['io'];
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Readings per frame when a replay is sent: many small frames merged into few. */
const REPLAY_CHUNK = 2_000;

/** An `authenticate` option from a token check, such as Accounts.authenticate. */
export function tokenAuthenticator(check: (token: string) => Principal | undefined): (h: HandshakeLike) => Principal | undefined {
  return (h) => {
    const creds = handshakeCredentials(h);
    return creds.token === undefined ? undefined : check(creds.token);
  };
}

const canRead = (p: Principal): boolean => p.permissions.includes('read');

/**
 * Bytes handed to a client's WebSocket and not yet taken by the kernel (ws's
 * bufferedAmount): a client that stops reading fills the kernel's buffers, then
 * this; engine.io then stops flushing its write buffer, which canSend() bounds.
 */
function pendingBytes(socket: LiveSocket): number {
  const ws = (socket.conn as unknown as { transport?: { socket?: { bufferedAmount?: unknown } } }).transport?.socket;
  return typeof ws?.bufferedAmount === 'number' ? ws.bufferedAmount : 0;
}

/** engine.io's write buffer: packets accepted for a client and not yet handed to its transport. */
function pendingPackets(socket: LiveSocket): number {
  const buffer = (socket.conn as unknown as { writeBuffer?: unknown }).writeBuffer;
  return Array.isArray(buffer) ? buffer.length : 0;
}

/**
 * socket.io live push: subscriptions, snapshots, readings batched in frames
 * (one per frameMs at most), a ring buffer to replay on reconnect, a bound on
 * what waits for a slow client, device statuses and alerts.
 */
export function startLive(opts: LiveOptions): Live {
  const { log } = opts;
  const now = opts.now ?? Date.now;
  const frameMs = opts.frameMs ?? LIVE_FRAME_MS;
  if (!Number.isFinite(frameMs) || frameMs < LIVE_FRAME_MIN_MS || frameMs > LIVE_FRAME_MAX_MS) {
    throw new RangeError(`live frame interval must be from ${LIVE_FRAME_MIN_MS} to ${LIVE_FRAME_MAX_MS} ms, got ${frameMs}`);
  }
  const maxPending = Math.max(2, opts.maxPendingPackets ?? 40);
  const resumeAt = Math.floor(maxPending / 2);
  const maxSubscribes = opts.maxSubscribesPerMinute ?? 30;
  const eventBurst = opts.eventBurst ?? 100;
  const eventsPerSecond = opts.eventsPerSecond ?? 10;
  const maxRefused = opts.maxRefusedEvents ?? 1000;
  const serverId = randomBytes(6).toString('hex');
  const dir = new Directory(opts.catalogue ?? defaultCatalogue, opts.deviceZone);
  const ring = new FrameRing(opts.bufferMs ?? 120_000, opts.bufferReadings ?? 20_000, now());

  const io: LiveServer = new Server(opts.http, {
    serveClient: false,
    // The same HTTP server also upgrades /mqtt for MQTT over WebSocket: socket.io
    // must leave upgrades on other paths alone instead of destroying them.
    destroyUpgrade: false,
    // A dashboard must show a lost link within seconds: engine.io's defaults (a ping
    // every 25 s, 20 s to answer) let a link that died without a close (a server
    // killed during the transport upgrade, a tablet's Wi-Fi gone) look connected for
    // 45 s. 10 + 5 s bounds it at 15 s, for one small packet every 10 s per client.
    pingInterval: 10_000,
    pingTimeout: 5_000,
  });

  let pending: Reading[] = [];
  let framesHeld = 0;
  /** The newest reading pushed per series: snapshots add it to the store's. */
  const latest = new Map<string, Reading>();
  /** The last known status of each device, for snapshots. */
  const statuses = new Map<string, DeviceStatusEvent>();
  const stale = new Set<string>();
  /** Connected clients allowed to read. */
  const readers = new Set<LiveSocket>();

  // Authentication: a connection without valid credentials never opens.
  io.use((socket, next) => {
    let principal: Principal | undefined;
    try {
      principal = opts.authenticate(socket.handshake);
    } catch (err) {
      log.error({ err }, 'authenticating a live connection failed');
    }
    if (!principal) {
      const creds = handshakeCredentials(socket.handshake);
      log.debug({ address: socket.handshake.address, reason: creds.token === undefined ? creds.reason : 'invalid or expired token' }, 'live connection refused');
      next(Object.assign(new Error(LIVE_AUTH_REQUIRED), { data: { status: 401 } }));
      return;
    }
    if (!canRead(principal)) {
      log.debug({ username: principal.username }, "live connection refused: no 'read' permission");
      next(Object.assign(new Error('permission "read" required'), { data: { status: 403 } }));
      return;
    }
    socket.data.live = { principal, lastSent: 0, through: ring.lastSeq, throughTs: now(), lagging: false, missedStatus: false, missedAlerts: false, subscribes: [], events: { tokens: eventBurst, at: now(), refused: 0 } };
    next();
  });

  io.on('connection', (socket) => {
    const st = socket.data.live as ClientState;
    log.debug({ id: socket.id, username: st.principal.username }, 'dashboard connected');
    readers.add(socket);
    socket.on('disconnect', (reason) => {
      readers.delete(socket);
      log.debug({ id: socket.id, reason }, 'dashboard disconnected');
    });

    // Every event a client sends passes here first: a flood is refused at the cost of
    // a counter, and an event the protocol does not know gets an error, not silence.
    socket.use((packet, next) => {
      const [event, ...args] = packet as unknown[];
      const ack = args[args.length - 1];
      const refuse = (error: string) => {
        if (typeof ack === 'function') (ack as (r: { ok: false; error: string }) => void)({ ok: false, error });
      };
      const ev = st.events;
      const t = now();
      ev.tokens = Math.min(eventBurst, ev.tokens + ((t - ev.at) / 1000) * eventsPerSecond);
      ev.at = t;
      if (ev.tokens < 1) {
        if (++ev.refused === maxRefused) {
          log.warn({ id: socket.id, username: st.principal.username, refused: ev.refused }, 'event flood: socket disconnected');
          socket.disconnect(true);
        } else if (ev.refused === 1) log.warn({ id: socket.id, username: st.principal.username }, 'event flood: events refused');
        return refuse(`too many events: at most ${eventBurst} at once, then ${eventsPerSecond} a second`);
      }
      ev.tokens -= 1;
      ev.refused = 0;
      if (typeof event !== 'string' || !CLIENT_EVENTS.has(event)) {
        log.debug({ id: socket.id, event: String(event).slice(0, 64) }, 'unknown event');
        return refuse(`unknown event "${String(event).slice(0, 64)}": the events are ${[...CLIENT_EVENTS].join(', ')}`);
      }
      next();
    });

    socket.on('subscribe', (raw: unknown, ack: unknown) => {
      const reply = (res: SubscribeAck) => {
        if (typeof ack === 'function') (ack as (r: SubscribeAck) => void)(res);
      };
      try {
        const error = checkRead(socket, st);
        if (error) return reply({ ok: false, error });
        const t = now();
        st.subscribes = st.subscribes.filter((at) => at > t - 60_000);
        if (st.subscribes.length >= maxSubscribes) return reply({ ok: false, error: `too many subscriptions: at most ${maxSubscribes} a minute` });
        st.subscribes.push(t);
        const parsed = SubscribeRequestSchema.safeParse(raw);
        if (!parsed.success) {
          const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'subscription'}: ${i.message}`);
          return reply({ ok: false, error: `bad subscription: ${issues.join('; ')}` });
        }
        const req = parsed.data;
        const unknown = unknownIds(dir, req);
        if (unknown) return reply({ ok: false, error: `bad subscription: ${unknown}` });
        subscribe(socket, st, makeSubscription(req), req.since, reply);
      } catch (err) {
        log.error({ err, id: socket.id }, 'subscribe failed');
        reply({ ok: false, error: 'internal error' });
      }
    });

    socket.on('unsubscribe', (ack: unknown) => {
      const reply = (res: { ok: true } | { ok: false; error: string }) => {
        if (typeof ack === 'function') (ack as (r: typeof res) => void)(res);
      };
      const error = checkRead(socket, st);
      if (error) return reply({ ok: false, error });
      delete st.sub;
      reply({ ok: true });
    });
  });

  /** Checks the client's credentials again, as an event's permission needs them now; an error to answer, else undefined. */
  function checkRead(socket: LiveSocket, st: ClientState): string | undefined {
    const principal = reauthenticate(socket, st);
    if (!principal) return LIVE_AUTH_REQUIRED;
    if (!canRead(principal)) return 'permission "read" required';
    return undefined;
  }

  /** The client's principal now; disconnects a client whose credentials no longer hold. */
  function reauthenticate(socket: LiveSocket, st: ClientState): Principal | undefined {
    let principal: Principal | undefined;
    try {
      principal = opts.authenticate(socket.handshake);
    } catch (err) {
      log.error({ err }, 'authenticating a live connection failed');
      return st.principal;
    }
    if (!principal) {
      log.debug({ id: socket.id, username: st.principal.username }, 'live credentials expired or revoked: disconnecting');
      readers.delete(socket);
      // After the acknowledgement (if any) has left.
      setImmediate(() => socket.disconnect(true));
      return undefined;
    }
    st.principal = principal;
    if (canRead(principal)) readers.add(socket);
    else {
      readers.delete(socket);
      delete st.sub;
    }
    return principal;
  }

  function subscribe(socket: LiveSocket, st: ClientState, sub: Subscription, since: { seq: number | undefined; ts: number | undefined; server: string | undefined } | undefined, reply: (res: SubscribeAck) => void): void {
    const t = now();
    let replay: Replay = { frames: [] };
    let start = ring.lastSeq;
    if (since) {
      const sameRun = since.server === undefined || since.server === serverId;
      if (sameRun && since.seq !== undefined && since.seq <= ring.lastSeq) {
        replay = ring.afterSeq(since.seq, since.ts, t - LIVE_WINDOW_MS);
        start = replay.gap ? (replay.frames[0]?.seq ?? ring.lastSeq + 1) - 1 : since.seq;
      } else if (since.ts !== undefined) {
        replay = ring.afterTs(since.ts);
        start = (replay.frames[0]?.seq ?? ring.lastSeq + 1) - 1;
      } else {
        // A seq of another run (or from the future) and no time: all that is held, and the live window before it.
        replay = ring.afterSeq(Number.MAX_SAFE_INTEGER, undefined, t - LIVE_WINDOW_MS);
        start = (replay.frames[0]?.seq ?? ring.lastSeq + 1) - 1;
      }
    }
    st.sub = sub;
    st.lastSent = start;
    st.through = start;
    st.throughTs = ring.tsOf(start) ?? since?.ts ?? t;
    st.lagging = false;
    st.missedStatus = false;
    const gap = replay.gap && widen(replay.gap);
    reply({ ok: true, server: serverId, seq: start, ts: t, ...(gap ? { gap } : {}) });
    const snapshot = new Map<string, Reading>();
    for (const r of opts.latest?.() ?? []) snapshot.set(r.seriesId, r);
    for (const r of latest.values()) {
      const s = snapshot.get(r.seriesId);
      if (!s || s.ts <= r.ts) snapshot.set(r.seriesId, r);
    }
    socket.emit('snapshot', { server: serverId, seq: ring.lastSeq, ts: t, readings: filterReadings(dir, sub, [...snapshot.values()]) as Reading[], devices: [...statuses.values()] });
    if (st.missedAlerts) {
      st.missedAlerts = false;
      socket.emit('resync', { seq: start, ts: t, alerts: true });
    }
    sendFrames(socket, st, replay.frames);
    log.debug({ id: socket.id, all: sub.all, replayed: replay.frames.length, gap }, 'subscribed');
  }

  /** A gap in frame times to one in arrival times: a reading waits up to a frame interval for its frame. */
  function widen(gap: Gap): Gap {
    return { from: Math.max(0, gap.from - frameMs), to: gap.to };
  }

  /** Sends the client's part of these frames, merged into few packets when there are many. */
  function sendFrames(socket: LiveSocket, st: ClientState, frames: readonly Frame[]): void {
    if (!st.sub) return;
    let chunk: Reading[] = [];
    let last: Frame | undefined;
    const flush = () => {
      if (!last || chunk.length === 0) return;
      socket.emit('readings', { seq: last.seq, prev: st.lastSent, ts: last.ts, ...toFramePoints(chunk) });
      st.lastSent = last.seq;
      chunk = [];
    };
    for (const f of frames) {
      const mine = filterReadings(dir, st.sub, f.readings);
      st.through = f.seq;
      st.throughTs = f.ts;
      if (mine.length === 0) continue;
      if (frames.length === 1) {
        socket.emit('readings', { seq: f.seq, prev: st.lastSent, ts: f.ts, ...toFramePoints(mine) });
        st.lastSent = f.seq;
        return;
      }
      for (const r of mine) chunk.push(r);
      last = f;
      if (chunk.length >= REPLAY_CHUNK) flush();
    }
    flush();
  }

  /** False when the client has too much waiting: it is marked lagging and caught up once it drains. */
  function canSend(socket: LiveSocket, st: ClientState): boolean {
    if (st.lagging) return false;
    if (pendingPackets(socket) < maxPending) return true;
    st.lagging = true;
    log.warn({ id: socket.id, username: st.principal.username, pending: pendingPackets(socket) }, 'dashboard too slow: frames held back until it catches up');
    return false;
  }

  /** A lagging client that drained: what it missed from the ring buffer, or a resync with the gap. */
  function catchUp(socket: LiveSocket, st: ClientState): void {
    st.lagging = false;
    const t = now();
    const replay = st.sub ? ring.afterSeq(st.through, st.throughTs, t - LIVE_WINDOW_MS) : { frames: [] };
    if (replay.gap || st.missedAlerts) {
      if (replay.gap) st.lastSent = (replay.frames[0]?.seq ?? ring.lastSeq + 1) - 1;
      socket.emit('resync', { seq: st.lastSent, ts: t, ...(replay.gap ? { gap: widen(replay.gap) } : {}), ...(st.missedAlerts ? { alerts: true } : {}) });
      st.missedAlerts = false;
    }
    if (st.missedStatus) {
      st.missedStatus = false;
      for (const e of statuses.values()) socket.emit('device:status', e);
    }
    sendFrames(socket, st, replay.frames);
    log.info({ id: socket.id, replayed: replay.frames.length, gap: replay.gap }, 'dashboard caught up');
  }

  function tick(): void {
    const t = now();
    let frame: Frame | undefined;
    if (pending.length > 0) {
      frame = { seq: ring.lastSeq + 1, ts: t, readings: pending };
      pending = [];
      ring.push(frame);
    } else {
      ring.trim(t);
    }
    // Dashboards with the same subscription at the same point of the stream get the
    // same packet: it is filtered once, and sent as one socket.io broadcast, which
    // encodes it once for all of them (ten dashboards on the overview are one encoding).
    const groups = new Map<string, { sub: Subscription; prev: number; sockets: LiveSocket[]; states: ClientState[] }>();
    for (const socket of readers) {
      const st = socket.data.live;
      if (!st) continue;
      if (st.lagging) {
        if (pendingPackets(socket) <= resumeAt) catchUp(socket, st);
        else if (frame && st.sub) framesHeld++;
        continue;
      }
      if (!frame || !st.sub) continue;
      if (!canSend(socket, st)) {
        framesHeld++;
        continue;
      }
      const key = `${st.lastSent}\u0000${st.sub.key}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { sub: st.sub, prev: st.lastSent, sockets: [], states: [] }));
      g.sockets.push(socket);
      g.states.push(st);
    }
    if (!frame) return;
    for (const g of groups.values()) {
      const mine = filterReadings(dir, g.sub, frame.readings) as Reading[];
      for (const st of g.states) {
        st.through = frame.seq;
        st.throughTs = frame.ts;
        if (mine.length > 0) st.lastSent = frame.seq;
      }
      if (mine.length === 0) continue;
      const packet = { seq: frame.seq, prev: g.prev, ts: frame.ts, ...toFramePoints(mine) };
      const [only] = g.sockets;
      // local: with the Redis adapter, a broadcast would also be published to the other instances.
      if (g.sockets.length === 1 && only) only.emit('readings', packet);
      else io.local.to(g.sockets.map((s) => s.id)).emit('readings', packet);
    }
  }
  const timer = setInterval(tick, frameMs);

  function broadcast(send: (socket: LiveSocket) => void, missed: (st: ClientState) => void): void {
    for (const socket of readers) {
      const st = socket.data.live;
      if (!st) continue;
      if (canSend(socket, st)) send(socket);
      else missed(st);
    }
  }

  function setStatus(event: DeviceStatusEvent): void {
    statuses.set(event.deviceId, event);
    if (event.stale) stale.add(event.deviceId);
    else stale.delete(event.deviceId);
    broadcast(
      (s) => s.emit('device:status', event),
      (st) => (st.missedStatus = true),
    );
  }

  // Devices turning stale (silent for too long) or fresh again, as ingest sees them.
  const staleTimer = opts.deviceStates
    ? setInterval(() => {
        let states: ReturnType<DeviceStates>;
        try {
          states = opts.deviceStates?.() ?? {};
        } catch (err) {
          log.error({ err }, 'reading device states failed');
          return;
        }
        for (const [deviceId, s] of Object.entries(states)) {
          const known = statuses.get(deviceId);
          if (known && Boolean(known.stale) !== s.stale) setStatus({ ...known, stale: s.stale, ts: now() });
        }
      }, opts.staleCheckMs ?? 5_000)
    : undefined;

  // A logout, an expired session, a revoked token or a lost permission ends the push.
  const reauthTimer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const st = socket.data.live;
      if (st) reauthenticate(socket, st);
    }
  }, opts.reauthMs ?? 60_000);

  function pushEvent(name: PushEventName, payload: unknown): boolean {
    const schema = PUSH_EVENT_SCHEMAS[name];
    if (!schema) {
      log.error({ name }, 'not a live push event');
      return false;
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      log.error({ name, issues: parsed.error.issues.slice(0, 5) }, 'live event not pushed: its payload does not match shared/live.ts');
      return false;
    }
    broadcast(
      (s) => (s.emit as (event: string, payload: unknown) => boolean)(name, parsed.data),
      (st) => (st.missedAlerts = true),
    );
    return true;
  }

  return {
    io,
    server: serverId,
    push(readings) {
      const oldest = now() - LIVE_WINDOW_MS;
      for (const r of readings) {
        if (r.ts < oldest) continue;
        pending.push(r);
        const prev = latest.get(r.seriesId);
        if (!prev || prev.ts <= r.ts) latest.set(r.seriesId, r);
      }
      if (stale.size > 0) {
        // A reading from a stale device makes it fresh at once, not at the next check.
        for (const r of readings) {
          const deviceId = Directory.deviceOf(r.seriesId);
          const known = stale.has(deviceId) ? statuses.get(deviceId) : undefined;
          if (known) setStatus({ ...known, stale: false, ts: now() });
        }
      }
    },
    status(event) {
      // Ingest says online or offline; whether the device is stale is kept from what was known.
      const known = statuses.get(event.deviceId);
      setStatus(event.stale === undefined && known?.stale !== undefined ? { ...event, stale: known.stale } : event);
    },
    pushEvent,
    alert: (kind, payload) => pushEvent(`alert:${kind}`, payload),
    clients: () => io.engine.clientsCount,
    stats() {
      let subscribed = 0;
      let lagging = 0;
      let maxPendingPackets = 0;
      let maxPendingBytes = 0;
      for (const socket of readers) {
        maxPendingBytes = Math.max(maxPendingBytes, pendingBytes(socket));
        const st = socket.data.live;
        if (st?.sub) subscribed++;
        if (st?.lagging) lagging++;
        maxPendingPackets = Math.max(maxPendingPackets, pendingPackets(socket));
      }
      return { clients: io.engine.clientsCount, subscribed, lagging, seq: ring.lastSeq, bufferedFrames: ring.size, bufferedReadings: ring.readings, maxPendingPackets, maxPendingBytes, framesHeld };
    },
    async close() {
      clearInterval(timer);
      clearInterval(reauthTimer);
      if (staleTimer) clearInterval(staleTimer);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
    },
  };
}
