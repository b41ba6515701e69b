// Covers package.json against the app's source: electron-builder packs only `dependencies` into an
// installer, and electron-vite leaves every package import of the main process external, so a
// package the Electron shell, the host or the command line imports at run time but that sits in
// devDependencies installs fine here and fails to load in every installed app.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Packages a file loads at run time: value imports and dynamic imports, not `import type`. */
function runtimePackagesOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const m of code.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    const specifier = (m[1] ?? m[2])!;
    if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier) || specifier === 'electron') continue;
    found.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
  }
  return [...found];
}

describe('run-time packages are dependencies', () => {
  // The preload is bundled whole (externalizeDeps: false); every other layer ships as is.
  const files = ['main', 'host', 'cli', 'core', 'platform', 'store', 'shared'].flatMap((layer) => sources(join(root, 'electron', layer)));

  it.each(files.map((f) => relative(root, f)))('%s', (file) => {
    for (const name of runtimePackagesOf(readFileSync(join(root, file), 'utf8'))) {
      expect(pkg.dependencies, `${file} imports ${name} at run time: move it to dependencies`).toHaveProperty([name]);
    }
  });

  it('tells value imports from type-only ones', () => {
    expect(
      runtimePackagesOf(`import type { AppUpdater } from 'electron-updater';\nimport { parse } from 'plist';\nimport * as v from 'valibot';\nconst m = await import('electron-updater');\nimport { join } from 'node:path';\n// import x from 'commented-out';`),
    ).toEqual(['plist', 'valibot', 'electron-updater']);
  });
});
