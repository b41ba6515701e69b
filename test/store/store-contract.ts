/**
 * What every backend of the core's store port (electron/core/store.ts) must do, as one suite run
 * against each: the embedded nedb store (test/store/nedb-store.contract.test.ts) and PostgreSQL
 * (test/postgres/pg-store.test.ts). The core was written against the embedded store's meaning of
 * each query; a backend that differs anywhere here would change a rule without anyone noticing.
 */
import { describe, expect, it } from 'vitest';
import type { Store, StoredRecord } from '../../electron/core/store';

interface Event extends StoredRecord {
  readonly mailbox: string;
  readonly at: number;
  readonly kind?: string;
  readonly detail?: Record<string, unknown>;
  readonly tags?: readonly string[];
  readonly note?: string | null;
}

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: the store port`, () => {
    async function seeded() {
      const store = await open();
      const events = store.collection<Event>('activity');
      const rows: Event[] = [
        { _id: 'e1', mailbox: 'alice@cstnet.cn', at: 100, kind: 'sign-in', detail: { reason: 'wrong', n: 2 }, tags: ['imap', 'smtp'], note: null },
        { _id: 'e2', mailbox: 'alice@cstnet.cn', at: 200, kind: 'sign-in-failed', detail: { reason: 'locked' } },
        { _id: 'e3', mailbox: 'bob@cstnet.cn', at: 150, kind: 'sign-in', note: 'x' },
        { _id: 'E4', mailbox: 'alice@cstnet.cn', at: 200, kind: 'grant-added' },
        { _id: '_5', mailbox: 'carol@cstnet.cn', at: -5 },
      ];
      for (const row of rows) await events.insert(row);
      return { store, events };
    }
    const ids = (list: readonly StoredRecord[]) => list.map((r) => r._id);

    it('stores, gets, replaces and removes records, and says how many it removed', async () => {
      const { store, events } = await seeded();
      expect(await events.get('e1')).toEqual({
        _id: 'e1',
        mailbox: 'alice@cstnet.cn',
        at: 100,
        kind: 'sign-in',
        detail: { reason: 'wrong', n: 2 },
        tags: ['imap', 'smtp'],
        note: null,
      });
      expect(await events.get('nope')).toBeNull();
      expect(await events.replace({ _id: 'e1', mailbox: 'alice@cstnet.cn', at: 101 })).toBe(true);
      expect(await events.get('e1')).toEqual({ _id: 'e1', mailbox: 'alice@cstnet.cn', at: 101 });
      expect(await events.replace({ _id: 'nope', mailbox: 'x', at: 1 })).toBe(false);
      expect(await events.get('nope')).toBeNull();
      expect(await events.remove({ mailbox: 'alice@cstnet.cn' })).toBe(3);
      expect(await events.count({})).toBe(2);
      expect(await events.remove({ mailbox: 'nobody' })).toBe(0);
      await store.close();
    });

    it('refuses a second record with the same id and keeps the first', async () => {
      const { store, events } = await seeded();
      await expect(events.insert({ _id: 'e1', mailbox: 'mallory@cstnet.cn', at: 1 })).rejects.toThrow();
      expect((await events.get('e1'))!.mailbox).toBe('alice@cstnet.cn');
      await store.close();
    });

    it('matches equality on looked-up fields, other fields, dotted paths and array members', async () => {
      const { store, events } = await seeded();
      expect(ids(await events.find({ mailbox: 'alice@cstnet.cn' }, { sort: { _id: 1 } }))).toEqual(['E4', 'e1', 'e2']);
      expect(ids(await events.find({ kind: 'sign-in' }, { sort: { _id: 1 } }))).toEqual(['e1', 'e3']);
      expect(ids(await events.find({ 'detail.reason': 'locked' }))).toEqual(['e2']);
      expect(ids(await events.find({ 'detail.n': 2, mailbox: 'alice@cstnet.cn' }))).toEqual(['e1']);
      expect(ids(await events.find({ tags: 'smtp' }))).toEqual(['e1']);
      expect(ids(await events.find({ at: 200 }, { sort: { _id: 1 } }))).toEqual(['E4', 'e2']);
      // null matches an explicit null only, not a missing field.
      expect(ids(await events.find({ note: null }))).toEqual(['e1']);
      // A value of another type never matches.
      expect(await events.count({ at: '200' })).toBe(0);
      expect(await events.findOne({ mailbox: 'bob@cstnet.cn' })).toMatchObject({ _id: 'e3' });
      expect(await events.findOne({ mailbox: 'dave@cstnet.cn' })).toBeNull();
      await store.close();
    });

    it('compares numbers as numbers and strings in code-unit order, on looked-up fields and others', async () => {
      const { store, events } = await seeded();
      expect(ids(await events.find({ at: { $lt: 150 } }, { sort: { at: 1 } }))).toEqual(['_5', 'e1']);
      expect(ids(await events.find({ at: { $lte: 150 } }, { sort: { at: 1 } }))).toEqual(['_5', 'e1', 'e3']);
      expect(ids(await events.find({ at: { $gt: 150, $lte: 200 } }, { sort: { _id: 1 } }))).toEqual(['E4', 'e2']);
      expect(ids(await events.find({ at: { $gte: 200 } }, { sort: { _id: 1 } }))).toEqual(['E4', 'e2']);
      // 'E' (0x45) < '_' (0x5f) < 'e' (0x65): JavaScript's order, not a locale's.
      expect(ids(await events.find({ _id: { $lt: 'e' } }, { sort: { _id: 1 } }))).toEqual(['E4', '_5']);
      expect(ids(await events.find({ _id: { $gt: '_5' } }, { sort: { _id: 1 } }))).toEqual(['e1', 'e2', 'e3']);
      expect(ids(await events.find({ 'detail.n': { $gt: 1 } }))).toEqual(['e1']);
      expect(ids(await events.find({ kind: { $gt: 'sign-in' } }, { sort: { _id: 1 } }))).toEqual(['e2']);
      // A missing field matches no comparison.
      expect(await events.count({ 'detail.n': { $lt: 100 } })).toBe(1);
      // Nor does a null or a value of another type (a grant with no end date, `endsAt: null`).
      expect(await events.count({ note: { $lte: 5 } })).toBe(0);
      expect(await events.count({ kind: { $lt: 1e9 } })).toBe(0);
      await store.close();
    });

    it('matches $in and $ne, a missing field being "not equal"', async () => {
      const { store, events } = await seeded();
      expect(ids(await events.find({ _id: { $in: ['e1', 'e3', 'zz'] } }, { sort: { _id: 1 } }))).toEqual(['e1', 'e3']);
      expect(ids(await events.find({ at: { $in: [100, 150] } }, { sort: { _id: 1 } }))).toEqual(['e1', 'e3']);
      expect(await events.count({ _id: { $in: [] } })).toBe(0);
      expect(ids(await events.find({ kind: { $ne: 'sign-in' } }, { sort: { _id: 1 } }))).toEqual(['E4', '_5', 'e2']);
      expect(ids(await events.find({ mailbox: { $ne: 'alice@cstnet.cn' } }, { sort: { _id: 1 } }))).toEqual(['_5', 'e3']);
      expect(await events.remove({ _id: { $in: ['e1', 'e2'] } })).toBe(2);
      expect(await events.count({})).toBe(3);
      await store.close();
    });

    it('sorts by several keys either way, then limits and skips', async () => {
      const { store, events } = await seeded();
      expect(ids(await events.find({}, { sort: { at: -1, _id: -1 } }))).toEqual(['e2', 'E4', 'e3', 'e1', '_5']);
      expect(ids(await events.find({}, { sort: { at: 1, _id: 1 } }))).toEqual(['_5', 'e1', 'e3', 'E4', 'e2']);
      expect(ids(await events.find({}, { sort: { at: -1, _id: 1 }, limit: 2 }))).toEqual(['E4', 'e2']);
      expect(ids(await events.find({}, { sort: { at: 1, _id: 1 }, skip: 1, limit: 2 }))).toEqual(['e1', 'e3']);
      expect(ids(await events.find({}, { sort: { kind: 1, _id: 1 } }))).toEqual(['_5', 'E4', 'e1', 'e3', 'e2']);
      await store.close();
    });

    it('undoes every write of a block that throws, and joins a block started inside another', async () => {
      const { store, events } = await seeded();
      const grants = store.collection<StoredRecord & { owner: string }>('grants');
      await expect(
        store.atomically(async () => {
          await grants.insert({ _id: 'g1', owner: 'alice@cstnet.cn' });
          await store.atomically(async () => {
            await events.remove({ mailbox: 'alice@cstnet.cn' });
            await events.replace({ _id: 'e3', mailbox: 'bob@cstnet.cn', at: 999 });
          });
          expect(await events.count({})).toBe(2);
          throw new Error('half-way');
        }),
      ).rejects.toThrow('half-way');
      expect(await grants.get('g1')).toBeNull();
      expect(await events.count({})).toBe(5);
      expect((await events.get('e3'))!.at).toBe(150);
      expect(await store.atomically(async () => grants.insert({ _id: 'g2', owner: 'bob@cstnet.cn' }))).toMatchObject({ _id: 'g2' });
      expect(await grants.count({})).toBe(1);
      await store.close();
    });

    it('loses no update when many blocks read, decide and write the same record at once', async () => {
      const store = await open();
      const meta = store.collection<StoredRecord & { n: number }>('meta');
      await meta.insert({ _id: 'counter', n: 0 });
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.atomically(async () => {
            const current = (await meta.get('counter'))!;
            await meta.replace({ ...current, n: current.n + 1 });
          }),
        ),
      );
      expect((await meta.get('counter'))!.n).toBe(20);
      await store.close();
    });

    it('keeps one record per id when many blocks check and insert it at once', async () => {
      const store = await open();
      const grants = store.collection<StoredRecord & { owner: string; grantee: string }>('grants');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.atomically(async () => {
            if (await grants.findOne({ owner: 'alice@cstnet.cn', grantee: 'bob@cstnet.cn' })) return 'exists';
            await grants.insert({ _id: `g${i}`, owner: 'alice@cstnet.cn', grantee: 'bob@cstnet.cn' });
            return 'added';
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'added')).toHaveLength(1);
      expect(await grants.count({ owner: 'alice@cstnet.cn', grantee: 'bob@cstnet.cn' })).toBe(1);
      await store.close();
    });
  });
}
