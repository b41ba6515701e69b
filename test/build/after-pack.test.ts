// Covers scripts/after-pack.cjs, the afterPack hook electron-builder.yml names: run, as
// electron-builder would, on fake packed apps (Linux, Windows, macOS layouts) whose "Electron"
// binary holds a fuse wire like the real one, then read back with @electron/fuses' own reader.
// A real packed Electron is not available on this machine (no Electron download).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { Configuration } from 'app-builder-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

interface Hook {
  afterPack(context: unknown): Promise<void>;
  fuseConfig(profile: string, platform: string, arch: number): Record<string, unknown>;
  buildProfile(config: unknown): string;
}

const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const [disabled, enabled] = ['0'.charCodeAt(0), '1'.charCodeAt(0)];
// Electron's defaults for the eight fuses @electron/fuses 1.8 names, plus a ninth it does not
// know (newer Electrons have more), which must be left as it is.
const electronDefaults = [enabled, disabled, enabled, enabled, disabled, disabled, disabled, enabled, enabled];
const arch = { x64: 1, arm64: 3 };

const scratch = mkdtempSync(join(tmpdir(), 'mw-after-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Bytes before and after the wire, so the test can tell nothing else in the file was touched. */
const padding = Buffer.from('\x7fELF……not really a binary……', 'utf8');

function fakeElectron(file: string, wire: number[] = electronDefaults): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.concat([padding, Buffer.from(sentinel, 'ascii'), Buffer.from([1, wire.length, ...wire]), padding]));
}

async function loadConfig(file: string): Promise<Configuration> {
  // getConfig announces "loaded configuration" through electron-builder's logger on stdout.
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await getConfig(root, join(root, file), null);
  } finally {
    quiet.mockRestore();
  }
}

/** What electron-builder hands afterPack, as far as the hook reads it. */
function context(config: Configuration, platform: 'linux' | 'win32' | 'darwin', appOutDir: string, archValue = arch.x64) {
  return {
    appOutDir,
    electronPlatformName: platform,
    arch: archValue,
    packager: { config, appInfo: { productFilename: config.productName }, executableName: config.linux?.executableName },
  };
}

/** The wire after the hook, as @electron/fuses reads it: fuse index → state byte. */
async function fusesOf(binary: string): Promise<Record<number, number>> {
  const { version, ...wire } = await getCurrentFuseWire(binary);
  expect(version).toBe('1');
  return wire as unknown as Record<number, number>;
}

let release: Configuration;
let testProfile: Configuration;
let hook: Hook;
beforeAll(async () => {
  release = await loadConfig('electron-builder.yml');
  testProfile = await loadConfig('electron-builder.test.yml');
  // The hook electron-builder.yml names is the one tested.
  hook = require(join(root, release.afterPack as string)) as Hook;
});

const expectedRelease = {
  [FuseV1Options.RunAsNode]: disabled,
  [FuseV1Options.EnableCookieEncryption]: enabled,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: disabled,
  [FuseV1Options.EnableNodeCliInspectArguments]: disabled,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: enabled,
  [FuseV1Options.OnlyLoadAppFromAsar]: enabled,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: disabled,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: disabled,
  8: enabled,
};

describe('the afterPack hook in electron-builder.yml', () => {
  it('is scripts/after-pack.cjs, and the fuses are set nowhere else (no electronFuses key)', () => {
    expect(release.afterPack).toBe('./scripts/after-pack.cjs');
    expect(release.electronFuses ?? null).toBeNull();
  });

  it.each([
    ['linux', 'mailwarden'],
    ['win32', 'Mailwarden.exe'],
    ['darwin', 'Mailwarden.app/Contents/Frameworks/Electron Framework.framework/Electron Framework'],
  ] as const)(
    'release build on %s: Node mode, NODE_OPTIONS, --inspect and file:// privileges off; cookie encryption, asar integrity and asar-only on',
    async (platform, binary) => {
      const appOutDir = join(scratch, `release-${platform}`);
      const file = join(appOutDir, binary);
      fakeElectron(file);
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      await hook.afterPack(context(release, platform, appOutDir));
      expect(log).toHaveBeenCalledWith(expect.stringContaining('fuses set for a release build'));
      expect(await fusesOf(platform === 'darwin' ? join(appOutDir, 'Mailwarden.app') : file)).toEqual(expectedRelease);
      // Only the wire changed.
      const bytes = readFileSync(file);
      expect(bytes.subarray(0, padding.length)).toEqual(padding);
      expect(bytes.subarray(bytes.length - padding.length)).toEqual(padding);
    },
  );

  it('test build (electron-builder.test.yml): the same, but --inspect stays on for Playwright’s _electron', async () => {
    const appOutDir = join(scratch, 'test-linux');
    fakeElectron(join(appOutDir, 'mailwarden'));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await hook.afterPack(context(testProfile, 'linux', appOutDir));
    expect(await fusesOf(join(appOutDir, 'mailwarden'))).toEqual({ ...expectedRelease, [FuseV1Options.EnableNodeCliInspectArguments]: enabled });
  });

  it('fails the build when the binary has no fuse wire, rather than shipping it unfused', async () => {
    const appOutDir = join(scratch, 'no-wire');
    mkdirSync(appOutDir);
    writeFileSync(join(appOutDir, 'mailwarden'), padding);
    await expect(hook.afterPack(context(release, 'linux', appOutDir))).rejects.toThrow(/sentinel/);
  });

  it('re-signs ad hoc on macOS arm64 only, where a changed binary would not run', () => {
    expect(hook.fuseConfig('release', 'darwin', arch.arm64).resetAdHocDarwinSignature).toBe(true);
    expect(hook.fuseConfig('release', 'darwin', arch.x64).resetAdHocDarwinSignature).toBe(false);
    expect(hook.fuseConfig('release', 'linux', arch.arm64).resetAdHocDarwinSignature).toBe(false);
  });

  it('refuses a profile it does not know instead of guessing', () => {
    expect(() => hook.buildProfile({ extraMetadata: { mailwardenBuildProfile: 'debug' } })).toThrow(/release.*test/);
    expect(hook.buildProfile({ extraMetadata: { main: 'out/main/index.js' } })).toBe('release');
  });
});

describe('electron-builder.test.yml', () => {
  it('is valid for electron-builder and is electron-builder.yml with only its output folder and profile changed', async () => {
    await expect(validateConfiguration(testProfile, new DebugLogger(false))).resolves.toBeUndefined();
    const { directories, extraMetadata, extends: _parent, ...rest } = testProfile;
    const { directories: releaseDirectories, extraMetadata: releaseMetadata, ...releaseRest } = release;
    expect(rest).toEqual(releaseRest);
    expect(directories).toEqual({ ...releaseDirectories, output: 'dist-test' });
    expect(extraMetadata).toEqual({ ...releaseMetadata, mailwardenBuildProfile: 'test' });
  });
});
