import type { AccountChange, Accounts, SharedToken, SharedUser } from '../auth/accounts';
import type { Logger } from '../logger';
import type { Cluster } from './cluster';

/**
 * Users and API tokens shared by the instances of a site (REDIS_URL): an account
 * made, changed or deleted through one instance is the same on every one, so a
 * load balancer may send a person or an integration anywhere.
 *
 * Redis holds the shared truth, as hashes keyed by username and token id:
 * `<prefix>:users` and `<prefix>:tokens` (scrypt hashes and token SHA-256s only,
 * never a password or a token), and the deletions, `<prefix>:users-deleted` and
 * `<prefix>:tokens-deleted`, with their time, so that an instance that was down
 * when an account was deleted does not bring it back. Each instance keeps a replica
 * in its app.sqlite, so that checking a token stays a synchronous lookup; changes
 * reach the others at once through the cluster's events, and at start an instance
 * brings what only it has (an instance that ran alone before) and takes the rest.
 *
 * Two instances changing one account in the same instant: the last write to Redis
 * wins there, and each instance applies both in the order it hears them; an
 * instance's next start takes Redis's version. The last login and a token's last
 * use stay each instance's own, as does the audit trail.
 */
const EVENT = 'lnm:account';

export interface AccountSharing {
  /** Listens to the other instances' changes; call once the cluster is attached to socket.io. */
  listen(): Promise<void>;
}

const parse = <T>(v: string | undefined): T | undefined => {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
};

export async function shareAccounts(opts: { accounts: Accounts; cluster: Cluster; log: Logger; now?: () => number }): Promise<AccountSharing> {
  const { accounts, cluster, log } = opts;
  const now = opts.now ?? Date.now;
  const redis = cluster.redis;
  const USERS = `${cluster.prefix}:users`;
  const TOKENS = `${cluster.prefix}:tokens`;
  const USERS_GONE = `${cluster.prefix}:users-deleted`;
  const TOKENS_GONE = `${cluster.prefix}:tokens-deleted`;
  let listening = false;

  /** Brings this instance's own accounts to Redis, then makes the replica here match Redis. */
  async function reconcile(): Promise<{ pulled: number; pushed: number; removed: number }> {
    const local = accounts.exportAccounts();
    const [usersGone, tokensGone] = await Promise.all([redis.hGetAll(USERS_GONE), redis.hGetAll(TOKENS_GONE)]);
    let pushed = 0;
    // HSETNX: what another instance already shares wins over this replica's copy.
    for (const [name, row] of local.users) {
      const gone = Number(usersGone[name] ?? Number.NEGATIVE_INFINITY);
      if (row.created_at > gone && (await redis.hSetNX(USERS, name, JSON.stringify(row)))) pushed++;
    }
    for (const [id, row] of local.tokens) {
      if (tokensGone[id] === undefined && (await redis.hSetNX(TOKENS, id, JSON.stringify(row)))) pushed++;
    }
    const [users, tokens] = await Promise.all([redis.hGetAll(USERS), redis.hGetAll(TOKENS)]);
    let pulled = 0;
    let removed = 0;
    // Users before tokens: a token needs its owner.
    for (const [username, v] of Object.entries(users)) {
      const row = parse<SharedUser>(v);
      if (!row) {
        log.warn({ username }, 'unreadable shared user ignored');
        continue;
      }
      accounts.applyAccount({ kind: 'user', username, row });
      pulled++;
    }
    for (const username of local.users.keys()) {
      if (users[username] === undefined) {
        accounts.applyAccount({ kind: 'user', username, row: null });
        removed++;
      }
    }
    for (const [id, v] of Object.entries(tokens)) {
      const row = parse<SharedToken>(v);
      if (!row) {
        log.warn({ id }, 'unreadable shared token ignored');
        continue;
      }
      accounts.applyAccount({ kind: 'token', id, row });
      pulled++;
    }
    for (const id of local.tokens.keys()) {
      if (tokens[id] === undefined) {
        accounts.applyAccount({ kind: 'token', id, row: null });
        removed++;
      }
    }
    return { pulled, pushed, removed };
  }

  async function write(change: AccountChange): Promise<void> {
    const at = String(now());
    if (change.kind === 'user') {
      if (change.row) await redis.multi().hSet(USERS, change.username, JSON.stringify(change.row)).hDel(USERS_GONE, change.username).exec();
      else {
        // The user's tokens went with it here (a foreign key cascade): the same everywhere.
        const tokens = await redis.hGetAll(TOKENS);
        const theirs = Object.entries(tokens)
          .filter(([, v]) => parse<SharedToken>(v)?.owner === change.username)
          .map(([id]) => id);
        const m = redis.multi().hDel(USERS, change.username).hSet(USERS_GONE, change.username, at);
        for (const id of theirs) m.hDel(TOKENS, id).hSet(TOKENS_GONE, id, at);
        await m.exec();
      }
    } else if (change.row) await redis.hSet(TOKENS, change.id, JSON.stringify(change.row));
    else await redis.multi().hDel(TOKENS, change.id).hSet(TOKENS_GONE, change.id, at).exec();
  }

  const first = await reconcile();
  log.info(first, 'users and API tokens shared with the other instances');
  accounts.sharedAccounts = (change) => {
    write(change)
      .then(() => {
        if (listening) cluster.emit(EVENT, change);
      })
      .catch((err: unknown) => log.error({ err: (err as Error).message, kind: change.kind }, 'sharing an account change through redis failed'));
  };

  return {
    async listen() {
      cluster.on(EVENT, (payload) => {
        const change = payload as AccountChange;
        if ((change?.kind === 'user' && typeof change.username === 'string') || (change?.kind === 'token' && typeof change.id === 'string')) accounts.applyAccount(change);
      });
      listening = true;
      // What changed between the first reconciliation and now.
      await reconcile();
    },
  };
}
