// Covers electron.vite.config.ts, package.json and electron-builder.yml together (issue 13, item 4):
// the main build bundles every JavaScript dependency and leaves outside only `dependencies`, the
// native modules, which electron-builder packs. A package the bundle leaves outside that is not a
// dependency installs fine here and fails to load in every installed app; a dependency the bundle
// does not need makes every installer bigger. Then the app packed as an installer holds it
// (scripts/pack-dir.mjs, electron-builder --dir with a stand-in Electron), run from its own files.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractAll, listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packDir } from '../../scripts/pack-dir.mjs';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const mainBuild = join(root, 'out/main');

function scripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? scripts(path) : name.endsWith('.js') ? [path] : [];
  });
}

/** Packages a built file loads from node_modules: imports, dynamic imports and requires of bare names. */
export function externalPackagesOf(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(
    /(?:^|[\s;])(?:import|export)\s[^'"`;]*?\sfrom\s*"([^"]+)"|import\(\s*"([^"]+)"\s*\)|(?:\brequire|createRequire\([^)]*\))\(\s*"([^"]+)"\s*\)|^import\s*"([^"]+)"/gm,
  )) {
    const specifier = (m[1] ?? m[2] ?? m[3] ?? m[4])!;
    if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!) || specifier === 'electron') continue;
    if (!/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+(\/[^\s]*)?$/.test(specifier)) continue; // text that only looks like an import
    found.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
  }
  return [...found];
}

describe('the main build (out/main, made by npm run build before the tests)', () => {
  it('leaves outside the bundle exactly the packages that are dependencies', () => {
    const outside = new Set(scripts(mainBuild).flatMap((file) => externalPackagesOf(readFileSync(file, 'utf8'))));
    // pg asks for its optional native driver only when told to; the bundle carries a stub that says so.
    outside.delete('pg-native');
    expect([...outside].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('finds imports, dynamic imports and requires of bare names, not relative ones or built-ins', () => {
    expect(
      externalPackagesOf(
        'import { a } from "@napi-rs/keyring";\nimport x from "./chunk.js";\nconst r = require("native-reg");\nawait import("pg/lib/x.js");\nimport { join } from "node:path";\nrequire("fs");\ncreateRequire(import.meta.url)("plist");',
      ),
    ).toEqual(['@napi-rs/keyring', 'native-reg', 'pg', 'plist']);
  });
});

// The stand-in is a Linux Electron folder; a macOS one is an .app bundle of another shape.
describe.skipIf(process.platform !== 'linux')(
  `the packed app (electron-builder --dir with a stand-in Electron)${process.platform === 'linux' ? '' : ' (skipped: the stand-in is a Linux Electron folder)'}`,
  () => {
    let work: string;
    let resources: string;
    let app: string;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'mailwarden-packed-'));
      resources = packDir(join(work, 'pack'));
      app = join(work, 'app');
      // What Electron reads through its asar support, as plain files, with the unpacked .node files in place.
      extractAll(join(resources, 'app.asar'), app);
    }, 120_000);
    afterAll(() => rm(work, { recursive: true, force: true }));

    it('holds the build and the native modules only: none of the bundled packages, nor localforage', () => {
      const modules = new Set(
        listPackage(join(resources, 'app.asar'), { isPack: false })
          .filter((p) => p.startsWith(`${join('/', 'node_modules')}`))
          .map((p) => p.split(/[\\/]/).slice(2, 4).join('/')),
      );
      const names = [...modules].map((m) => (m.startsWith('@') ? m : m.split('/')[0]!));
      for (const name of ['libphonenumber-js', '@seald-io/nedb', 'localforage', 'imapflow', 'pg', 'qrcode', 'valibot']) expect(names, name).not.toContain(name);
      expect(names).toContain('@napi-rs/keyring');
      expect(statSync(join(resources, 'app.asar')).size).toBeLessThan(6e6);
    });

    it("carries sql.js's Node build and its .wasm (Thunderbird's key4.db), and none of its other builds", () => {
      const files = listPackage(join(resources, 'app.asar'), { isPack: false })
        .map((p) => p.replaceAll('\\', '/'))
        .filter((p) => p.startsWith('/node_modules/sql.js/dist/'));
      expect(files.sort()).toEqual(['/node_modules/sql.js/dist/sql-wasm.js', '/node_modules/sql.js/dist/sql-wasm.wasm']);
      // Loaded as the main build loads it (`import initSqlJs from "sql.js"`), from the packed files only.
      const opened = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { default: init } = await import(${JSON.stringify(join(app, 'node_modules/sql.js/dist/sql-wasm.js'))}); const SQL = await init(); const db = new SQL.Database(); console.log(db.exec('select 6*7')[0].values[0][0]);`,
        ],
        { cwd: work, encoding: 'utf8' },
      );
      expect(opened.stderr).toBe('');
      expect(opened.stdout.trim()).toBe('42');
    });

    it("keeps Chromium's strings only in the two languages the app speaks", () => {
      expect(readdirSync(join(resources, '..', 'locales')).sort()).toEqual(['en-US.pak', 'zh-CN.pak']);
    });

    it('runs its command line from its own files, and loads the keychain module from beside the asar', () => {
      const cli = spawnSync(process.execPath, [join(app, 'out/main/cli.js'), 'policy', 'show'], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: '' },
      });
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      expect(cli.stdout).toMatch(/mailServer/);
      // The chunk that holds the keychain adapter imports @napi-rs/keyring at its top: import it as the app does.
      const keychainChunk = scripts(join(app, 'out/main')).find((file) => readFileSync(file, 'utf8').includes('from "@napi-rs/keyring"'))!;
      const loaded = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(keychainChunk)}); console.log(Object.keys(m).length > 0);\nconst k = await import(${JSON.stringify(join(app, 'node_modules/@napi-rs/keyring/index.js'))}); console.log(typeof k.AsyncEntry);`,
        ],
        {
          cwd: work,
          encoding: 'utf8',
        },
      );
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout.trim().split('\n')).toEqual(['true', 'function']);
    });
  },
);
