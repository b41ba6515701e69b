// Covers electron/platform/args.ts.
import { describe, expect, it } from 'vitest';
import { parseLaunchOptions, type LaunchOptions } from '../../electron/platform/args';

/** Every option as a bare command line leaves it; each case names only what it changes. */
const defaults: LaunchOptions = {
  userDataDir: undefined,
  demo: false,
  port: 0,
  policyFile: undefined,
  downloadsDir: undefined,
  foxmailRoot: undefined,
  thunderbirdRoot: undefined,
  server: undefined,
  serverCa: undefined,
};

describe('parseLaunchOptions', () => {
  it('has sensible defaults', () => {
    expect(parseLaunchOptions([], '/home/u')).toEqual(defaults);
  });
  it('reads --user-data-dir (relative to the working folder), --demo and --port', () => {
    expect(parseLaunchOptions(['--user-data-dir', 'profile', '--demo', '--port=8123'], '/home/u')).toEqual({
      ...defaults,
      userDataDir: '/home/u/profile',
      demo: true,
      port: 8123,
    });
    expect(parseLaunchOptions(['--user-data-dir=/abs/dir'], '/home/u').userDataDir).toBe('/abs/dir');
  });
  it("ignores Electron's and Chromium's own switches and the app path", () => {
    expect(parseLaunchOptions(['.', '--no-sandbox', '--enable-logging', '--inspect=9229', '--demo'], '/x')).toEqual({ ...defaults, demo: true });
  });
  it('reads --downloads-dir, --foxmail-root and --thunderbird-root relative to the working folder', () => {
    const options = parseLaunchOptions(['--downloads-dir', 'dl', '--foxmail-root=/opt/Foxmail 7.2', '--thunderbird-root', 'tb'], '/home/u');
    expect(options.downloadsDir).toBe('/home/u/dl');
    expect(options.foxmailRoot).toBe('/opt/Foxmail 7.2');
    expect(options.thunderbirdRoot).toBe('/home/u/tb');
  });

  it('reads --policy relative to the working folder', () => {
    expect(parseLaunchOptions(['--policy', 'p.json'], '/home/u').policyFile).toBe('/home/u/p.json');
  });
  it('refuses a port that is not one', () => {
    expect(() => parseLaunchOptions(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseLaunchOptions(['--port', 'abc'])).toThrow(/--port/);
  });
});
