/**
 * Fault suite, the disk fills up (issue 7; docs/rules.md §12): covers electron/store/nedb-store.ts and
 * open.ts under ENOSPC through the real backend (electron/platform/compose.ts). The user's request
 * is answered `storage-failed` (the renderer's "check disk space" message), nothing half-written
 * stays (the store reopens exactly as it was before the failed write), and once space is back the
 * app carries on and what it then saves survives a reopen.
 *
 * On a real tmpfs where this process may mount one (CI runs as root, but a container may lack
 * CAP_SYS_ADMIN), and always with ENOSPC injected at nedb's file boundary (test/fault/disk.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/ports';
import { collectionSpecs, sharedStateCollections, type CollectionName, type Store } from '../../electron/core/store';
import { openBackend, type Backend } from '../../electron/platform/compose';
import { openEmbeddedStore } from '../../electron/store/open';
import { testCall } from '../factories/call';
import { FakeClock } from '../factories/clock';
import { testEnvironment } from '../factories/environment';
import { fillableDisk, type FillableDisk } from './disk';

const alice = testCall({ connection: 'alice' });
const bob = testCall({ connection: 'bob' });
const carol = testCall({ connection: 'carol' });
const password = (who: string) => `${who}-main-password-1`;

/** Every record of every collection a desktop uses, sorted: what a user could ever see of the store. */
async function snapshot(store: Store): Promise<Record<string, unknown[]>> {
  const all: Record<string, unknown[]> = {};
  for (const name of (Object.keys(collectionSpecs) as CollectionName[]).filter((n) => !sharedStateCollections.includes(n))) {
    const records = await store.collection(name).find({});
    all[name] = records.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  }
  return all;
}

/** Opens the data folder afresh (as the next start of the app would) and reads everything. */
async function reopened(dataDir: string): Promise<{ records: Record<string, unknown[]>; quarantined: number }> {
  const { store } = await openEmbeddedStore(dataDir, silentLogger);
  try {
    const records = await snapshot(store);
    const quarantined = Object.values(store.health()).reduce((sum, health) => sum + health.quarantined.length, 0);
    return { records, quarantined };
  } finally {
    await store.close();
  }
}

let disk: FillableDisk | undefined;
let backend: Backend | undefined;
let work: string | undefined;

afterEach(async () => {
  await backend?.close().catch(() => undefined);
  await disk?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
  backend = disk = work = undefined;
});

/** A backend on the disk with Alice and Bob registered and Alice's grant to Bob, its id returned. */
async function start(kind: 'tmpfs' | 'stub'): Promise<{ dataDir: string; backend: Backend; disk: FillableDisk; grantId: string } | null> {
  work = await mkdtemp(join(tmpdir(), 'mailwarden-disk-'));
  disk = await fillableDisk(join(work, 'disk'), { forceStub: kind === 'stub' });
  if (disk.kind !== kind) return null;
  const dataDir = join(disk.root, 'data');
  backend = await openBackend(testEnvironment({ dataDir }), silentLogger, { clock: new FakeClock() });
  for (const [who, call] of [
    ['alice', alice],
    ['bob', bob],
  ] as const) {
    const registered = await backend.dispatch('auth:register', { address: `${who}@example.cn`, password: password(who), confirmation: password(who) }, call);
    expect(registered.ok).toBe(true);
  }
  const added = await backend.dispatch('grants:add', { grantee: 'bob@example.cn', level: 'read-only' }, alice);
  expect(added).toMatchObject({ ok: true });
  return { dataDir, backend, disk, grantId: (added as { data: { id: string } }).data.id };
}

/**
 * Alice changes her grant to Bob back and forth (a record replaced, an event on each log) until
 * the disk refuses one. A real full disk still takes a few short lines into the slack of each
 * file's last block, so the refusal comes after some successes; the stub refuses the first.
 * Returns the store as it was just before the refused write.
 */
async function changeUntilRefused(b: Backend, id: string): Promise<Record<string, unknown[]>> {
  for (let attempt = 0; attempt < 1_000; attempt += 1) {
    const before = await snapshot(b.core.store);
    const result = await b.dispatch('grants:change', { id, level: attempt % 2 === 0 ? 'send-as' : 'read-only' }, alice);
    if (result.ok) continue;
    expect(result).toEqual({ ok: false, code: 'storage-failed' });
    return before;
  }
  throw new Error('the disk never filled up');
}

for (const kind of ['tmpfs', 'stub'] as const) {
  describe(`a full disk (${kind === 'tmpfs' ? 'a real 4 MB tmpfs' : 'ENOSPC injected at nedb’s file boundary'})`, () => {
    it('answers storage-failed and leaves the store exactly as it was before the write, on disk and in memory', async (context) => {
      const started = await start(kind);
      if (!started) return context.skip('this machine does not let the test mount a tmpfs (needs root with CAP_SYS_ADMIN)');
      await started.disk.fill();
      const before = await changeUntilRefused(started.backend, started.grantId);
      // Reads still work, and show nothing of the refused write; a second try is refused the same way.
      expect(await snapshot(started.backend.core.store)).toEqual(before);
      expect(await started.backend.dispatch('grants:change', { id: started.grantId, level: 'send-on-behalf' }, alice)).toEqual({
        ok: false,
        code: 'storage-failed',
      });
      expect(await snapshot(started.backend.core.store)).toEqual(before);
      await started.disk.free();
      await started.backend.close();
      backend = undefined;
      expect(await reopened(started.dataDir)).toEqual({ records: before, quarantined: 0 });
    });

    it('keeps working once space is back, and what it then saves survives a reopen', async (context) => {
      const started = await start(kind);
      if (!started) return context.skip('this machine does not let the test mount a tmpfs (needs root with CAP_SYS_ADMIN)');
      await started.disk.fill();
      await changeUntilRefused(started.backend, started.grantId);
      await started.disk.free();
      const changed = await started.backend.dispatch('grants:change', { id: started.grantId, level: 'send-on-behalf' }, alice);
      expect(changed).toMatchObject({ ok: true, data: { level: 'send-on-behalf' } });
      const registered = await started.backend.dispatch(
        'auth:register',
        { address: 'carol@example.cn', password: password('carol'), confirmation: password('carol') },
        carol,
      );
      expect(registered).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: 'carol@example.cn' } });
      expect(await started.backend.dispatch('grants:list-shared-with-me', {}, bob)).toMatchObject({
        ok: true,
        data: { mailboxes: [expect.objectContaining({ owner: 'alice@example.cn', level: 'send-on-behalf' })] },
      });
      const after = await snapshot(started.backend.core.store);
      await started.backend.close();
      backend = undefined;
      expect(await reopened(started.dataDir)).toEqual({ records: after, quarantined: 0 });
    });
  });
}
