/**
 * A collection kept as one file per value of a field: the security log, one file per mailbox.
 * The retention rule already caps a mailbox at 10,000 events, so signing in and showing the
 * first page of the log reads that mailbox's file alone, however long the whole history is.
 * A query naming the field's value reads one file; any other query (IT's audit export, the
 * all-mailbox prune) reads every file and merges the answers.
 *
 * File names are a keyed hash of the value (open.ts), so the folder listing does not name the
 * mailboxes; every line inside stays sealed as before.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageError, type Logger } from '../core/ports';
import type { Collection, FindOptions, Query, StoredRecord } from '../core/store';
import { syncFolder } from './atomic-file';
import { repairDataFile } from './repair';

export interface Partitioning {
  /** The field whose value chooses the file. */
  readonly field: string;
  /** The file's name (without `.db`) for a value: letters and digits only. */
  readonly keyOf: (value: string) => string;
}

export interface PartitionAccess<T extends StoredRecord> {
  /** The partition's collection; writing to it makes its file. */
  partition(key: string): Collection<T>;
  /** Whether the partition has anything to read (so reading never makes an empty file). */
  has(key: string): Promise<boolean>;
  /** Every partition there is. */
  keys(): Promise<string[]>;
}

type Primitive = string | number | boolean | null | undefined;

function valueAt(record: unknown, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | null | undefined)?.[part];
  return value;
}

/** nedb's order of types (undefined, null, numbers, strings, booleans), enough for the fields sorted on. */
function rank(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null) return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'string') return 3;
  if (typeof value === 'boolean') return 4;
  return 5;
}

/** @internal */
export function compareBy(sort: Readonly<Record<string, 1 | -1>>): (a: unknown, b: unknown) => number {
  const fields = Object.entries(sort);
  return (a, b) => {
    for (const [field, direction] of fields) {
      const x = valueAt(a, field) as Primitive;
      const y = valueAt(b, field) as Primitive;
      const byRank = rank(x) - rank(y);
      const order = byRank !== 0 ? byRank : x === y ? 0 : (x as string | number) < (y as string | number) ? -1 : 1;
      if (order !== 0) return order * direction;
    }
    return 0;
  };
}

export class PartitionedCollection<T extends StoredRecord> implements Collection<T> {
  constructor(
    private readonly partitioning: Partitioning,
    private readonly access: PartitionAccess<T>,
  ) {}

  /** The one partition a query or record names, or undefined when it names none. */
  private named(value: unknown): string[] | undefined {
    if (typeof value === 'string') return [this.partitioning.keyOf(value)];
    if (typeof value === 'object' && value !== null && Object.keys(value).length === 1) {
      const values = (value as { $in?: unknown }).$in;
      if (Array.isArray(values) && values.every((v) => typeof v === 'string')) return [...new Set(values.map(this.partitioning.keyOf))];
    }
    return undefined;
  }

  /** The partitions a query can match, skipping those with nothing in them. */
  private async readable(query: Query): Promise<Collection<T>[]> {
    const keys = this.named(query[this.partitioning.field]) ?? (await this.access.keys());
    const found: Collection<T>[] = [];
    for (const key of keys) if (await this.access.has(key)) found.push(this.access.partition(key));
    return found;
  }

  private home(record: T): Collection<T> {
    const value = (record as unknown as Record<string, unknown>)[this.partitioning.field];
    if (typeof value !== 'string') throw new StorageError(`a record without its ${this.partitioning.field} cannot be stored`);
    return this.access.partition(this.partitioning.keyOf(value));
  }

  async get(id: string): Promise<T | null> {
    return this.findOne({ _id: id });
  }

  async findOne(query: Query): Promise<T | null> {
    for (const partition of await this.readable(query)) {
      const found = await partition.findOne(query);
      if (found) return found;
    }
    return null;
  }

  async find(query: Query, options: FindOptions = {}): Promise<T[]> {
    const partitions = await this.readable(query);
    if (partitions.length === 1) return partitions[0]!.find(query, options);
    const skip = options.skip ?? 0;
    const end = options.limit === undefined ? undefined : skip + options.limit;
    if (!options.sort || end === undefined) {
      let all: T[] = [];
      for (const partition of partitions) all = all.concat(await partition.find(query, options.sort ? { sort: options.sort } : {}));
      if (options.sort) all.sort(compareBy(options.sort));
      return all.slice(skip, end);
    }
    // A page of the merged order: each partition's fair share first, then more only from those
    // whose share ended before the page did (its next records might still belong on the page).
    // A log spread over many mailboxes so reads about one page's worth, not every partition's page.
    const order = compareBy(options.sort);
    const share = Math.ceil(end / partitions.length) + 1;
    const lists: T[][] = [];
    for (const partition of partitions) lists.push(await partition.find(query, { sort: options.sort, limit: share }));
    const merged = lists.flat().sort(order);
    const cut = merged.length >= end ? merged[end - 1] : undefined;
    for (const [i, list] of lists.entries()) {
      if (list.length === share && (cut === undefined || order(list[share - 1], cut) <= 0)) {
        lists[i] = await partitions[i]!.find(query, { sort: options.sort, limit: end });
      }
    }
    return lists.flat().sort(order).slice(skip, end);
  }

  async count(query: Query): Promise<number> {
    let total = 0;
    for (const partition of await this.readable(query)) total += await partition.count(query);
    return total;
  }

  insert(record: T): Promise<T> {
    return this.home(record).insert(record);
  }

  async replace(record: T): Promise<boolean> {
    return this.home(record).replace(record);
  }

  async remove(query: Query): Promise<number> {
    let removed = 0;
    for (const partition of await this.readable(query)) removed += await partition.remove(query);
    return removed;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw cause;
  }
}

export interface SplitOptions {
  /** The collection's name, for messages. */
  readonly name: string;
  /** Opens a stored line (the store's encryption at rest). */
  readonly deserialize: (line: string) => string;
  readonly logger: Logger;
  readonly now: () => number;
}

/**
 * Moves a collection an older version kept in one file into one file per partition. The sealed
 * lines are copied as they are (the same key and collection name seal them); only the newest
 * line of each record is kept, and deleted records are dropped, as nedb itself would read them.
 *
 * Crash-safe by one rename: the partitions are written and flushed in `<folder>.partitioning`,
 * which is renamed to `<folder>`; only then is the old file removed. Killed before the rename,
 * the next open starts again from the old file (still whole); killed after it, the next open
 * only removes the old file.
 */
export async function splitIntoPartitions(file: string, folder: string, partitioning: Partitioning, options: SplitOptions): Promise<void> {
  const temp = `${folder}.partitioning`;
  try {
    if (await exists(folder)) {
      await rm(temp, { recursive: true, force: true });
      await rm(file, { force: true });
      await rm(`${file}~`, { force: true });
      return;
    }
    if (!(await exists(file)) && !(await exists(`${file}~`))) {
      await rm(temp, { recursive: true, force: true });
      return;
    }
    await rm(temp, { recursive: true, force: true });
    await repairDataFile(file, {
      opens: (line) => {
        try {
          return typeof JSON.parse(options.deserialize(line)) === 'object';
        } catch {
          return false;
        }
      },
      logger: options.logger,
      now: options.now,
    });
    const latest = new Map<string, { line: string; key: string }>();
    const text = (await exists(file)) ? await readFile(file, 'utf8') : '';
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(options.deserialize(line)) as Record<string, unknown>;
      if (typeof record._id !== 'string') continue; // nedb's index lines ($$indexCreated, $$indexRemoved)
      if (record.$$deleted === true) {
        latest.delete(record._id);
        continue;
      }
      latest.set(record._id, { line, key: partitioning.keyOf(String(record[partitioning.field] ?? '')) });
    }
    const groups = new Map<string, string[]>();
    for (const { line, key } of latest.values()) {
      let lines = groups.get(key);
      if (!lines) groups.set(key, (lines = []));
      lines.push(line);
    }
    await mkdir(temp, { recursive: true, mode: 0o700 });
    for (const [key, lines] of groups) {
      const path = join(temp, `${key}.db`);
      await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
      const handle = await open(path, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await syncFolder(temp);
    await rename(temp, folder);
    await syncFolder(dirname(folder));
    await rm(file, { force: true });
    await rm(`${file}~`, { force: true });
    options.logger.info('moved a collection into one file per partition', { collection: options.name, records: latest.size, files: groups.size });
  } catch (cause) {
    if (cause instanceof StorageError) throw cause;
    throw new StorageError(`splitting ${basename(file)} failed: ${(cause as NodeJS.ErrnoException).code ?? 'a line could not be read'}`, { cause });
  }
}
