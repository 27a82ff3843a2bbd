import { describe, expect, it } from 'vitest';
import { BuildingSchema } from '../../shared/building';
import { CatalogueSchema, building, catalogue, checkPoint, findDevice } from '../../shared/catalogue';
import { UNITS } from '../../shared/units';

const pv = findDevice(catalogue, 'pv-inverter-1');
if (!pv) throw new Error('catalogue has no pv-inverter-1');

describe('device catalogue', () => {
  it('follows from the building file: one device per inverter and charger, a sensor in every equipped zone', () => {
    expect(CatalogueSchema.safeParse(catalogue).success).toBe(true);
    const byType = (t: string) => catalogue.devices.filter((d) => d.type === t).map((d) => d.id);
    expect(byType('pv-inverter')).toEqual(building.pv.inverters.map((i) => i.id));
    expect(byType('ev-charger')).toEqual(building.chargers.map((c) => c.id));
    expect(byType('room-sensor')).toEqual(building.zones.filter((z) => z.sensor).map((z) => `room-${z.id}`));
    for (const single of ['weather-station', 'grid-meter', 'rainwater-tank', 'heat-substation', 'ahu']) expect(byType(single)).toHaveLength(1);
    expect(byType('submeter')).toEqual(['submeter-lighting', 'submeter-plugs', 'submeter-ahu', 'submeter-fablab', 'submeter-ev']);
    for (const t of catalogue.deviceTypes) for (const p of t.points) if (p.kind !== 'state') expect(Object.keys(UNITS)).toContain(p.unit);
  });

  it('describes the public facts of Le Numérique: 3,072 m² on 5 levels, 792 m² on the ground floor', () => {
    expect(building.site.floorAreaM2).toBe(3072);
    const floors = building.levels.filter((l) => l.areaM2 > 0);
    expect(floors).toHaveLength(5);
    expect(floors.reduce((a, l) => a + l.areaM2, 0)).toBe(3072);
    expect(floors.find((l) => l.level === 0)?.areaM2).toBe(792);
    // Zones fit in their level (the rest is circulation and sanitary).
    for (const l of floors) expect(building.zones.filter((z) => z.level === l.level && z.use !== 'outdoor').reduce((a, z) => a + z.areaM2, 0)).toBeLessThanOrEqual(l.areaM2);
  });

  it('meters publish at QoS 1, ambient and weather sensors at QoS 0', () => {
    const qos = Object.fromEntries(catalogue.deviceTypes.map((t) => [t.id, t.qos]));
    expect(qos).toMatchObject({ 'pv-inverter': 1, 'grid-meter': 1, submeter: 1, 'ev-charger': 1, 'rainwater-tank': 1, 'heat-substation': 1, 'room-sensor': 0, 'weather-station': 0 });
  });

  it('stores a state sent as a SenML string value by its index, and rejects unknown states', () => {
    expect(checkPoint('pv-inverter-1', pv.type, { name: 'state', unit: undefined, value: undefined, sum: undefined, stringValue: 'clipping' })).toMatchObject({ ok: true, value: 2 });
    const bad = checkPoint('pv-inverter-1', pv.type, { name: 'state', unit: undefined, value: 1, sum: undefined, stringValue: undefined });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/expects one of off, mppt, clipping, fault/);
  });

  it('rejects a building file that names an unknown inverter', () => {
    const file = structuredClone(building);
    file.pv.arrays[0] = { ...file.pv.arrays[0]!, inverter: 'nope' };
    expect(BuildingSchema.safeParse(file).error?.issues[0]?.message).toBe('unknown inverter "nope"');
  });

  it('refuses a device of an unknown type or zone', () => {
    const bad = { ...catalogue, devices: [...catalogue.devices, { id: 'x', label: 'x', type: 'toaster', zone: 'nowhere' }] };
    const res = CatalogueSchema.safeParse(bad);
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.message)).toEqual(['unknown device type "toaster"', 'unknown zone "nowhere"']);
  });

  it('accepts a point by bare name or "<deviceId>:<point>"', () => {
    expect(checkPoint('pv-inverter-1', pv.type, { name: 'ac_power', unit: 'W', value: 1200, sum: undefined })).toMatchObject({ ok: true, value: 1200 });
    expect(checkPoint('pv-inverter-1', pv.type, { name: 'pv-inverter-1:ac_energy', unit: 'Wh', value: undefined, sum: 5 })).toMatchObject({ ok: true, value: 5 });
  });

  it('scales RFC 8798 secondary units to the unit the point is stored in', () => {
    expect(checkPoint('pv-inverter-1', pv.type, { name: 'ac_power', unit: 'kW', value: 12.5, sum: undefined })).toMatchObject({ ok: true, value: 12_500 });
    expect(checkPoint('pv-inverter-1', pv.type, { name: 'ac_energy', unit: 'kWh', value: 3, sum: undefined })).toMatchObject({ ok: true, value: 3000 });
    // The plausible range applies after scaling: 300 kW is beyond the 250 kW limit.
    expect(checkPoint('pv-inverter-1', pv.type, { name: 'ac_power', unit: 'kW', value: 300, sum: undefined })).toMatchObject({ ok: false });
  });

  it('rejects unknown points, wrong or missing units and implausible values, saying why', () => {
    const cases: [Parameters<typeof checkPoint>[2], RegExp][] = [
      [{ name: 'ac_voltage', unit: 'V', value: 1, sum: undefined }, /unknown point/],
      [{ name: 'ac_power', unit: 'kw', value: 1, sum: undefined }, /not a SenML unit/],
      [{ name: 'ac_power', unit: 'Cel', value: 1, sum: undefined }, /expects unit W/],
      [{ name: 'ac_power', unit: 'Wh', value: 1, sum: undefined }, /expects unit W/],
      [{ name: 'ac_power', unit: undefined, value: 1, sum: undefined }, /no unit/],
      [{ name: 'ac_power', unit: 'W', value: -5, sum: undefined }, /outside plausible range/],
      [{ name: 'ac_power', unit: 'W', value: 1e9, sum: undefined }, /outside plausible range/],
      [{ name: 'other-device:ac_power', unit: 'W', value: 1, sum: undefined }, /unknown point/],
    ];
    for (const [rec, reason] of cases) {
      const res = checkPoint('pv-inverter-1', pv.type, rec);
      expect(res.ok, JSON.stringify(rec)).toBe(false);
      if (!res.ok) expect(res.reason).toMatch(reason);
    }
  });
});
