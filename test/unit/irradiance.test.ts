import { describe, expect, it } from 'vitest';
import {
  SOLAR_CONSTANT_WM2,
  angleOfIncidence,
  decompose,
  erbsDiffuseFraction,
  extraterrestrialNormal,
  transposeHayDavies,
  transposeIsotropic,
} from '../../simulator/physics/irradiance';

const DEG = Math.PI / 180;

describe('extraterrestrial normal irradiance (Spencer 1971 eccentricity, Kopp & Lean 2011 solar constant)', () => {
  it('peaks at perihelion and bottoms at aphelion as (1 ∓ e)⁻² with e = 0.0167 (Iqbal 1983, § 1.2)', () => {
    // (1 − 0.0167)⁻² = 1.0342 early January, (1 + 0.0167)⁻² = 0.9674 early July; Spencer's series is within 0.001.
    expect(extraterrestrialNormal(Date.UTC(2026, 0, 3, 12)) / SOLAR_CONSTANT_WM2).toBeCloseTo(1.0342, 2);
    expect(extraterrestrialNormal(Date.UTC(2026, 6, 4, 12)) / SOLAR_CONSTANT_WM2).toBeCloseTo(0.9674, 2);
  });

  it('agrees within 0.3 % all year with Duffie & Beckman eq. 1.4.1b, G = Gsc (1 + 0.033 cos(360 n / 365))', () => {
    for (let n = 1; n <= 365; n++) {
      const t = Date.UTC(2026, 0, n, 12);
      const simple = SOLAR_CONSTANT_WM2 * (1 + 0.033 * Math.cos((2 * Math.PI * n) / 365));
      expect(Math.abs(extraterrestrialNormal(t) / simple - 1)).toBeLessThan(0.003);
    }
  });
});

describe('Erbs, Klein & Duffie (1982) diffuse fraction (Duffie & Beckman eq. 2.10.1)', () => {
  it('gives 1 − 0.09 kt under heavy cloud, 0.165 under a clear sky', () => {
    expect(erbsDiffuseFraction(0.1)).toBeCloseTo(0.991, 6);
    expect(erbsDiffuseFraction(0.9)).toBe(0.165);
  });
  it('gives 0.9511 − 0.1604·0.5 + 4.388·0.5² − 16.638·0.5³ + 12.336·0.5⁴ = 0.65915 at kt = 0.5', () => {
    expect(erbsDiffuseFraction(0.5)).toBeCloseTo(0.65915, 5);
  });
  it('is continuous (to 0.001) at the published breakpoints kt = 0.22 and 0.80', () => {
    expect(Math.abs(erbsDiffuseFraction(0.2200001) - erbsDiffuseFraction(0.22))).toBeLessThan(1e-3);
    expect(Math.abs(erbsDiffuseFraction(0.8000001) - erbsDiffuseFraction(0.8))).toBeLessThan(1e-3);
  });
});

describe('GHI decomposition into DNI and DHI', () => {
  const june21 = Date.UTC(2026, 5, 21, 12);

  it('matches a hand computation: GHI 400 W/m², z = 60°, 21 June', () => {
    // I0 = 1361 · E0(n = 172) = 1316.69; kt = 400 / (1316.69 · 0.5) = 0.60758; kd = 0.42282;
    // DHI = 0.42282 · 400 = 169.13; DNI = (400 − 169.13) / 0.5 = 461.75.
    const d = decompose(400, 60, june21);
    expect(d.kt).toBeCloseTo(0.60758, 4);
    expect(d.dhi).toBeCloseTo(169.13, 1);
    expect(d.dni).toBeCloseTo(461.75, 1);
  });

  it('closes: DHI + DNI · cos z = GHI', () => {
    for (const [ghi, z] of [[900, 25], [300, 50], [120, 75], [30, 86]] as const) {
      const d = decompose(ghi, z, june21);
      expect(d.dhi + d.dni * Math.cos(z * DEG)).toBeCloseTo(ghi, 6);
    }
  });

  it('is all zero at night and all diffuse with the sun within 3° of the horizon (z > 87°)', () => {
    expect(decompose(0, 40, june21)).toEqual({ dni: 0, dhi: 0, kt: 0 });
    expect(decompose(50, 95, june21)).toEqual({ dni: 0, dhi: 0, kt: 0 });
    const low = decompose(20, 88, june21);
    expect(low.dni).toBe(0);
    expect(low.dhi).toBe(20);
  });

  it('caps kt at 1 and never returns a beam above the extraterrestrial value', () => {
    const d = decompose(2000, 30, june21);
    expect(d.kt).toBeLessThanOrEqual(1);
    expect(d.dni).toBeLessThanOrEqual(extraterrestrialNormal(june21));
  });
});

describe('angle of incidence (Duffie & Beckman eq. 1.6.3)', () => {
  it('reproduces Duffie & Beckman Example 1.6.1: Madison 43° N, 13 Feb 10:30 solar time, 45° tilt facing 15° W of S -> 35°', () => {
    // The example's sun: δ = −14°, ω = −22.5°. Zenith from D&B eq. 1.6.5, azimuth from eq. 1.6.6.
    const phi = 43 * DEG;
    const delta = -14 * DEG;
    const omega = -22.5 * DEG;
    const cosZ = Math.cos(phi) * Math.cos(delta) * Math.cos(omega) + Math.sin(phi) * Math.sin(delta);
    const z = Math.acos(cosZ);
    const gammaS = -Math.abs(Math.acos((cosZ * Math.sin(phi) - Math.sin(delta)) / (Math.sin(z) * Math.cos(phi)))); // morning: east of south
    const sunAzimuthFromNorth = 180 + gammaS / DEG;
    expect(angleOfIncidence(z / DEG, sunAzimuthFromNorth, 45, 195)).toBeCloseTo(35, 0);
  });

  it('is the zenith angle on a horizontal surface, 0 for a plane facing the sun, > 90° with the sun behind', () => {
    expect(angleOfIncidence(37, 123, 0, 180)).toBeCloseTo(37, 9);
    expect(angleOfIncidence(52, 210, 52, 210)).toBeCloseTo(0, 5);
    expect(angleOfIncidence(60, 0, 90, 180)).toBeGreaterThan(90);
  });
});

describe('plane-of-array transposition (Liu & Jordan 1963 isotropic, Hay & Davies 1980 anisotropic)', () => {
  const sky = { ghi: 800, dni: 700, dhi: 800 - 700 * Math.cos(30 * DEG), sunZenithDeg: 30, sunAzimuthDeg: 180, albedo: 0.2, dniExtra: 1361 };

  it('gives POA = GHI on a horizontal surface, with either sky model', () => {
    for (const transpose of [transposeIsotropic, transposeHayDavies]) {
      const p = transpose({ ...sky, tiltDeg: 0, surfaceAzimuthDeg: 180 });
      expect(p.poa).toBeCloseTo(sky.ghi, 6);
      expect(p.ground).toBe(0);
    }
  });

  it('gives a vertical wall with the sun behind it DHI/2 + GHI·albedo/2 under an isotropic sky', () => {
    const p = transposeIsotropic({ ...sky, tiltDeg: 90, surfaceAzimuthDeg: 0 });
    expect(p.beam).toBe(0);
    expect(p.skyDiffuse).toBeCloseTo(sky.dhi / 2, 6);
    expect(p.ground).toBeCloseTo((sky.ghi * 0.2) / 2, 6);
  });

  it('gives a plane normal to the sun the full DNI as beam', () => {
    const p = transposeHayDavies({ ...sky, tiltDeg: 30, surfaceAzimuthDeg: 180 });
    expect(p.beam).toBeCloseTo(sky.dni, 6);
  });

  it('matches a hand computation of Hay & Davies for that plane (30° south, sun 30° from zenith due south)', () => {
    // DHI = 800 − 700 cos 30° = 193.782; Ai = 700/1361 = 0.51433; Rb = 1/cos 30° = 1.15470;
    // sky = 193.782 · (0.51433 · 1.15470 + 0.48567 · (1 + cos 30°)/2) = 202.896;
    // ground = 800 · 0.2 · (1 − cos 30°)/2 = 10.718; POA = 700 + 202.896 + 10.718 = 913.614.
    const p = transposeHayDavies({ ...sky, tiltDeg: 30, surfaceAzimuthDeg: 180 });
    expect(p.skyDiffuse).toBeCloseTo(202.896, 2);
    expect(p.ground).toBeCloseTo(10.718, 2);
    expect(p.poa).toBeCloseTo(913.614, 2);
    // The circumsolar share puts more diffuse light on a sun-facing plane than the isotropic sky (180.80).
    expect(transposeIsotropic({ ...sky, tiltDeg: 30, surfaceAzimuthDeg: 180 }).skyDiffuse).toBeCloseTo(180.801, 2);
  });

  it('sends nothing but ground light and isotropic sky to any plane at night', () => {
    const p = transposeHayDavies({ ...sky, ghi: 0, dni: 0, dhi: 0, sunZenithDeg: 110, tiltDeg: 35, surfaceAzimuthDeg: 180 });
    expect(p).toEqual({ poa: 0, beam: 0, skyDiffuse: 0, ground: 0 });
  });
});
