// Covers electron-builder.yml and the files it points at (resources/mac, resources/linux,
// resources/bin): checked with electron-builder's own loader and schema, then for the properties
// IT relies on (docs/it-deployment.md). Nothing is built here: that needs NSIS, WiX and Electron
// downloads this machine does not have.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { Configuration } from 'app-builder-lib';
import { appUserModelId } from '../../electron/platform/paths';
import { parse as parsePlist } from 'plist';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** The upgrade code of every Mailwarden MSI ever shipped: changing it breaks upgrades under GPO. */
const upgradeCode = '65ad9f2d-5194-4ab6-b82c-b0f90175af93';

async function load(dir = root): Promise<Configuration> {
  // getConfig announces "loaded configuration" through electron-builder's logger on stdout.
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await getConfig(dir, join(dir, 'electron-builder.yml'), null);
  } finally {
    quiet.mockRestore();
  }
}

const validate = (config: Configuration) => validateConfiguration(config, new DebugLogger(false));

type Target = { target: string; arch?: string[] };
const targetsOf = (platform: { target?: unknown } | null | undefined): Target[] =>
  ((platform?.target ?? []) as (string | Target)[]).map((t) => (typeof t === 'string' ? { target: t } : t));

let config: Configuration;
beforeAll(async () => {
  config = await load();
});

describe('electron-builder.yml against electron-builder’s schema', () => {
  it('has the appId the app gives Windows as its AppUserModelID, so notifications and the taskbar match the shortcuts', () => {
    expect(config.appId).toBe(appUserModelId);
  });

  it('is valid', async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  });

  describe('rejects what electron-builder would refuse', () => {
    let copy: string;
    beforeAll(async () => {
      copy = await mkdtemp(join(tmpdir(), 'mw-builder-'));
      await copyFile(join(root, 'package.json'), join(copy, 'package.json'));
    });
    afterAll(async () => {
      await rm(copy, { recursive: true, force: true });
    });

    it('an unknown top-level key in a copy of the file', async () => {
      await writeFile(join(copy, 'electron-builder.yml'), `${readFileSync(join(root, 'electron-builder.yml'), 'utf8')}\nautoUpdateFeed: https://example.org\n`);
      await expect(validate(await load(copy))).rejects.toThrow(/unknown property 'autoUpdateFeed'/);
    });

    it('a misspelt key inside a target', async () => {
      const { upgradeCode: _, ...msi } = config.msi ?? {};
      await expect(validate({ ...config, msi: { ...msi, upgradecode: upgradeCode } as never })).rejects.toThrow(/configuration\.msi/);
    });

    it('a value of the wrong type', async () => {
      await expect(validate({ ...config, nsis: { ...config.nsis, perMachine: 'yes' as never } })).rejects.toThrow(/nsis/);
    });
  });
});

describe('installers', () => {
  it('builds NSIS and MSI for Windows, DMG and PKG (and the updater’s zip) for macOS, AppImage and deb for Linux', () => {
    expect(targetsOf(config.win).map((t) => t.target)).toEqual(['nsis', 'msi']);
    expect(targetsOf(config.mac).map((t) => t.target)).toEqual(['dmg', 'pkg', 'zip']);
    expect(targetsOf(config.linux).map((t) => t.target)).toEqual(['AppImage', 'deb']);
  });

  it('NSIS is assisted: the user picks per-user or per-machine and the folder', () => {
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true });
    // Uninstalling must not silently delete mailbox data; the docs say how to remove it.
    expect(config.nsis?.deleteAppDataOnUninstall).toBe(false);
  });

  it('MSI installs per machine with a fixed upgrade code, for GPO and Intune', () => {
    expect(config.msi?.perMachine).toBe(true);
    expect(config.msi?.upgradeCode).toBe(upgradeCode);
    expect(config.msi?.upgradeCode).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
    // Started as SYSTEM by GPO at boot, the app must not launch itself after installing.
    expect(config.msi?.runAfterFinish).toBe(false);
  });

  it('signs macOS builds with the hardened runtime and notarizes with credentials from the environment only', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    // `true` = @electron/notarize with APPLE_API_KEY… / APPLE_ID… / APPLE_KEYCHAIN… from the environment.
    expect(config.mac?.notarize).toBe(true);
    const text = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    expect(text).not.toMatch(/appleIdPassword|APPLE_APP_SPECIFIC_PASSWORD\s*[:=]\s*\S/);
  });

  it('the entitlements file exists, parses, allows V8’s JIT and keeps library validation on', () => {
    for (const file of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      expect(file).toBeTruthy();
      const entitlements = parsePlist(readFileSync(join(root, file!), 'utf8')) as Record<string, unknown>;
      expect(entitlements['com.apple.security.cs.allow-jit']).toBe(true);
      expect(entitlements).not.toHaveProperty('com.apple.security.cs.disable-library-validation');
    }
  });

  it('the PKG installs into /Applications and is not relocated to a stray copy of the bundle', () => {
    expect(config.pkg).toMatchObject({ installLocation: '/Applications', isRelocatable: false });
  });

  it('builds one architecture per Windows installer, so no combined installer drops the arch from its name', () => {
    for (const target of targetsOf(config.win)) expect(target.arch, target.target).toEqual(['x64']);
  });

  it('every artifact name carries the version and the architecture', () => {
    const names = [
      config.artifactName,
      config.nsis?.artifactName,
      config.msi?.artifactName,
      config.dmg?.artifactName,
      config.pkg?.artifactName,
      config.deb?.artifactName,
      config.appImage?.artifactName,
    ];
    expect(config.artifactName).toBeTruthy();
    for (const name of names.filter(Boolean)) {
      expect(name).toContain('${version}');
      expect(name).toContain('${arch}');
    }
  });

  it('ships the policy templates inside every installation', () => {
    expect(config.extraResources).toContainEqual({ from: 'resources/policy', to: 'policy' });
  });

  it('publishes to a generic https feed (the policy may point the app elsewhere)', () => {
    expect(config.publish).toMatchObject({ provider: 'generic' });
    expect((config.publish as { url: string }).url).toMatch(/^https:\/\//);
  });
});

describe('the `mailwarden` command in installed apps', () => {
  it('ships the launcher on every platform, executable where it must be', () => {
    const shipped = (list: unknown) => (list as { from: string; to: string }[]).map((entry) => `${entry.from} -> ${entry.to}`);
    expect(shipped(config.win?.extraResources)).toContain('resources/bin/mailwarden.cmd -> bin/mailwarden.cmd');
    expect(shipped(config.mac?.extraResources)).toContain('resources/bin/mailwarden -> bin/mailwarden');
    expect(shipped(config.linux?.extraResources)).toContain('resources/bin/mailwarden -> bin/mailwarden');
    accessSync(join(root, 'resources/bin/mailwarden'), constants.X_OK);
  });

  it('the Windows shim runs the CLI inside the app (`--cli --`, not Node mode) and passes its exit code on', () => {
    const cmd = readFileSync(join(root, 'resources/bin/mailwarden.cmd'), 'utf8');
    expect(cmd).toContain('\r\n');
    expect(cmd).toContain(`\r\n"%~dp0..\\..\\${config.productName}.exe" --cli -- %*\r\n`);
    expect(cmd).toMatch(/exit \/b %code%/);
  });

  it('no launcher relies on Node mode, which the release build’s afterPack fuses off', () => {
    for (const launcher of ['resources/bin/mailwarden', 'resources/bin/mailwarden.cmd'])
      expect(readFileSync(join(root, launcher), 'utf8')).not.toMatch(/^\s*(set )?ELECTRON_RUN_AS_NODE=/m);
    expect(config.afterPack).toBe('./scripts/after-pack.cjs');
  });

  it.each(['install', 'remove'])('the deb after-%s script is electron-builder’s own with /usr/bin/mailwarden pointing at the launcher', (step) => {
    const ours = readFileSync(join(root, config.deb?.[step === 'install' ? 'afterInstall' : 'afterRemove'] ?? ''), 'utf8');
    const upstream = readFileSync(join(root, `node_modules/app-builder-lib/templates/linux/after-${step}.tpl`), 'utf8');
    const expected = upstream.replaceAll("'/opt/${sanitizedProductName}/${executable}'", "'/opt/${sanitizedProductName}/resources/bin/${executable}'");
    expect(expected).not.toBe(upstream);
    expect(ours.replace(/^# Mailwarden:.*\n/gm, '')).toBe(expected);
    // bash -n: the script parses.
    execFileSync('bash', ['-n', join(root, `resources/linux/after-${step}.sh`)]);
  });
});
