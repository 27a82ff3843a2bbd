import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import type { Reading } from '../../shared/api';
import type { Logger } from '../logger';

/**
 * The instances of one site, through Redis (REDIS_URL, docs/deployment.md).
 *
 * socket.io runs on the Redis adapter, and each instance tells the others what it
 * ingested with serverSideEmit: with a shared subscription every reading reaches
 * one instance only, and a dashboard connected to any instance must still see it.
 * Each instance then frames the readings for its own clients exactly as it frames
 * its own (server/live), so numbering, replay and slow-client handling stay local.
 * Device statuses are not forwarded: every instance gets them from the broker.
 *
 * Readings are batched (at most every BATCH_MS) so that Redis carries one message
 * per instance and batch, not one per MQTT message; live frames are 250 ms apart,
 * so 50 ms of batching is not visible on a dashboard.
 */
export const BATCH_MS = 50;
/** How long a request to the other instances waits for all of them (an instance that died does not answer). */
export const REQUESTS_TIMEOUT_MS = 3000;
const READINGS_EVENT = 'lnm:readings';

type RedisClient = ReturnType<typeof createClient>;

export interface ClusterOptions {
  url: string;
  siteId: string;
  instanceId: string;
  log: Logger;
}

export interface Cluster {
  /** Puts socket.io on the Redis adapter; the events below need it. */
  attach(io: Server): void;
  /** A Redis client for commands (not the adapter's): locks, shared keys. */
  redis: RedisClient;
  /** Key prefix of this site: every key and channel of ours starts with it. */
  prefix: string;
  /** Readings this instance ingested: the other instances' dashboards get them too. */
  shareReadings(readings: Reading[]): void;
  /** Readings another instance ingested. */
  onReadings(listener: (readings: Reading[]) => void): void;
  /** Sends an event to the other instances' handlers registered with on(). */
  emit(event: string, payload: unknown): void;
  on(event: string, listener: (payload: unknown) => void): void;
  /**
   * Asks every other instance; resolves with their answers (handle()'s return
   * values; null from instances with nothing to say), or rejects after
   * REQUESTS_TIMEOUT_MS with the answers that came (err.responses).
   */
  request(event: string, payload: unknown): Promise<unknown[]>;
  handle(event: string, answer: (payload: unknown) => unknown): void;
  /** Sends the readings batched so far now (at shutdown, before socket.io closes). */
  flush(): void;
  /** Closes the Redis clients: after socket.io closed (its adapter unsubscribes on close). */
  close(): Promise<void>;
}

/** The URL without its password, for logs. */
function display(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const { log } = opts;
  let attached: Server | undefined;
  const ioOf = (): Server => {
    if (!attached) throw new Error('cluster: socket.io not attached yet');
    return attached;
  };
  const prefix = `lnm:${opts.siteId}`;
  const where = display(opts.url);
  // Three connections: the adapter's publisher and subscriber (a subscribed Redis
  // connection can run no other command) and ours for commands.
  // At start a Redis that cannot be reached stops the start (three tries); once
  // connected, an outage is retried for as long as it lasts.
  let started = false;
  const reconnectStrategy = (retries: number, cause: Error) => (started ? Math.min(retries * 100, 2000) : retries >= 3 ? cause : 200);
  const pub = createClient({ url: opts.url, socket: { reconnectStrategy } });
  const sub = pub.duplicate();
  const cmd: RedisClient = createClient({ url: opts.url, socket: { reconnectStrategy } });
  let reported = false;
  for (const c of [pub, sub, cmd]) {
    c.on('error', (err: Error) => {
      // node-redis reconnects on its own; say it once per outage, not per retry.
      if (!reported) log.warn({ redis: where, err: err.message }, 'redis unreachable; retrying');
      reported = true;
    });
    c.on('ready', () => {
      if (reported) log.info({ redis: where }, 'redis reachable again');
      reported = false;
    });
  }
  try {
    await Promise.all([pub.connect(), sub.connect(), cmd.connect()]);
    started = true;
  } catch (err) {
    await Promise.allSettled([pub, sub, cmd].map((c) => (c.isOpen ? c.destroy() : undefined)));
    throw new Error(`REDIS_URL: cannot reach ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  log.info({ redis: where, instance: opts.instanceId }, 'sharing live push, sessions and alerts through redis');

  const listeners = new Map<string, Array<(payload: unknown) => void>>();
  const on = (event: string, listener: (payload: unknown) => void) => {
    let list = listeners.get(event);
    if (!list) {
      listeners.set(event, (list = []));
      // serverSideEmit reaches every other instance's io.on(event), never the sender's.
      const io = ioOf();
      const listen = io.on as (event: string, fn: (payload: unknown) => void) => void;
      listen.call(io, event, (payload) => {
        for (const l of listeners.get(event) ?? []) {
          try {
            l(payload);
          } catch (err) {
            log.error({ err, event }, 'handling an event from another instance failed');
          }
        }
      });
    }
    list.push(listener);
  };
  const emit = (event: string, payload: unknown) => {
    try {
      const io = ioOf();
      (io.serverSideEmit as (event: string, payload: unknown) => boolean).call(io, event, payload);
    } catch (err) {
      log.error({ err, event }, 'telling the other instances failed');
    }
  };

  let batch: Reading[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (batch.length === 0) return;
    const readings = batch;
    batch = [];
    emit(READINGS_EVENT, readings);
  };

  return {
    attach(io) {
      io.adapter(createAdapter(pub, sub, { key: `${prefix}:socket.io`, requestsTimeout: REQUESTS_TIMEOUT_MS }));
      attached = io;
    },
    redis: cmd,
    prefix,
    shareReadings(readings) {
      for (const r of readings) batch.push(r);
      timer ??= setTimeout(flush, BATCH_MS);
    },
    onReadings(listener) {
      on(READINGS_EVENT, (payload) => {
        if (Array.isArray(payload)) listener(payload as Reading[]);
      });
    },
    emit,
    on,
    async request(event, payload) {
      // The adapter waits REQUESTS_TIMEOUT_MS for every other instance's answer.
      const io = ioOf();
      return (io.serverSideEmitWithAck as (event: string, payload: unknown) => Promise<unknown[]>).call(io, event, payload);
    },
    handle(event, answer) {
      const io = ioOf();
      const listen = io.on as (event: string, fn: (payload: unknown, reply: (value: unknown) => void) => void) => void;
      listen.call(io, event, (payload, reply) => {
        let value: unknown;
        try {
          value = answer(payload);
        } catch (err) {
          log.error({ err, event }, 'answering another instance failed');
        }
        // socket.io needs an answer from each instance: null stands for "nothing to say".
        reply(value ?? null);
      });
    },
    flush() {
      if (timer) clearTimeout(timer);
      flush();
    },
    async close() {
      if (timer) clearTimeout(timer);
      batch = [];
      await Promise.allSettled([pub, sub, cmd].map((c) => c.quit()));
    },
  };
}
