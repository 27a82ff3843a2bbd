import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every temporary folder a test file made is removed after it (test/helpers/setup.ts).
    setupFiles: ['test/helpers/setup.ts'],
    // TEST_NOW=<ISO 8601 instant> runs the whole suite at that instant (docs/testing.md).
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration and end-to-end tests start real servers and a real browser.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel, but not more than the machine has.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
