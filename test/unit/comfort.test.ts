import { describe, expect, it } from 'vitest';
import { accumulateOccupiedHours, co2Category, emptyCategoryHours, humidityCategory, shareAtLeast, temperatureCategory } from '../../simulator/physics/comfort';

describe('EN 16798-1:2019 CO2 categories (Annex B: 550 / 800 / 1350 ppm above outdoor)', () => {
  it('classifies by the excess over outdoor air, boundaries in the better category', () => {
    // DIN EN 16798-1:2019 p. 55, as implemented by RWTH-E3D/carbonfly iaq.py.
    expect(co2Category(420 + 550)).toBe('I');
    expect(co2Category(420 + 551)).toBe('II');
    expect(co2Category(420 + 800)).toBe('II');
    expect(co2Category(420 + 1350)).toBe('III');
    expect(co2Category(420 + 1351)).toBe('IV');
    expect(co2Category(1000, 400)).toBe('II');
  });
});

describe('EN 16798-1:2019 office operative temperature categories (sedentary, ~1.2 met)', () => {
  it('heating season: I 21-23, II 20-24, III 19-25 °C', () => {
    expect(temperatureCategory(21, 'heating')).toBe('I');
    expect(temperatureCategory(23, 'heating')).toBe('I');
    expect(temperatureCategory(20.5, 'heating')).toBe('II');
    expect(temperatureCategory(23.5, 'heating')).toBe('II');
    expect(temperatureCategory(19.5, 'heating')).toBe('III');
    expect(temperatureCategory(25, 'heating')).toBe('III');
    expect(temperatureCategory(18.9, 'heating')).toBe('IV');
    expect(temperatureCategory(25.1, 'heating')).toBe('IV');
  });

  it('cooling season: I 23.5-25.5, II 23-26, III 22-27 °C', () => {
    expect(temperatureCategory(24.5, 'cooling')).toBe('I');
    expect(temperatureCategory(26, 'cooling')).toBe('II');
    expect(temperatureCategory(22.5, 'cooling')).toBe('III');
    expect(temperatureCategory(27, 'cooling')).toBe('III');
    expect(temperatureCategory(27.5, 'cooling')).toBe('IV');
    expect(temperatureCategory(21.9, 'cooling')).toBe('IV');
  });
});

describe('EN 16798-1:2019 humidity categories (Annex B: I 30-50 %, II 25-60 %, III 20-70 %)', () => {
  it('classifies relative humidity', () => {
    expect(humidityCategory(40)).toBe('I');
    expect(humidityCategory(55)).toBe('II');
    expect(humidityCategory(25)).toBe('II');
    expect(humidityCategory(65)).toBe('III');
    expect(humidityCategory(20)).toBe('III');
    expect(humidityCategory(75)).toBe('IV');
    expect(humidityCategory(15)).toBe('IV');
  });
});

describe('occupied hours per category', () => {
  it('counts only occupied time and reports the share within a category or better', () => {
    let acc = emptyCategoryHours();
    for (let m = 0; m < 60; m++) acc = accumulateOccupiedHours(acc, 'I', 12, 60);
    for (let m = 0; m < 30; m++) acc = accumulateOccupiedHours(acc, 'III', 3, 60);
    for (let m = 0; m < 600; m++) acc = accumulateOccupiedHours(acc, 'IV', 0, 60);
    expect(acc.I).toBeCloseTo(1, 12);
    expect(acc.III).toBeCloseTo(0.5, 12);
    expect(acc.IV).toBe(0);
    expect(shareAtLeast(acc, 'II')).toBeCloseTo(2 / 3, 12);
    expect(shareAtLeast(acc, 'III')).toBeCloseTo(1, 12);
    expect(shareAtLeast(emptyCategoryHours(), 'I')).toBe(0);
  });

  it('does not mutate the tally it is given', () => {
    const acc = emptyCategoryHours();
    accumulateOccupiedHours(acc, 'II', 1, 3600);
    expect(acc.II).toBe(0);
  });
});
