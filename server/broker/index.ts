import net from 'node:net';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { installBrokerAuth } from '../auth/broker-auth';
import type { Registry } from '../auth/registry';
import { listen } from '../listen';
import type { Logger } from '../logger';

/** Path of MQTT over WebSocket on the HTTP port (browsers and firewalled integrators). */
export const MQTT_WS_PATH = '/mqtt';

export interface Broker {
  aedes: Aedes;
  /** The TCP port actually bound (differs from the configured one when that was 0). */
  mqttPort: number;
  clients(): number;
  close(): Promise<void>;
}

/**
 * Starts aedes on a TCP port and on the HTTP server's upgrade path /mqtt.
 * With a registry, every client authenticates and is held to its own topics.
 */
export async function startBroker(opts: { port: number; host: string; http: HttpServer; log: Logger; registry?: Registry }): Promise<Broker> {
  const { log } = opts;
  const aedes = await Aedes.createBroker();
  if (opts.registry) installBrokerAuth(aedes, opts.registry, log);
  const sockets = new Set<net.Socket>();

  const tcp = net.createServer((socket) => {
    // Without this, Nagle's algorithm holds small QoS 1 PUBACKs back by up to
    // 40 ms per round trip (delayed-ACK interaction), which stalls meters.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  let mqttPort: number;
  try {
    mqttPort = await listen(tcp, opts.port, opts.host, 'MQTT_PORT');
  } catch (err) {
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
  log.info({ port: mqttPort, websocket: MQTT_WS_PATH }, 'mqtt broker listening');

  return {
    aedes,
    mqttPort,
    clients: () => aedes.connectedClients,
    async close() {
      opts.http.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      log.info('mqtt broker closed');
    },
  };
}
