import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Reading } from '../../../shared/api';
import {
  type ClientToServerEvents,
  type DeviceStatusEvent,
  DeviceStatusEventSchema,
  frameReadings,
  ReadingsFrameSchema,
  ResyncSchema,
  type ServerToClientEvents,
  SnapshotSchema,
  SubscribeAckSchema,
} from '../../../shared/live';
import { LiveCursor } from './live-client';
import { fetchMe } from './auth';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';
export type ReadingsListener = (readings: readonly Reading[]) => void;
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Live {
  state: ConnectionState;
  /** The newest reading of each series, by series id. */
  latest: ReadonlyMap<string, Reading>;
  /** The status of each device, by device id, as heard since the connection was (re)established. */
  deviceStatus: ReadonlyMap<string, DeviceStatusEvent>;
  /**
   * How many times live readings were missed (a reconnect the server could not
   * replay, a server restart, a client that fell behind): data fetched over REST
   * must be fetched again when it changes. A short loss is replayed by the server
   * and does not count.
   */
  resyncs: number;
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

/** Newer status wins; returns `prev` itself when nothing changes. */
function mergeStatus(prev: ReadonlyMap<string, DeviceStatusEvent>, events: readonly DeviceStatusEvent[]): ReadonlyMap<string, DeviceStatusEvent> {
  let next: Map<string, DeviceStatusEvent> | undefined;
  for (const e of events) {
    const current = (next ?? prev).get(e.deviceId);
    if (current && current.ts > e.ts) continue;
    next ??= new Map(prev);
    next.set(e.deviceId, e);
  }
  return next ?? prev;
}

/**
 * The socket.io connection to the server (same origin, default path /socket.io,
 * authenticated by the session cookie). It subscribes to every series, keeps
 * the seq of the last frame, and sends it back when it reconnects so that the
 * server replays what was missed. socket.io-client reconnects by itself after a
 * network loss.
 */
export function useLive(): Live {
  const [state, setState] = useState<ConnectionState>('connecting');
  const [latest, setLatest] = useState<ReadonlyMap<string, Reading>>(() => new Map());
  const [deviceStatus, setDeviceStatus] = useState<ReadonlyMap<string, DeviceStatusEvent>>(() => new Map());
  const [resyncs, setResyncs] = useState(0);
  const listeners = useRef(new Set<ReadingsListener>());

  useEffect(() => {
    const socket: LiveSocket = io();
    const cursor = new LiveCursor();
    let retry: ReturnType<typeof setTimeout> | undefined;
    let resubscribe: ReturnType<typeof setTimeout> | undefined;
    const missed = () => setResyncs((n) => n + 1);
    const deliver = (readings: readonly Reading[]) => {
      setLatest((prev) => mergeLatest(prev, readings));
      for (const listener of listeners.current) listener(readings);
    };

    // Everything the dashboard shows: every series (no zone, device or series named).
    const subscribe = () => {
      clearTimeout(resubscribe);
      socket.emit('subscribe', { since: cursor.since() }, (res) => {
        const ack = SubscribeAckSchema.safeParse(res);
        if (!ack.success || !ack.data.ok) {
          console.warn('live subscription refused', ack.success ? ack.data : ack.error.issues);
          resubscribe = setTimeout(() => socket.connected && subscribe(), MANUAL_RETRY_MS);
          return;
        }
        if (cursor.acked(ack.data)) missed();
      });
    };

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
      // Statuses heard before a loss may have changed during it: unknown until the snapshot.
      setDeviceStatus(new Map());
      subscribe();
    });
    socket.on('disconnect', () => {
      setState('disconnected');
      retryIfAbandoned();
    });
    socket.on('connect_error', (err) => {
      setState('disconnected');
      // The session ended (expired, logged out elsewhere, password changed): back to the
      // login form rather than retrying forever with a dead cookie.
      if (/authentication required/.test(err.message)) {
        void fetchMe().then(
          (me) => {
            if (me === null) window.location.reload();
          },
          () => undefined,
        );
      }
      retryIfAbandoned();
    });

    socket.on('snapshot', (snapshot) => {
      const parsed = SnapshotSchema.safeParse(snapshot);
      if (!parsed.success) {
        console.warn('snapshot ignored: it does not match shared/live.ts', parsed.error.issues);
        return;
      }
      cursor.snapshot(parsed.data);
      setDeviceStatus((prev) => mergeStatus(prev, parsed.data.devices));
      deliver(parsed.data.readings);
    });

    socket.on('readings', (frame) => {
      const parsed = ReadingsFrameSchema.safeParse(frame);
      if (!parsed.success) {
        console.warn('readings frame ignored: it does not match shared/live.ts', parsed.error.issues);
        return;
      }
      if (cursor.frame(parsed.data)) missed();
      deliver(frameReadings(parsed.data));
    });

    socket.on('resync', (resync) => {
      const parsed = ResyncSchema.safeParse(resync);
      if (!parsed.success) {
        console.warn('resync ignored: it does not match shared/live.ts', parsed.error.issues);
        missed();
        return;
      }
      // (Alerts missed meanwhile do not matter here: this dashboard does not show alerts yet.)
      if (cursor.resync(parsed.data)) missed();
    });

    socket.on('device:status', (event) => {
      const parsed = DeviceStatusEventSchema.safeParse(event);
      if (!parsed.success) {
        console.warn('device:status event ignored: it does not match shared/live.ts', parsed.error.issues);
        return;
      }
      setDeviceStatus((prev) => mergeStatus(prev, [parsed.data]));
    });

    return () => {
      clearTimeout(retry);
      clearTimeout(resubscribe);
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

  return { state, latest, deviceStatus, resyncs, merge, subscribe };
}
