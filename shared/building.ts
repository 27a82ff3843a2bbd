import { z } from 'zod';
import { ID_PATTERN } from './topics';

/**
 * The building file's schema. One file (buildings/<name>.json) describes a site:
 * its zones, PV arrays and inverters, EV chargers, rainwater tank, heating, AHU,
 * loads and tariffs. The device catalogue is derived from it (shared/catalogue.ts)
 * and the simulator models it, so describing another building means writing
 * another file, not code.
 */

const id = z.string().regex(ID_PATTERN, 'ids are lower-case letters, digits and "-"');
const note = z.string().optional();

export const ZoneUseSchema = z.enum(['reception', 'fablab', 'immersive', 'training', 'coworking', 'office', 'meeting', 'circulation', 'technical', 'roof', 'outdoor']);
export type ZoneUse = z.infer<typeof ZoneUseSchema>;

export const BuildingZoneSchema = z.object({
  id,
  label: z.string(),
  /** 0 is the ground floor; the roof is one above the top floor. */
  level: z.number().int().min(-2).max(50),
  use: ZoneUseSchema,
  areaM2: z.number().nonnegative(),
  heightM: z.number().positive().default(2.8),
  /** Seated people the zone is furnished for. */
  capacity: z.number().int().nonnegative().default(0),
  /** Whether the zone has an ambient sensor (temperature, humidity, CO2, illuminance, occupancy). */
  sensor: z.boolean().default(true),
  note,
});

export const PvArraySchema = z.object({
  id,
  label: z.string(),
  peakW: z.number().positive(),
  tiltDeg: z.number().min(0).max(90),
  /** Clockwise from north: 180 faces south. */
  azimuthDeg: z.number().min(0).max(360),
  inverter: id,
  note,
});

export const InverterSchema = z.object({ id, label: z.string(), acRatedW: z.number().positive(), nominalEfficiency: z.number().min(0.5).max(1).default(0.96), note });

export const ChargerSchema = z.object({ id, label: z.string(), maxPowerW: z.number().positive(), note });

export const BuildingSchema = z
  .object({
    version: z.literal(1),
    site: z.object({
      id,
      name: z.string(),
      address: z.string(),
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      altitudeM: z.number(),
      timezone: z.string(),
      floorAreaM2: z.number().positive(),
    }),
    levels: z.array(z.object({ level: z.number().int(), label: z.string(), areaM2: z.number().nonnegative() })),
    zones: z.array(BuildingZoneSchema).min(1),
    pv: z.object({
      arrays: z.array(PvArraySchema),
      inverters: z.array(InverterSchema),
      /** Power temperature coefficient, per kelvin (datasheet, typically -0.0035). */
      gammaPerK: z.number().max(0).default(-0.0035),
      /** DC system losses other than temperature and the inverter (soiling, wiring, mismatch...). */
      systemLoss: z.number().min(0).max(0.5).default(0.14),
      albedo: z.number().min(0).max(1).default(0.2),
      note,
    }),
    chargers: z.array(ChargerSchema),
    /** Charging follows the PV surplus first; below it a session keeps this much from the grid (0 = solar only). */
    evMinGridPowerW: z.number().nonnegative().default(1400),
    rainwater: z.object({
      roofAreaM2: z.number().positive(),
      runoffCoefficient: z.number().min(0).max(1),
      filterEfficiency: z.number().min(0).max(1),
      firstFlushMm: z.number().nonnegative(),
      capacityL: z.number().positive(),
      topupBelowPct: z.number().min(0).max(100),
      topupToPct: z.number().min(0).max(100),
      topupRateLps: z.number().positive(),
      note,
    }),
    heating: z.object({
      substationMaxW: z.number().positive(),
      setpointOccupiedC: z.number(),
      setpointUnoccupiedC: z.number(),
      /** Fabric heat loss per m² of floor, W/K·m². */
      fabricUaWPerKM2: z.number().positive(),
      /** Effective thermal capacity per m² of floor, J/K·m². */
      capacitanceJPerKM2: z.number().positive(),
      note,
    }),
    ahu: z.object({
      designAirflowM3s: z.number().positive(),
      /** Specific fan power, W per m³/s (EN 16798-3). */
      sfpWPerM3s: z.number().positive(),
      recoveryEfficiency: z.number().min(0).max(1),
      note,
    }),
    loads: z.object({
      baseW: z.number().nonnegative(),
      lightingWPerM2: z.number().nonnegative(),
      plugsWPerPerson: z.number().nonnegative(),
      fablabMachinesW: z.number().nonnegative(),
      pumpsW: z.number().nonnegative(),
      note,
    }),
    water: z.object({ toiletLPerPersonDay: z.number().nonnegative(), wateringLPerDay: z.number().nonnegative(), note }),
    tariffs: z.object({
      currency: z.literal('EUR'),
      importPeakPerKWh: z.number().nonnegative(),
      importOffPeakPerKWh: z.number().nonnegative(),
      /** Off-peak hours, local time, [start, end) in hours; may wrap midnight. */
      offPeakHours: z.array(z.tuple([z.number().min(0).max(24), z.number().min(0).max(24)])),
      feedInPerKWh: z.number().nonnegative(),
      waterPerM3: z.number().nonnegative(),
      heatPerKWh: z.number().nonnegative(),
      note,
    }),
    emissionFactors: z.object({ gridKgPerKWh: z.number().nonnegative(), heatKgPerKWh: z.number().nonnegative(), note }),
  })
  .superRefine((b, ctx) => {
    const inverters = new Set(b.pv.inverters.map((i) => i.id));
    b.pv.arrays.forEach((a, i) => {
      if (!inverters.has(a.inverter)) ctx.addIssue({ code: 'custom', path: ['pv', 'arrays', i, 'inverter'], message: `unknown inverter "${a.inverter}"` });
    });
    const zoneIds = new Set<string>();
    b.zones.forEach((z, i) => {
      if (zoneIds.has(z.id)) ctx.addIssue({ code: 'custom', path: ['zones', i, 'id'], message: `duplicate zone id "${z.id}"` });
      zoneIds.add(z.id);
    });
    if (b.rainwater.topupToPct <= b.rainwater.topupBelowPct) ctx.addIssue({ code: 'custom', path: ['rainwater', 'topupToPct'], message: 'the top-up target must be above its threshold' });
  });
export type BuildingInput = z.input<typeof BuildingSchema>;
export type Building = z.infer<typeof BuildingSchema>;
