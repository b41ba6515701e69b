import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    restoreMocks: true,
    // Unit tests get no network beyond loopback and no real clock: each test says so itself.
    testTimeout: 10_000,
  },
});
