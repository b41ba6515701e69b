/**
 * Keeps the layers of ARCHITECTURE.md: imports point one way, the core and the contract stay
 * free of Electron, `fs` and the store, only the two bridge files touch Electron's IPC, and no
 * window option anywhere switches isolation off.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function filesUnder(dir: string, pattern = /\.(ts|svelte|js|mjs)$/): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'paraglide') continue;
    if (statSync(join(root, path)).isDirectory()) out.push(...filesUnder(path, pattern));
    else if (pattern.test(name)) out.push(path.split(sep).join('/'));
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    found.push((match[1] ?? match[2] ?? match[3])!);
  }
  return found;
}

/** The folder (electron/<layer> or renderer) a relative import lands in. */
function layerOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = relative(root, join(root, file, '..', specifier))
    .split(sep)
    .join('/');
  const [top, layer] = target.split('/');
  return top === 'electron' ? `electron/${layer}` : (top ?? null);
}

const sourceFiles = [...filesUnder('electron'), ...filesUnder('renderer/src')];

describe('layers', () => {
  const forbiddenPackages = /^(electron|node:fs|fs|node:fs\/promises|fs\/promises|@seald-io\/nedb|node:child_process|child_process|pg|pg-.*)$/;
  const allowedLayers: Record<string, string[]> = {
    'electron/shared': ['electron/shared'],
    'electron/core': ['electron/shared', 'electron/core'],
    'electron/store': ['electron/shared', 'electron/core', 'electron/store'],
    'electron/platform': ['electron/shared', 'electron/core', 'electron/store', 'electron/platform'],
    // The organisation's store: the same port as electron/store, on PostgreSQL.
    // It seals secret fields in the embedded store's own format (electron/store/crypto.ts).
    'electron/postgres': ['electron/shared', 'electron/core', 'electron/store', 'electron/postgres'],
    // The organisation server's HTTP front: the contract and core over the platform's HTTP pieces.
    'electron/server': ['electron/shared', 'electron/core', 'electron/platform', 'electron/server'],
    renderer: ['electron/shared', 'renderer'],
    'electron/preload': ['electron/shared', 'electron/preload'],
  };

  it.each(sourceFiles.filter((f) => f.startsWith('electron/core/') || f.startsWith('electron/shared/')))(
    '%s imports no Electron, fs, child process, store or database driver',
    (file) => {
      for (const specifier of importsOf(file)) expect(specifier, `${file} imports ${specifier}`).not.toMatch(forbiddenPackages);
    },
  );

  it.each(sourceFiles.filter((f) => Object.keys(allowedLayers).some((l) => f.startsWith(`${l}/`))))('%s imports only downward', (file) => {
    const own = Object.keys(allowedLayers).find((l) => file.startsWith(`${l}/`))!;
    for (const specifier of importsOf(file)) {
      const layer = layerOf(file, specifier);
      if (layer === null || specifier.endsWith('package.json')) continue;
      expect(allowedLayers[own], `${file} imports ${specifier}`).toContain(layer);
    }
  });

  it('the checkpassword program loads node built-ins and the mail-auth client only: it starts for every login', () => {
    expect(importsOf('electron/cli/checkpassword.ts').filter((s) => !s.startsWith('node:'))).toEqual(['../platform/mail-auth/client']);
    expect(importsOf('electron/platform/mail-auth/client.ts').filter((s) => !s.startsWith('node:'))).toEqual([]);
  });

  it('the renderer imports the contract for types and channel names only', () => {
    for (const file of filesUnder('renderer/src')) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).not.toMatch(/from\s+['"][^'"]*electron\/(core|store|platform|main|host|cli)\//);
      expect(text, file).not.toMatch(/from\s+['"](electron|node:[a-z/]+)['"]/);
    }
  });
});

describe('Electron safety', () => {
  it('only the IPC wrapper and the preload touch ipcMain / ipcRenderer', () => {
    const users = sourceFiles.filter((f) => /\b[iI]pc(Main|Renderer)\b/.test(readFileSync(join(root, f), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')));
    expect(users.sort()).toEqual(['electron/main/index.ts', 'electron/main/ipc.ts', 'electron/preload/index.ts']);
    // index.ts only hands ipcMain to ipc.ts's handle(); it registers nothing itself.
    expect(readFileSync(join(root, 'electron/main/index.ts'), 'utf8')).not.toMatch(/ipcMain\.(handle|on|once)\(/);
  });

  it('no file turns isolation, the sandbox or web security off, or enables webviews', () => {
    const everything = [...sourceFiles, ...filesUnder('test', /\.ts$/).filter((f) => f !== 'test/architecture.test.ts'), 'electron.vite.config.ts'];
    for (const file of everything) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).not.toMatch(
        /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true|contextIsolation\s*:\s*false|sandbox\s*:\s*false|webSecurity\s*:\s*false|webviewTag\s*:\s*true|allowRunningInsecureContent\s*:\s*true/,
      );
    }
  });

  it('randomness comes from crypto, never Math.random', () => {
    for (const file of sourceFiles) expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/Math\.random\s*\(/);
  });

  it('the renderer page carries a strict CSP', () => {
    const html = readFileSync(join(root, 'renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });
});

describe('renderer weight', () => {
  it('imports no schema module: the contract reaches the renderer as types only', () => {
    for (const file of filesUnder('renderer/src')) {
      for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
        if (/^\s*import\s+type\b/.test(line)) continue;
        expect(line, `${file}: ${line}`).not.toMatch(/from\s+['"][^'"]*electron\/shared\/(contract|channels\/)/);
        expect(line, `${file}: ${line}`).not.toMatch(/from\s+['"]valibot['"]/);
      }
    }
  });
});
