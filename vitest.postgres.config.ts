// The core's own suites again, with every test core on PostgreSQL instead of the embedded store:
// one parameterised suite for both backends (ARCHITECTURE.md). `npm run test:postgres`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/fault/lock-races.test.ts'],
    environment: 'node',
    restoreMocks: true,
    testTimeout: 20_000,
    globalSetup: ['test/postgres/global-setup.ts'],
    env: { MAILWARDEN_TEST_STORE: 'postgres' },
  },
});
