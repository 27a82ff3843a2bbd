import { useEffect, useRef } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../../shared/live';

/** A safety net under the push: alerts are fetched again at least this often. */
export const ALERT_POLL_MS = 30_000;

/**
 * Calls `onChange` whenever an alert is raised, updated or cleared, and when the
 * server says alert events were missed (resync with `alerts`). The shared live
 * connection (lib/use-live.ts) does not expose alert events, so this opens a
 * light socket.io connection of its own that never subscribes to readings: alert
 * events reach every client allowed to read, subscribed or not. A poll every 30 s
 * and a fetch on every (re)connection cover what a lost socket would miss.
 */
export function useAlertEvents(onChange: () => void): void {
  const callback = useRef(onChange);
  useEffect(() => {
    callback.current = onChange;
  }, [onChange]);
  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io();
    const fire = () => callback.current();
    socket.on('alert:raised', fire);
    socket.on('alert:updated', fire);
    socket.on('alert:cleared', fire);
    socket.on('resync', (r) => {
      if (r.alerts) fire();
    });
    let connectedOnce = false;
    socket.on('connect', () => {
      if (connectedOnce) fire();
      connectedOnce = true;
    });
    const timer = setInterval(fire, ALERT_POLL_MS);
    return () => {
      clearInterval(timer);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);
}
