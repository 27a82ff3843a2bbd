import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IngestMessage, MessageSource } from '../ingest/source';
import type { Logger } from '../logger';
import { type AckGate, holdAcks } from './acks';

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
  /**
   * Resolves once every message handed to ingest so far is durable (the store's
   * flush). With it the session is kept at the broker (sessionExpirySeconds) and
   * QoS 1 messages are acknowledged only once durable (./acks.ts): an instance
   * killed loses nothing it had received. Without it, a clean session,
   * acknowledged on receipt.
   */
  durable?: () => Promise<void>;
  /** How often held acknowledgements are released (the store's flush interval). Default 1,000 ms. */
  ackIntervalMs?: number;
  /** How long the broker keeps this instance's session after a lost connection. Default 3,600 s. */
  sessionExpirySeconds?: number;
}

export interface ExternalBroker {
  source: MessageSource;
  /** The broker without its credentials, for logs and /api/health. */
  display: string;
  connected(): boolean;
  /** Acknowledgements waiting for the store (0 without `durable`). */
  heldAcks(): number;
  /**
   * Resumes the broker session of an instance that died (its client id), takes
   * the telemetry queued or left unacknowledged in it, and ends it: the dead
   * instance's share of the group then goes to the living. Resolves with the
   * number of messages taken; rejects if the session could not be taken (e.g.
   * the instance came back and holds it).
   */
  takeOver(clientId: string): Promise<number>;
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
  const keep = opts.durable !== undefined;
  const ackIntervalMs = opts.ackIntervalMs ?? 1000;
  const expiry = opts.sessionExpirySeconds ?? 3600;
  const options: IClientOptions = {
    clientId: opts.clientId,
    protocolVersion: 5,
    // With durable acknowledgements, a session the broker keeps (MQTT 5.0 §3.1.2.4,
    // §3.1.2.11.2): what this instance had not acknowledged when it died is sent
    // again when it comes back, or to the instance that takes its session over.
    // Without, a clean session: a stopped instance's share goes to the others at once.
    clean: !keep,
    ...(keep ? { properties: { sessionExpiryInterval: expiry } } : {}),
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
  const deliver = (msg: IngestMessage) => {
    if (handle) handle(msg);
    else early?.push(msg);
  };
  client.on('message', (topic, payload) => deliver({ topic, payload }));
  // Flow control: MQTT.js reads the next packet only once handleMessage calls
  // back. While the store is behind, it does not: TCP then pushes back on the
  // broker, which queues for this instance (or, for a shared subscription, may
  // hand the group's messages to another member).
  const flowControl = (_packet: unknown, done: (err?: Error) => void) => {
    const wait = opts.whenWritable?.();
    if (!wait) return done();
    wait.then(() => done(), done);
  };
  client.handleMessage = flowControl;
  const gates: AckGate[] = [];
  const gate = (c: MqttClient): AckGate | undefined => {
    if (!opts.durable) return undefined;
    const g = holdAcks(c, opts.durable, ackIntervalMs, log);
    gates.push(g);
    return g;
  };
  const own = gate(client);

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
    own?.stop();
    client.end(true);
    throw new Error(`MQTT_URL: cannot ingest from ${display}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  log.info({ broker: display, clientId: opts.clientId, share: telemetryShare(opts.group, opts.siteId), status: statusFilter(opts.siteId), session: keep ? `kept ${expiry} s, acknowledged once stored` : 'clean' }, 'ingesting from an external broker');
  client.on('error', (err) => log.warn({ broker: display, err: err.message }, 'external broker error'));
  client.on('offline', () => log.warn({ broker: display }, 'external broker unreachable; retrying every second'));
  client.on('connect', () => log.info({ broker: display }, 'external broker connected again'));

  /**
   * Sends every held acknowledgement, once durable, within `withinMs` when given: a
   * stopping instance must stop (5 s); what it could not acknowledge by then is in
   * its spool, written at its next start.
   */
  const releaseAll = async (g: AckGate | undefined, c: MqttClient, withinMs = Number.POSITIVE_INFINITY) => {
    const deadline = Date.now() + withinMs;
    while (g && g.held() > 0 && c.connected) {
      const left = deadline - Date.now();
      if (left <= 0) {
        log.warn({ held: g.held() }, 'stopping before the store confirmed every reading: they are in its spool for the next start');
        return;
      }
      await Promise.race([g.release(), new Promise((r) => setTimeout(r, Math.min(left, 500)).unref())]);
    }
  };
  /** Ends a session for good: DISCONNECT with a session expiry of 0 (MQTT 5.0 §3.14.2.2.2). */
  const endSession = (c: MqttClient) => c.endAsync(false, keep ? { properties: { sessionExpiryInterval: 0 } } : {});

  return {
    display,
    connected: () => client.connected,
    heldAcks: () => gates.reduce((n, g) => n + g.held(), 0),
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
    async takeOver(clientId) {
      if (!keep) throw new Error('sessions are clean without durable acknowledgements: nothing to take over');
      const c = mqtt.connect(opts.url, { clientId, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: expiry }, reconnectPeriod: 0, connectTimeout: options.connectTimeout, resubscribe: false });
      let taken = 0;
      let last = Date.now();
      const isTelemetry = (topic: string) => {
        const parts = topic.split('/');
        return parts.length === 3 && parts[0] === opts.siteId && parts[2] === 'telemetry';
      };
      c.on('message', (topic, payload) => {
        last = Date.now();
        // Statuses: this instance has its own subscription to them, and an old one replayed would overwrite a newer one.
        if (!isTelemetry(topic)) return;
        taken++;
        deliver({ topic, payload });
      });
      c.handleMessage = flowControl;
      const g = gate(c);
      let closed = false;
      c.on('close', () => {
        closed = true;
      });
      try {
        const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
          c.once('connect', (p) => resolve({ sessionPresent: p.sessionPresent }));
          c.once('error', reject);
          c.once('close', () => reject(new Error('the broker closed the connection')));
        });
        if (connack.sessionPresent) {
          // No new share for the dead instance's session; what is queued in it still comes (Mosquitto sends it on resumption).
          await c.unsubscribeAsync([telemetryShare(opts.group, opts.siteId), statusFilter(opts.siteId)]);
          // Drained once nothing came for a while: the queue is sent at once, limited only by our Receive Maximum.
          while (!closed && Date.now() - last < Math.max(1000, 2 * ackIntervalMs)) await new Promise((r) => setTimeout(r, 200));
          await releaseAll(g, c);
        }
        if (closed) throw new Error('the session was taken back (the instance came back?)');
        await endSession(c);
        return taken;
      } finally {
        g?.stop();
        gates.splice(gates.indexOf(g as AckGate), g ? 1 : 0);
        if (!closed) c.end(true);
      }
    },
    async close() {
      // Unsubscribing first lets the broker give this instance's share to the
      // others before the connection goes; messages already in flight to it are
      // handled, stored and acknowledged before the session ends.
      if (client.connected) {
        try {
          await client.unsubscribeAsync([telemetryShare(opts.group, opts.siteId), statusFilter(opts.siteId)]);
        } catch (err) {
          log.debug({ err }, 'unsubscribing from the external broker failed');
        }
      }
      log.debug({ held: own?.held() ?? 0 }, 'unsubscribed; storing and acknowledging what is held');
      await releaseAll(own, client, 3000);
      own?.stop();
      log.debug('acknowledged; ending the session');
      await endSession(client);
      log.info({ broker: display }, 'external broker disconnected');
    },
  };
}
