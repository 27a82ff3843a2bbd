import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IngestMessage, MessageSource } from '../ingest/source';
import type { Logger } from '../logger';

/**
 * A client of an external MQTT broker (MQTT_URL: Mosquitto, EMQX, HiveMQ), used
 * instead of the embedded aedes when a site outgrows one machine (docs/deployment.md).
 *
 * Telemetry comes through a shared subscription, `$share/<group>/<site>/+/telemetry`
 * (MQTT 5.0 §4.8.2): the broker hands each message to one member of the group, so
 * N server instances split the load. Device statuses come through a normal
 * subscription, `<site>/+/status`, on every instance: not every broker delivers
 * retained messages through shared subscriptions (§4.8.2 leaves it open; Mosquitto
 * does not), and a status is idempotent (the last one wins), so each instance
 * knowing them all is both needed (its dashboards, its stale checks) and harmless.
 */
export interface ExternalBrokerOptions {
  /** mqtt:// or mqtts:// URL, with the server's username and password in it. */
  url: string;
  /** The shared subscription's group name (MQTT_SHARE_GROUP): instances of one site share one. */
  group: string;
  siteId: string;
  /** This instance's client id (unique per instance: a second connection with the same id evicts the first). */
  clientId: string;
  log: Logger;
  /** The store's flow control: a promise while it is behind (server/store/types.ts). */
  whenWritable?: () => Promise<void> | undefined;
  /** How long the first connection may take before the start fails (default 15 s). */
  connectTimeoutMs?: number;
}

export interface ExternalBroker {
  source: MessageSource;
  /** The broker without its credentials, for logs and /api/health. */
  display: string;
  connected(): boolean;
  close(): Promise<void>;
}

export function telemetryShare(group: string, siteId: string): string {
  return `$share/${group}/${siteId}/+/telemetry`;
}

export function statusFilter(siteId: string): string {
  return `${siteId}/+/status`;
}

/** The URL without its password: what may be logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

/**
 * Connects, subscribes, and only then returns: a server that cannot reach its
 * broker, or that the broker refuses (credentials, ACL), says so at start rather
 * than running deaf. Later losses of the connection are retried every second.
 */
export async function connectExternalBroker(opts: ExternalBrokerOptions): Promise<ExternalBroker> {
  const { log } = opts;
  const display = redactUrl(opts.url);
  const options: IClientOptions = {
    clientId: opts.clientId,
    protocolVersion: 5,
    // A clean session: a stopped instance's share goes to the others at once,
    // rather than queueing in a session the broker keeps for it.
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: opts.connectTimeoutMs ?? 15_000,
    // MQTT.js subscribes again after every reconnect (clean sessions forget them).
    resubscribe: true,
  };
  const client: MqttClient = mqtt.connect(opts.url, options);
  let handle: ((msg: IngestMessage) => void) | undefined;
  // Retained statuses arrive right after the subscription, maybe before ingest is
  // started: they wait here for it.
  let early: IngestMessage[] | undefined = [];
  client.on('message', (topic, payload) => {
    if (handle) handle({ topic, payload });
    else early?.push({ topic, payload });
  });
  // Flow control: MQTT.js reads the next packet, and acknowledges this one (QoS 1),
  // only once handleMessage calls back. While the store is behind, it does not: TCP
  // then pushes back on the broker, which queues for this instance (or, for a
  // shared subscription, may hand the group's messages to another member).
  client.handleMessage = (_packet, done) => {
    const wait = opts.whenWritable?.();
    if (!wait) return done();
    wait.then(() => done(), done);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${options.connectTimeout} ms`)), options.connectTimeout);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const granted = await client.subscribeAsync({ [telemetryShare(opts.group, opts.siteId)]: { qos: 1 }, [statusFilter(opts.siteId)]: { qos: 1 } });
    // SUBACK reason codes of 0x80 and above are refusals (MQTT 5.0 §3.9.3), e.g. an ACL.
    const refused = granted.filter((g) => g.qos >= 0x80);
    if (refused.length > 0) throw new Error(`the broker refused the subscription to ${refused.map((g) => `${g.topic} (reason ${g.qos})`).join(', ')}`);
  } catch (err) {
    client.end(true);
    throw new Error(`MQTT_URL: cannot ingest from ${display}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  log.info({ broker: display, clientId: opts.clientId, share: telemetryShare(opts.group, opts.siteId), status: statusFilter(opts.siteId) }, 'ingesting from an external broker');
  client.on('error', (err) => log.warn({ broker: display, err: err.message }, 'external broker error'));
  client.on('offline', () => log.warn({ broker: display }, 'external broker unreachable; retrying every second'));
  client.on('connect', () => log.info({ broker: display }, 'external broker connected again'));

  return {
    display,
    connected: () => client.connected,
    source: {
      start(h) {
        handle = h;
        for (const m of early ?? []) h(m);
        early = undefined;
      },
      stop() {
        handle = undefined;
      },
    },
    async close() {
      // Unsubscribing first lets the broker give this instance's share to the
      // others before the connection goes; messages already in flight to it are
      // handled (and acknowledged) before end() completes.
      if (client.connected) {
        try {
          await client.unsubscribeAsync([telemetryShare(opts.group, opts.siteId), statusFilter(opts.siteId)]);
        } catch (err) {
          log.debug({ err }, 'unsubscribing from the external broker failed');
        }
      }
      await client.endAsync();
      log.info({ broker: display }, 'external broker disconnected');
    },
  };
}
