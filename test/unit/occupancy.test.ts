import { describe, expect, it } from 'vitest';
import { localTime } from '../../simulator/physics/calendar';
import { ZONE_USES, occupancyShare, occupants } from '../../simulator/physics/occupancy';
import { createRng } from '../../simulator/random';

const at = (weekday: number, hour: number, isHoliday = false) => ({ weekday, hour, isHoliday });
const MON = 1;
const TUE = 2;
const SAT = 6;
const SUN = 0;

describe('occupancy profiles', () => {
  it('puts 0.95 of the office staff in at 10:00 and 14:30 on a weekday, as the ASHRAE 90.1 medium-office schedule', () => {
    // DOE/ASHRAE 90.1 medium office occupancy: 0.95 from 8 to 12 h and 13 to 17 h.
    expect(occupancyShare('office', at(MON, 10))).toBe(0.95);
    expect(occupancyShare('office', at(MON, 14.5))).toBe(0.95);
  });

  it('dips at lunch and is empty at night (offices, coworking)', () => {
    for (const use of ['office', 'coworking'] as const) {
      expect(occupancyShare(use, at(MON, 13))).toBeLessThan(occupancyShare(use, at(MON, 10)));
      expect(occupancyShare(use, at(MON, 3))).toBe(0);
      expect(occupancyShare(use, at(MON, 21))).toBe(0);
    }
  });

  it('fills training rooms in the 9-12 h and 14-17 h sessions only (assumption)', () => {
    expect(occupancyShare('training', at(MON, 10))).toBeGreaterThan(0.5);
    expect(occupancyShare('training', at(MON, 15))).toBeGreaterThan(0.5);
    expect(occupancyShare('training', at(MON, 13))).toBeLessThan(0.1);
    expect(occupancyShare('training', at(MON, 18))).toBe(0);
    expect(occupancyShare('training', at(SAT, 10))).toBe(0);
  });

  it('opens the fablab in the afternoon, on Tuesday evenings and on Saturday (assumption)', () => {
    expect(occupancyShare('fablab', at(MON, 15))).toBeGreaterThan(occupancyShare('fablab', at(MON, 10.5)));
    expect(occupancyShare('fablab', at(TUE, 20))).toBeGreaterThan(0);
    expect(occupancyShare('fablab', at(MON, 20))).toBe(0);
    expect(occupancyShare('fablab', at(SAT, 15))).toBeGreaterThan(0);
  });

  it('follows the opening hours at reception and bursts in meeting rooms (assumption)', () => {
    expect(occupancyShare('reception', at(SAT, 10))).toBeGreaterThan(0);
    expect(occupancyShare('reception', at(SAT, 18))).toBe(0);
    expect(occupancyShare('meeting', at(MON, 10))).toBeGreaterThan(occupancyShare('meeting', at(MON, 10.75)));
  });

  it('is closed on Sundays and public holidays and never occupies technical rooms', () => {
    let total = 0;
    for (const use of ZONE_USES) {
      for (let h = 0; h < 24; h += 0.25) total += occupancyShare(use, at(SUN, h)) + occupancyShare(use, at(MON, h, true)) + occupancyShare('technical', at(MON, h));
    }
    expect(total).toBe(0);
  });

  it('stays within 0..1 for every use over a week at 5-minute steps', () => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const use of ZONE_USES) {
      for (let d = 0; d < 7; d++) {
        for (let m = 0; m < 24 * 60; m += 5) {
          const s = occupancyShare(use, at(d, m / 60));
          lo = Math.min(lo, s);
          hi = Math.max(hi, s);
        }
      }
    }
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('takes a LocalTime directly: nobody in the coworking on Bastille Day 2026', () => {
    expect(occupancyShare('coworking', localTime(Date.UTC(2026, 6, 14, 8)))).toBe(0);
    expect(occupancyShare('coworking', localTime(Date.UTC(2026, 6, 15, 8)))).toBeGreaterThan(0);
  });
});

describe('occupants (binomial head count, normal approximation)', () => {
  it('is deterministic, 0 when closed, and never above the capacity', () => {
    expect(occupants('office', 40, at(MON, 10), 0.3, 0.7)).toBe(occupants('office', 40, at(MON, 10), 0.3, 0.7));
    expect(occupants('office', 40, at(SUN, 10), 0.99, 0)).toBe(0);
    expect(occupants('office', 40, at(MON, 10), 0.999999, 0)).toBe(40);
    expect(occupants('office', 40, at(MON, 10), 0.999999, 0.5)).toBeGreaterThanOrEqual(0);
  });

  it('has the binomial mean n·p and variance n·p·(1−p) (n = 40, p = 0.5 at lunch)', () => {
    const rng = createRng(7);
    const n = 40;
    const p = occupancyShare('office', at(MON, 13));
    const draws = Array.from({ length: 20_000 }, () => occupants('office', n, at(MON, 13), rng(), rng()));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    expect(mean).toBeCloseTo(n * p, 0);
    // Rounding to integers adds 1/12 to the variance (Sheppard's correction).
    expect(variance).toBeGreaterThan(n * p * (1 - p) * 0.95);
    expect(variance).toBeLessThan(n * p * (1 - p) * 1.05 + 1 / 12);
    expect(draws.every((k) => Number.isInteger(k) && k >= 0 && k <= n)).toBe(true);
  });
});
