import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustTokenSlot } from '../core/call';
import { writeFileAtomic } from './atomic-file';

/**
 * The Electron client's side of "trust this device": the token the backend handed out, kept in
 * the data folder readable by this user only, as a browser keeps its cookie. The backend keeps
 * only its hash.
 */
export class TrustTokenFile implements TrustTokenSlot {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'client', 'trust-token');
  }

  async get(): Promise<string | undefined> {
    try {
      const token = (await readFile(this.path, 'utf8')).trim();
      return /^[A-Za-z0-9_-]{16,128}$/.test(token) ? token : undefined;
    } catch {
      return undefined;
    }
  }

  async set(token: string | undefined): Promise<void> {
    if (token === undefined) await rm(this.path, { force: true });
    else await writeFileAtomic(this.path, token, 0o600);
  }
}
