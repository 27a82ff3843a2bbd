import type { NotifySettings } from '../../shared/notify';
import type { Logger } from '../logger';
import type { NotifyShareChange, NotifySettingsStore, StoredWebhook } from '../notify/settings';
import type { Cluster } from './cluster';

/**
 * Notification settings and webhooks shared by the instances of a site
 * (REDIS_URL), as users and tokens are (accounts.ts): a person who saves their
 * address through one instance is notified by the alerts leader, whichever it
 * is. Redis holds the shared truth in two hashes, `<prefix>:notify-settings`
 * (by username) and `<prefix>:notify-webhooks` (by id, with the webhook's
 * secret: Redis is the site's own, behind the same walls as its app.sqlite);
 * each instance keeps a replica in its app.sqlite, changes reach the others at
 * once through the cluster's events, and at start an instance brings what only
 * it has and takes the rest. A webhook deleted while an instance was down comes
 * back with it if that instance had it: delete it again.
 */
const EVENT = 'lnm:notify-settings';

const parse = <T>(v: string): T | undefined => {
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
};

export async function shareNotifySettings(opts: { settings: NotifySettingsStore; cluster: Cluster; log: Logger }): Promise<void> {
  const { settings, cluster, log } = opts;
  const redis = cluster.redis;
  const SETTINGS = `${cluster.prefix}:notify-settings`;
  const WEBHOOKS = `${cluster.prefix}:notify-webhooks`;

  // What only this instance has goes to Redis (HSETNX: what is shared already wins), then the replica takes Redis's.
  for (const [username, s] of settings.all()) await redis.hSetNX(SETTINGS, username, JSON.stringify(s));
  for (const w of settings.webhooks()) await redis.hSetNX(WEBHOOKS, w.id, JSON.stringify(w));
  const [shared, hooks] = await Promise.all([redis.hGetAll(SETTINGS), redis.hGetAll(WEBHOOKS)]);
  for (const [username, v] of Object.entries(shared)) {
    const s = parse<NotifySettings>(v);
    if (s) settings.apply({ kind: 'settings', username, settings: s });
    else log.warn({ username }, 'unreadable shared notification settings ignored');
  }
  for (const [id, v] of Object.entries(hooks)) {
    const w = parse<StoredWebhook>(v);
    if (w) settings.apply({ kind: 'webhook', id, webhook: w });
  }

  settings.onChange = (change) => {
    const write = change.kind === 'settings' ? redis.hSet(SETTINGS, change.username, JSON.stringify(change.settings)) : change.webhook ? redis.hSet(WEBHOOKS, change.id, JSON.stringify(change.webhook)) : redis.hDel(WEBHOOKS, change.id);
    write.catch((err: unknown) => log.error({ err: (err as Error).message }, 'a notification setting could not be shared through Redis: the other instances get it at their next start'));
    cluster.emit(EVENT, change);
  };
  cluster.on(EVENT, (payload) => {
    const change = payload as NotifyShareChange;
    if ((change?.kind === 'settings' && typeof change.username === 'string') || (change?.kind === 'webhook' && typeof change.id === 'string')) settings.apply(change);
  });
  log.info({ settings: Object.keys(shared).length, webhooks: Object.keys(hooks).length }, 'notification settings shared through Redis');
}
