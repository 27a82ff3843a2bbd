import { describe, expect, it } from 'vitest';
import { CatalogueSchema, catalogue, checkPoint, findDevice } from '../../shared/catalogue';
import { UNITS } from '../../shared/units';

const pv = findDevice(catalogue, 'pv-inverter-1');
if (!pv) throw new Error('catalogue has no pv-inverter-1');

describe('device catalogue', () => {
  it('holds the three skeleton devices, each with a known type and zone', () => {
    expect(CatalogueSchema.safeParse(catalogue).success).toBe(true);
    expect(catalogue.devices.map((d) => d.type).sort()).toEqual(['grid-meter', 'pv-inverter', 'room-sensor']);
    for (const t of catalogue.deviceTypes) for (const p of t.points) expect(Object.keys(UNITS)).toContain(p.unit);
  });

  it('meters publish at QoS 1, room sensors at QoS 0', () => {
    const qos = Object.fromEntries(catalogue.deviceTypes.map((t) => [t.id, t.qos]));
    expect(qos).toEqual({ 'pv-inverter': 1, 'grid-meter': 1, 'room-sensor': 0 });
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
    // The plausible range applies after scaling: 200 kW is beyond a 100 kW limit.
    expect(checkPoint('pv-inverter-1', pv.type, { name: 'ac_power', unit: 'kW', value: 200, sum: undefined })).toMatchObject({ ok: false });
  });

  it('rejects unknown points, wrong or missing units and implausible values, saying why', () => {
    const cases: [Parameters<typeof checkPoint>[2], RegExp][] = [
      [{ name: 'dc_power', unit: 'W', value: 1, sum: undefined }, /unknown point/],
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
