// Covers openEmbeddedStore's read-only snapshot (electron/store/open.ts `openSnapshot`): the IT
// commands that read open a data folder another process is writing, without its lock, and
// never write to it.
import { access, readdir, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../electron/store/open';
import { MemoryKeychain, recordingLogger, removeFolder, tempFolder } from '../factories/store';

let root: string;
let dataDir: string;
const keychain = new MemoryKeychain();
beforeEach(async () => {
  root = await tempFolder('snapshot');
  dataDir = join(root, 'data');
});
afterEach(() => removeFolder(root));

const snapshots = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('mailwarden-read-'));

describe('a read-only snapshot of a data folder', () => {
  it('reads what the writer holding the folder has written, and writes nothing to the folder', async () => {
    const writer = await openEmbeddedStore(dataDir, recordingLogger(), { keychain });
    await writer.store.collection<{ _id: string; text: string }>('grants').insert({ _id: 'g1', text: 'first' });
    const before = await readdir(join(dataDir, 'store'));
    const known = await snapshots();

    const reader = await openEmbeddedStore(dataDir, recordingLogger(), { keychain, readOnly: true });
    expect(await reader.store.collection<{ _id: string; text: string }>('grants').find({})).toEqual([{ _id: 'g1', text: 'first' }]);
    // A write to the snapshot stays in the snapshot.
    await reader.store.collection<{ _id: string; text: string }>('grants').insert({ _id: 'g2', text: 'not kept' });
    await reader.store.close();

    expect(await snapshots()).toEqual(known);
    expect(await readdir(join(dataDir, 'store'))).toEqual(before);
    expect(await writer.store.collection<{ _id: string }>('grants').find({})).toEqual([{ _id: 'g1', text: 'first' }]);
    await writer.store.close();
  });

  it('opens while the writer is half-way through appending a line', async () => {
    const writer = await openEmbeddedStore(dataDir, recordingLogger(), { keychain });
    await writer.store.collection<{ _id: string }>('grants').insert({ _id: 'g1' });
    await appendFile(join(dataDir, 'store', 'grants.db'), 'v1.half-a-sealed-li');
    const reader = await openEmbeddedStore(dataDir, recordingLogger(), { keychain, readOnly: true });
    expect(await reader.store.collection<{ _id: string }>('grants').find({})).toEqual([{ _id: 'g1' }]);
    await reader.store.close();
    await writer.store.close();
  });

  it('of a folder that holds nothing, makes neither a key nor a store folder', async () => {
    const reader = await openEmbeddedStore(dataDir, recordingLogger(), { keychain, readOnly: true });
    expect(await reader.store.collection('grants').find({})).toEqual([]);
    await reader.store.close();
    await expect(access(join(dataDir, 'store'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
