import type { Aedes } from 'aedes';

/** One MQTT message as ingest sees it, wherever it came from. */
export interface IngestMessage {
  topic: string;
  payload: Buffer | string;
}

/**
 * Where ingest takes its messages from: the embedded aedes broker (the one-machine
 * default) or a client of an external broker (MQTT_URL, server/broker/external.ts).
 * A source delivers each message once to `handle`, in the order its broker gave
 * them, and applies the store's flow control its own way.
 */
export interface MessageSource {
  start(handle: (msg: IngestMessage) => void): void;
  stop(): void;
}

/**
 * Every message published to the embedded broker by a client. Flow control:
 * while the store is behind (a backfill, a burst), the broker stops reading from
 * the publishing client until it catches up. aedes reads a client's next packets
 * only once its current ones are handled, so TCP pushes back on the device, whose
 * buffer holds its readings, instead of a queue here growing.
 */
export function aedesSource(aedes: Aedes, whenWritable?: () => Promise<void> | undefined): MessageSource {
  let handler: ((packet: { topic: string; payload: Buffer | string }, client: unknown) => void) | undefined;
  const authorize = aedes.authorizePublish;
  return {
    start(handle) {
      handler = (packet, client) => {
        // Messages the broker makes itself ($SYS, will delivery of the server) carry no client.
        if (!client || packet.topic.startsWith('$SYS/')) return;
        handle({ topic: packet.topic, payload: packet.payload });
      };
      aedes.on('publish', handler);
      if (whenWritable) {
        aedes.authorizePublish = (client, packet, done) => {
          const wait = whenWritable();
          if (!wait) return authorize.call(aedes, client, packet, done);
          void wait.then(() => authorize.call(aedes, client, packet, done));
        };
      }
    },
    stop() {
      if (handler) aedes.off('publish', handler);
      aedes.authorizePublish = authorize;
    },
  };
}
