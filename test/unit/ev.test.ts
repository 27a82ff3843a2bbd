import { describe, expect, it } from 'vitest';
import { IEC61851_MIN_SINGLE_PHASE_W, allocateCharging, chargerState, drawSession, evArrivalRate } from '../../simulator/physics/ev';
import { createRng } from '../../simulator/random';

const at = (weekday: number, hour: number, isHoliday = false) => ({ weekday, hour, isHoliday });

describe('EV arrivals and sessions (assumed profile)', () => {
  it('peaks on weekday mornings, is lighter on Saturday and Sunday, and is 0 at night', () => {
    expect(evArrivalRate(at(2, 8.5), 4)).toBeCloseTo(1.4, 12);
    expect(evArrivalRate(at(6, 8.5), 4)).toBe(0);
    expect(evArrivalRate(at(2, 3), 4)).toBe(0);
    const day = (weekday: number, holiday = false) => Array.from({ length: 24 }, (_, h) => evArrivalRate(at(weekday, h + 0.5, holiday), 1)).reduce((a, b) => a + b, 0);
    expect(day(2)).toBeCloseTo(1.65, 12);
    expect(day(6)).toBeLessThan(day(2));
    expect(day(0)).toBeLessThan(day(6));
    expect(day(3, true)).toBe(day(0));
  });

  it('draws 5-30 kWh, 1-9 h and 7.4 or 11 kW, deterministically', () => {
    expect(drawSession(0, 0, 0)).toEqual({ energyWh: 5000, dwellS: 3600, maxPowerW: 7400 });
    const rng = createRng(1);
    for (let i = 0; i < 1000; i++) {
      const s = drawSession(rng(), rng(), rng());
      expect(s.energyWh).toBeGreaterThanOrEqual(5000);
      expect(s.energyWh).toBeLessThan(30_000);
      expect(s.dwellS).toBeGreaterThanOrEqual(3600);
      expect(s.dwellS).toBeLessThan(9 * 3600);
      expect([7400, 11_000]).toContain(s.maxPowerW);
    }
  });
});

describe('PV-first charging allocation', () => {
  it('uses 230 V × 6 A = 1380 W as the IEC 61851-1 single-phase minimum', () => {
    expect(IEC61851_MIN_SINGLE_PHASE_W).toBe(1380);
  });

  it('shares 10 kW of PV equally, capped per car, redistributing what a capped car leaves: 2 + 4 + 4 kW', () => {
    const r = allocateCharging(
      [
        { id: 'a', needWh: 20_000, maxW: 7400 },
        { id: 'b', needWh: 20_000, maxW: 2000 },
        { id: 'c', needWh: 20_000, maxW: 7400 },
      ],
      10_000,
      22_000,
      1380,
    );
    expect(r.sessions.map((s) => s.pvW)).toEqual([4000, 2000, 4000]);
    expect(r.gridW).toBe(0);
    expect(r.pvW).toBe(10_000);
  });

  it('gives nothing to full batteries', () => {
    const r = allocateCharging(
      [
        { id: 'full', needWh: 0, maxW: 7400 },
        { id: 'b', needWh: 5000, maxW: 7400 },
      ],
      6000,
      22_000,
      1380,
    );
    expect(r.sessions[0]).toEqual({ id: 'full', powerW: 0, pvW: 0, gridW: 0 });
    expect(r.sessions[1]?.pvW).toBe(6000);
  });

  it('keeps each car at the 1.38 kW minimum from the grid when the PV surplus is short', () => {
    const r = allocateCharging(
      [
        { id: 'a', needWh: 10_000, maxW: 7400 },
        { id: 'b', needWh: 10_000, maxW: 7400 },
      ],
      1000,
      22_000,
      1380,
    );
    expect(r.sessions.map((s) => s.powerW)).toEqual([1380, 1380]);
    expect(r.pvW).toBe(1000);
    expect(r.gridW).toBeCloseTo(1760, 9);
  });

  it('pauses the later cars in solar-only mode when the surplus cannot give everyone the minimum', () => {
    const r = allocateCharging(
      [
        { id: 'a', needWh: 10_000, maxW: 7400 },
        { id: 'b', needWh: 10_000, maxW: 7400 },
        { id: 'c', needWh: 10_000, maxW: 7400 },
      ],
      3000,
      22_000,
      1380,
      { solarOnly: true },
    );
    expect(r.sessions.map((s) => s.powerW)).toEqual([1500, 1500, 0]);
    expect(r.gridW).toBe(0);
    expect(allocateCharging([{ id: 'a', needWh: 1e4, maxW: 7400 }], 1000, 22_000, 1380, { solarOnly: true }).totalW).toBe(0);
  });

  it('pauses the later cars when the site limit cannot hold every minimum', () => {
    const r = allocateCharging(
      [
        { id: 'a', needWh: 1e4, maxW: 7400 },
        { id: 'b', needWh: 1e4, maxW: 7400 },
        { id: 'c', needWh: 1e4, maxW: 7400 },
      ],
      0,
      3000,
      1380,
    );
    expect(r.sessions.map((s) => s.powerW)).toEqual([1380, 1380, 0]);
  });

  it('caps a nearly full car at the power that fills it within the step', () => {
    const r = allocateCharging([{ id: 'a', needWh: 50, maxW: 7400 }], 10_000, 22_000, 1380, { dtS: 60 });
    expect(r.totalW).toBeCloseTo(3000, 9);
  });

  it('never exceeds the site limit, the PV surplus or a car maximum, over random cases', () => {
    const rng = createRng(61851);
    let violations = 0;
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(rng() * 8);
      const sessions = Array.from({ length: n }, (_, k) => ({ id: String(k), needWh: rng() < 0.2 ? 0 : rng() * 30_000, maxW: rng() < 0.5 ? 7400 : 11_000 }));
      const pv = rng() * 40_000;
      const limit = rng() * 44_000;
      const solarOnly = rng() < 0.3;
      const r = allocateCharging(sessions, pv, limit, 1380, { solarOnly, dtS: 60 });
      const eps = 1e-6;
      if (r.totalW > limit + eps || r.pvW > pv + eps) violations++;
      if (solarOnly && r.gridW !== 0) violations++;
      r.sessions.forEach((s, k) => {
        const need = sessions[k]?.needWh ?? 0;
        if (s.powerW > (sessions[k]?.maxW ?? 0) + eps || (need <= 0 && s.powerW !== 0)) violations++;
        if (s.powerW > 0 && s.powerW < Math.min(1380, (need * 3600) / 60) - eps) violations++;
        if (Math.abs(s.pvW + s.gridW - s.powerW) > eps) violations++;
      });
    }
    expect(violations).toBe(0);
  });
});

describe('charger states', () => {
  it('reports available, charging, finished (plugged, full) and fault', () => {
    expect(chargerState({ fault: false, plugged: false, needWh: 0 })).toBe('available');
    expect(chargerState({ fault: false, plugged: true, needWh: 100 })).toBe('charging');
    expect(chargerState({ fault: false, plugged: true, needWh: 0 })).toBe('finished');
    expect(chargerState({ fault: true, plugged: true, needWh: 100 })).toBe('fault');
  });
});
