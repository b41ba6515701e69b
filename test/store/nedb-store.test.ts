// Covers electron/store/nedb-store.ts.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../electron/core/ports';
import type { CollectionName } from '../../electron/core/store';
import { openLine, sealLine } from '../../electron/store/crypto';
import { NedbStore, storeFolder } from '../../electron/store/nedb-store';
import { recordingLogger, removeFolder, tempFolder } from '../factories/store';

interface Grant {
  readonly _id: string;
  readonly owner: string;
  readonly level?: string;
}

let dataDir: string;
let logger: ReturnType<typeof recordingLogger>;
const key = new Uint8Array(randomBytes(32));
const hooks = (name: CollectionName) => ({
  serialize: (line: string) => sealLine(key, line, name),
  deserialize: (line: string) => openLine(key, line, name),
});

beforeEach(async () => {
  dataDir = await tempFolder('nedb');
  logger = recordingLogger();
});
afterEach(() => removeFolder(dataDir));

const open = () => NedbStore.open({ dataDir, hooks, lazy: ['activity'], logger, now: () => Date.UTC(2026, 10, 23, 9, 0, 0) });
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function storeWithGrants(count: number): Promise<void> {
  const store = await open();
  for (let i = 1; i <= count; i += 1) await store.collection<Grant>('grants').insert({ _id: `g${i}`, owner: `owner${i}@example.cn` });
  await store.close();
}

describe('NedbStore in memory', () => {
  it('opens without a data folder, stores and finds records, and reports a clean health', async () => {
    const store = await NedbStore.open();
    await store.collection<Grant>('grants').insert({ _id: 'g1', owner: 'a@example.cn' });
    expect(await store.collection<Grant>('grants').find({ owner: 'a@example.cn' })).toEqual([{ _id: 'g1', owner: 'a@example.cn' }]);
    expect(store.fileOf('grants')).toBeUndefined();
    expect(store.health().grants).toEqual({ repairedTail: false, quarantined: [] });
  });
});

describe('NedbStore.atomically', () => {
  it('undoes every write of work that fails half-way', async () => {
    const store = await NedbStore.open();
    const grants = store.collection<Grant>('grants');
    await grants.insert({ _id: 'g1', owner: 'a@example.cn', level: 'read' });
    await expect(
      store.atomically(async () => {
        await grants.replace({ _id: 'g1', owner: 'a@example.cn', level: 'send-as' });
        await grants.insert({ _id: 'g2', owner: 'b@example.cn' });
        await grants.remove({ _id: 'g1' });
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(await grants.find({}, { sort: { _id: 1 } })).toEqual([{ _id: 'g1', owner: 'a@example.cn', level: 'read' }]);
  });

  it('lets a block started inside another join it instead of waiting for it forever', async () => {
    const store = await NedbStore.open();
    const grants = store.collection<Grant>('grants');
    await expect(
      store.atomically(async () => {
        await grants.insert({ _id: 'outer', owner: 'a@example.cn' });
        await store.atomically(() => grants.insert({ _id: 'inner', owner: 'a@example.cn' }));
        throw new Error('after the inner block');
      }),
    ).rejects.toThrow('after the inner block');
    expect(await grants.count({})).toBe(0);
  });

  it('never undoes a write made outside the failing block, even while it runs', async () => {
    const store = await NedbStore.open();
    const grants = store.collection<Grant>('grants');
    let release!: () => void;
    const halfway = new Promise<void>((resolve) => (release = resolve));
    const failing = store.atomically(async () => {
      await grants.insert({ _id: 'inside', owner: 'a@example.cn' });
      await halfway;
      throw new Error('fails');
    });
    // Queued behind the block rather than slipped into its journal.
    const outside = grants.insert({ _id: 'outside', owner: 'b@example.cn' });
    release();
    await expect(failing).rejects.toThrow('fails');
    await outside;
    expect((await grants.find({})).map((g) => g._id)).toEqual(['outside']);
  });
});

describe('the store lock watchdog', () => {
  /** Timers the test fires by hand, with the wall clock it reads. */
  function manualTimers() {
    let now = 1_000_000;
    const due: { at: number; report: () => void; cancelled: boolean }[] = [];
    return {
      now: () => now,
      schedule: (report: () => void, ms: number) => {
        const entry = { at: now + ms, report, cancelled: false };
        due.push(entry);
        return () => (entry.cancelled = true);
      },
      advance(ms: number) {
        now += ms;
        for (const entry of due.filter((e) => !e.cancelled && e.at <= now)) {
          entry.cancelled = true;
          entry.report();
        }
      },
    };
  }

  async function stuckStore() {
    const timers = manualTimers();
    const logger = recordingLogger();
    let label = 'grants:change';
    const store = await NedbStore.open({ logger, now: timers.now, watchdog: { describe: () => label, schedule: timers.schedule } });
    let release!: () => void;
    const held = store.atomically(() => new Promise<void>((resolve) => (release = resolve)));
    label = 'activity:list';
    const waiters = [1, 2, 3].map(() => store.collection('meta').insert({ _id: randomBytes(6).toString('hex') }));
    label = 'settings:update';
    const another = store.atomically(async () => 'done');
    return { timers, logger, held, release: () => release(), waiters, another };
  }

  it('says who holds the lock and who waits once a write has waited 5 s, once per holder', async () => {
    const { timers, logger, held, release, waiters, another } = await stuckStore();
    timers.advance(4_999);
    expect(logger.lines).toEqual([]);
    timers.advance(1);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: 'a store write has waited too long for the store lock',
        fields: { waiting: 'activity:list', waitedMs: 5_000, heldBy: 'grants:change', heldForMs: 5_000, queue: 'activity:list ×3, settings:update ×1' },
      },
    ]);
    release();
    await Promise.all([held, ...waiters]);
    expect(await another).toBe('done');
  });

  it('says nothing when every write gets the lock in time', async () => {
    const { timers, logger, held, release, waiters, another } = await stuckStore();
    timers.advance(1_000);
    release();
    await Promise.all([held, ...waiters, another]);
    timers.advance(60_000);
    expect(logger.lines).toEqual([]);
  });
});

describe('NedbStore on disk', () => {
  it('keeps records across opens', async () => {
    await storeWithGrants(3);
    const store = await open();
    expect(await store.collection<Grant>('grants').count({})).toBe(3);
    expect(store.fileOf('grants')).toBe(join(storeFolder(dataDir), 'grants.db'));
  });

  it('loads the activity log only on first use', async () => {
    const store = await open();
    expect(await exists(join(storeFolder(dataDir), 'activity.db'))).toBe(false);
    expect(store.health().activity).toBeUndefined();
    await store.collection('activity').count({});
    expect(await exists(join(storeFolder(dataDir), 'activity.db'))).toBe(true);
    expect(store.health().activity).toEqual({ repairedTail: false, quarantined: [] });
  });

  it('opens after a torn last line, without the torn record, and says so in health()', async () => {
    await storeWithGrants(3);
    const file = join(storeFolder(dataDir), 'grants.db');
    const sealed = sealLine(key, JSON.stringify({ _id: 'g4', owner: 'torn@example.cn' }), 'grants');
    await writeFile(file, `${await readFile(file, 'utf8')}${sealed.slice(0, 30)}`);
    const store = await open();
    expect(store.health().grants).toEqual({ repairedTail: true, quarantined: [] });
    expect(store.health().mailboxes).toEqual({ repairedTail: false, quarantined: [] });
    expect(await store.collection<Grant>('grants').count({})).toBe(3);
    expect(await readFile(`${file}.torn-20261123T090000Z`, 'utf8')).toBe(sealed.slice(0, 30));
  });

  it('quarantines an altered line and a line moved in from another collection, keeping the rest', async () => {
    await storeWithGrants(20);
    const file = join(storeFolder(dataDir), 'grants.db');
    const lines = (await readFile(file, 'utf8')).split('\n').slice(0, -1);
    const altered = Buffer.from(lines[2]!.slice(3), 'base64');
    altered[16] = altered[16]! ^ 0xff;
    lines[2] = `v1:${altered.toString('base64')}`;
    lines.splice(5, 0, sealLine(key, JSON.stringify({ _id: 'm1', owner: 'moved@example.cn' }), 'mailboxes'));
    await writeFile(file, lines.map((line) => `${line}\n`).join(''));

    const store = await open();
    expect(store.health().grants).toEqual({ repairedTail: false, quarantined: [3, 6] });
    expect(await store.collection<Grant>('grants').count({})).toBe(19);
    expect(await store.collection<Grant>('grants').get('m1')).toBeNull();
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ file: 'grants.db', count: 2, lines: [3, 6] }) }),
    );
  });

  it('refuses to open a store sealed with another key, as a StorageError, leaving its files alone', async () => {
    await storeWithGrants(3);
    const file = join(storeFolder(dataDir), 'grants.db');
    const before = await readFile(file, 'utf8');
    const otherKey = new Uint8Array(randomBytes(32));
    const failure = await NedbStore.open({
      dataDir,
      hooks: (name) => ({ serialize: (line) => sealLine(otherKey, line, name), deserialize: (line) => openLine(otherKey, line, name) }),
      lazy: ['activity'],
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageError);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it("never starts nedb's autocompaction timer, whose failures nobody would see", async () => {
    const timer = vi.spyOn(Datastore.prototype, 'setAutocompactionInterval');
    const store = await open();
    await store.collection<Grant>('grants').insert({ _id: 'g1', owner: 'a@example.cn' });
    await store.collection('activity').count({});
    await store.close();
    expect(timer).not.toHaveBeenCalled();
  });

  it('throws a failed compaction as a StorageError, with no unhandled rejection and no data lost', async () => {
    await storeWithGrants(2);
    const store = await open();
    // nedb rewrites a file through "<file>~": a folder there makes every rewrite fail.
    await mkdir(join(storeFolder(dataDir), 'grants.db~'));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(store.compact()).rejects.toThrow(StorageError);
      await expect(store.compact()).rejects.toThrow(/compacting grants failed: EISDIR/);
      await expect(store.close()).rejects.toThrow(StorageError);
      // Give any stray rejection from nedb's internals the turns it needs to surface.
      for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    // Writes still work and are still appended to the intact file.
    await store.collection<Grant>('grants').insert({ _id: 'g3', owner: 'c@example.cn' });
    await removeFolder(join(storeFolder(dataDir), 'grants.db~'));
    expect(await (await open()).collection<Grant>('grants').count({})).toBe(3);
  });

  it.skipIf(process.platform === 'win32')('creates its folder 0700 and its files 0600', async () => {
    await storeWithGrants(1);
    expect((await stat(storeFolder(dataDir))).mode & 0o777).toBe(0o700);
    expect((await stat(join(storeFolder(dataDir), 'grants.db'))).mode & 0o777).toBe(0o600);
  });
});
