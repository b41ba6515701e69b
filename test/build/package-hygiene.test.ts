// Covers package.json and .npmrc as npm 11 reads them: every package the build and test scripts
// import is declared (not merely present because something else pulled it in), and no dependency
// runs an install script nobody reviewed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; dev?: boolean }>;
};

/** Bare package names a script imports, statically or dynamically. */
function packagesOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const m of code.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    const specifier = (m[1] ?? m[2])!;
    if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
    found.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
  }
  return [...found];
}

describe('package hygiene', () => {
  const scripts = readdirSync(join(root, 'scripts')).filter((name) => name.endsWith('.mjs'));

  it.each(scripts)('scripts/%s imports only declared packages', (name) => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies };
    for (const imported of packagesOf(readFileSync(join(root, 'scripts', name), 'utf8'))) {
      expect(declared, `scripts/${name} imports ${imported}, which package.json does not declare`).toHaveProperty([imported]);
    }
  });

  it('declares @inlang/sdk at the version the lock file holds', () => {
    expect(pkg.devDependencies['@inlang/sdk']).toBe(lock.packages['node_modules/@inlang/sdk']?.version);
  });

  it('has npm fail an install on a dependency whose install script nobody reviewed', () => {
    const npmrc = existsSync(join(root, '.npmrc')) ? readFileSync(join(root, '.npmrc'), 'utf8') : '';
    expect(npmrc).toMatch(/^strict-allow-scripts\s*=\s*true\s*$/m);
  });

  it('allows install scripts only pinned to a reviewed version, and only for packages that have them', () => {
    const allowed = Object.entries(pkg.allowScripts ?? {}).filter(([, allow]) => allow);
    for (const [entry] of allowed) {
      const at = entry.lastIndexOf('@');
      expect(at, `allowScripts.${entry} allows any version: pin it as name@version`).toBeGreaterThan(0);
      const [name, version] = [entry.slice(0, at), entry.slice(at + 1)];
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked?.version, `allowScripts.${entry} does not match the locked ${name}`).toBe(version);
      expect(locked?.hasInstallScript, `${entry} has no install script to allow`).toBe(true);
    }
    // Every package in the lock file with an install script is decided one way or the other.
    const decided = new Set(Object.keys(pkg.allowScripts ?? {}).map((entry) => (entry.lastIndexOf('@') > 0 ? entry.slice(0, entry.lastIndexOf('@')) : entry)));
    const withScripts = Object.entries(lock.packages)
      .filter(([path, meta]) => path !== '' && meta.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.filter((name) => !decided.has(name))).toEqual([]);
  });
});
