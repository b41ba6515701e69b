import { defineConfig } from '@playwright/test';

/** Debian's Chromium: Playwright's own browser download cannot run here. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'test',
  outputDir: 'test-results/playwright',
  // Its returned function is the global teardown: the secret scan over every data folder and log.
  globalSetup: './test/e2e/secret-scan.ts',
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: process.env.CI ? 2 : undefined,
  // A bound, not a speed target: every sign-in runs scrypt at the OWASP floor, and CI's two
  // workers share two cores with the backend hosts they start.
  timeout: process.env.CI ? 60_000 : 30_000,
  expect: { timeout: 5_000 },
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  projects: [
    { name: 'browser', testMatch: 'e2e/**/*.spec.ts', use: { locale: 'zh-CN', colorScheme: 'light' } },
    { name: 'electron', testMatch: 'e2e-electron/**/*.spec.ts' },
  ],
});
