/**
 * Runs once in vitest's main process before any test file: with TEST_NOW set,
 * it pins the moment of the machine's clock at which TEST_NOW holds, so that
 * every worker and every process they start shift their clocks by the same
 * amount (test/helpers/clock.ts). The workers inherit the environment.
 */
export default function setup(): void {
  const at = process.env.TEST_NOW;
  if (!at) return;
  if (!process.env.TEST_NOW_WALL) process.env.TEST_NOW_WALL = String(Date.now());
  console.log(`TEST_NOW=${at}: every clock of this run starts there (TEST_NOW_WALL=${process.env.TEST_NOW_WALL})`);
}
