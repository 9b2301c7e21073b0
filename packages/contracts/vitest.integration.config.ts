import { defineConfig } from 'vitest/config';

// Integration tests talk to the running stack's schema registry (`make up`); nothing is faked.
export default defineConfig({
  test: { include: ['test/**/*.int.test.ts'], testTimeout: 30_000, fileParallelism: false },
});
