import { z } from 'zod';
import { ReadingSchema } from './api';
import { STATUS_OFFLINE, STATUS_ONLINE } from './topics';

/**
 * socket.io events, version 1. Readings are pushed in batched frames (one frame
 * per flush interval) rather than one event per reading: a browser handles a few
 * frames a second far better than thousands of tiny events.
 */

export const ReadingsFrameSchema = z.object({ readings: z.array(ReadingSchema) });
export type ReadingsFrame = z.infer<typeof ReadingsFrameSchema>;

export const DeviceStatusEventSchema = z.object({
  deviceId: z.string(),
  status: z.enum([STATUS_ONLINE, STATUS_OFFLINE]),
  ts: z.number(),
});
export type DeviceStatusEvent = z.infer<typeof DeviceStatusEventSchema>;

export interface ServerToClientEvents {
  readings: (frame: ReadingsFrame) => void;
  'device:status': (event: DeviceStatusEvent) => void;
}

// Clients only listen for now; commands (subscriptions, acknowledgements) come with later issues.
export type ClientToServerEvents = Record<string, never>;

/** How often the server flushes a readings frame to dashboards. */
export const LIVE_FLUSH_MS = 250;

/**
 * Readings older than this are stored but not pushed live: a backfill or a long
 * store-and-forward replay would otherwise flood dashboards with history they
 * fetch over REST anyway. An hour matches the live chart's window.
 */
export const LIVE_WINDOW_MS = 3_600_000;
