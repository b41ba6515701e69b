// Covers electron/store/migrations.ts.
import { describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../electron/core/ports';
import type { Store } from '../../electron/core/store';
import { migrate, migrations, schemaRecordId, schemaVersion, storedVersion, type Migration, type SchemaRecord } from '../../electron/store/migrations';
import { NedbStore } from '../../electron/store/nedb-store';
import { recordingLogger } from '../factories/store';

const logger = recordingLogger();

/** The shipped migrations followed by test ones that each leave a mark, in the order run. */
function withExtra(count: number, ran: number[], failAt?: number): Migration[] {
  const extra = Array.from({ length: count }, (_, i): Migration => {
    const version = migrations.length + i + 1;
    return {
      version,
      name: `test-${version}`,
      async up(store: Store) {
        ran.push(version);
        await store.collection('grants').insert({ _id: `mark-${version}` });
        if (version === failAt) throw new Error(`migration ${version} broke`);
      },
    };
  });
  return [...migrations, ...extra];
}

const schema = (store: Store) => store.collection<SchemaRecord>('meta').get(schemaRecordId);

describe('migrate', () => {
  it('brings an empty store to the current version, writing the schema record', async () => {
    const store = await NedbStore.open();
    expect(await migrate(store, { logger })).toEqual({ from: 0, to: schemaVersion });
    expect(await schema(store)).toEqual({ _id: 'schema', version: schemaVersion });
    expect(schemaVersion).toBe(1);
  });

  it('runs migration 1 again over a record a crash left at version 0', async () => {
    const store = await NedbStore.open();
    await store.collection<SchemaRecord>('meta').insert({ _id: schemaRecordId, version: 0 });
    expect(await migrate(store, { logger })).toEqual({ from: 0, to: schemaVersion });
    expect(await schema(store)).toEqual({ _id: 'schema', version: schemaVersion });
  });

  it('runs none on a store already at the current version', async () => {
    const store = await NedbStore.open();
    await migrate(store, { logger });
    const up = vi.spyOn(migrations[0]!, 'up');
    expect(await migrate(store, { logger })).toEqual({ from: schemaVersion, to: schemaVersion });
    expect(up).not.toHaveBeenCalled();
  });

  it('runs the missing ones in order, from the version the store is at', async () => {
    const store = await NedbStore.open();
    await migrate(store, { logger });
    const ran: number[] = [];
    expect(await migrate(store, { logger, migrations: withExtra(3, ran) })).toEqual({ from: 1, to: 4 });
    expect(ran).toEqual([2, 3, 4]);
    expect(await storedVersion(store)).toBe(4);
  });

  it('leaves the version where it was, and undoes the writes, when a migration throws', async () => {
    const store = await NedbStore.open();
    const ran: number[] = [];
    await expect(migrate(store, { logger, migrations: withExtra(3, ran, 3) })).rejects.toThrow('migration 3 broke');
    expect(ran).toEqual([2, 3]);
    expect(await storedVersion(store)).toBe(2);
    expect(await store.collection('grants').get('mark-2')).not.toBeNull();
    expect(await store.collection('grants').get('mark-3')).toBeNull();
  });

  it('refuses a store written by a newer build, changing nothing', async () => {
    const store = await NedbStore.open();
    await store.collection<SchemaRecord>('meta').insert({ _id: schemaRecordId, version: schemaVersion + 1 });
    const failure = await migrate(store, { logger }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as Error).message).toMatch(/newer version of Mailwarden \(store schema 2; this version knows up to 1\)/);
    expect(await storedVersion(store)).toBe(schemaVersion + 1);
  });

  it('refuses a malformed schema record', async () => {
    const store = await NedbStore.open();
    await store.collection('meta').insert({ _id: schemaRecordId, version: 'one' } as never);
    await expect(migrate(store, { logger })).rejects.toThrow(StorageError);
  });

  it('rejects a list that is not numbered 1, 2, 3… as a bug', async () => {
    const store = await NedbStore.open();
    const gap: Migration[] = [...migrations, { version: 3, name: 'skips-two', up: async () => undefined }];
    await expect(migrate(store, { logger, migrations: gap })).rejects.toThrow('numbered 3, expected 2');
    expect(await storedVersion(store)).toBe(0);
  });
});
