import { describe, expect, it } from 'vitest';
import { FailedLogins } from '../../server/auth/broker-auth';

/** The MQTT login limiter's window, with a clock of its own (server/auth/broker-auth.ts). */
describe('FailedLogins', () => {
  it('blocks a key after `limit` failures until its window ends, then lets it try again', () => {
    let now = 0;
    const f = new FailedLogins(3, 15 * 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(f.blocked('10.0.0.5|meter').blocked).toBe(false);
      f.fail('10.0.0.5|meter');
    }
    expect(f.blocked('10.0.0.5|meter')).toEqual({ blocked: true, first: true });
    // Logged once per window: later refusals say they are not the first.
    expect(f.blocked('10.0.0.5|meter')).toEqual({ blocked: true, first: false });
    // Another username from the same address, or the same one from elsewhere, is not affected.
    expect(f.blocked('10.0.0.5|other').blocked).toBe(false);
    expect(f.blocked('10.0.0.6|meter').blocked).toBe(false);
    now += 15 * 60_000 - 1;
    expect(f.blocked('10.0.0.5|meter').blocked).toBe(true);
    now += 1;
    expect(f.blocked('10.0.0.5|meter').blocked).toBe(false);
  });

  it('keeps at most 10,000 keys however many addresses guess, dropping the expired, then the oldest', () => {
    let now = 0;
    const f = new FailedLogins(3, 1000, () => now);
    for (let i = 0; i < 10_000; i++) f.fail(`a${i}|x`);
    expect(f.size).toBe(10_000);
    f.fail('newest|x');
    expect(f.size).toBe(10_000);
    now = 2000;
    f.fail('later|x');
    expect(f.size).toBe(1);
  });
});
