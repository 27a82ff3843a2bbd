import { describe, expect, it } from 'vitest';
import {
  AIR_RHO_CP,
  SENSIBLE_GAIN_PER_PERSON_W,
  heatRecovery,
  heatingCurveSupplyC,
  heatingDegreeDays,
  heatingDegreeDaysCostic,
  heatingDegreeDaysMinMax,
  heatingPowerW,
  internalGainsW,
  recoveredHeatW,
  substation,
  ventilationConductanceWPerK,
  zoneStep,
} from '../../simulator/physics/thermal';

// A 250 m² room: UA 100 W/K, 0.35 m³/s through an 80 % wheel, 50 MJ/K.
const room = {
  outdoorC: 0,
  heatingW: 1000,
  solarGainW: 200,
  internalGainW: 300,
  uaWPerK: 100,
  ventilationWPerK: ventilationConductanceWPerK(0.35, 0.8),
  capacitanceJPerK: 50e6,
};

describe('1R1C zone model, exact exponential solution', () => {
  const h = 100 + 1200 * 0.35 * 0.2; // 184 W/K
  const steady = 1500 / h;

  it('settles at T_out + Φ/H (1500 W / 184 W/K = 8.15 K above outdoor)', () => {
    expect(zoneStep(20, room, 1e9)).toBeCloseTo(steady, 9);
  });

  it('closes the gap to 1/e after one time constant C/H', () => {
    const tau = room.capacitanceJPerK / h;
    expect(zoneStep(20, room, tau)).toBeCloseTo(steady + (20 - steady) / Math.E, 9);
  });

  it('gives the same result in one step or in 60 (the exact solution composes)', () => {
    let t = 20;
    for (let i = 0; i < 60; i++) t = zoneStep(t, room, 60);
    expect(t).toBeCloseTo(zoneStep(20, room, 3600), 9);
  });

  it('integrates the gains when nothing is lost (H = 0): 1500 W × 1 h / 50 MJ/K = 0.108 K', () => {
    expect(zoneStep(20, { ...room, uaWPerK: 0, ventilationWPerK: 0 }, 3600)).toBeCloseTo(20.108, 12);
  });
});

describe('heat recovery (EN 308 temperature efficiency), ρ·c_p = 1200 J/(m³·K) (EN ISO 13789/13790)', () => {
  it('supplies 16 °C and exhausts 4 °C with 0 °C outside, 20 °C extract and η = 0.8', () => {
    const { supplyC, exhaustC } = heatRecovery(0, 20, 0.8);
    expect(supplyC).toBeCloseTo(16, 12);
    expect(exhaustC).toBeCloseTo(4, 12);
    // EN 308: η = (t_supply − t_outdoor) / (t_extract − t_outdoor).
    expect((supplyC - 0) / (20 - 0)).toBeCloseTo(0.8, 12);
  });

  it('recovers 1200 × 1 m³/s × 0.8 × 20 K = 19.2 kW, the difference between the losses without and with recovery', () => {
    expect(AIR_RHO_CP).toBe(1200);
    expect(recoveredHeatW(1, 0, 20, 0.8)).toBeCloseTo(19_200, 9);
    expect(ventilationConductanceWPerK(1, 0) * 20 - ventilationConductanceWPerK(1, 0.8) * 20).toBeCloseTo(19_200, 9);
  });
});

describe('heating control and substation', () => {
  it('is proportional over a 1 K band below the set-point', () => {
    expect(heatingPowerW(21, 21, 10_000)).toBe(0);
    expect(heatingPowerW(22, 21, 10_000)).toBe(0);
    expect(heatingPowerW(20.5, 21, 10_000)).toBeCloseTo(5_000, 9);
    expect(heatingPowerW(18, 21, 10_000)).toBe(10_000);
  });

  it('follows the heating curve: 70 °C at −10 °C, 45 °C at 15 °C, 57.5 °C half-way, flat beyond', () => {
    expect(heatingCurveSupplyC(-10)).toBe(70);
    expect(heatingCurveSupplyC(15)).toBe(45);
    expect(heatingCurveSupplyC(2.5)).toBeCloseTo(57.5, 12);
    expect(heatingCurveSupplyC(-20)).toBe(70);
    expect(heatingCurveSupplyC(25)).toBe(45);
  });

  it('drops ΔT = P/(ṁ·c_p): 10 kW on 0.2 kg/s of water is 10 000 / (0.2 × 4180) = 11.96 K', () => {
    const s = substation(10_000, 60, 0.2);
    expect(s.deltaK).toBeCloseTo(11.962, 3);
    expect(s.returnC).toBeCloseTo(60 - 11.962, 3);
    expect(s.deliveredW).toBeCloseTo(10_000, 6);
  });

  it('cannot return colder than the rooms: the heat delivered is capped', () => {
    const s = substation(100_000, 45, 0.2);
    expect(s.returnC).toBe(20);
    expect(s.deliveredW).toBeCloseTo(0.2 * 4180 * 25, 6);
    expect(substation(0, 60, 0.2).returnC).toBe(60);
  });
});

describe('heating degree-days, base 18 °C (French DJU)', () => {
  it('sums base − mean over the days colder than the base: 13 + 8 + 0 + 0 = 21', () => {
    expect(heatingDegreeDays([5, 10, 18, 20])).toBe(21);
    expect(heatingDegreeDays([5, 10], 15)).toBe(15);
  });

  it('uses (T_min + T_max)/2 in the Météo-France method: (−2, 8) gives 18 − 3 = 15', () => {
    expect(heatingDegreeDaysMinMax([{ minC: -2, maxC: 8 }])).toBe(15);
    expect(heatingDegreeDaysMinMax([{ minC: 12, maxC: 26 }])).toBe(0);
  });

  it('credits part of a mild day in the COSTIC method: T_min 10, T_max 20 gives 8 × (0.08 + 0.42 × 8/10) = 3.328', () => {
    // Same day by the Météo method: 18 − 15 = 3.
    expect(heatingDegreeDaysCostic([{ minC: 10, maxC: 20 }])).toBeCloseTo(3.328, 12);
    expect(heatingDegreeDaysCostic([{ minC: -2, maxC: 8 }])).toBe(15);
    expect(heatingDegreeDaysCostic([{ minC: 18, maxC: 28 }])).toBe(0);
  });
});

describe('internal gains', () => {
  it('counts 75 W sensible per office worker (ASHRAE Fundamentals ch. 18 Table 1) plus all the electricity', () => {
    expect(SENSIBLE_GAIN_PER_PERSON_W.office).toBe(75);
    expect(SENSIBLE_GAIN_PER_PERSON_W.seated).toBe(70);
    expect(internalGainsW(10, 500)).toBe(1250);
    expect(internalGainsW(10, 500, 70, 0.8)).toBe(1100);
  });
});
