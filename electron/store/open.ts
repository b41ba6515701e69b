/**
 * Opens the embedded store of a data folder: the folder taken for this process alone (an
 * inter-process lock, released on close), the store folder locked to this user, the data key
 * (data-key.ts: keychain, or the file fallback), every collection sealed with a key derived from
 * it and checked before it loads (repair.ts), then the schema migrations (migrations.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lock as lockFile } from 'proper-lockfile';
import type { CoreKeys } from '../core/context';
import type { Keychain, Logger } from '../core/ports';
import { sharedStateCollections, type CollectionName } from '../core/store';
import { deriveKey, openLine, sealLine } from './crypto';
import { loadDataKey, type DataKeySource } from './data-key';
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
}

export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';
  constructor(readonly dataDir: string) {
    super(`data folder already in use by another Mailwarden process: ${dataDir}`);
  }
}

/** The lock directory (proper-lockfile's mkdir lock) inside the data folder it guards. */
export const inUseLockName = 'in-use.lock';
const ownerFileName = 'owner.json';
/**
 * A holder refreshes the lock's mtime every half of this; a lock left older is taken over. This
 * covers a holder that hangs or sits on another host; a holder on this host that died (SIGKILL,
 * power cut) is recognised at once by its process id (`ownerIsGone`).
 */
export const inUseLockStaleMs = 10_000;

interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/**
 * The file system proper-lockfile works through, with the owner written inside the lock directory
 * as it is made: an owner file beside it could be a dead holder's, read before the new holder
 * replaced it. Every removal (release, stale take-over, exit) therefore removes a non-empty folder.
 */
function lockFileSystem(owner: LockOwner) {
  type Callback = (error: NodeJS.ErrnoException | null) => void;
  return {
    mkdir: (path: string, callback: Callback) =>
      fs.mkdir(path, (error) => {
        if (error) return callback(error);
        fs.writeFile(join(path, ownerFileName), JSON.stringify(owner), callback);
      }),
    rmdir: (path: string, callback: Callback) => fs.rm(path, { recursive: true }, callback),
    rmdirSync: (path: string) => fs.rmSync(path, { recursive: true }),
    stat: fs.stat,
    utimes: fs.utimes,
    realpath: fs.realpath,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    // EPERM: alive, only someone else's.
    return (cause as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * The recorded owner of a lock, if it is a process of this host that no longer runs. A lock
 * without a readable owner (being made this instant, or from another host) is left to the mtime.
 */
async function goneOwner(lockPath: string): Promise<string | null> {
  try {
    const text = await readFile(join(lockPath, ownerFileName), 'utf8');
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (owner.host !== hostname() || typeof owner.pid !== 'number' || owner.pid === process.pid) return null;
    return isAlive(owner.pid) ? null : text;
  } catch {
    return null;
  }
}

/**
 * Takes the data folder for this process alone: the app, the browser-mode host and `mailwarden
 * serve` all append to the same nedb files, and two writers would interleave and lose records.
 * Returns the release.
 */
export async function lockDataFolder(dataDir: string, logger: Logger): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, inUseLockName);
  const options = {
    stale: inUseLockStaleMs,
    lockfilePath: lockPath,
    fs: lockFileSystem({ pid: process.pid, host: hostname() }),
    // The default throws from a timer and takes the whole process down; losing the lock (the
    // folder was removed, or another process took it over after a very long stall) is told instead.
    onCompromised: (cause: Error) => logger.error('data folder lock lost', { dataDir, error: cause.message }),
  };
  let release: () => Promise<void>;
  try {
    release = await lockFile(dataDir, options);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ELOCKED') throw cause;
    const gone = await goneOwner(lockPath);
    if (gone === null) throw new DataFolderInUseError(dataDir);
    // Re-read just before removing, so a holder that replaced the dead one meanwhile keeps its lock.
    if ((await readFile(join(lockPath, ownerFileName), 'utf8').catch(() => null)) !== gone) throw new DataFolderInUseError(dataDir);
    logger.warn('data folder lock of a process that ended taken over', { dataDir });
    await rm(lockPath, { recursive: true, force: true });
    try {
      release = await lockFile(dataDir, options);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataFolderInUseError(dataDir);
      throw again;
    }
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // Already released when compromised; nothing is left to do then.
    await release().catch((cause: NodeJS.ErrnoException) => {
      if (cause.code !== 'ERELEASED') throw cause;
    });
  };
}

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
  const recordKey = deriveKey(dataKey, 'records');
  const fileKey = deriveKey(dataKey, 'files');
  // nedb calls the hooks per line without saying which file; each datastore gets its own pair.
  const hooks = (name: CollectionName) => ({
    serialize: (line: string) => sealLine(recordKey, line, name),
    deserialize: (line: string) => openLine(recordKey, line, name),
  });
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
  const closeStore = store.close.bind(store);
  store.close = async () => {
    try {
      await closeStore();
    } finally {
      await release();
    }
  };
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
