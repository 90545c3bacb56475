import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Console component tests (*.test.tsx) ask for jsdom in their first line.
    include: ['packages/*/src/**/*.test.{ts,tsx}'],
    environment: 'node',
    pool: 'forks',
    // PGlite takes a few seconds to create a database; one per test file.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
