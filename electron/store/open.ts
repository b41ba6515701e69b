/**
 * Opens the embedded store of a data folder: the folder taken for this process alone (an
 * inter-process lock, released on close), the store folder locked to this user, the data key
 * (data-key.ts: keychain, or the file fallback), every collection sealed with a key derived from
 * it and checked before it loads (repair.ts), then the schema migrations (migrations.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreKeys } from '../core/context';
import type { Keychain, Logger } from '../core/ports';
import { sharedStateCollections, type CollectionName } from '../core/store';
import { deriveKey, openLine, sealLine } from './crypto';
import { loadDataKey, storeHoldsData, type DataKeySource } from './data-key';
import { lockDataFolder } from './folder-lock';
import { migrate } from './migrations';
import { NedbStore, storeFolder } from './nedb-store';
import type { Partitioning } from './partitions';

export interface OpenedStore {
  readonly store: NedbStore;
  readonly keys: CoreKeys;
  /** Seals and opens other files of the data folder (the SMS outbox) with the same key. */
  readonly sealer: { seal(text: string, purpose: string): string; open(line: string, purpose: string): string };
  /** Where the data key lives; 'memory' when there is no data folder. */
  readonly dataKeySource: DataKeySource | 'memory';
}

export interface OpenStoreOptions {
  /** The OS keychain for the data key; omitted, the key is kept in a file in the store folder. */
  readonly keychain?: Keychain;
  /** What the current async context is doing, for the store-lock watchdog's report. */
  readonly describe?: () => string | undefined;
  /**
   * Open a snapshot for reading, without the writer's lock, so the IT command line can read the
   * log or the mailboxes while the app or `serve` runs (`openSnapshot`). Nothing is written to
   * the data folder, not even a data key.
   */
  readonly readOnly?: boolean;
}

/**
 * The store folder is this user's alone (0700) and so is every file in it (0600): the records are
 * sealed, but the fallback key file sits beside them. Folders and files left wider by an older
 * build or a restored backup are narrowed. Windows has no such modes; its profile folder's ACL
 * does this job there.
 */
async function lockStoreFolder(dataDir: string): Promise<void> {
  const folder = storeFolder(dataDir);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  await narrow(folder);
}

/** The folder and its files to this user alone, and the folders inside (the security log's). */
async function narrow(folder: string): Promise<void> {
  await chmod(folder, 0o700);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await narrow(path);
    else if (entry.isFile() && ((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  }
}

export async function openEmbeddedStore(dataDir: string | undefined, logger: Logger, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  if (dataDir && options.readOnly) return openSnapshot(dataDir, logger, options);
  let dataKey: Uint8Array;
  let dataKeySource: OpenedStore['dataKeySource'] = 'memory';
  let release = async (): Promise<void> => undefined;
  if (dataDir) {
    await lockStoreFolder(dataDir);
    release = await lockDataFolder(dataDir, logger);
    try {
      const loaded = await loadDataKey(dataDir, { keychain: options.keychain, logger });
      dataKey = loaded.key;
      dataKeySource = loaded.source;
    } catch (cause) {
      await release();
      throw cause;
    }
  } else {
    dataKey = new Uint8Array(randomBytes(32));
  }
  // nedb calls the hooks per line without saying which file; each datastore gets its own pair.
  const hooks = sealedHooks(dataKey);
  let store: NedbStore;
  try {
    store = await NedbStore.open({
      ...(dataDir ? { dataDir } : {}),
      hooks,
      // The shared-state collections serve an organisation's processes (sessions.ts): a desktop never opens them.
      lazy: sharedStateCollections,
      partitioned: partitionsOf(dataKey),
      logger,
      ...(options.describe ? { watchdog: { describe: options.describe } } : {}),
    });
    await migrate(store, { logger });
  } catch (cause) {
    await release();
    throw cause;
  }
  // Every shell closes the backend through the store (compose.ts), so the lock goes with it.
  afterClose(store, release);
  return opened(store, dataKey, dataKeySource);
}

/** Makes `then` run when the store closes, whether or not the close itself succeeds. */
function afterClose(store: NedbStore, then: () => Promise<void>): void {
  const closeStore = store.close.bind(store);
  store.close = async () => {
    try {
      await closeStore();
    } finally {
      await then();
    }
  };
}

function opened(store: NedbStore, dataKey: Uint8Array, dataKeySource: OpenedStore['dataKeySource']): OpenedStore {
  const fileKey = deriveKey(dataKey, 'files');
  return {
    store,
    keys: { mac: deriveKey(dataKey, 'mac') },
    sealer: {
      seal: (text, purpose) => sealLine(fileKey, text, purpose),
      open: (line, purpose) => openLine(fileKey, line, purpose),
    },
    dataKeySource,
  };
}

/**
 * The security log is kept one file per mailbox (partitions.ts), each named by a keyed hash of
 * the address: 128 bits of HMAC-SHA-256, so the folder's listing names no one.
 */
function partitionsOf(dataKey: Uint8Array): Partial<Record<CollectionName, Partitioning>> {
  const nameKey = deriveKey(dataKey, 'partition names');
  return { activity: { field: 'mailbox', keyOf: (value) => createHmac('sha256', nameKey).update(value, 'utf8').digest('hex').slice(0, 32) } };
}

/** @internal */
export const sealedHooks = (dataKey: Uint8Array) => {
  const recordKey = deriveKey(dataKey, 'records');
  return (name: CollectionName) => ({
    serialize: (line: string) => sealLine(recordKey, line, name),
    deserialize: (line: string) => openLine(recordKey, line, name),
  });
};

/**
 * Copies the collection files and nedb's compaction temporaries, and the folders of the
 * partitioned collections (the security log, one file per mailbox); never the data key file.
 */
async function copyCollections(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() && /^[A-Za-z]+$/.test(entry.name)) {
      await mkdir(join(to, entry.name), { mode: 0o700 });
      await copyCollections(join(from, entry.name), join(to, entry.name));
      continue;
    }
    if (!entry.isFile() || !/\.db~?$/.test(entry.name)) continue;
    await copyFile(join(from, entry.name), join(to, entry.name)).catch((cause: NodeJS.ErrnoException) => {
      if (cause.code !== 'ENOENT') throw cause; // compacted away meanwhile
    });
  }
}

/**
 * A read-only view of a data folder that another process may be writing: its collection files
 * are copied into a private temporary folder (0700, removed on close) and opened there, where
 * repair cuts a line the writer was appending at that instant and migrations and compaction
 * touch only the copy. The data key is read, never created: a folder without one holds nothing.
 * What was written after the copy is not seen; the IT commands that read say "as of now".
 */
async function openSnapshot(dataDir: string, logger: Logger, options: OpenStoreOptions): Promise<OpenedStore> {
  const source = storeFolder(dataDir);
  if (!(await storeHoldsData(dataDir))) {
    // Nothing stored yet: an empty in-memory store, not a key or a folder made for nothing.
    const store = await NedbStore.open({ logger, lazy: sharedStateCollections, partitioned: partitionsOf(new Uint8Array(randomBytes(32))) });
    return opened(store, new Uint8Array(randomBytes(32)), 'memory');
  }
  const { key, source: keySource } = await loadDataKey(dataDir, { keychain: options.keychain, logger });
  const copy = await mkdtemp(join(tmpdir(), 'mailwarden-read-'));
  const remove = () => rm(copy, { recursive: true, force: true });
  try {
    await mkdir(storeFolder(copy), { mode: 0o700 });
    await copyCollections(source, storeFolder(copy));
    const store = await NedbStore.open({ dataDir: copy, hooks: sealedHooks(key), lazy: sharedStateCollections, partitioned: partitionsOf(key), logger });
    await migrate(store, { logger });
    afterClose(store, remove);
    return opened(store, key, keySource);
  } catch (cause) {
    await remove();
    throw cause;
  }
}
