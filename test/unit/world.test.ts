import { describe, expect, it } from 'vitest';
import { building, catalogue, checkPoint, findDevice } from '../../shared/catalogue';
import { resolvePack } from '../../shared/senml';
import { samplesToPacks } from '../../simulator/pack';
import { SCENARIOS } from '../../simulator/scenarios';
import { type Snapshot, World } from '../../simulator/world';

const START = Date.UTC(2026, 5, 17, 4, 0); // Wednesday 17 June 2026, 06:00 in Paris
function run(seed: number, steps: number, stepMs = 60_000, start = START): { world: World; snaps: Snapshot[]; counters: ReturnType<World['exportState']>['counters'][] } {
  const world = new World(building, seed, start);
  const snaps: Snapshot[] = [];
  const counters: ReturnType<World['exportState']>['counters'][] = [];
  for (let i = 1; i <= steps; i++) {
    snaps.push(world.step(start + i * stepMs));
    counters.push(world.exportState().counters);
  }
  return { world, snaps, counters };
}

describe('the simulated building', () => {
  const day = run(1, 24 * 60);

  it('balances electricity exactly at every step: PV = self-consumed + exported, consumption = self-consumed + imported', () => {
    for (const s of day.snaps) {
      expect(s.selfConsumedW + s.exportW).toBeCloseTo(s.pvW, 9);
      expect(s.selfConsumedW + s.importW).toBeCloseTo(s.consumptionW, 9);
      expect(Math.min(s.importW, s.exportW)).toBe(0);
      const l = s.loads;
      expect(l.baseW + l.lightingW + l.plugsW + l.ahuW + l.fablabW + l.evW).toBeCloseTo(s.consumptionW, 9);
    }
  });

  it('balances the rainwater tank exactly: what came in minus what went out is what it holds', () => {
    const { world, counters } = run(7, 30 * 24 * 12, 300_000, Date.UTC(2026, 3, 1));
    const c = counters.at(-1)?.tankL;
    if (!c) throw new Error('no counters');
    const start = building.rainwater.capacityL * 0.5;
    expect(world.exportState().tank.volumeL).toBeCloseTo(start + c.inflow + c.topup - c.toilet - c.watering - c.overflow, 6);
    expect(c.inflow).toBeGreaterThan(0);
    expect(c.toilet).toBeGreaterThan(0);
  });

  it('keeps every counter cumulative: none ever decreases', () => {
    const flat = (c: (typeof day.counters)[number]) => [...c.pvWh, c.importWh, c.exportWh, ...Object.values(c.submeterWh), ...c.chargerWh, c.heatWh, c.rainMm, ...Object.values(c.tankL)];
    for (let i = 1; i < day.counters.length; i++) {
      const a = flat(day.counters[i - 1] as (typeof day.counters)[number]);
      const b = flat(day.counters[i] as (typeof day.counters)[number]);
      b.forEach((v, k) => expect(v).toBeGreaterThanOrEqual(a[k] ?? 0));
    }
  });

  it('produces PV by day only, within the inverters ratings', () => {
    const night = day.snaps.filter((_, i) => i < 30); // 06:00-06:30 local in June: sunrise is at 05:40
    expect(day.snaps.filter((_, i) => i > 16 * 60 && i < 20 * 60).every((s) => s.pvW === 0)).toBe(true); // 22:00-02:00 local
    expect(night.length).toBeGreaterThan(0);
    for (const s of day.snaps) s.pv.forEach((p, i) => expect(p.acW).toBeLessThanOrEqual(building.pv.inverters[i]?.acRatedW ?? 0));
    expect(Math.max(...day.snaps.map((s) => s.pvW))).toBeGreaterThan(20_000);
  });

  it('is deterministic: the same seed, start and building give the same readings, bit for bit', () => {
    const a = run(42, 600);
    const b = run(42, 600);
    expect(JSON.stringify(a.snaps)).toBe(JSON.stringify(b.snaps));
    expect(a.snaps.map((s) => s.consumptionW)).not.toEqual(run(43, 600).snaps.map((s) => s.consumptionW));
  });

  it('resumes from a saved state exactly where it stopped', () => {
    const whole = run(5, 240);
    const first = run(5, 120);
    const resumed = new World(building, 5, 0, first.world.exportState());
    const rest = Array.from({ length: 120 }, (_, i) => resumed.step(START + (121 + i) * 60_000));
    expect(JSON.stringify(rest)).toBe(JSON.stringify(whole.snaps.slice(120)));
  });

  it('gives every catalogued device a reading that passes ingest: names, units, ranges', () => {
    const { world, snaps } = run(3, 6 * 60, 60_000, Date.UTC(2026, 6, 8, 6));
    expect(snaps.length).toBeGreaterThan(0);
    for (const device of catalogue.devices) {
      const known = findDevice(catalogue, device.id);
      if (!known) throw new Error(device.id);
      const packs = samplesToPacks(device.id, known.type.points, [{ t: world.t, values: world.read(device.id) }]);
      for (const pack of packs) {
        const { records, errors } = resolvePack(pack, world.t);
        expect(errors).toEqual([]);
        expect(records).toHaveLength(known.type.points.length);
        for (const r of records) expect(checkPoint(device.id, known.type, r), `${device.id} ${r.name}`).toMatchObject({ ok: true });
      }
    }
  });

  it('bends the models under a scenario: the heat-wave is hotter, the AHU failure loses its recovery', () => {
    const t0 = Date.UTC(2026, 6, 20, 10);
    const normal = new World(building, 9, t0);
    const hot = new World(building, 9, t0);
    hot.setScenario(SCENARIOS['heat-wave']);
    const n = normal.step(t0 + 60_000);
    const h = hot.step(t0 + 60_000);
    expect(h.weather.airTempC - n.weather.airTempC).toBeCloseTo(9, 0);

    const winter = Date.UTC(2026, 0, 13, 9);
    const broken = new World(building, 9, winter);
    broken.setScenario(SCENARIOS['ahu-recovery-failure']);
    const ok = new World(building, 9, winter);
    let sb: Snapshot | undefined;
    let so: Snapshot | undefined;
    for (let i = 1; i <= 120; i++) {
      sb = broken.step(winter + i * 60_000);
      so = ok.step(winter + i * 60_000);
    }
    expect(sb?.ahu.efficiency).toBe(0);
    expect(so?.ahu.efficiency).toBeCloseTo(building.ahu.recoveryEfficiency, 6);
    expect(sb?.heat.powerW ?? 0).toBeGreaterThan(so?.heat.powerW ?? 0);
  });

  it('an equipment fault takes an inverter or a charger out: "fault" state, no power, balances kept', () => {
    const noon = Date.UTC(2026, 6, 8, 10);
    const world = new World(building, 11, noon);
    world.setEquipmentFault('pv-inverter-1', true);
    world.setEquipmentFault('ev-charger-1', true);
    let s: Snapshot | undefined;
    for (let i = 1; i <= 60; i++) {
      s = world.step(noon + i * 60_000);
      expect(s.pv[0]).toMatchObject({ acW: 0, state: 'fault' });
      expect(s.chargers[0]).toMatchObject({ state: 'fault', powerW: 0 });
      expect(s.selfConsumedW + s.exportW).toBeCloseTo(s.pvW, 9);
    }
    expect(world.read('pv-inverter-1')).toContainEqual(['state', 'fault']);
    expect(s?.pv[1]?.acW ?? 0).toBeGreaterThan(0);
    world.setEquipmentFault('pv-inverter-1', false);
    expect(world.step(noon + 61 * 60_000).pv[0]?.acW ?? 0).toBeGreaterThan(0);
  });
});
