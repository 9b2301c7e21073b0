import { defineConfig } from 'vitest/config';

// Integration tests talk to the MariaDB and registry that `make up` runs; nothing is faked. The saga's
// end-to-end test also needs the running inventory and payment services and skips itself without them.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
