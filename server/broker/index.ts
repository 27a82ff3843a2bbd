import net from 'node:net';
import tls from 'node:tls';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { type BrokerAuthOptions, installBrokerAuth } from '../auth/broker-auth';
import type { Registry } from '../auth/registry';
import { listen } from '../listen';
import type { Logger } from '../logger';

/** Path of MQTT over WebSocket on the HTTP port (browsers and firewalled integrators). */
export const MQTT_WS_PATH = '/mqtt';

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
}

/**
 * Starts aedes on a TCP port, on a TLS port when configured, and on the HTTP
 * server's upgrade path /mqtt (WebSocket; secure when that server is HTTPS).
 * With a registry, every client authenticates and is held to its own topics.
 */
export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const { log } = opts;
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
  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== MQTT_WS_PATH) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      aedes.handle(stream, req);
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
