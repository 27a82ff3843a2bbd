import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import type { Cluster } from './cluster';

/** Extends the lease only if this holder still has it (compare-and-expire, atomic in Redis). */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A mutex shared by the instances of a site: a Redis key set with NX and a lease,
 * released by its holder only (compare-and-delete). Used around InfluxDB batch
 * writes, whose rollups are read, merged and written back (server/store/influx.ts):
 * two instances merging into the same minute at once would lose one's readings
 * from the rollup. With the lock, the second reads what the first wrote.
 *
 * The lease (default 5 s) is renewed at a third of it while the holder works, so
 * it bounds how long a holder that died (kill -9 in the middle of a write) blocks
 * the others, not how long a write may take; their readings wait in their spools
 * meanwhile. A waiter gives up after waitMs (default 30 s: Redis unreachable, or a
 * holder stuck that long) and writes without the lock, with a warning: readings
 * are never held back indefinitely for the sake of a rollup.
 */
export function redisMutex(cluster: Pick<Cluster, 'redis' | 'prefix'>, name: string, log: Logger, leaseMs = 5_000, waitMs = 30_000): <T>(fn: () => Promise<T>) => Promise<T> {
  const key = `${cluster.prefix}:lock:${name}`;
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const token = randomBytes(12).toString('base64url');
    const deadline = Date.now() + waitMs;
    let held = false;
    let delay = 5;
    while (!held && Date.now() < deadline) {
      try {
        held = (await cluster.redis.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: leaseMs } })) === 'OK';
      } catch (err) {
        log.debug({ err: (err as Error).message, lock: name }, 'lock: redis unreachable, retrying');
      }
      if (!held) {
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 100);
      }
    }
    if (!held) log.warn({ lock: name, waitedMs: waitMs }, 'lock not obtained in time: writing without it');
    const renew = held ? setInterval(() => void cluster.redis.eval(RENEW, { keys: [key], arguments: [token, String(leaseMs)] }).catch(() => undefined), Math.round(leaseMs / 3)) : undefined;
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      if (held) await cluster.redis.eval(RELEASE, { keys: [key], arguments: [token] }).catch(() => undefined);
    }
  };
}
