import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { HealthResponse } from '../shared/api';
import { type Catalogue, catalogue as defaultCatalogue, findDevice } from '../shared/catalogue';
import { type Simulator, startSimulator } from '../simulator/index';
import { building as defaultBuilding } from '../shared/catalogue';
import type { Building } from '../shared/building';
import { MS_PER_DAY } from '../shared/calendar';
import { DEFAULT_RULES_FILE, startAlerts } from './alerts/index';
import { harden } from './api/hardening';
import { createApi } from './api/index';
import type { AnyRoute } from './api/registry';
import { alertRoutes } from './api/routes/alerts';
import { authRoutes } from './api/routes/auth';
import { kpiRoutes } from './api/routes/kpi';
import { readingRoutes } from './api/routes/readings';
import { simulatorRoutes } from './api/routes/simulator';
import { siteRoutes } from './api/routes/site';
import { Accounts } from './auth/accounts';
import { openAppDb } from './db/app-db';
import { MQTT_WS_PATH, startBroker } from './broker/index';
import { type ExternalBroker, connectExternalBroker } from './broker/external';
import type { Config } from './config';
import { startIngest } from './ingest/index';
import { type Cluster, startCluster } from './scale/cluster';
import { type SharedAlerts, shareAlerts } from './scale/alerts';
import { redisMutex } from './scale/lock';
import { type AccountSharing, shareAccounts } from './scale/accounts';
import { shareSessions } from './scale/sessions';
import { type BrokerSessions, watchBrokerSessions } from './scale/broker-sessions';
import { DEFAULT_TICK_MS } from './alerts/engine';
import { aedesSource } from './ingest/source';
import { provision } from './auth/provision';
import { Registry } from './auth/registry';
import { listen } from './listen';
import { projectPath } from './paths';
import { startLive, tokenAuthenticator } from './live/index';
import { createLogger } from './logger';
import { startNotify } from './notify/index';
import { digestContent } from './notify/digest-content';
import { providersFromConfig, recipientsFrom } from './notify/from-config';
import { NotifySettingsStore } from './notify/settings';
import { shareNotifySettings } from './scale/notify';
import { createKpiService } from './kpi/service';
import { notifyRoutes } from './api/routes/notify';
import { openStore, scheduleRetention } from './store/index';
import { StoreWatch } from './store/watch';
import type { Store } from './store/types';

export const VERSION = '0.1.0';
export const DEFAULT_WEB_DIR = projectPath('web/dist');

export interface RunningServer {
  httpPort: number;
  /** The plain-text MQTT port; 0 when MQTT_PLAIN=off. */
  mqttPort: number;
  /** MQTT over TLS; undefined without TLS_CERT_FILE. */
  mqttsPort: number | undefined;
  /** Scaled out (REDIS_URL): whether this instance runs the site's alerts now; undefined on its own. */
  alertsLeader?: () => boolean;
  /** MQTT_URL without its password, when ingesting from an external broker. */
  externalBroker: string | undefined;
  /** The dashboard's URL: https:// when TLS is configured. */
  url: string;
  store: Store;
  accounts: Accounts;
  /** The first start's generated admin password, to print once; undefined otherwise. */
  generatedAdminPassword?: string;
  /** Flushes every buffered reading and stops everything. */
  close(): Promise<void>;
}

/**
 * Wires the data path: broker -> ingest -> store and live -> API. Every part is
 * started here and stopped here, in the reverse order of the data flow so that
 * nothing in flight is lost on shutdown.
 */
/** The TLS key and certificate, read once; an unreadable file stops the start with the variable's name. */
function readTls(config: Config): { key: Buffer; cert: Buffer } | undefined {
  if (!config.tls) return undefined;
  const read = (file: string, variable: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
  };
  return { cert: read(config.tls.certFile, 'TLS_CERT_FILE'), key: read(config.tls.keyFile, 'TLS_KEY_FILE') };
}

function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

export async function startServer(
  config: Config,
  opts: { catalogue?: Catalogue; building?: Building; webDir?: string; simulatorPeriodMs?: number; /** Tests: the first retry delay of notifications (default 15 s). */ notifyRetryBaseMs?: number } = {},
): Promise<RunningServer> {
  const tlsFiles = readTls(config);
  const logger = createLogger(config.logLevel);
  const log = logger('app');
  const cat = opts.catalogue ?? defaultCatalogue;
  const site = opts.building ?? defaultBuilding;
  // Every part's clock: the machine's, or shifted to TEST_NOW (server/config.ts, docs/testing.md).
  const now = config.now;
  const startedAt = Date.now();
  const storeLog = logger('store');
  // Scaled out (REDIS_URL): the instances of the site share live push, alerts and
  // InfluxDB batch writes through Redis (server/scale/). Connected first: the store uses it.
  const cluster: Cluster | undefined = config.scale.redisUrl ? await startCluster({ url: config.scale.redisUrl, siteId: config.siteId, instanceId: config.scale.instanceId, log: logger('cluster') }) : undefined;
  if (cluster && config.store.kind === 'sqlite') log.warn('REDIS_URL with STORE=sqlite: each instance stores only the readings it ingests; scaled out, use STORE=influx (docs/deployment.md)');
  // InfluxDB down at start does not stop the server: its store starts degraded and spools to disk.
  const store = await openStore({
    kind: config.store.kind,
    now,
    dataDir: config.dataDir,
    influxUrl: config.store.influxUrl,
    rawRetentionDays: config.store.rawRetentionDays,
    flushIntervalMs: config.store.flushIntervalMs,
    spoolMaxBytes: config.store.spoolMaxBytes,
    siteId: config.siteId,
    // Rollups are read, merged and written back per batch: one instance at a time.
    ...(cluster ? { serialize: redisMutex(cluster, 'influx-batch', storeLog) } : {}),
    log: storeLog,
  });
  const stopRetention = scheduleRetention(store, storeLog);
  // Users, sessions, tokens, the audit trail and alerts live in their own small SQLite file.
  const appDb = openAppDb(config.dataDir);
  const accounts = new Accounts(appDb, logger('auth'), now);
  // Alerts: the rules file and the rules made over the API, fed by ingest below (docs/alerts.md).
  // A rules file with problems stops the start, with every problem listed.
  let alerts: ReturnType<typeof startAlerts>;
  try {
    // Scaled out, the alerts leader drives the tick (server/scale/alerts.ts), not each engine.
    alerts = startAlerts({ db: appDb, catalogue: cat, building: site, rulesFile: config.alertRulesFile ?? DEFAULT_RULES_FILE, log: logger('alerts'), now, ...(config.scale.redisUrl ? { tickMs: 0 } : {}) });
  } catch (err) {
    stopRetention();
    appDb.close();
    await store.close();
    await cluster?.close();
    throw err;
  }
  // Scaled out, the users and API tokens of the other instances come first: an
  // instance joining a running site takes their admin rather than making its own.
  let accountSharing: AccountSharing | undefined;
  try {
    accountSharing = cluster ? await shareAccounts({ accounts, cluster, log: logger('auth'), now }) : undefined;
  } catch (err) {
    alerts.close();
    stopRetention();
    appDb.close();
    await store.close();
    await cluster?.close();
    throw err;
  }
  const admin = await accounts.ensureAdmin(config.auth.adminPassword);
  if (admin) log.info({ username: admin.username, generated: admin.generated }, 'first start: admin user created');
  // Every device, the simulator's control tool and an admin get an MQTT identity on the first start.
  const registry = new Registry(config.dataDir, config.siteId);
  const secrets = await provision(registry, cat, config.dataDir);
  // socket.io must see the request listener at attach time: it wraps it so that
  // /socket.io/ requests never reach express (which would answer them too).
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  // With a certificate, the one HTTP port speaks HTTPS only: the dashboard, the API,
  // socket.io and MQTT over WebSocket are all behind TLS (docs/security.md).
  let httpServer: http.Server | https.Server;
  try {
    httpServer = tlsFiles ? https.createServer({ ...tlsFiles, minVersion: 'TLSv1.2' }, (req, res) => handler(req, res)) : http.createServer((req, res) => handler(req, res));
  } catch (err) {
    stopRetention();
    alerts.close();
    appDb.close();
    await store.close();
    await cluster?.close();
    throw new Error(`TLS_CERT_FILE / TLS_KEY_FILE: not a usable certificate and key (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  let simulator: Simulator | undefined;
  let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
  let external: ExternalBroker | undefined;
  let brokerSessions: BrokerSessions | undefined;
  const brokerClientId = `lenumerique-server-${config.scale.instanceId}`;
  const whenWritable = store.whenWritable ? () => store.whenWritable?.() : undefined;
  try {
    if (config.scale.mqttUrl) {
      // Scaled out (docs/deployment.md): no embedded broker; devices connect to the
      // external one and this instance takes its share of their telemetry.
      // With REDIS_URL, a kept session acknowledged once stored, taken over by
      // another instance if this one dies (server/scale/broker-sessions.ts).
      external = await connectExternalBroker({
        url: config.scale.mqttUrl,
        group: config.scale.shareGroup,
        siteId: config.siteId,
        clientId: brokerClientId,
        log: logger('mqtt'),
        whenWritable,
        // Durable is in the database the instances share, not in this instance's spool:
        // a killed instance's spool waits for it to come back, which it may never do.
        // (InfluxDB unreachable: the spool it is, and the readings wait there.)
        ...(cluster ? { durable: () => store.flush(), ackIntervalMs: config.store.flushIntervalMs ?? (store.kind === 'influx' ? 1000 : 200) } : {}),
      });

    } else {
      broker = await startBroker({
        port: config.mqttPort,
        host: config.host,
        http: httpServer,
        log: logger('mqtt'),
        registry,
        maxPacketBytes: config.mqttMaxPacketBytes,
        auth: { loginAttempts: config.auth.loginAttempts, now },
        plain: config.mqttPlain,
        ...(tlsFiles && config.tls ? { tls: { port: config.tls.mqttsPort, ...tlsFiles } } : {}),
      });
    }
  } catch (err) {
    stopRetention();
    alerts.close();
    appDb.close();
    await store.close();
    await cluster?.close();
    throw err;
  }
  const live = startLive({
    http: httpServer,
    log: logger('live'),
    // The same session cookie or token as the REST API.
    authenticate: tokenAuthenticator((token) => accounts.authenticate(token)),
    catalogue: cat,
    deviceZone: (id) => registry.get(id)?.zone,
    latest: () => store.latest(),
    deviceStates: () => ingest.stats().devices,
    frameMs: config.liveFrameMs,
    now,
  });
  // Scaled out (REDIS_URL): the instances of the site share live push and alerts through Redis.
  let shared: SharedAlerts | undefined;
  if (cluster) {
    cluster.attach(live.io as unknown as Parameters<Cluster['attach']>[0]);
    // A session opened on any instance is valid on every one (server/scale/sessions.ts).
    await shareSessions({ accounts, cluster, log: logger('auth'), now });
    await accountSharing?.listen();
    // One instance runs the alerts for all (server/scale/alerts.ts).
    shared = shareAlerts({ local: alerts, cluster, instanceId: config.scale.instanceId, log: logger('alerts'), tickMs: DEFAULT_TICK_MS, push: (event) => live.pushEvent(event.type, event) });
    const sharedAlerts = shared;
    // What another instance ingested reaches this instance's dashboards, and the alerts if it leads them.
    cluster.onReadings((r) => {
      live.push(r);
      ingest.seen(r);
      sharedAlerts.onReadings(r);
    });
  }
  // Alert events go to every dashboard as they happen (typed in shared/live.ts).
  const stopAlertPush = alerts.onChange((event) => live.pushEvent(event.type, event));
  // And to people and systems (docs/notifications.md). Scaled out, only the alerts
  // leader's engine changes alerts, so only it sends: never two messages for one event.
  const notifyConfig = config.notify;
  // The dashboard's address messages link to: PUBLIC_URL, or where the server listens (set below, once it does).
  let publicUrl = `http${tlsFiles ? 's' : ''}://localhost:${config.httpPort}`;
  const notifySettings = new NotifySettingsStore(appDb, now);
  // ADMIN_EMAIL: the first admin's address, on the first start (later, the admin's own settings win).
  if (notifyConfig.adminEmail && !notifySettings.has('admin') && accounts.getUser('admin')) notifySettings.set('admin', { email: notifyConfig.adminEmail });
  // Scaled out, every instance has everyone's settings: the alerts leader, whichever it is, sends.
  if (cluster) await shareNotifySettings({ settings: notifySettings, cluster, log: logger('notify') });
  // Yesterday's energy for the digest, from the same KPI code as the energy page.
  const digestKpi = createKpiService({ store, catalogue: cat, building: site, now });
  const notify = startNotify({
    db: appDb,
    log: logger('notify'),
    now,
    providers: providersFromConfig(notifyConfig, site, notifySettings, () => notifyConfig.publicUrl ?? publicUrl),
    recipients: () => recipientsFrom({ notify: notifyConfig, settings: notifySettings, users: () => accounts.listUsers() }),
    retryBaseMs: opts.notifyRetryBaseMs,
    deviceType: (id) => findDevice(cat, id)?.type.id,
    settings: notifySettings,
    openAlerts: () => alerts.list({ state: 'open', limit: 1000 }).alerts,
    digestTime: notifyConfig.digestTime,
    escalationMs: notifyConfig.escalationMs,
    // Scaled out, the alerts leader alone escalates and makes the digest: never two messages for one event.
    leading: () => shared?.isLeader() ?? true,
    digestContent: (t) =>
      digestContent(t, {
        alerts: (q) => alerts.list(q).alerts,
        // Ingest starts below; the digest is made 30 s after the start at the earliest.
        devices: () => ingest.stats().devices,
        deviceLabel: (id) => findDevice(cat, id)?.device.label ?? id,
        energy: (q) => digestKpi.energy(q),
      }),
  });
  const stopNotifyFeed = alerts.onChange((event) => notify.onAlert(event));
  const ingest = startIngest({
    source: external?.source ?? aedesSource((broker as NonNullable<typeof broker>).aedes, whenWritable),
    store,
    catalogue: cat,
    siteId: config.siteId,
    log: logger('ingest'),
    onReadings: (r) => {
      live.push(r);
      if (shared) shared.onReadings(r);
      else alerts.onReadings(r);
      cluster?.shareReadings(r);
    },
    onStatus: (e) => {
      live.status(e);
      if (shared) shared.onStatus(e);
      else alerts.onStatus(e);
    },
    deadLetterCapacity: config.ingest.deadLetterCapacity,
    now,
    staleFactor: config.ingest.staleFactor,
    provisioned: (id) => {
      const c = registry.get(id);
      return c?.role === 'device' && !c.disabled ? { type: c.type, zone: c.zone } : undefined;
    },
  });

  if (cluster && external) {
    // Once ingest runs: what a takeover brings must reach the store before it is acknowledged.
    const ext = external;
    brokerSessions = watchBrokerSessions({ cluster, clientId: brokerClientId, takeOver: (id) => ext.takeOver(id), log: logger('mqtt') });
  }

  // A store that cannot keep readings raises the "storage failing" alert and shows in /api/health.
  const storeWatch = new StoreWatch(() => store.stats(), now);
  // Undefined: the first check also clears an alert a previous run left open.
  let storeFailing: boolean | undefined;
  const watchTimer = setInterval(() => {
    const c = storeWatch.check();
    // While failing, every check (a no-op once the alert is saved); otherwise on a change only.
    if (c.failing === storeFailing && !c.failing) return;
    if (c.failing !== storeFailing && (c.failing || storeFailing)) storeLog[c.failing ? 'error' : 'info']({ reason: c.reason }, c.failing ? 'storage failing' : 'storage keeps readings again');
    storeFailing = c.failing;
    alerts.system('storage-failing', c.failing, c.failing ? `Le stockage ne garde plus les relevés : ${c.reason ?? ''}` : 'Le stockage garde de nouveau les relevés.');
  }, 1_000);
  watchTimer.unref();

  const health = (): HealthResponse => {
    const s = store.stats();
    // A failure the backend names shows at once; a stuck one once the watch has seen it.
    const failing = s.error ? { failing: true, reason: s.error } : storeWatch.current();
    const ls = live.stats();
    const sim = simulator?.stats();
    const simState = !config.simulator.enabled ? 'off' : !sim ? 'starting' : sim.state;
    const ing = ingest.stats();
    const degraded = s.state !== 'up' || failing.failing || simState === 'down' || (external !== undefined && !external.connected());
    return {
      status: degraded ? 'degraded' : 'ok',
      version: VERSION,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      // With an external broker: its link's state; its clients are its own business.
      broker: external ? { state: external.connected() ? 'up' : 'down', clients: 0, mqttPort: 0, websocketPath: '' } : { state: 'up', clients: broker?.clients() ?? 0, mqttPort: broker?.mqttPort ?? 0, websocketPath: MQTT_WS_PATH },
      store: {
        state: failing.failing && s.state === 'up' ? 'degraded' : s.state,
        kind: store.kind,
        pending: s.pending,
        written: s.written,
        dropped: s.dropped,
        rawRetentionDays: store.rawRetentionDays,
        ...(s.spooled === undefined ? {} : { spooled: s.spooled, spooledBytes: s.spooledBytes ?? 0 }),
        ...(failing.failing ? { error: failing.reason ?? 'failing' } : {}),
      },
      live: { clients: ls.clients, lagging: ls.lagging, framesHeld: ls.framesHeld, maxPendingPackets: ls.maxPendingPackets, maxPendingBytes: ls.maxPendingBytes },
      simulator: { state: simState, devices: sim?.devices ?? 0, published: sim?.published ?? 0 },
      ingest: { accepted: ing.accepted, rejected: ing.rejected, rejectedByReason: ing.rejectedByReason },
    };
  };

  // Every REST route family; each declares its access and schemas (server/api/registry.ts).
  const routes: AnyRoute[] = [
    ...readingRoutes({ store, catalogue: cat, ingest, health, now }),
    ...authRoutes(accounts, logger('http'), { loginAttempts: config.auth.loginAttempts, now }),
    ...siteRoutes({ building: site, catalogue: cat, store, ingest }),
    ...simulatorRoutes({ simulator: () => simulator, accounts }),
    ...kpiRoutes({ store, catalogue: cat, building: site, now }),
    ...alertRoutes({ alerts: shared?.api ?? alerts, accounts }),
    ...notifyRoutes({ notify, settings: notifySettings, accounts, channels: { email: notifyConfig.smtp !== undefined }, envWebhook: notifyConfig.webhook }),
  ];
  const api = createApi({ accounts, routes, version: VERSION, webDir: opts.webDir ?? DEFAULT_WEB_DIR, log: logger('http') });
  // Security headers, CSP, CORS and CSRF in front of it all (server/api/hardening.ts).
  handler = harden(api, { https: tlsFiles !== undefined, corsOrigins: config.corsOrigins, log: logger('http') });
  let httpPort: number;
  try {
    httpPort = await listen(httpServer, config.httpPort, config.host, 'HTTP_PORT');
  } catch (err) {
    await broker?.close();
    await external?.close();
    await brokerSessions?.stop();
    ingest.stop();
    stopRetention();
    await store.close();
    await live.close();
    await cluster?.close();
    throw err;
  }
  const url = `${tlsFiles ? 'https' : 'http'}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${httpPort}/`;
  logger('http').info({ port: httpPort, url }, 'http listening');
  publicUrl = url.replace(/\/$/, '');

  if (config.simulator.enabled) {
    const rawFrom = now() - config.store.rawRetentionDays * MS_PER_DAY;
    if (config.simulator.start !== undefined && config.simulator.start < rawFrom) {
      // A tester replaying a day months ago would otherwise look for its raw readings in vain.
      logger('simulator').warn(
        { start: new Date(config.simulator.start).toISOString(), rawRetentionDays: config.store.rawRetentionDays },
        'the replay starts before raw retention: its readings older than RAW_RETENTION_DAYS are stored in the 1-minute and coarser rollups only; raise RAW_RETENTION_DAYS to keep them raw',
      );
    }
    simulator = await startSimulator({
      // The devices' broker: the embedded one, or the external one (with the devices' own credentials, not the server's).
      brokerUrl: external ? withoutCredentials(config.scale.mqttUrl ?? '') : `mqtt://127.0.0.1:${broker?.mqttPort ?? 0}`,
      siteId: config.siteId,
      seed: config.simulator.seed,
      credentials: secrets,
      speed: config.simulator.speed,
      start: config.simulator.start,
      scenario: config.simulator.scenario,
      backfillDays: config.simulator.backfillDays,
      backfillStepS: config.simulator.backfillStepS,
      log: logger('simulator'),
      periodMs: opts.simulatorPeriodMs,
      stateFile: path.join(config.dataDir, 'simulator-state.json'),
      wall: now,
    });
  }

  let closing: Promise<void> | undefined;
  return {
    httpPort,
    mqttPort: broker?.mqttPort ?? 0,
    mqttsPort: broker?.mqttsPort,
    externalBroker: external?.display,
    ...(shared ? { alertsLeader: (shared as SharedAlerts).isLeader } : {}),
    url,
    store,
    accounts,
    ...(admin?.generated ? { generatedAdminPassword: admin.password } : {}),
    close() {
      closing ??= (async () => {
        log.info('stopping');
        await simulator?.stop();
        // Another instance takes the alerts over at once.
        await shared?.close();
        // Broker first: once it is closed no new reading can arrive, then the
        // store flushes everything it buffered, then the dashboards go.
        await broker?.close();
        await external?.close();
        await brokerSessions?.stop();
        ingest.stop();
        stopRetention();
        clearInterval(watchTimer);
        await store.close();
        stopAlertPush();
        stopNotifyFeed();
        alerts.close();
        // What the alerts raised last is in the outbox before the database closes; the rest waits there for the next start.
        await notify.stop();
        appDb.close();
        // socket.io closes the HTTP server, which waits for open connections:
        // end the browsers' keep-alive connections too, or it would wait for them.
        cluster?.flush();
        const liveClosed = live.close();
        httpServer.closeAllConnections();
        await liveClosed;
        await cluster?.close();
        log.info('stopped');
      })();
      return closing;
    },
  };
}

