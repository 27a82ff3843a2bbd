import { z } from 'zod';
import { DeviceIngestStatsSchema, ReadingSchema, SeriesSchema } from './api';

/** The site as the API describes it: levels, zones, devices with their state. */

export const ZoneInfoSchema = z.object({
  id: z.string(),
  label: z.string(),
  level: z.number(),
  use: z.string(),
  areaM2: z.number(),
  capacity: z.number(),
  /** The devices located in this zone. */
  devices: z.array(z.string()),
});
export type ZoneInfo = z.infer<typeof ZoneInfoSchema>;

export const SiteResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  timezone: z.string(),
  floorAreaM2: z.number(),
  pvPeakKWp: z.number(),
  levels: z.array(z.object({ level: z.number(), label: z.string(), areaM2: z.number(), zones: z.array(z.string()) })),
  counts: z.object({ zones: z.number(), devices: z.number(), series: z.number() }),
});
export type SiteResponse = z.infer<typeof SiteResponseSchema>;

export const ZoneListResponseSchema = z.object({ zones: z.array(ZoneInfoSchema) });
export type ZoneListResponse = z.infer<typeof ZoneListResponseSchema>;

export const DeviceInfoSchema = z.object({
  id: z.string(),
  label: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  zone: z.string(),
  /** The Brick equipment class, where one fits. */
  brick: z.string().optional(),
  periodS: z.number(),
  /** online/offline from the retained status topic; stale: silent beyond the stale factor. */
  state: z.enum(['online', 'offline', 'stale', 'unknown']),
  ingest: DeviceIngestStatsSchema,
  series: z.array(z.string()),
});
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;

export const DeviceListResponseSchema = z.object({ devices: z.array(DeviceInfoSchema) });
export type DeviceListResponse = z.infer<typeof DeviceListResponseSchema>;

export const DeviceDetailResponseSchema = DeviceInfoSchema.extend({
  points: z.array(z.object({ series: SeriesSchema, latest: ReadingSchema.nullable() })),
});
export type DeviceDetailResponse = z.infer<typeof DeviceDetailResponseSchema>;

export const DeviceParamsSchema = z.object({ id: z.string().regex(/^[a-z0-9-]+$/, 'device ids are lower-case letters, digits and "-"') });
export const ZoneParamsSchema = z.object({ id: z.string().regex(/^[a-z0-9-]+$/, 'zone ids are lower-case letters, digits and "-"') });
