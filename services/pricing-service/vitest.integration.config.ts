import { defineConfig } from 'vitest/config';

// Integration tests talk to the PostgreSQL (and registry) that `make up` runs; nothing is faked.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
