import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createClient } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertEvent, AlertListResponse } from '../../shared/alerts';
import type { IngestStatsResponse } from '../../shared/api';
import { catalogue, checkPoint, findDevice, seriesId } from '../../shared/catalogue';
import { type ClientToServerEvents, type ServerToClientEvents, frameReadings } from '../../shared/live';
import { SenmlPackSchema, resolvePack } from '../../shared/senml';
import { provision, simulatorSecretsFile } from '../../server/auth/provision';
import { Registry } from '../../server/auth/registry';
import { type RunningInfluxd, influxdAvailable, startInfluxd } from '../helpers/influxd';
import { type RunningMosquitto, mosquittoAvailable, startMosquitto } from '../helpers/mosquitto';
import { type Spawned, spawnServer, spawnTs } from '../helpers/process';
import { type RunningRedis, redisAvailable, startRedis } from '../helpers/redis';
import { getJson, login, mqttCredentials, tempDir, waitFor } from '../helpers/server';
import { testNow } from '../helpers/clock';

/**
 * The site scaled out on existing engines, all real: Debian's Mosquitto (devices
 * authenticated from the registry's export), Redis and InfluxDB, two server
 * instances as separate processes sharing them, and the standalone simulator
 * playing the whole building against the broker.
 */
const engines = [mosquittoAvailable(), redisAvailable(), influxdAvailable()];
const missing = engines.filter((e) => !e.ok).map((e) => e.reason);
const SITE = 'le-numerique';
const DB = 'lnm_scale';
const RULE = 'outdoor-temperature-seen';
// docs/deployment.md's settings: QoS 0 readings (room sensors, the weather station)
// reach the instances at QoS 1, so that they too are queued for a dead instance's
// session and acknowledged once stored; no cap of 20 unacknowledged messages.
const SCALE_OUT_MOSQUITTO = ['upgrade_outgoing_qos true', 'max_inflight_messages 0', 'max_queued_messages 100000'];
type Dashboard = Socket<ServerToClientEvents, ClientToServerEvents>;

async function influxQuery(url: string, q: string): Promise<Array<{ tags?: Record<string, string>; values?: [string, number][] }>> {
  const res = await fetch(`${url}/query?db=${DB}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ tags?: Record<string, string>; values?: [string, number][] }> }> };
  return body.results[0]?.series ?? [];
}

/** Counts per series: raw readings, and the readings the 1-minute rollups count. */
async function stored(url: string): Promise<{ raw: Map<string, number>; rollup: Map<string, number> }> {
  const raw = new Map<string, number>();
  const rollup = new Map<string, number>();
  for (const s of await influxQuery(url, 'SELECT count("value") FROM "raw"."reading" GROUP BY "series"')) raw.set(s.tags?.series ?? '', Number(s.values?.[0]?.[1] ?? 0));
  for (const s of await influxQuery(url, 'SELECT sum("count") FROM "rollups"."reading_1m" GROUP BY "series"')) rollup.set(s.tags?.series ?? '', Number(s.values?.[0]?.[1] ?? 0));
  return { raw, rollup };
}

describe.skipIf(missing.length > 0)(`two instances on Mosquitto, Redis and InfluxDB${missing.length ? ` (skipped: ${missing.join('; ')})` : ''}`, () => {
  let broker: RunningMosquitto | undefined;
  let redis: RunningRedis | undefined;
  let influx: RunningInfluxd | undefined;
  const procs: Spawned[] = [];
  let watcher: MqttClient | undefined;
  let dashboard: Dashboard | undefined;

  afterAll(async () => {
    dashboard?.close();
    await watcher?.endAsync();
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await Promise.all([broker?.stop(), redis?.stop(), influx?.close()]);
  });

  it('stores every reading exactly once with exact rollups, shows a dashboard on A what B ingested, loses nothing when B is killed or C stops, and raises the alert once', async () => {
    // The site's registry, exported to Mosquitto; the servers log in to it as "admin".
    const site = tempDir('lnm-scale-');
    await provision(new Registry(site, SITE), catalogue, site);
    const exportDir = path.join(site, 'mosquitto');
    const exported = spawnTs('scripts/devices.ts', { DATA_DIR: site }, ['export-mosquitto', exportDir]);
    expect((await exported.exited).code, exported.output()).toBe(0);
    const rulesFile = path.join(site, 'rules.json');
    // A rule the weather station's first reading meets and every later one keeps met: it must be raised once.
    fs.writeFileSync(rulesFile, JSON.stringify({ version: 1, rules: [{ id: RULE, name: 'Température extérieure relevée', severity: 'info', kind: 'threshold', target: { series: ['weather-station.temperature'] }, op: 'above', value: -100 }] }));
    [broker, redis, influx] = await Promise.all([startMosquitto({ passwordFile: path.join(exportDir, 'passwd'), aclFile: path.join(exportDir, 'acl'), extra: SCALE_OUT_MOSQUITTO }), startRedis(), startInfluxd()]);
    const admin = mqttCredentials(site, 'admin');
    const mqttUrl = new URL(broker.url);
    mqttUrl.username = admin.username;
    mqttUrl.password = admin.password;

    const start = (name: string): Spawned => {
      const p = spawnServer({
        HTTP_PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: tempDir(`lnm-scale-${name}-`),
        SIMULATOR: 'off',
        LOG_LEVEL: 'warn',
        MQTT_URL: mqttUrl.toString(),
        REDIS_URL: redis?.url ?? '',
        STORE: 'influx',
        INFLUX_URL: `${influx?.url}/${DB}`,
        STORE_FLUSH_MS: '200',
        INSTANCE_ID: name,
        ALERT_RULES_FILE: rulesFile,
      });
      procs.push(p);
      return p;
    };
    const httpPort = (p: Spawned) =>
      waitFor(() => {
        if (p.child.exitCode !== null) throw new Error(`a server exited:\n${p.output()}`);
        const m = /Dashboard: http:\/\/[^:]+:(\d+)\//.exec(p.output());
        return m ? Number(m[1]) : undefined;
      }, 'a server started', 60_000);
    // A first, and leading the alerts, before B starts.
    const a = start('a');
    const base = `http://127.0.0.1:${await httpPort(a)}`;
    const leader = createClient({ url: redis.url });
    await leader.connect();
    await waitFor(async () => (await leader.get(`lnm:${SITE}:alerts:leader`)) === 'a', 'instance A leading the alerts');
    await leader.quit();
    const b = start('b');
    const baseB = `http://127.0.0.1:${await httpPort(b)}`;
    const token = await login(base);
    const tokenB = await login(baseB, 'admin', undefined, false);

    // What the devices publish, as a subscriber of every telemetry topic sees it.
    const published = new Map<string, Set<number>>();
    watcher = await mqtt.connectAsync(broker.url, { clientId: 'scale-watcher', ...admin });
    watcher.on('message', (topic, payload) => {
      const deviceId = topic.split('/')[1] ?? '';
      const known = findDevice(catalogue, deviceId);
      const pack = SenmlPackSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!known || !pack.success) return;
      for (const rec of resolvePack(pack.data, testNow()).records) {
        const check = checkPoint(deviceId, known.type, rec);
        if (!check.ok) continue;
        const id = seriesId(deviceId, check.point.name);
        if (!published.has(id)) published.set(id, new Set());
        published.get(id)?.add(rec.timeMs);
      }
    });
    await watcher.subscribeAsync(`${SITE}/+/telemetry`, { qos: 1 });

    // A dashboard on instance A, following every device.
    const seen = new Set<string>();
    const alertEvents: AlertEvent[] = [];
    dashboard = io(base, { auth: { token }, transports: ['websocket'] });
    dashboard.on('readings', (frame) => {
      for (const r of frameReadings(frame)) seen.add(`${r.seriesId}@${r.ts}`);
    });
    dashboard.on('alert:raised', (e) => alertEvents.push(e));
    await waitFor(() => dashboard?.connected, 'the dashboard connected');
    expect(await dashboard.timeout(5000).emitWithAck('subscribe', { devices: catalogue.devices.map((d) => d.id) })).toMatchObject({ ok: true });

    // The whole building, one pack per device and second.
    const sim = spawnTs('simulator/cli.ts', {}, ['--broker', broker.url, '--credentials', simulatorSecretsFile(site), '--period', '1000', '--log-level', 'warn']);
    procs.push(sim);
    const accepted = async (url: string, t: string) => (await getJson<IngestStatsResponse>(`${url}/api/v1/ingest/stats`, t)).body.accepted;
    await waitFor(async () => (await accepted(baseB, tokenB)) > 200 && (await accepted(base, token)) > 200, 'both instances ingesting', 30_000);

    // Every reading published up to 2 s ago reached the dashboard on A, B's share included.
    const cut = testNow() - 2000;
    const settled = [...published].flatMap(([id, ts]) => [...ts].filter((t) => t <= cut).map((t) => `${id}@${t}`));
    expect(settled.length).toBeGreaterThan(50);
    await waitFor(() => settled.every((k) => seen.has(k)), 'the dashboard on A to show every reading, B\'s included', 10_000);

    // B is killed (SIGKILL: no flush, no goodbye). What it had received but not yet
    // stored was not acknowledged, so it stays in B's broker session with B's share
    // of what came next; A sees B's lease lapse, takes the session over, stores what
    // is in it and ends it: from then on every reading goes to A.
    const atKill = [...published.values()].reduce((n, s) => n + s.size, 0);
    // Right after a second's packs arrive: B holds readings it has not stored yet (STORE_FLUSH_MS 200).
    await new Promise<void>((resolve) => watcher?.once('message', () => setTimeout(resolve, 30)));
    const killAt = testNow();
    b.child.kill('SIGKILL');
    expect((await b.exited).signal).toBe('SIGKILL');
    await waitFor(() => /taken over and ended/.test(a.output()), 'A taking over the broker session of B', 40_000);
    const taken = /"messages":(\d+)[^\n]*taken over and ended/.exec(a.output());
    expect(Number(taken?.[1])).toBeGreaterThan(0);
    await waitFor(() => [...published.values()].reduce((n, s) => n + s.size, 0) > atKill + 300, 'more readings after B was killed', 30_000);

    // C joins, takes its share, then stops (SIGTERM, a deployment): it unsubscribes so
    // the broker hands its share back at once, stores and acknowledges what it had,
    // and ends its session: nothing is left at the broker for another to take over.
    const c = start('c');
    const baseC = `http://127.0.0.1:${await httpPort(c)}`;
    const tokenC = await login(baseC, 'admin', undefined, false);
    await waitFor(async () => (await accepted(baseC, tokenC)) > 100, 'instance C ingesting', 30_000);
    const atStop = [...published.values()].reduce((n, s) => n + s.size, 0);
    const stopAt = testNow();
    c.child.kill('SIGTERM');
    expect((await c.exited).code, c.output()).toBe(0);
    const sessions = createClient({ url: redis.url });
    await sessions.connect();
    expect(await sessions.sMembers(`lnm:${SITE}:broker-sessions`)).toEqual(['lenumerique-server-a']);
    await sessions.quit();
    await waitFor(() => [...published.values()].reduce((n, s) => n + s.size, 0) > atStop + 300, 'more readings after C stopped', 30_000);
    sim.child.kill('SIGINT');
    await sim.exited;

    // Every reading published is stored exactly once, and the 1-minute rollups count each once.
    // A batch's raw readings are written before its rollups (server/store/influx.ts, step 4),
    // so the last batch's raw readings may be visible a moment before its rollups: wait for both.
    const total = [...published.values()].reduce((n, s) => n + s.size, 0);
    let last: Awaited<ReturnType<typeof stored>> | undefined;
    const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
    const counts = await waitFor(async () => {
      last = await stored(`${influx?.url}`);
      return sum(last.raw) >= total && sum(last.rollup) >= total && last;
    }, `${total} readings in InfluxDB, raw and in the 1-minute rollups`, 30_000).catch(async (e: Error) => {
      const short = [...published].filter(([id, ts]) => (last?.rollup.get(id) ?? 0) !== ts.size).map(([id, ts]) => `${id} ${last?.rollup.get(id) ?? 0}/${ts.size}`);
      if (last && sum(last.raw) >= total) throw new Error(`${e.message}; raw complete, rollups off: ${short.join(', ')}`);
      // Which readings are missing, by second after B's kill: what went wrong, at a glance.
      const missing = new Map<number, number>();
      for (const [id, ts] of published) {
        const r = await influxQuery(`${influx?.url}`, `SELECT "value" FROM "raw"."reading" WHERE "series" = '${id}'`);
        const have = new Set((r[0]?.values ?? []).map((v) => Number(v[0])));
        for (const t of ts) if (!have.has(t)) missing.set(Math.round((t - killAt) / 1000), (missing.get(Math.round((t - killAt) / 1000)) ?? 0) + 1);
      }
      throw new Error(`${e.message}; missing, by second after B's kill: ${JSON.stringify([...missing].sort((x, y) => x[0] - y[0]))} (C stopped at ${Math.round((stopAt - killAt) / 1000)} s)`);
    });
    for (const [id, ts] of published) {
      expect(counts.raw.get(id), id).toBe(ts.size);
      expect(counts.rollup.get(id), id).toBe(ts.size);
    }
    expect(counts.raw.size).toBe(published.size);

    // The alert: raised once, one alert on the site, one event on the dashboard.
    const { body } = await getJson<AlertListResponse>(`${base}/api/v1/alerts?state=all&rule=${RULE}`, token);
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0]).toMatchObject({ ruleId: RULE, occurrences: 1 });
    expect(alertEvents.filter((e) => e.alert.ruleId === RULE)).toHaveLength(1);
  }, 180_000);
});
