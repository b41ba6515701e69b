// electron-builder's afterPack hook (electron-builder.yml `afterPack`): flips the Electron fuses
// of the packed app, after the files are in place and before electron-builder signs it (the
// fuses live in the signed binary, so they must be set first).
//
// Release builds (electron-builder.yml):
//   RunAsNode off                     ELECTRON_RUN_AS_NODE cannot turn the signed app into a
//                                     general Node.js for any script; the IT command line runs as
//                                     `Mailwarden --cli -- …` instead (electron/main/cli-mode.ts)
//   EnableCookieEncryption on         Chromium's cookie store encrypted with the OS key
//   EnableNodeOptionsEnvironmentVariable off   NODE_OPTIONS / NODE_EXTRA_CA_CERTS ignored: no
//                                     `--require` of foreign code, no extra trusted CA
//   EnableNodeCliInspectArguments off --inspect… ignored and SIGUSR1 opens no debugger
//   EnableEmbeddedAsarIntegrityValidation on   app.asar checked against the hash electron-builder
//                                     embeds (macOS and Windows; Electron has no Linux support)
//   OnlyLoadAppFromAsar on            no app/ folder beside the archive is ever loaded instead
//   GrantFileProtocolExtraPrivileges off       the renderer is served from app://, never file://
//
// Test builds (electron-builder.test.yml, `extraMetadata.mailwardenBuildProfile: test`): the same,
// except EnableNodeCliInspectArguments on, because Playwright's `_electron.launch` starts the app
// with `--inspect=0 --remote-debugging-port=0` and drives the main process through the inspector.
// Never ship a test build.
//
// test/build/after-pack.test.ts runs this hook on fake packed layouts holding a fuse wire and
// reads the wire back with @electron/fuses.
'use strict';

const { join } = require('node:path');
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');

/** electron-builder's Arch enum value for arm64 (builder-util's Arch.arm64). */
const archArm64 = 3;

/** 'release' unless the configuration in use names the test profile. */
function buildProfile(config) {
  const profile = config && config.extraMetadata && config.extraMetadata.mailwardenBuildProfile;
  if (profile === undefined || profile === 'release') return 'release';
  if (profile === 'test') return 'test';
  throw new Error(`extraMetadata.mailwardenBuildProfile must be "release" or "test", not ${JSON.stringify(profile)}`);
}

/** The fuses for a profile; macOS arm64 needs its ad-hoc signature redone after the binary changes. */
function fuseConfig(profile, electronPlatformName, arch) {
  return {
    version: FuseVersion.V1,
    // arm64 macOS runs no code whose signature no longer matches: re-sign ad hoc now; electron-
    // builder's signing with the real identity, when one is configured, follows this hook.
    resetAdHocDarwinSignature: (electronPlatformName === 'darwin' || electronPlatformName === 'mas') && arch === archArm64,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: profile === 'test',
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/** The packed Electron binary (the .app bundle on macOS), as electron-builder names it. */
function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'linux':
      return join(appOutDir, packager.executableName);
    default:
      throw new Error(`no Electron binary known for platform ${electronPlatformName}`);
  }
}

async function afterPack(context) {
  const profile = buildProfile(context.packager.config);
  const binary = electronBinary(context);
  await flipFuses(binary, fuseConfig(profile, context.electronPlatformName, context.arch));
  console.log(`  • Electron fuses set for a ${profile} build  file=${binary}`);
}

module.exports = { afterPack, buildProfile, fuseConfig, electronBinary };
