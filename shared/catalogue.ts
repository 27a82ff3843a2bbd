import { z } from 'zod';
import { DEFAULT_SITE_ID, ID_PATTERN } from './topics';
import { isUnit, UNIT_SYMBOLS, type Unit, unitScale } from './units';

/**
 * The device catalogue: which devices exist, what they measure, in which unit,
 * within which plausible range, and where they are in the building. Ingest
 * validates every reading against it; the dashboard labels everything from it.
 *
 * The zone areas and the PV rating below are working assumptions until the
 * simulator issue describes the whole building in its own file (see docs/mqtt.md).
 */

const id = z.string().regex(ID_PATTERN, 'ids are lower-case letters, digits and "-" (used as topic levels and URL segments)');
const pointName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'point names are snake_case');

export const PointKindSchema = z.enum(['gauge', 'counter']);
export type PointKind = z.infer<typeof PointKindSchema>;

export const PointSchema = z
  .object({
    name: pointName,
    label: z.string(),
    unit: z.enum(UNIT_SYMBOLS as [Unit, ...Unit[]]),
    /** gauge: an instantaneous value; counter: cumulative, never decreasing except on a meter reset. */
    kind: PointKindSchema,
    min: z.number(),
    max: z.number(),
  })
  .refine((p) => p.min < p.max, { message: 'min must be below max' });
export type Point = z.infer<typeof PointSchema>;

export const DeviceTypeSchema = z.object({
  id,
  label: z.string(),
  /** Nominal reporting period, used later to mark a silent device stale. */
  periodS: z.number().positive(),
  /** Meters publish at QoS 1: a lost energy reading is a hole in a bill. */
  qos: z.union([z.literal(0), z.literal(1)]),
  points: z.array(PointSchema).min(1),
});
export type DeviceType = z.infer<typeof DeviceTypeSchema>;

export const ZoneUseSchema = z.enum(['reception', 'fablab', 'immersive', 'training', 'coworking', 'office', 'meeting', 'technical', 'roof', 'outdoor']);
export const ZoneSchema = z.object({
  id,
  label: z.string(),
  /** 0 is the ground floor; 5 stands for the roof. */
  level: z.number().int().min(-1).max(5),
  use: ZoneUseSchema,
  areaM2: z.number().nonnegative(),
});
export type Zone = z.infer<typeof ZoneSchema>;

export const DeviceSchema = z.object({ id, label: z.string(), type: id, zone: id });
export type Device = z.infer<typeof DeviceSchema>;

export const CatalogueSchema = z
  .object({
    version: z.literal(1),
    site: z.object({ id, name: z.string(), latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), timezone: z.string() }),
    zones: z.array(ZoneSchema),
    deviceTypes: z.array(DeviceTypeSchema),
    devices: z.array(DeviceSchema),
  })
  .superRefine((c, ctx) => {
    const types = new Set(c.deviceTypes.map((t) => t.id));
    const zones = new Set(c.zones.map((z) => z.id));
    const seen = new Set<string>();
    c.devices.forEach((d, i) => {
      if (!types.has(d.type)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'type'], message: `unknown device type "${d.type}"` });
      if (!zones.has(d.zone)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'zone'], message: `unknown zone "${d.zone}"` });
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: `duplicate device id "${d.id}"` });
      seen.add(d.id);
    });
  });
export type Catalogue = z.infer<typeof CatalogueSchema>;

export const catalogue: Catalogue = CatalogueSchema.parse({
  version: 1,
  site: { id: DEFAULT_SITE_ID, name: 'Le Numérique', latitude: 47.24, longitude: 6.02, timezone: 'Europe/Paris' },
  zones: [
    { id: 'roof', label: 'Toiture', level: 5, use: 'roof', areaM2: 600 },
    { id: 'rdc-technique', label: 'Local technique (RDC)', level: 0, use: 'technical', areaM2: 40 },
    { id: 'r1-coworking', label: 'Coworking (R+1)', level: 1, use: 'coworking', areaM2: 250 },
  ],
  deviceTypes: [
    {
      id: 'pv-inverter',
      label: 'Onduleur photovoltaïque',
      periodS: 5,
      qos: 1,
      points: [
        { name: 'ac_power', label: 'Puissance AC', unit: 'W', kind: 'gauge', min: 0, max: 100_000 },
        { name: 'ac_energy', label: 'Énergie AC produite', unit: 'Wh', kind: 'counter', min: 0, max: 1e12 },
      ],
    },
    {
      id: 'grid-meter',
      label: 'Compteur de raccordement réseau',
      periodS: 5,
      qos: 1,
      points: [
        { name: 'import_power', label: 'Puissance soutirée', unit: 'W', kind: 'gauge', min: 0, max: 500_000 },
        { name: 'export_power', label: 'Puissance injectée', unit: 'W', kind: 'gauge', min: 0, max: 500_000 },
        { name: 'import_energy', label: 'Énergie soutirée', unit: 'Wh', kind: 'counter', min: 0, max: 1e12 },
        { name: 'export_energy', label: 'Énergie injectée', unit: 'Wh', kind: 'counter', min: 0, max: 1e12 },
      ],
    },
    {
      id: 'room-sensor',
      label: "Capteur d'ambiance",
      periodS: 10,
      qos: 0,
      points: [
        { name: 'temperature', label: "Température de l'air", unit: 'Cel', kind: 'gauge', min: -20, max: 60 },
        { name: 'humidity', label: 'Humidité relative', unit: '%RH', kind: 'gauge', min: 0, max: 100 },
        { name: 'co2', label: 'CO2', unit: 'ppm', kind: 'gauge', min: 300, max: 10_000 },
        { name: 'illuminance', label: 'Éclairement', unit: 'lx', kind: 'gauge', min: 0, max: 50_000 },
        { name: 'occupancy', label: 'Occupation', unit: 'count', kind: 'gauge', min: 0, max: 500 },
      ],
    },
  ],
  devices: [
    { id: 'pv-inverter-1', label: 'Onduleur PV 1', type: 'pv-inverter', zone: 'roof' },
    { id: 'grid-meter', label: 'Compteur réseau', type: 'grid-meter', zone: 'rdc-technique' },
    { id: 'room-r1-coworking', label: 'Ambiance coworking R+1', type: 'room-sensor', zone: 'r1-coworking' },
  ],
});

export function findDevice(cat: Catalogue, deviceId: string): { device: Device; type: DeviceType } | undefined {
  const device = cat.devices.find((d) => d.id === deviceId);
  if (!device) return undefined;
  const type = cat.deviceTypes.find((t) => t.id === device.type);
  return type ? { device, type } : undefined;
}

/** The stable id of a series: "<deviceId>.<point>", safe in URLs and topics. */
export function seriesId(deviceId: string, point: string): string {
  return `${deviceId}.${point}`;
}

/**
 * The series every catalogued device promises, one per point: what the store
 * registers at start-up and what the dashboard falls back to.
 */
export function catalogueSeries(cat: Catalogue): Array<{ id: string; deviceId: string; point: string; unit: Unit; kind: PointKind; label: string; zone: string }> {
  return cat.devices.flatMap((device) => {
    const type = cat.deviceTypes.find((t) => t.id === device.type);
    return (type?.points ?? []).map((p) => ({ id: seriesId(device.id, p.name), deviceId: device.id, point: p.name, unit: p.unit, kind: p.kind, label: p.label, zone: device.zone }));
  });
}

export type PointCheck = { ok: true; point: Point; value: number } | { ok: false; reason: string };

/**
 * Checks one resolved SenML record against the device's type. The record name
 * is either the bare point name or "<deviceId>:<point>" (bn = "<deviceId>:").
 */
export function checkPoint(deviceId: string, type: DeviceType, rec: { name: string; unit: string | undefined; value: number | undefined; sum: number | undefined }): PointCheck {
  const prefix = `${deviceId}:`;
  const pointName = rec.name.startsWith(prefix) ? rec.name.slice(prefix.length) : rec.name;
  const point = type.points.find((p) => p.name === pointName);
  if (!point) return { ok: false, reason: `unknown point "${rec.name}" for device type ${type.id}` };
  if (rec.unit === undefined) return { ok: false, reason: `point "${pointName}" has no unit; expected ${point.unit}` };
  if (!isUnit(rec.unit)) return { ok: false, reason: `unit "${rec.unit}" is not a SenML unit this monitor accepts (see docs/mqtt.md)` };
  const scale = unitScale(rec.unit, point.unit);
  if (scale === undefined) return { ok: false, reason: `point "${pointName}" expects unit ${point.unit}, got ${rec.unit}` };
  // Counters may be sent as a SenML sum ("s", RFC 8428 §4.2); gauges as a value ("v").
  const raw = rec.value ?? rec.sum;
  if (raw === undefined) return { ok: false, reason: `point "${pointName}" needs a numeric value` };
  const value = raw * scale;
  if (value < point.min || value > point.max) return { ok: false, reason: `point "${pointName}" value ${value} outside plausible range [${point.min}, ${point.max}]` };
  return { ok: true, point, value };
}
