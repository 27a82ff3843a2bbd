import type { Reading } from '../../shared/api';
import { type Catalogue, catalogueSeries } from '../../shared/catalogue';

/** Where each series belongs: its device (from its id) and its device's zone. */
export class Directory {
  private readonly zones: Set<string>;
  private readonly zoneOfDevice = new Map<string, string | null>();
  private readonly catalogueDevices: Set<string>;
  private readonly catalogueSeries: Set<string>;

  constructor(
    catalogue: Catalogue,
    /** Devices the catalogue does not list (provisioned later): their zone, if known. */
    private readonly extraDeviceZone?: (deviceId: string) => string | undefined,
  ) {
    this.zones = new Set(catalogue.zones.map((z) => z.id));
    for (const d of catalogue.devices) this.zoneOfDevice.set(d.id, d.zone);
    this.catalogueDevices = new Set(catalogue.devices.map((d) => d.id));
    this.catalogueSeries = new Set(catalogueSeries(catalogue).map((s) => s.id));
  }

  static deviceOf(seriesId: string): string {
    const dot = seriesId.indexOf('.');
    return dot < 0 ? seriesId : seriesId.slice(0, dot);
  }

  zoneOf(deviceId: string): string | undefined {
    let zone = this.zoneOfDevice.get(deviceId);
    if (zone === undefined) {
      zone = this.extraDeviceZone?.(deviceId) ?? null;
      // Only a known answer is cached: a device provisioned later is asked about again.
      if (zone !== null) this.zoneOfDevice.set(deviceId, zone);
    }
    return zone ?? undefined;
  }

  knowsZone(zoneId: string): boolean {
    return this.zones.has(zoneId);
  }

  knowsDevice(deviceId: string): boolean {
    return this.zoneOf(deviceId) !== undefined;
  }

  /**
   * A series of a catalogue device is known when its type has that point; a
   * device provisioned later is judged by its id alone (its points are not known here).
   */
  knowsSeries(seriesId: string): boolean {
    const device = Directory.deviceOf(seriesId);
    return this.catalogueDevices.has(device) ? this.catalogueSeries.has(seriesId) : this.knowsDevice(device);
  }

  /** Remembers a device seen in readings, whatever the catalogue says, so that it can be subscribed to. */
  seen(deviceId: string): void {
    if (!this.zoneOfDevice.has(deviceId)) this.zoneOfDevice.set(deviceId, this.extraDeviceZone?.(deviceId) ?? '');
  }
}

/** A client's subscription, resolved to sets; `all` when it named nothing. */
export interface Subscription {
  all: boolean;
  zones: ReadonlySet<string>;
  devices: ReadonlySet<string>;
  series: ReadonlySet<string>;
  /** The same for two subscriptions that select the same readings: dashboards that share it share their frames. */
  key: string;
}

export function makeSubscription(req: { zones?: string[] | undefined; devices?: string[] | undefined; series?: string[] | undefined }): Subscription {
  const all = req.zones === undefined && req.devices === undefined && req.series === undefined;
  const zones = new Set(req.zones);
  const devices = new Set(req.devices);
  const series = new Set(req.series);
  const part = (set: ReadonlySet<string>, given: unknown) => (given === undefined ? '-' : [...set].sort().join(','));
  const key = all ? '*' : `${part(zones, req.zones)}|${part(devices, req.devices)}|${part(series, req.series)}`;
  return { all, zones, devices, series, key };
}

/** The ids of a subscription that name nothing this server knows, as a sentence; undefined when all are known. */
export function unknownIds(dir: Directory, req: { zones?: string[] | undefined; devices?: string[] | undefined; series?: string[] | undefined }): string | undefined {
  const zones = (req.zones ?? []).filter((z) => !dir.knowsZone(z));
  const devices = (req.devices ?? []).filter((d) => !dir.knowsDevice(d));
  const series = (req.series ?? []).filter((s) => !dir.knowsSeries(s));
  const parts = [
    zones.length > 0 ? `unknown zone${zones.length > 1 ? 's' : ''} ${list(zones)}` : '',
    devices.length > 0 ? `unknown device${devices.length > 1 ? 's' : ''} ${list(devices)}` : '',
    series.length > 0 ? `unknown series ${list(series)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function list(ids: string[]): string {
  const shown = ids.slice(0, 5).map((id) => `"${id}"`);
  return ids.length > 5 ? `${shown.join(', ')} and ${ids.length - 5} more` : shown.join(', ');
}

export function matches(dir: Directory, sub: Subscription, seriesId: string): boolean {
  if (sub.all || sub.series.has(seriesId)) return true;
  if (sub.devices.size === 0 && sub.zones.size === 0) return false;
  const device = Directory.deviceOf(seriesId);
  if (sub.devices.has(device)) return true;
  if (sub.zones.size === 0) return false;
  const zone = dir.zoneOf(device);
  return zone !== undefined && sub.zones.has(zone);
}

/** The readings of `readings` the subscription takes: the same array when it takes them all. */
export function filterReadings(dir: Directory, sub: Subscription, readings: readonly Reading[]): readonly Reading[] {
  if (sub.all) return readings;
  return readings.filter((r) => matches(dir, sub, r.seriesId));
}
