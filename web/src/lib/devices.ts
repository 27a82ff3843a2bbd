import type { Series } from '../../../shared/api';
import { type Catalogue, findDevice } from '../../../shared/catalogue';

/** One card of the live view: a device and its series, in catalogue order. */
export interface DeviceGroup {
  deviceId: string;
  label: string;
  typeLabel: string | undefined;
  zoneLabel: string | undefined;
  series: Series[];
}

/**
 * Groups series by device, labelled from the catalogue. Devices and points come
 * in catalogue order; anything the catalogue does not know comes after, by id.
 */
export function groupByDevice(series: readonly Series[], cat: Catalogue): DeviceGroup[] {
  const groups = new Map<string, DeviceGroup>();
  for (const s of series) {
    let g = groups.get(s.deviceId);
    if (!g) {
      const found = findDevice(cat, s.deviceId);
      const zoneId = found?.device.zone ?? s.zone;
      g = {
        deviceId: s.deviceId,
        label: found?.device.label ?? s.deviceId,
        typeLabel: found?.type.label,
        zoneLabel: cat.zones.find((z) => z.id === zoneId)?.label ?? (zoneId || undefined),
        series: [],
      };
      groups.set(s.deviceId, g);
    }
    g.series.push(s);
  }

  const deviceRank = (id: string) => {
    const i = cat.devices.findIndex((d) => d.id === id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = [...groups.values()].sort((a, b) => deviceRank(a.deviceId) - deviceRank(b.deviceId) || a.deviceId.localeCompare(b.deviceId));
  for (const g of sorted) {
    const points = findDevice(cat, g.deviceId)?.type.points ?? [];
    const pointRank = (name: string) => {
      const i = points.findIndex((p) => p.name === name);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    g.series.sort((a, b) => pointRank(a.point) - pointRank(b.point) || a.point.localeCompare(b.point));
  }
  return sorted;
}

/** The device's nominal reporting period in ms, if the catalogue knows it. */
export function reportingPeriodMs(cat: Catalogue, deviceId: string): number | undefined {
  const period = findDevice(cat, deviceId)?.type.periodS;
  return period === undefined ? undefined : period * 1000;
}
