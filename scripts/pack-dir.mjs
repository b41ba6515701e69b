// The app packed as electron-builder packs it (`--dir`: the folder an installer would hold),
// for this platform, with a stand-in for the Electron binary: the machines that build and test
// here cannot download Electron, and what is measured and checked is what electron-builder
// writes around it (resources/app.asar and app.asar.unpacked). The real electron-builder.yml is
// used as is, except the stand-in, no native rebuild (the installed modules are this
// platform's already) and no afterPack (it sets fuses on a real Electron binary).
// Used by bench/app-size.mjs and test/build/packed-app.test.ts; `node scripts/pack-dir.mjs OUT`.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** Packs out/ (run `npm run build` first) into `output`; returns the resources folder (its parent holds locales/). */
export function packDir(output) {
  rmSync(output, { recursive: true, force: true });
  const standIn = join(output, 'stand-in-electron');
  mkdirSync(join(standIn, 'resources'), { recursive: true });
  // Chromium's locale files, some the app speaks and one it does not (electronLanguages keeps two).
  mkdirSync(join(standIn, 'locales'), { recursive: true });
  for (const locale of ['en-US', 'zh-CN', 'fr', 'de']) writeFileSync(join(standIn, 'locales', `${locale}.pak`), '');
  const binary = process.platform === 'win32' ? 'electron.exe' : 'electron';
  writeFileSync(join(standIn, binary), '#!/bin/sh\necho "a stand-in for Electron: nothing to run"\n');
  chmodSync(join(standIn, binary), 0o755);
  // electron-builder resolves `extends` against the project folder, so the config sits there.
  const config = join(root, `.pack-dir-${process.pid}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: './electron-builder.yml',
      electronDist: standIn,
      npmRebuild: false,
      afterPack: null,
      directories: { output: join(output, 'dist'), buildResources: 'resources' },
    }),
  );
  const platform = { linux: '--linux', darwin: '--mac', win32: '--win' }[process.platform];
  try {
    const run = spawnSync(
      process.execPath,
      [join(root, 'node_modules/electron-builder/cli.js'), '--dir', platform, `--${process.arch}`, '--config', config, '--publish', 'never'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
      },
    );
    if (run.status !== 0) throw new Error(`electron-builder --dir failed:\n${run.stdout}\n${run.stderr}`);
  } finally {
    rmSync(config, { force: true });
  }
  const unpacked = { linux: `linux-${process.arch === 'x64' ? '' : `${process.arch}-`}unpacked`, win32: 'win-unpacked', darwin: 'mac' }[process.platform];
  const resources =
    process.platform === 'darwin' ? join(output, 'dist', unpacked, 'Mailwarden.app/Contents/Resources') : join(output, 'dist', unpacked, 'resources');
  return resources;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  console.log(packDir(resolve(process.argv[2] ?? 'dist-dir')));
}
