/**
 * Opens the embedded store of a data folder: the data key, then every collection encrypted
 * with a key derived from it. The keychain and the repair of damaged files come in on top of
 * this (see data-key.ts and repair.ts once present).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreKeys } from '../core/context';
import type { Logger } from '../core/ports';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from './atomic-file';
import { deriveKey, openLine, sealLine } from './crypto';
import { NedbStore, storeFolder } from './nedb-store';
import type { CollectionName } from '../core/store';

export interface OpenedStore {
  readonly store: NedbStore;
  readonly keys: CoreKeys;
  /** Seals and opens other files of the data folder (the SMS outbox) with the same key. */
  readonly sealer: { seal(text: string, purpose: string): string; open(line: string, purpose: string): string };
}

async function loadOrCreateDataKey(dataDir: string, logger: Logger): Promise<Uint8Array> {
  const file = join(storeFolder(dataDir), 'data.key');
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length === 32) return new Uint8Array(key);
    throw new Error('data key file has the wrong length');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
  }
  const key = new Uint8Array(randomBytes(32));
  await writeFileAtomic(file, Buffer.from(key).toString('base64'), 0o600);
  logger.warn('data key kept in a file readable by this user only', { file });
  return key;
}

export async function openEmbeddedStore(dataDir: string | undefined, logger: Logger): Promise<OpenedStore> {
  const dataKey = dataDir ? await loadOrCreateDataKey(dataDir, logger) : new Uint8Array(randomBytes(32));
  const recordKey = deriveKey(dataKey, 'records');
  const fileKey = deriveKey(dataKey, 'files');
  // nedb calls the hooks per line without saying which file; each datastore gets its own pair.
  const hooks = (name: CollectionName) => ({
    serialize: (line: string) => sealLine(recordKey, line, name),
    deserialize: (line: string) => openLine(recordKey, line, name),
  });
  const store = await NedbStore.open({ ...(dataDir ? { dataDir } : {}), hooks, lazy: ['activity'] });
  return {
    store,
    keys: { mac: deriveKey(dataKey, 'mac') },
    sealer: {
      seal: (text, purpose) => sealLine(fileKey, text, purpose),
      open: (line, purpose) => openLine(fileKey, line, purpose),
    },
  };
}
