import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Reading } from '../../../shared/api';
import { type ClientToServerEvents, type DeviceStatusEvent, DeviceStatusEventSchema, ReadingsFrameSchema, type ServerToClientEvents } from '../../../shared/live';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';
export type ReadingsListener = (readings: readonly Reading[]) => void;
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Live {
  state: ConnectionState;
  /** The newest reading of each series, by series id. */
  latest: ReadonlyMap<string, Reading>;
  /** The status of each device, by device id, as heard since the connection was (re)established. */
  deviceStatus: ReadonlyMap<string, DeviceStatusEvent>;
  /** How many times the connection came back after a loss: data fetched over REST is stale when it changes. */
  reconnects: number;
  /** Adds readings fetched over REST; a value never replaces a newer one. Stable across renders. */
  merge: (readings: readonly Reading[]) => void;
  /** Calls `listener` with every live frame; returns the unsubscribe function. Stable across renders. */
  subscribe: (listener: ReadingsListener) => () => void;
}

/** Returns `prev` itself when nothing is newer, so React skips the render. */
export function mergeLatest(prev: ReadonlyMap<string, Reading>, readings: readonly Reading[]): ReadonlyMap<string, Reading> {
  let next: Map<string, Reading> | undefined;
  for (const r of readings) {
    const current = (next ?? prev).get(r.seriesId);
    if (current && (current.ts > r.ts || (current.ts === r.ts && current.value === r.value))) continue;
    next ??= new Map(prev);
    next.set(r.seriesId, r);
  }
  return next ?? prev;
}

/** After the server refused or dropped us on purpose, socket.io does not retry: we do, this much later. */
const MANUAL_RETRY_MS = 3000;

/**
 * The socket.io connection to the server (same origin, default path /socket.io).
 * socket.io-client reconnects by itself after a network loss.
 */
export function useLive(): Live {
  const [state, setState] = useState<ConnectionState>('connecting');
  const [latest, setLatest] = useState<ReadonlyMap<string, Reading>>(() => new Map());
  const [deviceStatus, setDeviceStatus] = useState<ReadonlyMap<string, DeviceStatusEvent>>(() => new Map());
  const [reconnects, setReconnects] = useState(0);
  const listeners = useRef(new Set<ReadingsListener>());

  useEffect(() => {
    const socket: LiveSocket = io();
    let connectedBefore = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const retryIfAbandoned = () => {
      // `active` is false when socket.io will not reconnect by itself
      // ("io server disconnect", or a connection refused by a middleware).
      if (socket.active || retry !== undefined) return;
      retry = setTimeout(() => {
        retry = undefined;
        socket.connect();
      }, MANUAL_RETRY_MS);
    };

    socket.on('connect', () => {
      setState('connected');
      // Statuses heard before a loss may have changed during it: unknown until told again.
      setDeviceStatus(new Map());
      if (connectedBefore) setReconnects((n) => n + 1);
      connectedBefore = true;
    });
    socket.on('disconnect', () => {
      setState('disconnected');
      retryIfAbandoned();
    });
    socket.on('connect_error', () => {
      setState('disconnected');
      retryIfAbandoned();
    });

    socket.on('readings', (frame) => {
      const parsed = ReadingsFrameSchema.safeParse(frame);
      if (!parsed.success) {
        console.warn('readings frame ignored: it does not match shared/live.ts', parsed.error.issues);
        return;
      }
      const { readings } = parsed.data;
      setLatest((prev) => mergeLatest(prev, readings));
      for (const listener of listeners.current) listener(readings);
    });

    socket.on('device:status', (event) => {
      const parsed = DeviceStatusEventSchema.safeParse(event);
      if (!parsed.success) {
        console.warn('device:status event ignored: it does not match shared/live.ts', parsed.error.issues);
        return;
      }
      const e = parsed.data;
      setDeviceStatus((prev) => {
        const current = prev.get(e.deviceId);
        if (current && current.ts > e.ts) return prev;
        const next = new Map(prev);
        next.set(e.deviceId, e);
        return next;
      });
    });

    return () => {
      clearTimeout(retry);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  const merge = useCallback((readings: readonly Reading[]) => {
    setLatest((prev) => mergeLatest(prev, readings));
  }, []);

  const subscribe = useCallback((listener: ReadingsListener) => {
    const set = listeners.current;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }, []);

  return { state, latest, deviceStatus, reconnects, merge, subscribe };
}
