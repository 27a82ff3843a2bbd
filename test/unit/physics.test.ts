import { describe, expect, it } from 'vitest';
import { co2Step } from '../../simulator/physics/co2';
import { clearSkyGhiHaurwitz, solarPosition } from '../../simulator/physics/sun';

const BESANCON = { lat: 47.24, lon: 6.02 };

describe('solar position (NOAA general solar position equations)', () => {
  it('gives the solstice declinations of ±23.44° (obliquity of the ecliptic)', () => {
    expect(solarPosition(Date.UTC(2026, 5, 21, 12), BESANCON.lat, BESANCON.lon).declinationDeg).toBeCloseTo(23.44, 0);
    expect(solarPosition(Date.UTC(2026, 11, 21, 12), BESANCON.lat, BESANCON.lon).declinationDeg).toBeCloseTo(-23.44, 0);
  });

  it('puts the June solar noon at 90 - 47.24 + 23.44 = 66.2° above Besançon, due south', () => {
    // Search the day's maximum elevation at one-minute steps.
    let best = { elevationDeg: -90, azimuthDeg: 0 };
    for (let m = 9 * 60; m < 13 * 60; m++) {
      const p = solarPosition(Date.UTC(2026, 5, 21, 0, m), BESANCON.lat, BESANCON.lon);
      if (p.elevationDeg > best.elevationDeg) best = p;
    }
    expect(best.elevationDeg).toBeCloseTo(66.2, 0);
    expect(best.azimuthDeg).toBeGreaterThan(175);
    expect(best.azimuthDeg).toBeLessThan(185);
  });

  it('matches the published equation of time extremes (+16.4 min early November, -14.2 min mid February)', () => {
    expect(solarPosition(Date.UTC(2026, 10, 3, 12), 0, 0).equationOfTimeMin).toBeCloseTo(16.4, 0);
    expect(solarPosition(Date.UTC(2026, 1, 11, 12), 0, 0).equationOfTimeMin).toBeCloseTo(-14.2, 0);
  });

  it('is below the horizon at local midnight', () => {
    expect(solarPosition(Date.UTC(2026, 5, 21, 23), BESANCON.lat, BESANCON.lon).elevationDeg).toBeLessThan(0);
  });
});

describe('Haurwitz clear-sky GHI (Reno, Hansen & Stein, SAND2012-2389, eq. 3)', () => {
  it('gives 1098·exp(-0.057) = 1037.2 W/m² with the sun at the zenith', () => {
    expect(clearSkyGhiHaurwitz(0)).toBeCloseTo(1037.2, 1);
  });
  it('gives 1098·0.5·exp(-0.114) = 489.8 W/m² at 60° zenith and 0 below the horizon', () => {
    expect(clearSkyGhiHaurwitz(60)).toBeCloseTo(489.8, 1);
    expect(clearSkyGhiHaurwitz(95)).toBe(0);
  });
});

describe('single-zone CO2 mass balance', () => {
  const room = { volumeM3: 700, outdoorPpm: 420, generationLsPerPerson: 0.0052 };
  it('settles at outdoor + G/Q: 7 L/s per person (EN 16798-1 cat. II) gives 743 ppm above outdoor', () => {
    // Persily & de Jonge 2017: 0.0052 L/s per seated adult; 0.0052 / 7 × 1e6 = 743 ppm.
    const c = co2Step(420, { ...room, occupants: 10, ventilationM3s: 0.07 }, 1e6);
    expect(c).toBeCloseTo(420 + 742.86, 1);
  });
  it('decays toward outdoor air with time constant V/Q', () => {
    // After one time constant the excess falls to 1/e.
    const c = co2Step(1420, { ...room, occupants: 0, ventilationM3s: 0.7 }, 1000);
    expect(c).toBeCloseTo(420 + 1000 / Math.E, 6);
  });
});
