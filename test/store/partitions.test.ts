// Covers electron/store/partitions.ts and the security log's layout in electron/store/open.ts:
// one file per mailbox, the merge of a query over every mailbox, and the move of an older
// store's single activity.db into that layout, including a move killed half-way.
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import { StorageError } from '../../electron/core/ports';
import { loadDataKey } from '../../electron/store/data-key';
import { NedbStore, storeFolder } from '../../electron/store/nedb-store';
import { openEmbeddedStore, sealedHooks } from '../../electron/store/open';
import { compareBy } from '../../electron/store/partitions';
import { MemoryKeychain, recordingLogger, removeFolder, tempFolder } from '../factories/store';

let dataDir: string;
const keychain = new MemoryKeychain();
beforeEach(async () => {
  dataDir = await tempFolder('partitions');
});
afterEach(() => removeFolder(dataDir));

const mailboxes = ['zhang.san@cstnet.cn', 'li.si@cstnet.cn', 'wang.wu@cstnet.cn'];
const activityFolder = () => join(storeFolder(dataDir), 'activity');
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** 30 events, ten per mailbox, two of each sharing a millisecond (the tie the id breaks). */
function events(): ActivityRecord[] {
  return Array.from({ length: 30 }, (_, i) => ({
    _id: `e${String(i).padStart(3, '0')}`,
    mailbox: mailboxes[i % 3]!,
    kind: 'sign-in',
    outcome: 'success',
    at: 1_800_000_000_000 + Math.floor(i / 2) * 1000,
    device: `PC-${i}`,
    detail: { n: i },
  }));
}

const newestFirst = { at: -1, _id: -1 } as const;
const listOf = (records: readonly ActivityRecord[], mailbox?: string) =>
  records.filter((r) => mailbox === undefined || r.mailbox === mailbox).sort(compareBy(newestFirst));

async function openStore() {
  return openEmbeddedStore(dataDir, recordingLogger(), { keychain });
}

/** What a version before the split wrote: the whole log in store/activity.db, with an update and a removal still in it. */
async function olderStore(records: readonly ActivityRecord[]): Promise<void> {
  // The key and the other collections as the app makes them; then the log the old way.
  const first = await openStore();
  await first.store.close();
  const { key } = await loadDataKey(dataDir, { keychain, logger: recordingLogger() });
  const old = await NedbStore.open({ dataDir, hooks: sealedHooks(key), lazy: ['activity'] });
  const activity = old.collection<ActivityRecord>('activity');
  for (const record of records) await activity.insert(record);
  await activity.insert({ ...records[0]!, _id: 'gone', device: 'removed later' });
  await activity.remove({ _id: 'gone' });
  await activity.replace({ ...records[1]!, device: 'changed' });
  // Not closed: closing compacts, and an older store's file may still hold those history lines.
}

const expectedAfterOld = () => events().map((e) => (e._id === 'e001' ? { ...e, device: 'changed' } : e));

describe('the security log, one file per mailbox', () => {
  it('keeps each mailbox in its own file, named so the folder does not say whose', async () => {
    const { store } = await openStore();
    const activity = store.collection<ActivityRecord>('activity');
    for (const record of events()) await activity.insert(record);
    await store.close();
    const files = (await readdir(activityFolder())).filter((name) => name.endsWith('.db'));
    expect(files).toHaveLength(3);
    for (const name of files) expect(name).toMatch(/^[0-9a-f]{32}\.db$/);
    expect(await exists(join(storeFolder(dataDir), 'activity.db'))).toBe(false);
  });

  it("reads one mailbox from its own file alone: another mailbox's unreadable file does not stop it", async () => {
    const first = await openStore();
    const activity = first.store.collection<ActivityRecord>('activity');
    for (const record of events()) await activity.insert(record);
    await first.store.close();
    // Find li.si's file by elimination after opening the other two, then make it unreadable.
    const before = new Set(await readdir(activityFolder()));
    const probe = await openStore();
    for (const mailbox of [mailboxes[0]!, mailboxes[2]!])
      await probe.store.collection<ActivityRecord>('activity').insert({ ...events()[0]!, _id: `probe-${mailbox}`, mailbox });
    await probe.store.close();
    expect(new Set(await readdir(activityFolder()))).toEqual(before);
    const sizes = await Promise.all([...before].map(async (name) => [name, (await stat(join(activityFolder(), name))).size] as const));
    const smallest = sizes.sort((a, b) => a[1] - b[1])[0]![0];
    await writeFile(join(activityFolder(), smallest), 'not a sealed line\n'.repeat(10));

    const { store } = await openStore();
    const log = store.collection<ActivityRecord>('activity');
    expect(await log.find({ mailbox: mailboxes[0]! }, { sort: newestFirst })).toHaveLength(11);
    expect(await log.count({ mailbox: mailboxes[2]! })).toBe(11);
    await expect(log.count({})).rejects.toBeInstanceOf(StorageError);
    await store.close();
  });

  it('answers a query over every mailbox in the order and page it asks for', async () => {
    const { store } = await openStore();
    const activity = store.collection<ActivityRecord>('activity');
    for (const record of events()) await activity.insert(record);
    const all = listOf(events());
    expect(await activity.find({}, { sort: newestFirst })).toEqual(all);
    expect(await activity.find({}, { sort: newestFirst, skip: 5, limit: 7 })).toEqual(all.slice(5, 12));
    expect(await activity.find({ at: { $gte: all[9]!.at } }, { sort: { at: 1, _id: 1 } })).toEqual([...all.slice(0, 10)].reverse());
    expect(await activity.count({ at: { $lt: all[0]!.at } })).toBe(28);
    expect(await activity.find({ mailbox: { $in: [mailboxes[1]!, mailboxes[2]!] } }, { sort: newestFirst, limit: 4 })).toEqual(
      all.filter((r) => r.mailbox !== mailboxes[0]).slice(0, 4),
    );
    expect(await activity.remove({ at: { $lt: all[19]!.at } })).toBe(10);
    expect(await activity.count({})).toBe(20);
    await store.close();
  });

  it("reads a mailbox's file without rewriting it, and compacts it on close", async () => {
    const first = await openStore();
    const activity = first.store.collection<ActivityRecord>('activity');
    for (const record of events()) await activity.insert(record);
    await activity.remove({ _id: 'e000' });
    await first.store.close();
    const contents = async () => Promise.all((await readdir(activityFolder())).map((name) => readFile(join(activityFolder(), name), 'utf8')));
    const lineCount = (texts: string[]) => texts.join('').split('\n').filter(Boolean).length;
    const before = await contents();

    const { store } = await openStore();
    const log = store.collection<ActivityRecord>('activity');
    expect(await log.count({})).toBe(29);
    expect(await contents()).toEqual(before);
    await log.remove({ _id: 'e003' });
    // The removal is appended as a line of its own; closing compacts it and the record away.
    expect(lineCount(await contents())).toBe(lineCount(before) + 1);
    await store.close();
    expect(lineCount(await contents())).toBe(lineCount(before) - 1);
  });

  it("cuts a torn last line off a mailbox's file, keeps the rest and says so in health()", async () => {
    const first = await openStore();
    for (const record of events()) await first.store.collection<ActivityRecord>('activity').insert(record);
    await first.store.close();
    const files = await readdir(activityFolder());
    const file = join(activityFolder(), files[0]!);
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    await writeFile(file, `${lines.join('\n')}\n${lines[0]!.slice(0, 40)}`);

    const { store } = await openStore();
    expect(await store.collection<ActivityRecord>('activity').count({})).toBe(30);
    expect(store.health().activity).toEqual({ repairedTail: true, quarantined: [] });
    expect((await readdir(activityFolder())).some((entry) => entry.startsWith(`${files[0]}.torn-`))).toBe(true);
    await store.close();
  });

  it('pages a lopsided log right: one mailbox holding most events, pages of every size and offset', async () => {
    const { store } = await openStore();
    const activity = store.collection<ActivityRecord>('activity');
    // Mailbox 0 holds 40 events, then 1 holds 6 and 2 holds 2, times interleaved unevenly.
    const records: ActivityRecord[] = [];
    for (let i = 0; i < 48; i += 1) {
      const mailbox = mailboxes[i < 40 ? 0 : i < 46 ? 1 : 2]!;
      records.push({ ...events()[0]!, _id: `r${String(i).padStart(2, '0')}`, mailbox, at: 1_800_000_000_000 + ((i * 37) % 48) * 1000 });
    }
    for (const record of records) await activity.insert(record);
    const all = listOf(records);
    for (const limit of [1, 3, 7, 20, 48, 60]) {
      for (const skip of [0, 2, 17, 45]) {
        expect(await activity.find({}, { sort: newestFirst, skip, limit }), `skip ${skip} limit ${limit}`).toEqual(all.slice(skip, skip + limit));
      }
    }
    await store.close();
  });

  it('makes no file for a mailbox that is only read', async () => {
    const { store } = await openStore();
    expect(await store.collection<ActivityRecord>('activity').find({ mailbox: 'nobody@cstnet.cn' })).toEqual([]);
    expect(await store.collection<ActivityRecord>('activity').count({})).toBe(0);
    await store.close();
    expect((await exists(activityFolder())) ? await readdir(activityFolder()) : []).toEqual([]);
  });

  it("undoes a failed block's writes in every mailbox's file", async () => {
    const { store } = await openStore();
    const activity = store.collection<ActivityRecord>('activity');
    await activity.insert(events()[0]!);
    await expect(
      store.atomically(async () => {
        await activity.insert(events()[1]!);
        await activity.insert(events()[2]!);
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(await activity.find({}, { sort: newestFirst })).toEqual([events()[0]]);
    await store.close();
    const reopened = await openStore();
    expect(await reopened.store.collection<ActivityRecord>('activity').find({}, { sort: newestFirst })).toEqual([events()[0]]);
    await reopened.store.close();
  });
});

describe("an older store's single activity.db", () => {
  it('is moved into one file per mailbox on first open, keeping every event in order', async () => {
    await olderStore(events());
    const logger = recordingLogger();
    const { store } = await openEmbeddedStore(dataDir, logger, { keychain });
    expect(await exists(join(storeFolder(dataDir), 'activity.db'))).toBe(false);
    expect((await readdir(activityFolder())).filter((name) => name.endsWith('.db'))).toHaveLength(3);
    const activity = store.collection<ActivityRecord>('activity');
    for (const mailbox of mailboxes) expect(await activity.find({ mailbox }, { sort: newestFirst })).toEqual(listOf(expectedAfterOld(), mailbox));
    expect(await activity.find({}, { sort: newestFirst })).toEqual(listOf(expectedAfterOld()));
    expect(logger.lines.some((line) => line.message.includes('one file per partition') && line.fields.records === 30)).toBe(true);
    await store.close();
  });

  it('opens with every event after a move killed before it finished (partial new files beside the old file)', async () => {
    await olderStore(events());
    await mkdir(`${activityFolder()}.partitioning`, { recursive: true });
    await writeFile(join(`${activityFolder()}.partitioning`, '0123456789abcdef0123456789abcdef.db'), 'v1:torn');
    const { store } = await openStore();
    expect(await store.collection<ActivityRecord>('activity').find({}, { sort: newestFirst })).toEqual(listOf(expectedAfterOld()));
    expect(await exists(`${activityFolder()}.partitioning`)).toBe(false);
    await store.close();
  });

  it('opens without a duplicate after a move killed between the new folder and removing the old file', async () => {
    await olderStore(events());
    const oldFile = join(storeFolder(dataDir), 'activity.db');
    const kept = join(dataDir, 'activity.db.copy');
    await cp(oldFile, kept);
    const moved = await openStore();
    await moved.store.close();
    await cp(kept, oldFile);

    const { store } = await openStore();
    expect(await store.collection<ActivityRecord>('activity').find({}, { sort: newestFirst })).toEqual(listOf(expectedAfterOld()));
    expect(await exists(oldFile)).toBe(false);
    await store.close();
  });

  it('is read by a read-only snapshot as well, without touching the folder', async () => {
    const { store } = await openStore();
    for (const record of events()) await store.collection<ActivityRecord>('activity').insert(record);
    const reader = await openEmbeddedStore(dataDir, recordingLogger(), { keychain, readOnly: true });
    expect(await reader.store.collection<ActivityRecord>('activity').count({ mailbox: mailboxes[1]! })).toBe(10);
    expect(await reader.store.collection<ActivityRecord>('activity').count({})).toBe(30);
    await reader.store.close();
    await store.close();
    expect(await readFile(join(storeFolder(dataDir), 'mailboxes.db'), 'utf8')).not.toContain('zhang');
  });
});
