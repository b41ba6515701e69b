/**
 * Numbered schema migrations. The `meta` collection holds `{ _id: 'schema', version }`; opening a
 * store runs, in order, every migration above that version, each with its version bump inside one
 * `atomically`, so a migration that fails is undone and leaves the version where it was. A store
 * whose version is above the newest migration was written by a newer build and is not opened:
 * this build would misread what it does not know.
 *
 * To change the schema, append a migration with the next version; never edit one that shipped.
 * A crash (unlike a thrown error) undoes nothing, so each migration must be safe to run again
 * over what it half-did. Migrations leave the activity collection alone unless they need it: it
 * loads lazily.
 */
import { StorageError, type Logger } from '../core/ports';
import type { Store, StoredRecord } from '../core/store';

export interface Migration {
  readonly version: number;
  readonly name: string;
  up(store: Store): Promise<void>;
}

/** @internal */
export interface SchemaRecord extends StoredRecord {
  readonly _id: typeof schemaRecordId;
  readonly version: number;
}

/** @internal */
export const schemaRecordId = 'schema';

/** @internal */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'schema-record',
    // Stores written before versioning have no record; from here on every store carries one.
    // A crash between this insert and the bump leaves a record at 0, which is kept.
    async up(store) {
      const meta = store.collection<SchemaRecord>('meta');
      if (!(await meta.get(schemaRecordId))) await meta.insert({ _id: schemaRecordId, version: 0 });
    },
  },
];

/** @internal */
export const schemaVersion = migrations.length;

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

function checkOrder(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration "${migration.name}" is numbered ${migration.version}, expected ${index + 1}`);
  });
}

/**
 * The schema version a store is at: 0 before the first migration.
 * @internal
 */
export async function storedVersion(store: Store): Promise<number> {
  const record = await store.collection<SchemaRecord>('meta').get(schemaRecordId);
  if (!record) return 0;
  if (!Number.isInteger(record.version) || record.version < 0) throw new StorageError('the store schema record is malformed; refusing to open the store');
  return record.version;
}

export async function migrate(store: Store, options: { logger: Logger; migrations?: readonly Migration[] }): Promise<MigrationOutcome> {
  const list = options.migrations ?? migrations;
  checkOrder(list);
  const from = await storedVersion(store);
  if (from > list.length) {
    throw new StorageError(
      `this store was written by a newer version of Mailwarden (store schema ${from}; this version knows up to ${list.length}). ` +
        'Install the newer version, or open another data folder.',
    );
  }
  for (const migration of list.slice(from)) {
    await store.atomically(async () => {
      await migration.up(store);
      const bumped = await store.collection<SchemaRecord>('meta').replace({ _id: schemaRecordId, version: migration.version });
      if (!bumped) throw new StorageError(`migration ${migration.version} (${migration.name}) left no schema record`);
    });
    options.logger.info('store migrated', { version: migration.version, name: migration.name });
  }
  return { from, to: list.length };
}
