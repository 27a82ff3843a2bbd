import { describe, expect, it } from 'vitest';
import {
  EFFECTIVE_DUAL_FLUSH_L,
  FILTER_EFFICIENCY,
  type TankInputs,
  type TankState,
  YIELD_COEFFICIENT,
  harvestableRainL,
  initialTankState,
  tankStep,
  toiletDemandL,
  wateringDemandL,
} from '../../simulator/physics/rainwater';
import { createRng } from '../../simulator/random';

const base: TankInputs = {
  rainMm: 0,
  roofAreaM2: 100,
  runoffCoefficient: 0.75,
  filterEfficiency: 0.9,
  firstFlushMm: 0,
  capacityL: 10_000,
  toiletDemandL: 0,
  wateringDemandL: 0,
  topupBelowL: 0,
  topupToL: 0,
  topupRateLps: 0,
};

describe('EN 16941-1 yield Y = A·h·e·η', () => {
  it('collects 10 mm on 100 m² of tiled roof through a 90 % filter as 100·10·0.75·0.9 = 675 L', () => {
    // 1 mm on 1 m² is 1 L; e = 0.75 pitched tiles (CAT / BS 8515), η = 0.9 (TRCA/STEP wiki).
    expect(harvestableRainL(10, 100, YIELD_COEFFICIENT.pitchedTiled, FILTER_EFFICIENCY)).toBeCloseTo(675, 9);
    expect(harvestableRainL(0, 100, 0.75, 0.9)).toBe(0);
    expect(harvestableRainL(-1, 100, 0.75, 0.9)).toBe(0);
  });
});

describe('first flush', () => {
  const inp = { ...base, firstFlushMm: 2 };
  const wet = (s: TankState, mm: number, dtS = 600) => tankStep(s, { ...inp, rainMm: mm }, dtS);

  it('discards the first 2 mm of an event and keeps the rest', () => {
    let s = initialTankState(0);
    const a = wet(s, 1.5);
    expect(a.inflowL).toBe(0);
    expect(a.firstFlushL).toBeCloseTo(1.5 * 100 * 0.75, 9);
    s = a.state;
    const b = wet(s, 1.5);
    // 0.5 mm flushed, 1 mm kept: 1·100·0.75·0.9 = 67.5 L (quantised to 1/1024 L).
    expect(b.firstFlushL).toBeCloseTo(0.5 * 100 * 0.75, 9);
    expect(b.inflowL).toBeCloseTo(67.5, 3);
    expect(b.state.eventRainMm).toBe(3);
  });

  it('starts a new event, with a new flush, only after the dry gap (6 h by default)', () => {
    let s = wet(initialTankState(0), 3).state;
    for (let i = 0; i < 5; i++) s = tankStep(s, inp, 3600).state; // 5 h dry
    expect(wet(s, 1).firstFlushL).toBe(0);
    s = tankStep(s, inp, 3600).state; // 6 h dry
    expect(wet(s, 1).firstFlushL).toBeCloseTo(75, 9);
    expect(wet(s, 1).inflowL).toBe(0);
  });
});

describe('tank operation', () => {
  it('refills from the mains below the threshold, at the valve rate, up to the target (hysteresis)', () => {
    const inp = { ...base, topupBelowL: 200, topupToL: 500, topupRateLps: 1 };
    let s = initialTankState(150);
    const volumes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = tankStep(s, inp, 60);
      expect(r.topupL).toBeLessThanOrEqual(60);
      s = r.state;
      volumes.push(s.volumeL);
    }
    // 150 → 210 (already above 200, keeps filling) → … → 500, then stops.
    expect(volumes).toEqual([210, 270, 330, 390, 450, 500, 500, 500]);
    expect(s.toppingUp).toBe(false);
  });

  it('always serves the toilets: an empty tank without top-up draws the make-up from the mains', () => {
    const r = tankStep(initialTankState(0), { ...base, toiletDemandL: 12 }, 600);
    expect(r.toiletL).toBe(12);
    expect(r.topupL).toBe(12);
    expect(r.state.volumeL).toBe(0);
  });

  it('waters only with the water above the top-up threshold', () => {
    const r = tankStep(initialTankState(300), { ...base, wateringDemandL: 500, topupBelowL: 200, topupToL: 250 }, 600);
    expect(r.wateringL).toBe(100);
    expect(r.topupL).toBe(0);
    expect(r.state.volumeL).toBe(200);
  });

  it('overflows what exceeds the capacity', () => {
    const r = tankStep(initialTankState(9_900), { ...base, rainMm: 10 }, 3600);
    expect(r.state.volumeL).toBe(10_000);
    expect(r.overflowL).toBeCloseTo(575, 3);
  });

  it('keeps V_end = V_start + inflow + topup − toilet − watering − overflow exactly, every step of a random year', () => {
    const rng = createRng(2026);
    let s = initialTankState(3_000);
    const v0 = s.volumeL;
    const sum = { inflow: 0, topup: 0, toilet: 0, watering: 0, overflow: 0 };
    const dtS = 600;
    let wetDay = false;
    let broken = 0;
    for (let i = 0; i < (365 * 86_400) / dtS; i++) {
      // Wet and dry days (45 % wet), showers of ~0.2 mm per 10 min on wet days: ~1 300 mm a year, Besançon-like.
      if (i % 144 === 0) wetDay = rng() < 0.45;
      const raining = wetDay && rng() < 0.3;
      const inp: TankInputs = {
        ...base,
        rainMm: raining ? -Math.log(1 - rng()) * 0.2 : 0,
        roofAreaM2: 800,
        runoffCoefficient: YIELD_COEFFICIENT.flatGravel,
        firstFlushMm: 1,
        capacityL: 6_000,
        toiletDemandL: rng() * 30,
        wateringDemandL: rng() < 0.05 ? rng() * 200 : 0,
        topupBelowL: 1_000,
        topupToL: 2_000,
        topupRateLps: 0.5,
      };
      const r = tankStep(s, inp, dtS);
      const v = r.state.volumeL;
      // One comparison per step, counted, so the loop stays fast.
      if (v !== s.volumeL + r.inflowL + r.topupL - r.toiletL - r.wateringL - r.overflowL || v < 0 || v > inp.capacityL) broken++;
      sum.inflow += r.inflowL;
      sum.topup += r.topupL;
      sum.toilet += r.toiletL;
      sum.watering += r.wateringL;
      sum.overflow += r.overflowL;
      s = r.state;
    }
    expect(broken).toBe(0);
    // Exact over the year too: every flow is a multiple of 1/1024 L.
    expect(s.volumeL).toBe(v0 + sum.inflow + sum.topup - sum.toilet - sum.watering - sum.overflow);
    expect(sum.inflow).toBeGreaterThan(0);
    expect(sum.topup).toBeGreaterThan(0);
    expect(sum.overflow).toBeGreaterThan(0);
  });
});

describe('demands', () => {
  it('flushes 3 times per person per 8 h day at the 6/3 L dual-flush effective 4 L: 10 people use 120 L', () => {
    // EPA WaterSense at Work (3 uses a day); WRc water calculator: 6·1/3 + 3·2/3 = 4 L.
    expect(EFFECTIVE_DUAL_FLUSH_L).toBe(4);
    expect(toiletDemandL(10, 8 * 3600)).toBeCloseTo(120, 9);
    expect(toiletDemandL(0, 3600)).toBe(0);
  });

  it('waters April-September only, in the 5-7 h window, nothing the day after rain', () => {
    expect(wateringDemandL(1, 6, 60, 10)).toBe(0);
    expect(wateringDemandL(10, 6, 60, 10)).toBe(0);
    expect(wateringDemandL(7, 10, 60, 10)).toBe(0);
    expect(wateringDemandL(7, 6, 60, 0)).toBe(0);
    // July, 7+ dry days: 2.3 mm × 150 m² = 345 L spread over 120 min.
    expect(wateringDemandL(7, 6, 60, 10)).toBeCloseTo(345 / 120, 9);
    let day = 0;
    for (let m = 0; m < 24 * 60; m++) day += wateringDemandL(7, m / 60, 60, 10);
    expect(day).toBeCloseTo(345, 9);
  });

  it('waters more after more dry days', () => {
    expect(wateringDemandL(6, 5.5, 600, 2)).toBeLessThan(wateringDemandL(6, 5.5, 600, 5));
    expect(wateringDemandL(6, 5.5, 600, 7)).toBe(wateringDemandL(6, 5.5, 600, 20));
  });
});
