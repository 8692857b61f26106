// Test projects: `unit` is pure logic (fake-indexeddb for the store), `kernel` boots the
// real TelOS ELF in v86 under Node. Playwright specs (e2e/) are run by `playwright test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['tests/kernel/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each test boots its own emulator; two cores, so keep it to two at a time.
          maxWorkers: 2,
        },
      },
    ],
  },
});
