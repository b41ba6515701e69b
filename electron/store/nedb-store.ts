/**
 * The embedded store: one @seald-io/nedb datastore per collection, in `<dataDir>/store/`.
 * nedb has no transactions, so `atomically` keeps an undo journal of the writes made inside it
 * and replays it backwards when the work fails; a process-wide lock keeps another write from
 * slipping in between.
 */
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { StorageError } from '../core/ports';
import { collectionSpecs, type Collection, type CollectionName, type FindOptions, type Query, type Store, type StoredRecord } from '../core/store';

type Undo = () => Promise<unknown>;

export interface NedbStoreOptions {
  /** The data folder; omitted, everything stays in memory (tests, dry runs). */
  readonly dataDir?: string;
  /** Line transforms per collection, applied on write and read (encryption at rest); inverses. */
  readonly hooks?: (name: CollectionName) => { serialize(line: string): string; deserialize(line: string): string };
  /** Called for each collection before nedb loads it (tail repair, corruption report). */
  readonly beforeLoad?: (name: CollectionName, file: string) => Promise<void>;
  /** Collections to load later, on first use (the activity log). */
  readonly lazy?: readonly CollectionName[];
}

export function storeFolder(dataDir: string): string {
  return join(dataDir, 'store');
}

function storageError(operation: string, cause: unknown): StorageError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new StorageError(`${operation} failed${code ? `: ${code}` : ''}`, { cause });
}

class NedbCollection<T extends StoredRecord> implements Collection<T> {
  constructor(
    private readonly datastore: () => Promise<Datastore<T>>,
    private readonly journal: () => Undo[] | null,
  ) {}

  private async run<R>(operation: string, action: (db: Datastore<T>) => Promise<R>): Promise<R> {
    const db = await this.datastore();
    try {
      return await action(db);
    } catch (cause) {
      if ((cause as { errorType?: string }).errorType === 'uniqueViolated') throw cause;
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
    return this.run('write', async (db) => {
      const inserted = (await db.insertAsync(record as never)) as unknown as T;
      this.journal()?.push(() => db.removeAsync({ _id: record._id }, {}));
      return inserted;
    });
  }

  replace(record: T): Promise<boolean> {
    return this.run('write', async (db) => {
      const before = (await db.findOneAsync({ _id: record._id } as never)) as T | null;
      if (!before) return false;
      await db.updateAsync({ _id: record._id }, record as never, {});
      this.journal()?.push(() => db.updateAsync({ _id: before._id }, before as never, {}));
      return true;
    });
  }

  remove(query: Query): Promise<number> {
    return this.run('write', async (db) => {
      const journal = this.journal();
      const before = journal ? ((await db.findAsync(query as never)) as unknown as T[]) : [];
      const removed = await db.removeAsync(query as never, { multi: true });
      if (journal && before.length > 0) journal.push(() => db.insertAsync(before as never));
      return removed;
    });
  }
}

export class NedbStore implements Store {
  private readonly loaded = new Map<CollectionName, Promise<Datastore<StoredRecord>>>();
  private readonly collections = new Map<CollectionName, NedbCollection<StoredRecord>>();
  private journal: Undo[] | null = null;
  private lock: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: NedbStoreOptions) {}

  /** Opens every collection but the lazy ones; they open on first use. */
  static async open(options: NedbStoreOptions = {}): Promise<NedbStore> {
    const store = new NedbStore(options);
    const eager = (Object.keys(collectionSpecs) as CollectionName[]).filter((n) => !options.lazy?.includes(n));
    await Promise.all(eager.map((name) => store.datastore(name)));
    return store;
  }

  /** The file a collection lives in, or undefined in memory. */
  fileOf(name: CollectionName): string | undefined {
    return this.options.dataDir ? join(storeFolder(this.options.dataDir), `${name}.db`) : undefined;
  }

  private datastore(name: CollectionName): Promise<Datastore<StoredRecord>> {
    let pending = this.loaded.get(name);
    if (!pending) {
      pending = this.load(name);
      this.loaded.set(name, pending);
      // A failed load is retried on the next use rather than cached forever.
      pending.catch(() => this.loaded.delete(name));
    }
    return pending;
  }

  private async load(name: CollectionName): Promise<Datastore<StoredRecord>> {
    const filename = this.fileOf(name);
    if (filename && this.options.beforeLoad) await this.options.beforeLoad(name, filename);
    const hooks = this.options.hooks?.(name);
    const db = new Datastore<StoredRecord>({
      ...(filename ? { filename, modes: { fileMode: 0o600, dirMode: 0o700 } } : { inMemoryOnly: true }),
      ...(hooks ? { afterSerialization: hooks.serialize, beforeDeserialization: hooks.deserialize } : {}),
      // beforeLoad has already repaired a torn tail and reported any bad line; whatever nedb
      // still finds unreadable is a reason to stop rather than to drop records silently.
      corruptAlertThreshold: 0,
    });
    try {
      await db.loadDatabaseAsync();
      for (const fieldName of collectionSpecs[name].indexes) await db.ensureIndexAsync({ fieldName });
    } catch (cause) {
      throw storageError(`opening ${name}`, cause);
    }
    return db;
  }

  collection<T extends StoredRecord>(name: CollectionName): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new NedbCollection(() => this.datastore(name), () => this.journal);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  atomically<R>(work: () => Promise<R>): Promise<R> {
    const run = async (): Promise<R> => {
      const journal: Undo[] = [];
      this.journal = journal;
      try {
        return await work();
      } catch (cause) {
        this.journal = null;
        for (const undo of journal.reverse()) await undo();
        throw cause;
      } finally {
        this.journal = null;
      }
    };
    const result = this.lock.then(run, run);
    this.lock = result.catch(() => undefined);
    return result;
  }

  /** Rewrites each loaded file without its history; failures are reported, never swallowed. */
  async compact(): Promise<void> {
    for (const [name, pending] of this.loaded) {
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
