import { z } from 'zod';
import leNumerique from '../buildings/le-numerique.json';
import { type Building, BuildingSchema, ZoneUseSchema } from './building';
import { DEVICE_TYPES, SUBMETERS } from './device-types';
import { ID_PATTERN } from './topics';
import { isUnit, UNIT_SYMBOLS, type Unit, unitScale } from './units';

/**
 * The device catalogue: which devices exist, what they measure, in which unit,
 * within which plausible range, and where they are in the building. Ingest
 * validates every reading against it; the dashboard labels everything from it.
 * It follows from the building file (shared/building.ts, buildings/*.json).
 */

const id = z.string().regex(ID_PATTERN, 'ids are lower-case letters, digits and "-" (used as topic levels and URL segments)');
const pointName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'point names are snake_case');

export const PointKindSchema = z.enum(['gauge', 'counter', 'state']);
export type PointKind = z.infer<typeof PointKindSchema>;

export const PointSchema = z
  .object({
    name: pointName,
    label: z.string(),
    /** A SenML unit; '' for a state, which travels as a SenML string value ("vs"). */
    unit: z.union([z.enum(UNIT_SYMBOLS as [Unit, ...Unit[]]), z.literal('')]),
    /**
     * gauge: an instantaneous value; counter: cumulative, never decreasing except
     * on a meter reset; state: one of `states`, stored as its index.
     */
    kind: PointKindSchema,
    states: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(2).optional(),
    min: z.number(),
    max: z.number(),
  })
  .refine((p) => p.min < p.max, { message: 'min must be below max' })
  .refine((p) => (p.kind === 'state') === (p.states !== undefined && p.unit === ''), { message: 'a state point has states and no unit; other points have a unit and no states' });
export type Point = z.infer<typeof PointSchema>;

export const DeviceTypeSchema = z.object({
  id,
  label: z.string(),
  /** Nominal reporting period, used to mark a silent device stale. */
  periodS: z.number().positive(),
  /** Meters publish at QoS 1: a lost energy reading is a hole in a bill. */
  qos: z.union([z.literal(0), z.literal(1)]),
  points: z.array(PointSchema).min(1),
});
export type DeviceType = z.infer<typeof DeviceTypeSchema>;
export type DeviceTypeInput = z.input<typeof DeviceTypeSchema>;

export const ZoneSchema = z.object({
  id,
  label: z.string(),
  level: z.number().int(),
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

/** Device id of the ambient sensor of a zone. */
export function roomSensorId(zoneId: string): string {
  return `room-${zoneId}`;
}

/**
 * The catalogue a building file implies: a weather station, one device per
 * inverter and charger, the grid meter and its sub-meters, the rainwater tank,
 * the heat substation, the AHU and an ambient sensor in every zone that has one.
 */
export function catalogueFromBuilding(b: Building): Catalogue {
  const technical = b.zones.find((z) => z.use === 'technical')?.id ?? b.zones[0]?.id ?? 'site';
  const roof = b.zones.find((z) => z.use === 'roof')?.id ?? technical;
  const outdoor = b.zones.find((z) => z.use === 'outdoor')?.id ?? roof;
  const devices: Device[] = [
    { id: 'weather-station', label: 'Station météo', type: 'weather-station', zone: roof },
    ...b.pv.inverters.map((i) => ({ id: i.id, label: i.label, type: 'pv-inverter', zone: roof })),
    { id: 'grid-meter', label: 'Compteur réseau', type: 'grid-meter', zone: technical },
    ...SUBMETERS.map((m) => ({ id: m.id, label: m.label, type: 'submeter', zone: technical })),
    ...b.chargers.map((c) => ({ id: c.id, label: c.label, type: 'ev-charger', zone: outdoor })),
    { id: 'rainwater-tank', label: "Cuve d'eau de pluie", type: 'rainwater-tank', zone: technical },
    { id: 'heat-substation', label: 'Sous-station chauffage urbain', type: 'heat-substation', zone: technical },
    { id: 'ahu', label: "Centrale de traitement d'air", type: 'ahu', zone: technical },
    ...b.zones.filter((z) => z.sensor).map((z) => ({ id: roomSensorId(z.id), label: `Ambiance ${z.label}`, type: 'room-sensor', zone: z.id })),
  ];
  return CatalogueSchema.parse({
    version: 1,
    site: { id: b.site.id, name: b.site.name, latitude: b.site.latitude, longitude: b.site.longitude, timezone: b.site.timezone },
    zones: b.zones.map((z) => ({ id: z.id, label: z.label, level: z.level, use: z.use, areaM2: z.areaM2 })),
    deviceTypes: DEVICE_TYPES,
    devices,
  });
}

/** The default building, Le Numérique, from buildings/le-numerique.json. */
export const building: Building = BuildingSchema.parse(leNumerique);
export const catalogue: Catalogue = catalogueFromBuilding(building);

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
export function catalogueSeries(cat: Catalogue): Array<{ id: string; deviceId: string; point: string; unit: Point['unit']; kind: PointKind; states?: string[]; label: string; zone: string }> {
  return cat.devices.flatMap((device) => {
    const type = cat.deviceTypes.find((t) => t.id === device.type);
    return (type?.points ?? []).map((p) => ({
      id: seriesId(device.id, p.name),
      deviceId: device.id,
      point: p.name,
      unit: p.unit,
      kind: p.kind,
      ...(p.states ? { states: p.states } : {}),
      label: p.label,
      zone: device.zone,
    }));
  });
}

export type PointCheck = { ok: true; point: Point; value: number } | { ok: false; reason: string };

/**
 * Checks one resolved SenML record against the device's type. The record name
 * is either the bare point name or "<deviceId>:<point>" (bn = "<deviceId>:").
 */
export function checkPoint(deviceId: string, type: DeviceType, rec: { name: string; unit: string | undefined; value: number | undefined; sum: number | undefined; stringValue?: string | undefined }): PointCheck {
  const prefix = `${deviceId}:`;
  const pointName = rec.name.startsWith(prefix) ? rec.name.slice(prefix.length) : rec.name;
  const point = type.points.find((p) => p.name === pointName);
  if (!point) return { ok: false, reason: `unknown point "${rec.name}" for device type ${type.id}` };
  if (point.kind === 'state') {
    // A state travels as a SenML string ("vs"); it is stored as its index in `states`.
    const states = point.states ?? [];
    const index = rec.stringValue !== undefined ? states.indexOf(rec.stringValue) : -1;
    if (index < 0) return { ok: false, reason: `point "${pointName}" expects one of ${states.join(', ')} as a string value (vs), got ${JSON.stringify(rec.stringValue ?? rec.value)}` };
    return { ok: true, point, value: index };
  }
  if (rec.unit === undefined) return { ok: false, reason: `point "${pointName}" has no unit; expected ${point.unit}` };
  if (!isUnit(rec.unit)) return { ok: false, reason: `unit "${rec.unit}" is not a SenML unit this monitor accepts (see docs/mqtt.md)` };
  const scale = unitScale(rec.unit, point.unit as Unit);
  if (scale === undefined) return { ok: false, reason: `point "${pointName}" expects unit ${point.unit}, got ${rec.unit}` };
  // Counters may be sent as a SenML sum ("s", RFC 8428 §4.2); gauges as a value ("v").
  const raw = rec.value ?? rec.sum;
  if (raw === undefined) return { ok: false, reason: `point "${pointName}" needs a numeric value` };
  const value = raw * scale;
  if (value < point.min || value > point.max) return { ok: false, reason: `point "${pointName}" value ${value} outside plausible range [${point.min}, ${point.max}]` };
  return { ok: true, point, value };
}
