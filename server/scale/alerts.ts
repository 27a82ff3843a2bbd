import type { AlertEvent } from '../../shared/alerts';
import type { Reading } from '../../shared/api';
import type { DeviceStatusEvent } from '../../shared/live';
import { type AlertTableChange, type AlertTables, type Alerts, AlertsError } from '../alerts/index';
import type { AlertsApi } from '../api/routes/alerts';
import { HttpError } from '../api/registry';
import type { Logger } from '../logger';
import type { Cluster } from './cluster';

/**
 * Alerts when the site runs on several instances (REDIS_URL): one instance, the
 * alerts leader, runs them; the others ask it.
 *
 * Every instance has its engine, but only the leader's is fed: with every reading
 * of the site (its own ingest and, through the cluster, the other instances'),
 * every status and the periodic tick. So an alert is raised once, by one engine,
 * in one app.sqlite, with one id, whichever instance ingested the reading. Its
 * events reach every instance's dashboards (the leader sends them to the others).
 * The alert API on any instance (list, acknowledge, shelve, rules) is answered by
 * the leader through Redis, so an acknowledgement made on one instance is the
 * acknowledgement everyone sees.
 *
 * Leadership is a Redis key set with NX and a lease (LEASE_MS), renewed at a third
 * of it: if the leader dies, another instance takes over within the lease.
 *
 * The alert state goes with the leadership: the leader writes every row of its
 * alert tables it changes (alerts, their audit trail, the rules made over the API,
 * the rules' enabled and shelved overrides) to Redis hashes, `<prefix>:alerts:rows:*`,
 * and an instance that becomes leader takes those tables as its own before it
 * evaluates anything. So after a failover the open alerts keep their ids, an
 * acknowledgement stays made, a rule made over the API still runs, and a condition
 * still true is not raised a second time. The first leader of a site seeds Redis
 * with its own tables (`<prefix>:alerts:seeded`). What a leader changed in the
 * instant before it died, before its Redis write, is what a failover may lose.
 */
export const LEASE_MS = 10_000;
const CALL_EVENT = 'lnm:alerts-call';
const ALERT_EVENT = 'lnm:alert-event';
/** Renews the lease only if this instance still holds it (compare-and-expire, atomic in Redis). */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

type Method = keyof AlertsApi;
const METHODS: readonly Method[] = ['list', 'get', 'acknowledge', 'shelve', 'unshelve', 'audit', 'rules', 'rule', 'createRule', 'updateRule', 'setRuleEnabled', 'deleteRule', 'shelveRule', 'unshelveRule'];

type Answer = { ok: true; value: unknown } | { ok: false; status: 400 | 404 | 409; message: string; details?: unknown };

export interface SharedAlerts {
  api: AlertsApi;
  onReadings(readings: readonly Reading[]): void;
  onStatus(event: DeviceStatusEvent): void;
  isLeader(): boolean;
  close(): Promise<void>;
}

export function shareAlerts(opts: { local: Alerts; cluster: Cluster; instanceId: string; log: Logger; tickMs: number; push: (event: AlertEvent) => void; leaseMs?: number }): SharedAlerts {
  const { local, cluster, log } = opts;
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const key = `${cluster.prefix}:alerts:leader`;
  let leader = false;
  /** Leader, with the site's alert tables taken: only then does it evaluate and answer. */
  let ready = false;
  let closed = false;
  const redis = cluster.redis;
  const SEEDED = `${cluster.prefix}:alerts:seeded`;
  const TABLES: readonly (keyof AlertTables)[] = ['alerts', 'audit', 'rules', 'ruleStates'];
  const hash = (table: keyof AlertTables) => `${cluster.prefix}:alerts:rows:${table}`;

  /** The leader's changes, in the order they were made (one Redis connection keeps it). */
  function share(changes: AlertTableChange[]): void {
    if (!leader) return;
    const m = redis.multi();
    for (const c of changes) {
      if (c.row) m.hSet(hash(c.table), c.key, JSON.stringify(c.row));
      else m.hDel(hash(c.table), c.key);
    }
    m.exec().catch((err: unknown) => log.error({ err: (err as Error).message, changes: changes.length }, 'sharing an alert change through redis failed: a failover would miss it'));
  }

  async function readTables(): Promise<AlertTables> {
    const all = await Promise.all(TABLES.map((t) => redis.hGetAll(hash(t))));
    const rows = <T>(h: Record<string, string>) => Object.values(h).map((v) => JSON.parse(v) as T);
    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    return {
      alerts: rows<AlertTables['alerts'][number]>(all[0] ?? {}).sort(byId),
      audit: rows<AlertTables['audit'][number]>(all[1] ?? {}).sort(byId),
      rules: rows<AlertTables['rules'][number]>(all[2] ?? {}),
      ruleStates: rows<AlertTables['ruleStates'][number]>(all[3] ?? {}),
    };
  }

  /** Becoming leader: the site's tables, or (the site's first leader) ours to the site. */
  async function adopt(): Promise<void> {
    if (await redis.get(SEEDED)) {
      local.replica.replace(await readTables());
    } else {
      const t = local.replica.tables();
      const m = redis.multi();
      for (const table of TABLES) {
        m.del(hash(table));
        for (const row of t[table] as Array<{ id?: number; rule_id?: string }>) m.hSet(hash(table), String(row.id ?? row.rule_id), JSON.stringify(row));
      }
      m.set(SEEDED, opts.instanceId);
      await m.exec();
      log.info({ alerts: t.alerts.length, rules: t.rules.length }, 'alert tables shared with the site');
    }
    local.replica.onRowChange(share);
  }

  function stepDown(): void {
    leader = false;
    ready = false;
    local.replica.onRowChange(undefined);
  }

  async function campaign(): Promise<void> {
    if (closed) return;
    try {
      if (leader) {
        const kept = await cluster.redis.eval(RENEW, { keys: [key], arguments: [opts.instanceId, String(leaseMs)] });
        if (kept !== 1) {
          stepDown();
          log.warn({ instance: opts.instanceId }, 'no longer the alerts leader');
        }
      } else {
        const won = await cluster.redis.set(key, opts.instanceId, { condition: 'NX', expiration: { type: 'PX', value: leaseMs } });
        if (won === 'OK') {
          leader = true;
          await adopt();
          ready = leader;
          log.info({ instance: opts.instanceId }, 'alerts leader: this instance runs the alerts of the site');
        }
      }
    } catch (err) {
      // Redis unreachable: a leader that cannot renew stops leading before its lease ends elsewhere.
      if (leader) log.warn({ err: (err as Error).message }, 'cannot renew the alerts lease, or take the alert tables; stepping down');
      if (leader) await cluster.redis.eval(RELEASE, { keys: [key], arguments: [opts.instanceId] }).catch(() => undefined);
      stepDown();
    }
  }
  void campaign();
  const leaseTimer = setInterval(() => void campaign(), Math.floor(leaseMs / 3));
  const tickTimer = opts.tickMs > 0 ? setInterval(() => ready && local.tick(), opts.tickMs) : undefined;

  // The leader's alert events go to the other instances' dashboards.
  const stopForward = local.onChange((event) => {
    if (ready) cluster.emit(ALERT_EVENT, event);
  });
  cluster.on(ALERT_EVENT, (event) => opts.push(event as AlertEvent));

  // Calls from the other instances' API: the leader answers, the others say nothing.
  cluster.handle(CALL_EVENT, (payload) => {
    if (!ready) return undefined;
    const { method, args } = payload as { method: Method; args: unknown[] };
    if (!METHODS.includes(method)) return undefined;
    try {
      const value = (local[method] as (...a: unknown[]) => unknown)(...args);
      return { ok: true, value: value === undefined ? null : value } satisfies Answer;
    } catch (err) {
      if (err instanceof AlertsError) return { ok: false, status: err.status, message: err.message, details: err.details } satisfies Answer;
      throw err;
    }
  });

  async function call(method: Method, args: unknown[]): Promise<unknown> {
    if (ready) return (local[method] as (...a: unknown[]) => unknown)(...args);
    let answers: unknown[];
    try {
      answers = await cluster.request(CALL_EVENT, { method, args });
    } catch (err) {
      // Some instance did not answer in time; the leader may have.
      answers = ((err as { responses?: unknown[] }).responses ?? []) as unknown[];
    }
    const answer = answers.find((a): a is Answer => a !== null && typeof a === 'object' && 'ok' in a);
    if (!answer) throw new HttpError(503, 'the alerts are run by another instance, which does not answer now: retry in a few seconds', { retryAfterS: Math.ceil(leaseMs / 1000) });
    if (!answer.ok) throw new AlertsError(answer.status, answer.message, answer.details);
    return answer.value;
  }

  const api = Object.fromEntries(METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as AlertsApi;

  return {
    api,
    onReadings(readings) {
      if (ready) local.onReadings(readings);
    },
    onStatus(event) {
      if (ready) local.onStatus(event);
    },
    isLeader: () => ready,
    async close() {
      closed = true;
      clearInterval(leaseTimer);
      if (tickTimer) clearInterval(tickTimer);
      stopForward();
      // Hand over at once rather than at the end of the lease.
      if (leader) {
        stepDown();
        await cluster.redis.eval(RELEASE, { keys: [key], arguments: [opts.instanceId] }).catch(() => undefined);
      }
    },
  };
}
