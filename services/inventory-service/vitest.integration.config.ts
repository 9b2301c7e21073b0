import { defineConfig } from 'vitest/config';

// Integration tests talk to the Cassandra, Kafka and schema registry that `make up` runs; nothing is faked.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
