import { z } from 'zod';
import { PointKindSchema } from './catalogue';

/** REST bodies and query strings of /api, version 1: one schema each, types inferred. */

export const ReadingSchema = z.object({
  seriesId: z.string(),
  /** Epoch milliseconds. */
  ts: z.number(),
  value: z.number(),
});
export type Reading = z.infer<typeof ReadingSchema>;

export const SeriesSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  point: z.string(),
  unit: z.string(),
  kind: PointKindSchema,
  /** For a state series: the state names, indexed by the stored value. */
  states: z.array(z.string()).optional(),
  label: z.string(),
  zone: z.string(),
  /** The Brick class of the point, where one fits (shared/semantics.ts); in /api/v1/series only. */
  brick: z.string().optional(),
  /** Plain semantic tags ("zone", "co2", "comfort"...); in /api/v1/series only. */
  tags: z.array(z.string()).optional(),
});
export type Series = z.infer<typeof SeriesSchema>;

export const SeriesListResponseSchema = z.object({ series: z.array(SeriesSchema) });
export type SeriesListResponse = z.infer<typeof SeriesListResponseSchema>;

/** A time given as epoch milliseconds or as an ISO 8601 date-time with an offset (or "Z"). */
export const TimeParamSchema = z
  .string()
  .trim()
  .min(1)
  .transform((s, ctx) => {
    const ms = /^-?\d+$/.test(s) ? Number(s) : /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) ? Date.parse(s) : Number.NaN;
    if (!Number.isSafeInteger(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is neither epoch milliseconds nor an ISO 8601 date-time` });
      return z.NEVER;
    }
    return ms;
  });

/**
 * Longest range one history call covers: ten years, which the daily rollups answer in
 * at most 3,653 buckets. Finer resolutions are capped by maxPoints, not by the range.
 */
export const MAX_HISTORY_RANGE_MS = 3653 * 24 * 3600 * 1000;
export const DEFAULT_HISTORY_RANGE_MS = 3600 * 1000;
/** Buckets per answer when the caller does not say: enough for a chart as wide as a wall screen. */
export const DEFAULT_HISTORY_POINTS = 2_000;
export const MAX_HISTORY_POINTS = 20_000;

/** Stored resolutions (docs/storage.md); 'auto' picks the finest that fits in maxPoints. */
export const RESOLUTIONS = ['raw', '1m', '1h', '1d'] as const;
export const ResolutionSchema = z.enum(RESOLUTIONS);
export type StoredResolution = z.infer<typeof ResolutionSchema>;

/**
 * What one value of a bucket is. Default: the mean for a gauge, the last reading for a
 * counter (the meter's index, as it reads) and for a state; 'increase' gives a
 * counter's consumption per bucket.
 */
export const AGGREGATES = ['mean', 'min', 'max', 'sum', 'last', 'count', 'increase'] as const;
export const AggregateSchema = z.enum(AGGREGATES);
export type Aggregate = z.infer<typeof AggregateSchema>;

export const HistoryQuerySchema = z
  .object({
    from: TimeParamSchema.optional(),
    to: TimeParamSchema.optional(),
    resolution: z.enum(['auto', ...RESOLUTIONS], { error: `resolution must be one of auto, ${RESOLUTIONS.join(', ')}` }).default('auto'),
    agg: z.enum(AGGREGATES, { error: `agg must be one of ${AGGREGATES.join(', ')}` }).optional(),
    maxPoints: z
      .string()
      .regex(/^\d+$/, 'maxPoints must be a whole number')
      .transform(Number)
      .refine((n) => n >= 1 && n <= MAX_HISTORY_POINTS, `maxPoints must be from 1 to ${MAX_HISTORY_POINTS}`)
      .default(DEFAULT_HISTORY_POINTS),
    /** csv: the same points as a spreadsheet file (permission "export"); locale fr (";", decimal comma) or en. */
    format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).default('json'),
    locale: z.enum(['fr', 'en'], { error: 'locale must be fr or en' }).default('fr'),
  })
  .transform((q, ctx) => {
    // Without "to", the range ends at the server's now (historyRange): its clock, not the parser's.
    const problem = q.from === undefined || q.to === undefined ? undefined : historyRangeProblem(q.from, q.to);
    if (problem) ctx.addIssue({ code: 'custom', path: ['from'], message: problem });
    return { from: q.from, to: q.to, resolution: q.resolution, agg: q.agg, maxPoints: q.maxPoints, format: q.format, locale: q.locale };
  });
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

function historyRangeProblem(from: number, to: number): string | undefined {
  if (from > to) return '"from" must not be after "to"';
  if (to - from > MAX_HISTORY_RANGE_MS) return `range longer than ${MAX_HISTORY_RANGE_MS / 86_400_000} days`;
  return undefined;
}

/**
 * A history query's range with its defaults: "to" is now, "from" an hour
 * before "to". `problem` says what is wrong with a range made of one given end
 * and one default (the schema checks the two given ends).
 */
export function historyRange(q: { from?: number | undefined; to?: number | undefined }, now: number): { from: number; to: number; problem?: string } {
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_HISTORY_RANGE_MS;
  const problem = historyRangeProblem(from, to);
  return problem ? { from, to, problem } : { from, to };
}

export const HistoryResponseSchema = z.object({
  series: SeriesSchema,
  from: z.number(),
  to: z.number(),
  /** The stored resolution the points come from (what 'auto' picked). */
  resolution: ResolutionSchema,
  agg: AggregateSchema,
  /**
   * [epoch ms, value] pairs in time order: for raw, each reading; else one per bucket,
   * at the bucket's start (UTC-aligned), its value the chosen aggregate. A bucket
   * without readings is absent: a gap in the data is a gap in the answer.
   */
  points: z.array(z.tuple([z.number(), z.number()])),
  /** True when there were more than maxPoints buckets: only the first maxPoints are returned. */
  truncated: z.boolean(),
});
export type HistoryResponse = z.infer<typeof HistoryResponseSchema>;

export const LatestResponseSchema = z.object({ readings: z.array(ReadingSchema) });
export type LatestResponse = z.infer<typeof LatestResponseSchema>;

const ComponentState = z.enum(['up', 'down', 'degraded', 'off', 'starting']);
export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeS: z.number(),
  broker: z.object({ state: ComponentState, clients: z.number(), mqttPort: z.number(), websocketPath: z.string() }),
  store: z.object({
    state: ComponentState,
    kind: z.enum(['sqlite', 'influx']),
    /** Readings in memory, not yet written. */
    pending: z.number(),
    /** Readings stored since the start (duplicates excluded). */
    written: z.number(),
    /** Readings the store refused, each logged: a full spool, a reading it cannot place (docs/storage.md). */
    dropped: z.number(),
    rawRetentionDays: z.number(),
    /** InfluxDB: readings waiting in the on-disk spool (the database unreachable, or catching up), and its size. */
    spooled: z.number().optional(),
    spooledBytes: z.number().optional(),
    /** Set while the store fails to keep readings (a full spool, a disk that refuses writes): why. The "storage failing" alert is raised meanwhile. */
    error: z.string().optional(),
  }),
  /** Dashboards on socket.io: those too slow to take their frames get none until they drain (`lagging`); `framesHeld` counts frames not sent to them. */
  live: z.object({ clients: z.number(), lagging: z.number(), framesHeld: z.number(), maxPendingPackets: z.number(), maxPendingBytes: z.number() }).optional(),
  simulator: z.object({ state: ComponentState, devices: z.number(), published: z.number() }),
  ingest: z.object({ accepted: z.number(), rejected: z.number(), rejectedByReason: z.record(z.string(), z.number()) }),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const ErrorResponseSchema = z.object({ error: z.string(), details: z.unknown().optional() });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** Why ingest refused a message or a record (docs/mqtt.md). */
export const REJECT_REASONS = ['bad-topic', 'unknown-site', 'unknown-device', 'bad-status', 'bad-json', 'bad-senml', 'bad-record', 'future-timestamp', 'past-timestamp', 'catalogue'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const RejectedMessageSchema = z.object({
  /** When the server refused it, epoch ms. */
  ts: z.number(),
  topic: z.string(),
  deviceId: z.string().optional(),
  reason: z.enum(REJECT_REASONS),
  detail: z.string(),
  /** The payload as text, cut at 2 KB. */
  payload: z.string(),
});
export type RejectedMessage = z.infer<typeof RejectedMessageSchema>;

export const RejectedQuerySchema = z.object({
  device: z.string().max(64).optional(),
  reason: z.enum(REJECT_REASONS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type RejectedQuery = z.infer<typeof RejectedQuerySchema>;

export const RejectedResponseSchema = z.object({ items: z.array(RejectedMessageSchema), capacity: z.number(), dropped: z.number() });
export type RejectedResponse = z.infer<typeof RejectedResponseSchema>;

export const DeviceIngestStatsSchema = z.object({
  accepted: z.number(),
  rejected: z.number(),
  rejectedByReason: z.record(z.string(), z.number()),
  /** Last accepted reading (its arrival), epoch ms. */
  lastSeen: z.number().nullable(),
  /** Accepted messages in the last minute. */
  messagesPerMin: z.number(),
  status: z.enum(['online', 'offline', 'unknown']),
  /** No reading for longer than the stale factor times the device's period. */
  stale: z.boolean(),
});
export type DeviceIngestStats = z.infer<typeof DeviceIngestStatsSchema>;

export const IngestStatsResponseSchema = z.object({
  accepted: z.number(),
  rejected: z.number(),
  rejectedByReason: z.record(z.string(), z.number()),
  devices: z.record(z.string(), DeviceIngestStatsSchema),
  deadLetters: z.object({ size: z.number(), capacity: z.number(), dropped: z.number() }),
  staleFactor: z.number(),
});
export type IngestStatsResponse = z.infer<typeof IngestStatsResponseSchema>;
