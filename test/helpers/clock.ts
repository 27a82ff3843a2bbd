import { type Clock, clockFromEnv } from '../../shared/clock';

/**
 * The tests' clock (docs/testing.md): the machine's, or the one TEST_NOW gives
 * every process of the run. test/helpers/global-setup.ts pins TEST_NOW_WALL once
 * for the run, so the test files, the servers they start in-process (through
 * startTestServer's config), the processes they spawn (spawnNode passes both
 * variables on) and the browser's pages (openPage) all read the same instant.
 * A test that computes "today", "yesterday" or "this week", or stamps a reading
 * "now", reads this clock, never Date.now().
 */
export const testNow: Clock = clockFromEnv(process.env);

/** TEST_NOW and TEST_NOW_WALL as this run has them, for a server's config or a child's environment; empty on the machine's clock. */
export function clockEnv(): Record<string, string> {
  const { TEST_NOW, TEST_NOW_WALL } = process.env;
  if (!TEST_NOW) return {};
  return TEST_NOW_WALL ? { TEST_NOW, TEST_NOW_WALL } : { TEST_NOW };
}

/** Whether this run is on a shifted clock (TEST_NOW set). */
export const shifted = (): boolean => Boolean(process.env.TEST_NOW);
