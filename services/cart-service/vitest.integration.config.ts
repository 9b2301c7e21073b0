import { defineConfig } from 'vitest/config';

// Integration tests talk to the MariaDB, Redis, Kafka and registry that `make up` runs; nothing is faked.
// Pricing and catalog are real HTTP servers too: the running services, or small stand-ins listening on
// loopback when a test is about their answers or their absence.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
