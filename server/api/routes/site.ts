import type { DeviceIngestStats } from '../../../shared/api';
import type { Building } from '../../../shared/building';
import { type Catalogue, findDevice } from '../../../shared/catalogue';
import { DEVICE_BRICK_CLASS } from '../../../shared/semantics';
import { type DeviceInfo, DeviceDetailResponseSchema, DeviceListResponseSchema, DeviceParamsSchema, SiteResponseSchema, ZoneInfoSchema, ZoneListResponseSchema, ZoneParamsSchema } from '../../../shared/site';
import type { Ingest } from '../../ingest/index';
import type { Store } from '../../store/types';
import { type AnyRoute, HttpError, route } from '../registry';

const EMPTY: DeviceIngestStats = { accepted: 0, rejected: 0, rejectedByReason: {}, lastSeen: null, messagesPerMin: 0, status: 'unknown', stale: true };

/** The site, its levels and zones, and its devices with their state. */
export function siteRoutes(deps: { building: Building; catalogue: Catalogue; store: Store; ingest: Pick<Ingest, 'stats'> }): AnyRoute[] {
  const { building, catalogue, store } = deps;

  const devicesIn = (zone: string) => catalogue.devices.filter((d) => d.zone === zone).map((d) => d.id);
  const zones = () =>
    building.zones.map((z) => ({ id: z.id, label: z.label, level: z.level, use: z.use, areaM2: z.areaM2, capacity: z.capacity, devices: devicesIn(z.id) }));

  function devices(): DeviceInfo[] {
    const stats = deps.ingest.stats().devices;
    // Provisioned devices (npm run devices -- add) appear in ingest's stats once they report.
    const ids = [...new Set([...catalogue.devices.map((d) => d.id), ...Object.keys(stats)])];
    const series = store.listSeries();
    return ids.map((id) => {
      const known = findDevice(catalogue, id);
      const s = stats[id] ?? EMPTY;
      const state = s.status === 'offline' ? 'offline' : s.lastSeen === null && s.status === 'unknown' ? 'unknown' : s.stale ? 'stale' : 'online';
      const typeId = known?.type.id ?? 'unknown';
      return {
        id,
        label: known?.device.label ?? id,
        type: typeId,
        typeLabel: known?.type.label ?? typeId,
        zone: known?.device.zone ?? series.find((x) => x.deviceId === id)?.zone ?? '',
        ...(DEVICE_BRICK_CLASS[typeId] ? { brick: DEVICE_BRICK_CLASS[typeId] } : {}),
        periodS: known?.type.periodS ?? 60,
        state,
        ingest: s,
        series: series.filter((x) => x.deviceId === id).map((x) => x.id),
      };
    });
  }

  return [
    route({
      method: 'get',
      path: '/v1/site',
      summary: 'The site: name, place, levels with their zones, PV peak power',
      tag: 'site',
      access: 'read',
      response: SiteResponseSchema,
      handler: () => ({
        id: building.site.id,
        name: building.site.name,
        address: building.site.address,
        latitude: building.site.latitude,
        longitude: building.site.longitude,
        timezone: building.site.timezone,
        floorAreaM2: building.site.floorAreaM2,
        pvPeakKWp: building.pv.arrays.reduce((s, a) => s + a.peakW, 0) / 1000,
        levels: building.levels.map((l) => ({ ...l, zones: building.zones.filter((z) => z.level === l.level).map((z) => z.id) })),
        counts: { zones: building.zones.length, devices: catalogue.devices.length, series: store.listSeries().length },
      }),
    }),
    route({
      method: 'get',
      path: '/v1/zones',
      summary: 'Every zone with its level, use, area and devices',
      tag: 'site',
      access: 'read',
      response: ZoneListResponseSchema,
      handler: () => ({ zones: zones() }),
    }),
    route({
      method: 'get',
      path: '/v1/zones/:id',
      summary: 'One zone',
      tag: 'site',
      access: 'read',
      params: ZoneParamsSchema,
      response: ZoneInfoSchema,
      handler: ({ params }) => {
        const zone = zones().find((z) => z.id === params.id);
        if (!zone) throw new HttpError(404, `unknown zone "${params.id}"`, { hint: 'GET /api/v1/zones lists them' });
        return zone;
      },
    }),
    route({
      method: 'get',
      path: '/v1/devices',
      summary: 'Every device: state, last seen, message rate, rejected messages, series',
      tag: 'site',
      access: 'read',
      response: DeviceListResponseSchema,
      handler: () => ({ devices: devices() }),
    }),
    route({
      method: 'get',
      path: '/v1/devices/:id',
      summary: "One device, with each point's series and latest value",
      tag: 'site',
      access: 'read',
      params: DeviceParamsSchema,
      response: DeviceDetailResponseSchema,
      handler: ({ params }) => {
        const device = devices().find((d) => d.id === params.id);
        if (!device) throw new HttpError(404, `unknown device "${params.id}"`, { hint: 'GET /api/v1/devices lists them' });
        const latest = new Map(store.latest().map((r) => [r.seriesId, r]));
        return { ...device, points: device.series.map((id) => ({ series: store.getSeries(id) as NonNullable<ReturnType<Store['getSeries']>>, latest: latest.get(id) ?? null })) };
      },
    }),
  ];
}
