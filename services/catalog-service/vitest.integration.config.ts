import { defineConfig } from 'vitest/config';
import { graphqlAlias } from './vitest.config.js';

// Integration tests talk to the CouchDB API, object store, Kafka and registry that `make up` runs; nothing
// is faked.
export default defineConfig({
  resolve: { alias: graphqlAlias },
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
