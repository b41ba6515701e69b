import type { AppEnvironment } from '../../electron/core/app-info';

export function testEnvironment(overrides: Partial<AppEnvironment> = {}): AppEnvironment {
  return {
    productName: 'Mailwarden',
    version: '9.9.9',
    dataDir: '/tmp/mailwarden-test',
    shell: 'browser',
    demo: false,
    platform: 'linux',
    ...overrides,
  };
}
