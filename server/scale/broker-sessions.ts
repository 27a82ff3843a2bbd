import type { Logger } from '../logger';
import type { Cluster } from './cluster';

/**
 * The broker sessions of the instances of a site (MQTT_URL with REDIS_URL): when
 * an instance dies (kill -9, a crash, its machine gone), another one takes its
 * session over, so that its share of the telemetry moves to the living and what
 * it had received but not stored is stored by them.
 *
 * Why: a shared subscription's broker hands each message to one member. Each
 * instance keeps its session at the broker and acknowledges a message once it is
 * stored (server/broker/acks.ts), so a dead instance's unacknowledged messages
 * stay in its session. Mosquitto then goes on giving that session its share of
 * the group (it does not send a dead member's messages to another member, as
 * MQTT 5.0 §4.8.2 allows but does not require: eclipse-mosquitto/mosquitto#2662).
 * A living instance resumes the dead one's session under its client id, takes
 * what is queued in it and ends it; from then on the group is the living.
 *
 * Liveness is a Redis key per instance, `<prefix>:broker-session:<clientId>`,
 * set with a lease and renewed at a third of it; the set
 * `<prefix>:broker-sessions` lists the sessions that may exist at the broker. A
 * session whose key lapsed is taken over by the one instance that wins
 * `<prefix>:broker-takeover:<clientId>` (SET NX). An instance that comes back
 * before that simply resumes its own session; one that comes back during it
 * takes its session back from the taker (the broker hands a client id's session
 * to its latest connection), and the taker stops.
 */
export const LEASE_MS = 10_000;

export interface BrokerSessions {
  /** Sessions taken over so far, with the messages taken (for logs and tests). */
  taken(): { clientId: string; messages: number }[];
  /** Gives this instance's lease up: call after its session was ended at the broker. */
  stop(): Promise<void>;
}

export function watchBrokerSessions(opts: {
  cluster: Cluster;
  /** This instance's broker client id. */
  clientId: string;
  /** Resumes, drains and ends the session of a dead instance (ExternalBroker.takeOver). */
  takeOver: (clientId: string) => Promise<number>;
  log: Logger;
  leaseMs?: number;
}): BrokerSessions {
  const { cluster, log } = opts;
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const redis = cluster.redis;
  const SESSIONS = `${cluster.prefix}:broker-sessions`;
  const alive = (id: string) => `${cluster.prefix}:broker-session:${id}`;
  const taking = (id: string) => `${cluster.prefix}:broker-takeover:${id}`;
  const taken: { clientId: string; messages: number }[] = [];
  let stopped = false;
  let busy: Promise<void> | undefined;

  async function beat(): Promise<void> {
    // SADD each time: a taker that finished removed this id if this instance came back meanwhile.
    await redis.multi().set(alive(opts.clientId), String(Date.now()), { PX: leaseMs }).sAdd(SESSIONS, opts.clientId).exec();
  }

  async function check(): Promise<void> {
    for (const id of await redis.sMembers(SESSIONS)) {
      if (stopped) return;
      if (id === opts.clientId || (await redis.exists(alive(id)))) continue;
      // One taker per session; the lease outlives a long drain, and is given up after.
      if ((await redis.set(taking(id), opts.clientId, { NX: true, PX: 6 * leaseMs })) !== 'OK') continue;
      try {
        log.warn({ session: id }, 'an instance stopped renewing its lease: taking its broker session over');
        const messages = await opts.takeOver(id);
        // Not if it came back meanwhile (its lease again): it is in the set for its own next beat.
        if (!(await redis.exists(alive(id)))) await redis.sRem(SESSIONS, id);
        taken.push({ clientId: id, messages });
        log.warn({ session: id, messages }, 'broker session of a dead instance taken over and ended: its share is ours now');
      } catch (err) {
        log.warn({ session: id, err: err instanceof Error ? err.message : String(err) }, 'taking a broker session over failed; another try at the next check');
      } finally {
        await redis.del(taking(id));
      }
    }
  }

  const tick = () => {
    // The lease is renewed even while a long takeover runs, or this instance would look dead.
    beat().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'renewing the broker session lease failed (redis?)'));
    busy ??= check()
      .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'broker sessions check failed (redis?)'))
      .finally(() => {
        busy = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, Math.round(leaseMs / 3));
  timer.unref();

  return {
    taken: () => [...taken],
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
      try {
        // Ended at the broker (a session expiry of 0): nothing left to take over.
        await redis.multi().del(alive(opts.clientId)).sRem(SESSIONS, opts.clientId).exec();
      } catch (err) {
        log.debug({ err }, 'giving the broker session lease up failed');
      }
    },
  };
}
