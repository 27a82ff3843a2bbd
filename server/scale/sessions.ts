import type { Role } from '../../shared/auth';
import type { Accounts, SessionChange, SharedSessions } from '../auth/accounts';
import type { Logger } from '../logger';
import type { Cluster } from './cluster';

/**
 * Sessions shared by the instances of a site (REDIS_URL): a dashboard logged in
 * through one instance stays logged in whichever instance a load balancer sends
 * its next request or socket.io connection to.
 *
 * The instance that opens a session keeps it in its app.sqlite as before, and also
 * writes it to Redis (key <prefix>:session:<sha256 of the token>, expiring with the
 * session) and tells the other instances at once. Each instance keeps the
 * sessions of the others in memory, loaded from Redis at start and kept current by
 * those messages, so that checking a token stays a synchronous lookup. A logout, a
 * password or role change, a disabled or deleted user end the sessions on every
 * instance (where a session was opened, it is deleted from that app.sqlite too). Tokens themselves never leave the instance: only their SHA-256.
 *
 * Users, their password hashes and API tokens are shared by ./accounts.ts; this
 * module carries only the sessions opened with them.
 */
const EVENT = 'lnm:session';

interface Entry {
  username: string;
  role: Role;
  expiresAt: number;
}

export async function shareSessions(opts: { accounts: Accounts; cluster: Cluster; log: Logger; now?: () => number }): Promise<void> {
  const { cluster, log } = opts;
  const now = opts.now ?? Date.now;
  const prefix = `${cluster.prefix}:session:`;
  const remote = new Map<string, Entry>();

  function apply(change: SessionChange): void {
    if (change.type === 'open') remote.set(change.hash, { username: change.username, role: change.role, expiresAt: change.expiresAt });
    else if (change.type === 'close') remote.delete(change.hash);
    else for (const [hash, e] of remote) if (e.username === change.username) remote.delete(hash);
  }

  // What the others opened before this instance started.
  for await (const keys of cluster.redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    const list = Array.isArray(keys) ? keys : [keys];
    if (list.length === 0) continue;
    const values = await cluster.redis.mGet(list);
    list.forEach((key, i) => {
      const v = values[i];
      if (typeof v !== 'string') return;
      try {
        remote.set(String(key).slice(prefix.length), JSON.parse(v) as Entry);
      } catch {
        log.warn({ key }, 'unreadable shared session ignored');
      }
    });
  }
  cluster.on(EVENT, (payload) => {
    const change = payload as SessionChange;
    apply(change);
    // A logout on another instance may end a session opened here.
    opts.accounts.applyShared(change);
  });

  const shared: SharedSessions = {
    get(hash) {
      const e = remote.get(hash);
      if (e && e.expiresAt < now()) remote.delete(hash);
      return e;
    },
    changed(change) {
      // Here (a logout here of a session opened elsewhere), then everywhere else.
      if (change.type !== 'open') apply(change);
      cluster.emit(EVENT, change);
      const write = async () => {
        if (change.type === 'open') {
          const value: Entry = { username: change.username, role: change.role, expiresAt: change.expiresAt };
          await cluster.redis.set(`${prefix}${change.hash}`, JSON.stringify(value), { expiration: { type: 'PXAT', value: change.expiresAt } });
        } else if (change.type === 'close') {
          await cluster.redis.del(`${prefix}${change.hash}`);
        } else {
          for await (const keys of cluster.redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
            const list = Array.isArray(keys) ? keys : [keys];
            if (list.length === 0) continue;
            const values = await cluster.redis.mGet(list);
            const mine = list.filter((_, i) => {
              const v = values[i];
              return typeof v === 'string' && (JSON.parse(v) as Entry).username === change.username;
            });
            if (mine.length > 0) await cluster.redis.del(mine);
          }
        }
      };
      write().catch((err: unknown) => log.error({ err: (err as Error).message, change: change.type }, 'sharing a session change through redis failed'));
    },
  };
  opts.accounts.shared = shared;
  log.info({ sessions: remote.size }, 'sessions shared with the other instances');
}
