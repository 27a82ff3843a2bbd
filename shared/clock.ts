/**
 * The one clock of a process: the machine's, or the machine's shifted so that
 * it reads a chosen instant at a chosen moment (TEST_NOW). Shifted, it still
 * runs at real pace, so timers, timeouts and rates behave as they do on any
 * day; only what the calendar decides (the weekday, the hour, DST, the month,
 * the year) is the chosen instant's. Every process under test (the test
 * runner, the server, the standalone simulator) shifts by the same amount when
 * they are given the same TEST_NOW and TEST_NOW_WALL, so their clocks agree to
 * the millisecond; the browser gets the same instant through Playwright's clock.
 */

export type Clock = () => number;

/** The machine's clock. */
export const systemClock: Clock = () => Date.now();

/**
 * A clock that reads `at` (epoch ms) when the machine's clock reads `wallAt`,
 * and runs on at real pace from there.
 */
export function shiftedClock(at: number, wallAt: number, wall: Clock = systemClock): Clock {
  const offset = at - wallAt;
  if (offset === 0) return wall;
  return () => wall() + offset;
}

/** An instant as ISO 8601 with an offset or Z (a bare local time would depend on the machine's zone), or epoch ms. */
export function parseInstant(s: string): number | undefined {
  if (/^\d{10,}$/.test(s)) return Number(s);
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The clock that TEST_NOW and TEST_NOW_WALL describe, or the machine's when
 * TEST_NOW is unset. Throws with the variable's name on a bad value.
 * `wallAt` defaults to the machine's clock now: the shift starts at the call.
 */
export function clockFromEnv(env: { TEST_NOW?: string | undefined; TEST_NOW_WALL?: string | undefined }, wall: Clock = systemClock): Clock {
  if (env.TEST_NOW === undefined || env.TEST_NOW === '') return wall;
  const at = parseInstant(env.TEST_NOW);
  if (at === undefined) throw new RangeError(`TEST_NOW must be an ISO 8601 instant with its offset, e.g. 2027-03-28T02:30:00+01:00, got "${env.TEST_NOW}"`);
  let wallAt = wall();
  if (env.TEST_NOW_WALL !== undefined && env.TEST_NOW_WALL !== '') {
    if (!/^\d+$/.test(env.TEST_NOW_WALL)) throw new RangeError(`TEST_NOW_WALL must be epoch milliseconds, got "${env.TEST_NOW_WALL}"`);
    wallAt = Number(env.TEST_NOW_WALL);
  }
  return shiftedClock(at, wallAt, wall);
}
