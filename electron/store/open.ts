/**
 * Opens the embedded store of a data folder: the folder taken for this process alone (an
 * inter-process lock, released on close), the store folder locked to this user, the data key
 * (data-key.ts: keychain, or the file fallback), every collection sealed with a key derived from
 * it and checked before it loads (repair.ts), then the schema migrations (migrations.ts).
 */
import { randomBytes } from 'node:crypto';
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

export { DataFolderInUseError, inUseLockName, inUseLockStaleMs, lockDataFolder } from './folder-lock';

/**
 * The store folder is this user's alone (0700) and so is every file in it (0600): the records are
 * sealed, but the fallback key file sits beside them. Folders and files left wider by an older
 * build or a restored backup are narrowed. Windows has no such modes; its profile folder's ACL
 * does this job there.
 */
export async function lockStoreFolder(dataDir: string): Promise<void> {
  const folder = storeFolder(dataDir);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  await chmod(folder, 0o700);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(folder, entry.name);
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
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
      lazy: ['activity', ...sharedStateCollections],
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

const sealedHooks = (dataKey: Uint8Array) => {
  const recordKey = deriveKey(dataKey, 'records');
  return (name: CollectionName) => ({
    serialize: (line: string) => sealLine(recordKey, line, name),
    deserialize: (line: string) => openLine(recordKey, line, name),
  });
};

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
    const store = await NedbStore.open({ logger, lazy: ['activity', ...sharedStateCollections] });
    return opened(store, new Uint8Array(randomBytes(32)), 'memory');
  }
  const { key, source: keySource } = await loadDataKey(dataDir, { keychain: options.keychain, logger });
  const copy = await mkdtemp(join(tmpdir(), 'mailwarden-read-'));
  const remove = () => rm(copy, { recursive: true, force: true });
  try {
    await mkdir(storeFolder(copy), { mode: 0o700 });
    for (const name of await readdir(source)) {
      // The collection files and nedb's compaction temporaries; never the data key file.
      if (!/\.db~?$/.test(name)) continue;
      await copyFile(join(source, name), join(storeFolder(copy), name)).catch((cause: NodeJS.ErrnoException) => {
        if (cause.code !== 'ENOENT') throw cause; // compacted away meanwhile
      });
    }
    const store = await NedbStore.open({ dataDir: copy, hooks: sealedHooks(key), lazy: ['activity', ...sharedStateCollections], logger });
    await migrate(store, { logger });
    afterClose(store, remove);
    return opened(store, key, keySource);
  } catch (cause) {
    await remove();
    throw cause;
  }
}
