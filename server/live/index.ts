import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Reading } from '../../shared/api';
import { type ClientToServerEvents, type DeviceStatusEvent, LIVE_FLUSH_MS, LIVE_WINDOW_MS, type ServerToClientEvents } from '../../shared/live';
import type { Logger } from '../logger';

export interface Live {
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  push(readings: Reading[]): void;
  status(event: DeviceStatusEvent): void;
  clients(): number;
  close(): Promise<void>;
}

/**
 * socket.io live push. Readings are collected and sent as one frame per
 * LIVE_FLUSH_MS, so the cost per dashboard grows with frames, not readings.
 */
export function startLive(opts: { http: HttpServer; log: Logger; flushMs?: number; now?: () => number }): Live {
  const { log } = opts;
  const now = opts.now ?? Date.now;
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(opts.http, {
    serveClient: false,
    // The same HTTP server also upgrades /mqtt for MQTT over WebSocket: socket.io
    // must leave upgrades on other paths alone instead of destroying them.
    destroyUpgrade: false,
  });
  let buffer: Reading[] = [];
  const timer = setInterval(() => {
    if (buffer.length === 0) return;
    const frame = { readings: buffer };
    buffer = [];
    io.emit('readings', frame);
  }, opts.flushMs ?? LIVE_FLUSH_MS);

  // The last known status of each device, replayed to every new dashboard so it
  // does not wait for the next change (or show a stale state after a reconnect).
  const statuses = new Map<string, DeviceStatusEvent>();

  io.on('connection', (socket) => {
    log.debug({ id: socket.id }, 'dashboard connected');
    for (const event of statuses.values()) socket.emit('device:status', event);
    socket.on('disconnect', (reason) => log.debug({ id: socket.id, reason }, 'dashboard disconnected'));
  });

  return {
    io,
    push(readings) {
      // No dashboard, no buffer: nothing to keep for nobody.
      if (io.engine.clientsCount === 0) return;
      const oldest = now() - LIVE_WINDOW_MS;
      for (const r of readings) if (r.ts >= oldest) buffer.push(r);
    },
    status(event) {
      statuses.set(event.deviceId, event);
      io.emit('device:status', event);
    },
    clients: () => io.engine.clientsCount,
    async close() {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
    },
  };
}
