/**
 * Helpers for the store and keychain tests: an in-memory keychain, a logger that keeps what it
 * was told, temporary data folders, and a way to run real store code in a child `node` process.
 */
import { mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeychainUnavailableError, type Keychain, type Logger } from '../../electron/core/ports';

export const projectRoot = join(import.meta.dirname, '..', '..');

/** A keychain in memory; `reachable = false` makes it behave like a machine without one. */
export class MemoryKeychain implements Keychain {
  readonly entries = new Map<string, string>();
  reachable = true;
  /** Set to make the keychain accept secrets and then not return them. */
  forgetful = false;

  private check(): void {
    if (!this.reachable) throw new KeychainUnavailableError('no keychain in this test');
  }
  async get(service: string, account: string): Promise<string | null> {
    this.check();
    return this.entries.get(`${service}\n${account}`) ?? null;
  }
  async set(service: string, account: string, secret: string): Promise<void> {
    this.check();
    if (!this.forgetful) this.entries.set(`${service}\n${account}`, secret);
  }
  async delete(service: string, account: string): Promise<boolean> {
    this.check();
    return this.entries.delete(`${service}\n${account}`);
  }
}

export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export function recordingLogger(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A fresh folder under the system temp folder; remove it with `removeFolder`. */
export function tempFolder(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `mailwarden-${prefix}-`));
}

/** A file's or folder's permission bits, e.g. 0o600. */
export async function permissionsOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

export function removeFolder(folder: string): Promise<void> {
  return rm(folder, { recursive: true, force: true });
}

/** Every file under a folder with its raw text, for looking for what must not be there. */
export async function filesUnder(folder: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      found.set(path, await readFile(path, 'utf8'));
    }
  }
  return found;
}

/**
 * Bundles a TypeScript entry for plain `node` (Node 20 runs no .ts) into `outDir` with vite's
 * build API, packages left external, and links the project's node_modules beside the bundle so
 * they resolve. Returns the path of the bundle.
 */
export async function bundleForNode(entry: string, outDir: string): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'silent',
    root: projectRoot,
    build: {
      ssr: entry,
      outDir,
      target: 'node20',
      minify: false,
      emptyOutDir: true,
      rollupOptions: {
        external: [/^node:/, '@seald-io/nedb', '@napi-rs/keyring', 'pg'],
        output: { format: 'es', entryFileNames: 'child.mjs' },
      },
    },
  });
  await symlink(join(projectRoot, 'node_modules'), join(outDir, 'node_modules'), 'junction');
  return join(outDir, 'child.mjs');
}
