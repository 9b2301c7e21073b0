import { defineConfig } from 'vitest/config';

// The stack's own tests: each talks to one running component over its real protocol.
// They expect `pnpm stack up` to have run; nothing here starts or fakes a server.
export default defineConfig({
  test: {
    include: ['tests/stack/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'reports/test-results/stack.json' }]],
  },
});
