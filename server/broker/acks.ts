import type { MqttClient } from 'mqtt';
import type { Logger } from '../logger';

/**
 * Acknowledges a subscriber's QoS 1 messages only once what they carried is
 * durable, so that an instance killed between receiving a reading and storing it
 * does not make the broker forget it: an unacknowledged message stays in the
 * instance's broker session, delivered again when the session is resumed (by the
 * instance restarting, or by another one taking the session over,
 * server/scale/broker-sessions.ts).
 *
 * MQTT.js sends a PUBACK when its handleMessage hook calls back, and reads the next
 * packet only after that (its packet handling is sequential), so holding the hook
 * until a store flush would take one message per flush. Instead the PUBACKs are
 * held on their way out: the client goes on reading, and every `intervalMs` the
 * PUBACKs held so far are sent once `durable()` (the store's flush: the readings in
 * the database, InfluxDB's for a site of several instances) resolves. This
 * uses MQTT.js's internal `_sendPacket` (v5; the test of the kill of an instance,
 * test/integration/scale-out.test.ts, fails if it changes); MQTT.js has no public
 * manual acknowledgement (mqttjs/MQTT.js#691). PUBACKs leave in the order their
 * PUBLISH came, as MQTT 5.0 §4.6 requires. The broker keeps at most the client's
 * Receive Maximum unacknowledged (§3.3.4): 65,535 by default.
 *
 * Acknowledgements held for a connection that closed are dropped: in a resumed
 * session the broker sends those messages again (§4.4), and the store counts a
 * reading it already has as a duplicate.
 */
export interface AckGate {
  /** PUBACKs held, waiting for the store. */
  held(): number;
  /** Sends what is held once durable; resolves when done (or the connection is gone). */
  release(): Promise<void>;
  stop(): void;
}

interface PacketLike {
  cmd: string;
}
type SendPacket = (packet: PacketLike, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

export function holdAcks(client: MqttClient, durable: () => Promise<void>, intervalMs: number, log: Logger): AckGate {
  const internal = client as unknown as { _sendPacket: SendPacket };
  const send = internal._sendPacket.bind(client) as SendPacket;
  let held: PacketLike[] = [];
  // A connection's acknowledgements mean nothing on the next one (packet ids are per session and reused).
  let connection = 0;
  const onClose = () => {
    connection++;
    held = [];
  };
  client.on('close', onClose);
  internal._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd !== 'puback') return send(packet, cb, ...rest);
    held.push(packet);
    // The callback lets MQTT.js read the next packet now.
    cb?.();
  };

  let releasing: Promise<void> | undefined;
  async function releaseOnce(): Promise<void> {
    if (held.length === 0) return;
    const batch = held;
    const at = connection;
    held = [];
    try {
      await durable();
    } catch (err) {
      // Not stored: not acknowledged. Kept, in order, for the next try.
      if (at === connection) held = batch.concat(held);
      log.warn({ err: err instanceof Error ? err.message : String(err), held: batch.length }, 'readings not yet durable: their acknowledgements wait');
      return;
    }
    if (at !== connection || !client.connected) return;
    for (const p of batch) send(p);
  }
  const release = (): Promise<void> => {
    releasing ??= releaseOnce().finally(() => {
      releasing = undefined;
    });
    return releasing;
  };
  const timer = setInterval(() => void release(), intervalMs);
  timer.unref();

  return {
    held: () => held.length,
    release,
    stop() {
      clearInterval(timer);
      client.off('close', onClose);
    },
  };
}
