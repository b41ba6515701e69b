/** Shared set-up of the Foxmail adapter tests: a fixture installation in a temp folder. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FoxmailLocalProfiles, type FoxmailLocatorOptions } from '../../../electron/platform/foxmail';
import { writeFoxmailInstallation, type FixtureAccount } from '../../factories/foxmail';

export interface Installation {
  readonly root: string;
  readonly profiles: FoxmailLocalProfiles;
  cleanup(): Promise<void>;
}

export async function installation(accounts: FixtureAccount[], options: FoxmailLocatorOptions = {}): Promise<Installation> {
  const base = await mkdtemp(join(tmpdir(), 'mailwarden-foxmail-'));
  const root = await writeFoxmailInstallation(join(base, 'Foxmail 7.2'), accounts);
  const profiles = new FoxmailLocalProfiles({ extraRoots: [root], isRunning: async () => false, ...options });
  return { root, profiles, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** The names in an account's Accounts folder, to see that no backup or temp file was left. */
export async function accountFolder(root: string, address: string): Promise<string[]> {
  return (await readdir(join(root, 'Storage', address, 'Accounts'))).sort();
}

export async function bytesOf(path: string): Promise<Buffer> {
  return readFile(path);
}
