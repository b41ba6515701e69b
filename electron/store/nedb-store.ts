/**
 * The embedded store: one @seald-io/nedb datastore per collection, in `<dataDir>/store/`.
 * nedb has no transactions, so `atomically` keeps an undo journal of the writes made inside it
 * and replays it backwards when the work fails; a process-wide lock keeps another write from
 * slipping in between.
 *
 * nedb's known faults are handled here: each file is checked by repair.ts before nedb reads it
 * (a torn tail is cut, damaged lines are quarantined and reported through `health()`), and
 * compaction runs only when called, with its failures thrown as StorageError; nedb's
 * autocompaction timer, whose failures nobody would see, is never started.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { silentLogger, StorageError, type Logger } from '../core/ports';
import { cachedUntilFailure } from '../core/promise-cache';
import { collectionSpecs, type Collection, type CollectionName, type FindOptions, type Query, type Store, type StoredRecord } from '../core/store';
import { PartitionedCollection, splitIntoPartitions, type Partitioning } from './partitions';
import { cleanRepair, repairDataFile, type FileRepair } from './repair';

type Undo = () => Promise<unknown>;

/**
 * What one `atomically` block did: the undo of each write, and each file's length before the
 * block first wrote to it. nedb changes its memory before it appends to the file, so a write the
 * disk refuses (ENOSPC) is in memory and torn on disk; the undos put memory back (even when the
 * disk refuses their own lines) and cutting each file back to its length puts the disk back.
 */
interface Journal {
  readonly undo: Undo[];
  readonly lengths: Map<string, number>;
}

async function lengthOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw cause;
  }
}

function isUniqueViolation(cause: unknown): boolean {
  return (cause as { errorType?: string } | undefined)?.errorType === 'uniqueViolated';
}

export interface NedbStoreOptions {
  /** The data folder; omitted, everything stays in memory (tests, dry runs). */
  readonly dataDir?: string;
  /** Line transforms per collection, applied on write and read (encryption at rest); inverses. */
  readonly hooks?: (name: CollectionName) => { serialize(line: string): string; deserialize(line: string): string };
  /** Collections to load later, on first use (the activity log). */
  readonly lazy?: readonly CollectionName[];
  /**
   * Collections kept as one file per value of a field (the activity log, one file per mailbox,
   * so a sign-in reads only that mailbox's history). Always loaded on first use.
   */
  readonly partitioned?: Partial<Record<CollectionName, Partitioning>>;
  /** Told of repaired and quarantined lines. */
  readonly logger?: Logger;
  /** Wall-clock milliseconds, for naming the files a repair keeps beside a collection file. */
  readonly now?: () => number;
  /** Reports a write kept waiting for the store's lock (see LOCKS.md beside this file). */
  readonly watchdog?: LockWatchdogOptions;
}

interface LockWatchdogOptions {
  /** How long a write may wait for the lock before it is reported; default 5 s. */
  readonly afterMs?: number;
  /** What the current async context is doing (a channel's name), to say who holds and who waits. */
  readonly describe?: () => string | undefined;
  /** Runs `report` after `ms` unless the returned cancel is called first; defaults to an unref'd timer. */
  readonly schedule?: (report: () => void, ms: number) => () => void;
}

/** Who holds or waits for the store's lock, and since when. */
interface LockTurn {
  readonly label: string;
  readonly since: number;
}

const defaultWatchdogMs = 5_000;

function scheduleUnref(report: () => void, ms: number): () => void {
  const timer = setTimeout(report, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
}

/** What opening a collection found wrong with its file, and did about it. */
export type CollectionHealth = FileRepair;

/** A line nedb can load: it opens through the hooks and parses to an object. */
function lineOpens(deserialize: (line: string) => string): (line: string) => boolean {
  return (line) => {
    try {
      const parsed: unknown = JSON.parse(deserialize(line));
      return typeof parsed === 'object' && parsed !== null;
    } catch {
      return false;
    }
  };
}

/**
 * Loads a datastore without the rewrite nedb makes of the whole file after every load (its
 * loadDatabase ends in persistCachedDatabase, a compaction: every record sealed again, written
 * and flushed). For the security log's partitions that rewrite is most of the cost of a
 * sign-in's first read; the file is compacted on close instead (`compact`), and until then the
 * append-only lines it keeps (removals, replaced versions) load as nedb reads them.
 *
 * nedb offers no option for this: the method is shadowed on the instance for the one load and
 * removed after, so compaction (which calls it) is unchanged. Checked against @seald-io/nedb 4.
 */
async function loadWithoutRewrite(db: Datastore<StoredRecord>): Promise<void> {
  const persistence = (db as unknown as { persistence: { persistCachedDatabaseAsync?: () => Promise<void> } }).persistence;
  persistence.persistCachedDatabaseAsync = async () => undefined;
  try {
    await db.loadDatabaseAsync();
  } finally {
    delete persistence.persistCachedDatabaseAsync;
  }
}

export function storeFolder(dataDir: string): string {
  return join(dataDir, 'store');
}

function storageError(operation: string, cause: unknown): StorageError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new StorageError(`${operation} failed${code ? `: ${code}` : ''}`, { cause });
}

/** Runs one write with the undo journal of the `atomically` it belongs to. */
type WriteScope = <R>(write: (journal: Journal) => Promise<R>) => Promise<R>;

class NedbCollection<T extends StoredRecord> implements Collection<T> {
  constructor(
    private readonly datastore: () => Promise<Datastore<T>>,
    private readonly scope: WriteScope,
    private readonly file: string | undefined,
  ) {}

  private write<R>(action: (db: Datastore<T>, journal: Undo[]) => Promise<R>): Promise<R> {
    return this.scope((journal) =>
      this.run('write', async (db) => {
        if (this.file && !journal.lengths.has(this.file)) journal.lengths.set(this.file, await lengthOf(this.file));
        return action(db, journal.undo);
      }),
    );
  }

  private async run<R>(operation: string, action: (db: Datastore<T>) => Promise<R>): Promise<R> {
    const db = await this.datastore();
    try {
      return await action(db);
    } catch (cause) {
      if (isUniqueViolation(cause)) throw cause;
      throw storageError(operation, cause);
    }
  }

  get(id: string): Promise<T | null> {
    return this.findOne({ _id: id });
  }

  findOne(query: Query): Promise<T | null> {
    return this.run('read', async (db) => (await db.findOneAsync(query as never)) as T | null);
  }

  find(query: Query, options: FindOptions = {}): Promise<T[]> {
    return this.run('read', async (db) => {
      let cursor = db.findAsync(query as never);
      if (options.sort) cursor = cursor.sort(options.sort);
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit !== undefined) cursor = cursor.limit(options.limit);
      return (await cursor) as unknown as T[];
    });
  }

  count(query: Query): Promise<number> {
    return this.run('read', async (db) => (await db.countAsync(query as never)) as unknown as number);
  }

  insert(record: T): Promise<T> {
    return this.write(async (db, journal) => {
      const undo = () => db.removeAsync({ _id: record._id }, {});
      try {
        const inserted = (await db.insertAsync(record as never)) as unknown as T;
        journal.push(undo);
        return inserted;
      } catch (cause) {
        // A duplicate never entered memory; any other failure came after it did.
        if (!isUniqueViolation(cause)) journal.push(undo);
        throw cause;
      }
    });
  }

  replace(record: T): Promise<boolean> {
    return this.write(async (db, journal) => {
      const before = (await db.findOneAsync({ _id: record._id } as never)) as T | null;
      if (!before) return false;
      // Journalled first: a failed append leaves the new record in memory all the same.
      journal.push(() => db.updateAsync({ _id: before._id }, before as never, {}));
      await db.updateAsync({ _id: record._id }, record as never, {});
      return true;
    });
  }

  remove(query: Query): Promise<number> {
    return this.write(async (db, journal) => {
      const before = (await db.findAsync(query as never)) as unknown as T[];
      if (before.length > 0) journal.push(() => db.insertAsync(before as never));
      return db.removeAsync(query as never, { multi: true });
    });
  }
}

export class NedbStore implements Store {
  private readonly loaded = new Map<CollectionName, Promise<Datastore<StoredRecord>>>();
  private readonly collections = new Map<CollectionName, Collection<StoredRecord>>();
  private readonly repairs = new Map<CollectionName, FileRepair>();
  /** Each partitioned collection's loaded files, by partition key ("<collection>/<key>"). */
  private readonly partitionsLoaded = new Map<string, Promise<Datastore<StoredRecord>>>();
  private readonly partitionCollections = new Map<string, NedbCollection<StoredRecord>>();
  /** The undo journal of the `atomically` the current async context runs in, if any. */
  private readonly journals = new AsyncLocalStorage<Journal>();
  private lock: Promise<unknown> = Promise.resolve();
  /** The block running now, and the ones queued behind it: what the watchdog reports. */
  private holder: LockTurn | null = null;
  private readonly waiting = new Set<LockTurn>();
  /** The holder already reported, so one stuck block is reported once, not once per waiter. */
  private reported: LockTurn | null = null;

  private constructor(private readonly options: NedbStoreOptions) {}

  /** Opens every collection but the lazy ones; they open on first use. */
  static async open(options: NedbStoreOptions = {}): Promise<NedbStore> {
    const store = new NedbStore(options);
    const partitioned = Object.keys(options.partitioned ?? {}) as CollectionName[];
    // An older store kept a partitioned collection in one file: split it before anything reads it.
    if (options.dataDir) {
      for (const name of partitioned) {
        await splitIntoPartitions(store.fileOf(name)!, store.partitionFolder(name)!, options.partitioned![name]!, {
          name,
          deserialize: options.hooks?.(name).deserialize ?? ((line) => line),
          logger: options.logger ?? silentLogger,
          now: options.now ?? Date.now,
        });
      }
    }
    const eager = (Object.keys(collectionSpecs) as CollectionName[]).filter((n) => !options.lazy?.includes(n) && !partitioned.includes(n));
    // Settle every load before failing, so nothing is still writing when the caller gives up.
    const loads = await Promise.allSettled(eager.map((name) => store.datastore(name)));
    const failed = loads.find((load) => load.status === 'rejected');
    if (failed) throw failed.reason;
    return store;
  }

  /** The file a collection lives in, or undefined in memory. */
  fileOf(name: CollectionName): string | undefined {
    return this.options.dataDir ? join(storeFolder(this.options.dataDir), `${name}.db`) : undefined;
  }

  /** The folder a partitioned collection's files live in, or undefined in memory. */
  partitionFolder(name: CollectionName): string | undefined {
    return this.options.dataDir ? join(storeFolder(this.options.dataDir), name) : undefined;
  }

  private datastore(name: CollectionName): Promise<Datastore<StoredRecord>> {
    // A failed load is retried on the next use rather than cached forever.
    return cachedUntilFailure(this.loaded, name, () => this.load(name));
  }

  /** Per loaded collection: whether a torn tail was cut and which lines were quarantined. */
  health(): Partial<Record<CollectionName, CollectionHealth>> {
    return Object.fromEntries(this.repairs);
  }

  private load(name: CollectionName): Promise<Datastore<StoredRecord>> {
    return this.loadFile(name, this.fileOf(name));
  }

  /** One partition of a partitioned collection, loaded on first use. */
  private partition(name: CollectionName, key: string): NedbCollection<StoredRecord> {
    const id = `${name}/${key}`;
    let collection = this.partitionCollections.get(id);
    if (!collection) {
      const folder = this.partitionFolder(name);
      const file = folder ? join(folder, `${key}.db`) : undefined;
      const datastore = () => {
        let pending = this.partitionsLoaded.get(id);
        if (!pending) {
          pending = this.loadFile(name, file, true);
          this.partitionsLoaded.set(id, pending);
          pending.catch(() => this.partitionsLoaded.delete(id));
        }
        return pending;
      };
      collection = new NedbCollection(datastore, (write) => this.inScope(write), file);
      this.partitionCollections.set(id, collection);
    }
    return collection;
  }

  /** Whether a partition holds anything to read: loaded, or a file on disk. */
  private async partitionExists(name: CollectionName, key: string): Promise<boolean> {
    if (this.partitionsLoaded.has(`${name}/${key}`)) return true;
    const folder = this.partitionFolder(name);
    if (!folder) return false;
    try {
      await stat(join(folder, `${key}.db`));
      return true;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw storageError(`checking ${name}`, cause);
    }
  }

  /** The keys of every partition of a collection: its files, and those made in memory. */
  private async partitionKeys(name: CollectionName): Promise<string[]> {
    const keys = new Set<string>();
    const folder = this.partitionFolder(name);
    if (folder) {
      try {
        for (const entry of await readdir(folder)) if (entry.endsWith('.db')) keys.add(entry.slice(0, -3));
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(`listing ${name}`, cause);
      }
    }
    for (const id of this.partitionsLoaded.keys()) if (id.startsWith(`${name}/`)) keys.add(id.slice(name.length + 1));
    return [...keys].sort();
  }

  private async loadFile(name: CollectionName, filename: string | undefined, quick = false): Promise<Datastore<StoredRecord>> {
    const hooks = this.options.hooks?.(name);
    const make = () =>
      new Datastore<StoredRecord>({
        ...(filename ? { filename, modes: { fileMode: 0o600, dirMode: 0o700 } } : { inMemoryOnly: true }),
        ...(hooks ? { afterSerialization: hooks.serialize, beforeDeserialization: hooks.deserialize } : {}),
        // The repair has already cut a torn tail and quarantined any bad line; whatever nedb
        // still finds unreadable is a reason to stop rather than to drop records silently.
        corruptAlertThreshold: 0,
      });
    if (filename && quick) {
      // Read once, as it is. nedb refuses a file with any line it cannot open (a torn tail, a
      // damaged line) before it changes anything; only then is the file checked line by line
      // and read again below. A sound file is so decrypted once instead of twice.
      const db = make();
      if (
        await loadWithoutRewrite(db).then(
          () => true,
          () => false,
        )
      ) {
        try {
          for (const fieldName of collectionSpecs[name].indexes) await db.ensureIndexAsync({ fieldName });
        } catch (cause) {
          throw storageError(`opening ${name}`, cause);
        }
        this.noteRepair(name, cleanRepair);
        return db;
      }
    }
    let repair = cleanRepair;
    if (filename) {
      try {
        repair = await repairDataFile(filename, {
          opens: lineOpens(hooks?.deserialize ?? ((line) => line)),
          logger: this.options.logger ?? silentLogger,
          now: this.options.now ?? Date.now,
        });
      } catch (cause) {
        throw cause instanceof StorageError ? cause : storageError(`checking ${name}`, cause);
      }
    }
    this.noteRepair(name, repair);
    const db = make();
    try {
      await db.loadDatabaseAsync();
      for (const fieldName of collectionSpecs[name].indexes) await db.ensureIndexAsync({ fieldName });
    } catch (cause) {
      throw storageError(`opening ${name}`, cause);
    }
    return db;
  }

  /** A partitioned collection's health is its files' together: any torn tail, every quarantined line. */
  private noteRepair(name: CollectionName, repair: FileRepair): void {
    const before = this.repairs.get(name);
    this.repairs.set(
      name,
      before ? { repairedTail: before.repairedTail || repair.repairedTail, quarantined: [...before.quarantined, ...repair.quarantined] } : repair,
    );
  }

  collection<T extends StoredRecord>(name: CollectionName): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      const partitioning = this.options.partitioned?.[name];
      collection = partitioning
        ? new PartitionedCollection(partitioning, {
            partition: (key) => this.partition(name, key),
            has: (key) => this.partitionExists(name, key),
            keys: () => this.partitionKeys(name),
          })
        : new NedbCollection(
            () => this.datastore(name),
            (write) => this.inScope(write),
            this.fileOf(name),
          );
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  /**
   * A write inside `atomically` joins its journal; a write outside one becomes its own small
   * `atomically`, so it cannot slip between another block's writes and its undo.
   */
  private inScope<R>(write: (journal: Journal) => Promise<R>): Promise<R> {
    const journal = this.journals.getStore();
    return journal ? write(journal) : this.atomically(() => write(this.journals.getStore()!));
  }

  atomically<R>(work: () => Promise<R>): Promise<R> {
    // Nested: the inner block is part of the outer one (waiting for the lock would deadlock).
    if (this.journals.getStore()) return work();
    const clock = this.options.now ?? Date.now;
    const turn: LockTurn = { label: this.options.watchdog?.describe?.() ?? 'a write outside any request', since: clock() };
    this.waiting.add(turn);
    const afterMs = this.options.watchdog?.afterMs ?? defaultWatchdogMs;
    const cancel = (this.options.watchdog?.schedule ?? scheduleUnref)(() => this.reportWait(turn, afterMs), afterMs);
    const run = async (): Promise<R> => {
      cancel();
      this.waiting.delete(turn);
      this.holder = { label: turn.label, since: clock() };
      const journal: Journal = { undo: [], lengths: new Map() };
      try {
        return await this.journals.run(journal, work);
      } catch (cause) {
        // nedb puts memory back before it appends the undo's line, so a disk that refuses the
        // line (still full) leaves memory right; the cut below then drops every line the block
        // and its undos left, torn ones included. Cutting needs no free space.
        for (const undo of journal.undo.reverse()) await undo().catch(() => undefined);
        for (const [file, length] of journal.lengths) {
          await truncate(file, length).catch((failure: unknown) =>
            (this.options.logger ?? silentLogger).error('could not cut a collection file back after a failed write', {
              file,
              error: (failure as NodeJS.ErrnoException).code ?? 'unknown',
            }),
          );
        }
        throw cause;
      } finally {
        this.holder = null;
      }
    };
    const result = this.lock.then(run, run);
    this.lock = result.catch(() => undefined);
    return result;
  }

  /**
   * A write that waited this long is a bug to report, not to wait out: say who holds the lock,
   * for how long, and who queues behind it. Labels are channel names, never request contents.
   */
  private reportWait(turn: LockTurn, afterMs: number): void {
    if (!this.waiting.has(turn)) return;
    const holder = this.holder;
    if (holder && this.reported === holder) return;
    this.reported = holder;
    const now = (this.options.now ?? Date.now)();
    const queued = new Map<string, number>();
    for (const w of this.waiting) queued.set(w.label, (queued.get(w.label) ?? 0) + 1);
    (this.options.logger ?? silentLogger).error('a store write has waited too long for the store lock', {
      waiting: turn.label,
      waitedMs: Math.max(now - turn.since, afterMs),
      heldBy: holder?.label ?? 'nobody (the lock chain is broken)',
      heldForMs: holder ? now - holder.since : 0,
      queue: [...queued].map(([label, n]) => `${label} ×${n}`).join(', '),
    });
  }

  /** Rewrites each loaded file without its history; failures are reported, never swallowed. */
  async compact(): Promise<void> {
    for (const [name, pending] of [...this.loaded, ...this.partitionsLoaded]) {
      const db = await pending;
      try {
        await db.compactDatafileAsync();
      } catch (cause) {
        throw storageError(`compacting ${name}`, cause);
      }
    }
  }

  async close(): Promise<void> {
    await this.lock;
    await this.compact();
  }
}
