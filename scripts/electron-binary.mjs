// Where the Electron executable is, or null when it was never downloaded (installs made with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1, or without network). Read from electron's own path.txt
// rather than by requiring 'electron': its index.js tries to download the binary when missing.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** @returns {string | null} */
export function electronBinaryPath() {
  if (process.env.ELECTRON_EXEC_PATH && existsSync(process.env.ELECTRON_EXEC_PATH)) return process.env.ELECTRON_EXEC_PATH;
  let folder;
  try {
    folder = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(folder, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(folder, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export const electronMissingMessage =
  'Electron is not installed here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or without network). ' +
  'Use `npm run web` for browser mode, or run `npx --no install-electron` with network access.';
