import net from 'node:net';
import tls from 'node:tls';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { type BrokerAuthOptions, installBrokerAuth } from '../auth/broker-auth';
import type { Registry } from '../auth/registry';
import { listen } from '../listen';
import type { Logger } from '../logger';

/** Path of MQTT over WebSocket on the HTTP port (browsers and firewalled integrators). */
export const MQTT_WS_PATH = '/mqtt';

/** MQTT_MAX_PACKET_KB's default: 1 MiB, ten times a full SenML pack of 1,000 records. */
export const DEFAULT_MAX_PACKET_BYTES = 1024 * 1024;

/**
 * Watches the bytes a client sends and calls `tooBig` as soon as a packet header
 * announces a remaining length over `max`. aedes (1.x) has no such limit: its
 * parser buffers a packet whole, up to MQTT's 256 MiB (MQTT 3.1.1 §2.2.3), and
 * anyone could send one before even authenticating. It reads only the fixed
 * headers (one type byte, then 1 to 4 bytes of length, §2.2), skipping bodies.
 * A 'data' listener beside aedes' 'readable' one sees each chunk aedes reads,
 * without changing the flow (Node's streams: 'readable' takes precedence).
 */
export function guardPacketSize(stream: Readable, max: number, tooBig: (length: number) => void): void {
  let skip = 0; // body bytes of the current packet still to come
  let header = true; // next byte is a packet's first byte
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let done = false;
  stream.on('data', (chunk: Buffer | string) => {
    if (done) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let i = 0;
    while (i < buf.length) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length - i);
        skip -= n;
        i += n;
        continue;
      }
      if (header) {
        header = false;
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        i++;
        continue;
      }
      const byte = buf[i++] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      lengthBytes++;
      if (length > max) {
        done = true;
        return tooBig(length);
      }
      if ((byte & 0x80) === 0 || lengthBytes === 4) {
        skip = length;
        header = true;
      }
    }
  });
}

export interface Broker {
  aedes: Aedes;
  /** The plain-text TCP port actually bound (differs from the configured one when that was 0); 0 when MQTT_PLAIN=off. */
  mqttPort: number;
  /** The MQTT over TLS port actually bound; undefined without TLS. */
  mqttsPort: number | undefined;
  clients(): number;
  close(): Promise<void>;
}

export interface BrokerOptions {
  port: number;
  host: string;
  http: HttpServer | HttpsServer;
  log: Logger;
  registry?: Registry;
  /** Failed-login slow-down (server/auth/broker-auth.ts). */
  auth?: BrokerAuthOptions;
  /** The plain-text listener: on HOST, on 127.0.0.1 only, or none (default 'on'). */
  plain?: 'on' | 'off' | 'loopback';
  /** MQTT over TLS on its own port, with this key and certificate (PEM). */
  tls?: { port: number; key: Buffer; cert: Buffer };
  /** Largest MQTT packet accepted (MQTT_MAX_PACKET_KB); default DEFAULT_MAX_PACKET_BYTES. */
  maxPacketBytes?: number;
}

/**
 * Starts aedes on a TCP port, on a TLS port when configured, and on the HTTP
 * server's upgrade path /mqtt (WebSocket; secure when that server is HTTPS).
 * With a registry, every client authenticates and is held to its own topics.
 */
export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const { log } = opts;
  const maxPacket = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const refuseOversized = (conn: Duplex, address: string | undefined) =>
    guardPacketSize(conn, maxPacket, (length) => {
      log.warn({ address, length, max: maxPacket }, 'MQTT packet larger than MQTT_MAX_PACKET_KB: connection closed');
      conn.destroy();
    });
  const aedes = await Aedes.createBroker();
  if (opts.registry) installBrokerAuth(aedes, opts.registry, log, opts.auth);
  const sockets = new Set<net.Socket>();
  const accept = (socket: net.Socket) => {
    // Without this, Nagle's algorithm holds small QoS 1 PUBACKs back by up to
    // 40 ms per round trip (delayed-ACK interaction), which stalls meters.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
    refuseOversized(socket, socket.remoteAddress);
  };

  const servers: net.Server[] = [];
  const plain = opts.plain ?? 'on';
  let mqttPort = 0;
  let mqttsPort: number | undefined;
  try {
    if (plain !== 'off') {
      const tcp = net.createServer(accept);
      servers.push(tcp);
      mqttPort = await listen(tcp, opts.port, plain === 'loopback' ? '127.0.0.1' : opts.host, 'MQTT_PORT');
    }
    if (opts.tls) {
      // A TLS handshake that fails (a client that does not trust the certificate, a
      // port scanner) is logged at debug level: it never reaches aedes.
      const secure = tls.createServer({ key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' }, accept);
      secure.on('tlsClientError', (err, socket) => log.debug({ err: err.message, address: socket.remoteAddress }, 'mqtts handshake failed'));
      servers.push(secure);
      mqttsPort = await listen(secure, opts.tls.port, opts.host, 'MQTTS_PORT');
    }
  } catch (err) {
    for (const s of servers) s.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }

  // MQTT over WebSocket shares the HTTP port; socket.io keeps its own path.
  // A WebSocket message is buffered whole before the guard sees it: bound it too
  // (generously: a client may put several MQTT packets in one message).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * maxPacket + 1024 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== MQTT_WS_PATH) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      aedes.handle(stream, req);
      refuseOversized(stream, req.socket.remoteAddress);
    });
  };
  opts.http.on('upgrade', onUpgrade);

  aedes.on('clientError', (client, err) => log.warn({ clientId: client.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (client, err) => log.warn({ clientId: client?.id, err: err.message }, 'connection error'));
  aedes.on('client', (client) => log.debug({ clientId: client.id }, 'client connected'));
  aedes.on('clientDisconnect', (client) => log.debug({ clientId: client.id }, 'client disconnected'));
  log.info({ port: plain === 'off' ? undefined : mqttPort, plain, tlsPort: mqttsPort, websocket: MQTT_WS_PATH }, 'mqtt broker listening');

  return {
    aedes,
    mqttPort,
    mqttsPort,
    clients: () => aedes.connectedClients,
    async close() {
      opts.http.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      // close() waits for open connections: start it, then end them.
      const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      for (const s of sockets) s.destroy();
      await closed;
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      log.info('mqtt broker closed');
    },
  };
}
