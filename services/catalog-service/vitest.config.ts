import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql ships CommonJS and ESM copies; mercurius requires the CommonJS one, so tests must load that one
// too (as Node does at run time), or the schema built here is "from another module or realm".
export const graphqlAlias = { graphql: createRequire(import.meta.url).resolve('graphql') };

export default defineConfig({
  resolve: { alias: graphqlAlias },
  test: { include: ['test/**/*.test.ts'], exclude: ['test/integration/**'] },
});
