import { describe, expect, it } from 'vitest';
import { catalogue, checkPoint, findDevice } from '../../shared/catalogue';
import { resolvePack } from '../../shared/senml';
import { toPack } from '../../simulator/devices';
import { World, defaultBuilding } from '../../simulator/world';

const START = Date.UTC(2026, 5, 17, 4, 0); // a Wednesday in June, 06:00 in Paris
const run = (seed: number, steps: number, stepMs = 60_000) => {
  const world = new World(defaultBuilding(catalogue), seed);
  return Array.from({ length: steps }, (_, i) => world.step(START + i * stepMs));
};

describe('the simulated building', () => {
  it('balances the grid meter against PV and load at every step (import - export = load - PV)', () => {
    for (const s of run(1, 24 * 60)) {
      expect(s.importW - s.exportW).toBeCloseTo(s.loadW - s.pvAcW, 6);
      expect(Math.min(s.importW, s.exportW)).toBe(0);
    }
  });

  it('keeps energy counters cumulative: they never decrease', () => {
    const snaps = run(2, 24 * 60);
    for (let i = 1; i < snaps.length; i++) {
      const [a, b] = [snaps[i - 1], snaps[i]] as const;
      expect(b?.pvEnergyWh).toBeGreaterThanOrEqual(a?.pvEnergyWh ?? 0);
      expect(b?.importEnergyWh).toBeGreaterThanOrEqual(a?.importEnergyWh ?? 0);
      expect(b?.exportEnergyWh).toBeGreaterThanOrEqual(a?.exportEnergyWh ?? 0);
    }
  });

  it('produces PV by day only, and a June day yields a plausible yield for 60 kWp', () => {
    const snaps = run(3, 24 * 60);
    const night = snaps.filter((s) => new Date(s.tMs).getUTCHours() === 1);
    expect(night.every((s) => s.pvAcW === 0)).toBe(true);
    const kwh = (snaps.at(-1)?.pvEnergyWh ?? 0) / 1000;
    // 60 kWp × 2-7.5 kWh/kWp: a cloudy to a clear June day in eastern France (PVGIS order of magnitude).
    expect(kwh).toBeGreaterThan(120);
    expect(kwh).toBeLessThan(450);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(run(42, 300)).toEqual(run(42, 300));
    expect(run(42, 300).map((s) => s.loadW)).not.toEqual(run(43, 300).map((s) => s.loadW));
  });

  it('publishes packs that pass the catalogue checks of their device type', () => {
    const snaps = run(5, 24 * 60, 60_000);
    for (const device of catalogue.devices) {
      const known = findDevice(catalogue, device.id);
      if (!known) throw new Error(device.id);
      for (const s of snaps) {
        const { records, errors } = resolvePack(toPack(device.id, device.type, s), s.tMs);
        expect(errors).toEqual([]);
        for (const r of records) expect(checkPoint(device.id, known.type, r)).toMatchObject({ ok: true });
      }
    }
  });
});
