import { describe, expect, it } from 'vitest';
import { clockFromEnv, parseInstant, shiftedClock } from '../../shared/clock';
import { loadConfig } from '../../server/config';

/** The shifted clock of TEST_NOW (docs/testing.md): pure, with the machine's clock injected. */
describe('shifted clock', () => {
  it('reads the chosen instant at the chosen moment and runs on at real pace', () => {
    let wall = 1_000_000;
    const at = Date.parse('2027-03-28T01:59:30+01:00');
    const clock = shiftedClock(at, 1_000_000, () => wall);
    expect(clock()).toBe(at);
    wall += 45_000;
    // 45 s later it is past the spring-forward jump: 03:00:15 in Paris, 01:00:15 UTC.
    expect(new Date(clock()).toISOString()).toBe('2027-03-28T01:00:15.000Z');
  });

  it('is the machine clock itself when nothing shifts it', () => {
    const wall = () => 42;
    expect(clockFromEnv({}, wall)).toBe(wall);
    expect(clockFromEnv({ TEST_NOW: '' }, wall)).toBe(wall);
  });

  it('anchors TEST_NOW at TEST_NOW_WALL, so that every process of a run shifts by the same amount', () => {
    const a = clockFromEnv({ TEST_NOW: '2026-12-31T23:30:00+01:00', TEST_NOW_WALL: '5000' }, () => 5000);
    // A process started 20 s later with the same two variables reads the same instant as the first.
    const b = clockFromEnv({ TEST_NOW: '2026-12-31T23:30:00+01:00', TEST_NOW_WALL: '5000' }, () => 25_000);
    expect(a()).toBe(Date.parse('2026-12-31T22:30:00Z'));
    expect(b() - a()).toBe(20_000);
  });

  it('takes instants with their offset or epoch milliseconds, never a bare local time', () => {
    expect(parseInstant('2026-10-25T02:30:00+02:00')).toBe(Date.parse('2026-10-25T00:30:00Z'));
    // The second 02:30 of the fall-back night is another instant, an hour later.
    expect(parseInstant('2026-10-25T02:30:00+01:00')).toBe(Date.parse('2026-10-25T01:30:00Z'));
    expect(parseInstant('2026-10-25T00:30:00Z')).toBe(Date.parse('2026-10-25T00:30:00Z'));
    expect(parseInstant('1796860800000')).toBe(1_796_860_800_000);
    // Which 02:30? Without an offset the machine's zone would decide.
    expect(parseInstant('2026-10-25T02:30:00')).toBeUndefined();
    expect(parseInstant('next monday')).toBeUndefined();
    expect(() => clockFromEnv({ TEST_NOW: '2026-10-25T02:30' })).toThrow(/TEST_NOW must be an ISO 8601 instant with its offset/);
    expect(() => clockFromEnv({ TEST_NOW: '2026-10-25T02:30:00Z', TEST_NOW_WALL: 'soon' })).toThrow(/TEST_NOW_WALL must be epoch milliseconds/);
  });

  it('is the server config\'s clock, and a bad TEST_NOW stops the start with the variable named', () => {
    const c = loadConfig({ TEST_NOW: '2027-01-01T00:10:00+01:00', TEST_NOW_WALL: String(Date.now()) });
    expect(Math.abs(c.now() - Date.parse('2027-01-01T00:10:00+01:00'))).toBeLessThan(5_000);
    expect(() => loadConfig({ TEST_NOW: 'tomorrow', TEST_NOW_WALL: 'x' })).toThrow(/TEST_NOW: TEST_NOW must be an ISO 8601 instant[\s\S]*TEST_NOW_WALL: TEST_NOW_WALL must be epoch milliseconds/);
  });
});
