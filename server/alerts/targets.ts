import type { AlertRule, Target } from '../../shared/alerts';
import type { Building } from '../../shared/building';
import { type Catalogue, catalogueSeries, roomSensorId, seriesId } from '../../shared/catalogue';
import { MINUTE } from './rules';

/**
 * What a rule's target means in this building: each series (or device, for the
 * device-level kinds) it watches, with what its evaluation needs beside the
 * reading (the zone's occupancy series, the inverter's peak power, the AHU's
 * other temperatures), and every problem that makes it unusable, in words.
 */
export interface Binding {
  /** One alert at a time per rule and key: a series id, or a device id for device-level rules. */
  key: string;
  deviceId: string;
  seriesId: string | null;
  zone: string;
  label: string;
  unit: string;
  periodMs: number;
  /** Readings further apart than this restart a pending duration. */
  gapMs: number;
  /** Series whose readings make the rule evaluate this binding. */
  triggers: string[];
  occupancySeries?: string;
  irradianceSeries?: string;
  peakW?: number;
  acRatedW?: number;
  ahu?: { outdoor: string; extract: string; exhaust: string; airflow: string };
}

export type CatalogueSeries = ReturnType<typeof catalogueSeries>[number];

/** Devices of these kinds are watched as a whole, not series by series. */
export const DEVICE_LEVEL_KINDS: readonly AlertRule['kind'][] = ['device-offline', 'heat-recovery'];

const gapFor = (periodMs: number): number => Math.max(15 * MINUTE, 10 * periodMs);

export function matchTarget(target: Target, all: readonly CatalogueSeries[], catalogue: Catalogue): { series: CatalogueSeries[]; problems: string[] } {
  if (target.series) {
    const byId = new Map(all.map((s) => [s.id, s]));
    const problems = target.series.filter((id) => !byId.has(id)).map((id) => `series "${id}" is not in the catalogue`);
    return { series: target.series.flatMap((id) => byId.get(id) ?? []), problems };
  }
  const problems: string[] = [];
  const typeOf = new Map(catalogue.devices.map((d) => [d.id, d.type]));
  if (target.deviceType && !catalogue.deviceTypes.some((t) => t.id === target.deviceType)) problems.push(`device type "${target.deviceType}" does not exist (${catalogue.deviceTypes.map((t) => t.id).join(', ')})`);
  for (const d of target.devices ?? []) if (!typeOf.has(d)) problems.push(`device "${d}" is not in the catalogue`);
  for (const z of target.zones ?? []) if (!catalogue.zones.some((x) => x.id === z)) problems.push(`zone "${z}" does not exist`);
  const series = all.filter(
    (s) =>
      (target.deviceType === undefined || typeOf.get(s.deviceId) === target.deviceType) &&
      (target.devices === undefined || target.devices.includes(s.deviceId)) &&
      (target.zones === undefined || target.zones.includes(s.zone)) &&
      (target.point === undefined || s.point === target.point) &&
      (target.pointKind === undefined || s.kind === target.pointKind),
  );
  return { series, problems };
}

/** The bindings of one rule, and what is wrong with it (an empty list: nothing). */
export function bindRule(rule: AlertRule, catalogue: Catalogue, building: Building): { bindings: Binding[]; problems: string[] } {
  const all = catalogueSeries(catalogue);
  const { series, problems } = matchTarget(rule.target, all, catalogue);
  const byId = new Map(all.map((s) => [s.id, s]));
  const deviceOf = new Map(catalogue.devices.map((d) => [d.id, d]));
  const periodOf = (deviceId: string): number => (catalogue.deviceTypes.find((t) => t.id === deviceOf.get(deviceId)?.type)?.periodS ?? 60) * 1000;
  const seriesLabel = (s: CatalogueSeries): string => `${deviceOf.get(s.deviceId)?.label ?? s.deviceId} – ${s.label}`;
  const bindings: Binding[] = [];
  if (series.length === 0 && problems.length === 0) problems.push('its target matches no series in the catalogue');

  const seriesBinding = (s: CatalogueSeries, extra: Partial<Binding> = {}): Binding => {
    const periodMs = periodOf(s.deviceId);
    return { key: s.id, deviceId: s.deviceId, seriesId: s.id, zone: s.zone, label: seriesLabel(s), unit: s.unit, periodMs, gapMs: gapFor(periodMs), triggers: [s.id], ...extra };
  };
  const requireKind = (allowed: string[], what: string): CatalogueSeries[] => {
    const bad = series.filter((s) => !allowed.includes(s.kind));
    for (const s of bad) problems.push(`series "${s.id}" is a ${s.kind}; a ${rule.kind} rule needs ${what}`);
    return series.filter((s) => allowed.includes(s.kind));
  };

  switch (rule.kind) {
    case 'threshold':
    case 'rate-of-change': {
      for (const s of requireKind(['gauge', 'counter'], 'gauges or counters')) {
        if (rule.kind === 'threshold' && rule.occupiedOnly) {
          const occ = seriesId(roomSensorId(s.zone), 'occupancy');
          if (!byId.has(occ)) {
            problems.push(`series "${s.id}" is in zone "${s.zone}", which has no occupancy sensor (${occ}): occupiedOnly cannot be judged there`);
            continue;
          }
          bindings.push(seriesBinding(s, { occupancySeries: occ }));
        } else bindings.push(seriesBinding(s));
      }
      break;
    }
    case 'tank-low':
      for (const s of requireKind(['gauge'], 'a level gauge')) {
        if (s.unit !== '%') problems.push(`series "${s.id}" is in ${s.unit}; a tank-low rule needs a level in %`);
        else bindings.push(seriesBinding(s));
      }
      break;
    case 'counter-reset':
    case 'mains-topup':
      for (const s of requireKind(['counter'], 'counters')) bindings.push(seriesBinding(s));
      break;
    case 'pv-underperformance': {
      const ghi = byId.get(rule.irradianceSeries);
      if (!ghi) problems.push(`irradiance series "${rule.irradianceSeries}" is not in the catalogue`);
      else if (ghi.unit !== 'W/m2') problems.push(`irradiance series "${rule.irradianceSeries}" is in ${ghi.unit}, not W/m2`);
      for (const s of requireKind(['gauge'], 'AC power gauges')) {
        const inverter = building.pv.inverters.find((i) => i.id === s.deviceId);
        const peakW = building.pv.arrays.filter((a) => a.inverter === s.deviceId).reduce((acc, a) => acc + a.peakW, 0);
        if (s.unit !== 'W') problems.push(`series "${s.id}" is in ${s.unit}; PV underperformance compares AC power in W`);
        else if (!inverter || peakW === 0) problems.push(`device "${s.deviceId}" is not an inverter with PV arrays in the building file: its expected production is unknown`);
        else if (ghi) bindings.push(seriesBinding(s, { label: deviceOf.get(s.deviceId)?.label ?? s.deviceId, irradianceSeries: ghi.id, peakW, acRatedW: inverter.acRatedW }));
      }
      break;
    }
    case 'device-offline':
    case 'heat-recovery': {
      const devices = [...new Set(series.map((s) => s.deviceId))];
      for (const d of devices) {
        const device = deviceOf.get(d);
        const periodMs = periodOf(d);
        const b: Binding = { key: d, deviceId: d, seriesId: null, zone: device?.zone ?? '', label: device?.label ?? d, unit: '', periodMs, gapMs: gapFor(periodMs), triggers: [] };
        if (rule.kind === 'heat-recovery') {
          const ahu = { outdoor: seriesId(d, 'outdoor_temperature'), extract: seriesId(d, 'extract_temperature'), exhaust: seriesId(d, 'exhaust_temperature'), airflow: seriesId(d, 'airflow') };
          const missing = Object.values(ahu).filter((id) => !byId.has(id));
          if (missing.length > 0) {
            problems.push(`device "${d}" lacks ${missing.join(', ')}: a heat-recovery rule needs outdoor, extract and exhaust temperatures and the airflow`);
            continue;
          }
          bindings.push({ ...b, ahu, triggers: Object.values(ahu) });
        } else bindings.push(b);
      }
      break;
    }
  }
  return { bindings, problems };
}
