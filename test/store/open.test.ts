// Covers electron/store/open.ts: the store as the app opens it, sealed at rest, keyed from the
// keychain or the fallback file, migrated, and locked to this user.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../electron/core/ports';
import { dataKeyAccount, dataKeyFile, keychainService } from '../../electron/store/data-key';
import { schemaRecordId, schemaVersion, type SchemaRecord } from '../../electron/store/migrations';
import { storeFolder } from '../../electron/store/nedb-store';
import { openEmbeddedStore } from '../../electron/store/open';
import { filesUnder, MemoryKeychain, recordingLogger, removeFolder, tempFolder } from '../factories/store';

let root: string;
let dataDir: string;
let keychain: MemoryKeychain;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(async () => {
  root = await tempFolder('open');
  dataDir = join(root, 'data');
  keychain = new MemoryKeychain();
  logger = recordingLogger();
});
afterEach(() => removeFolder(root));

const open = () => openEmbeddedStore(dataDir, logger, { keychain });

/** Values that must never be readable in a file: one per collection the app writes. */
const secrets = {
  address: 'zhang.wei.secret@cstnet.cn',
  phone: '+8613987654321',
  clientPassword: 'scrypt$hash$of$abcdefghijkmnpqr',
  device: 'LAB-PC-SECRET-07',
  grantee: 'grantee.secret@cstnet.cn',
  code: 'keyed-hash-of-code-493817',
};

/** Leaves the store open, its files not yet compacted; the caller closes it. */
async function writeEverywhere() {
  const { store } = await open();
  await store.collection('mailboxes').insert({ _id: secrets.address, phone: secrets.phone } as never);
  await store.collection('codes').insert({ _id: 'c1', mailbox: secrets.address, codeHash: secrets.code } as never);
  await store.collection('clientPasswords').insert({ _id: 'p1', mailbox: secrets.address, hash: secrets.clientPassword } as never);
  await store.collection('trustedDevices').insert({ _id: 'd1', mailbox: secrets.address, label: secrets.device } as never);
  await store.collection('grants').insert({ _id: 'g1', owner: secrets.address, grantee: secrets.grantee } as never);
  await store.collection('activity').insert({ _id: 'a1', mailbox: secrets.address, detail: { phone: secrets.phone } } as never);
  // An update leaves the old and the new version in the append-only file until compaction.
  await store.collection('mailboxes').replace({ _id: secrets.address, phone: secrets.phone, locked: true } as never);
  return store;
}

describe('openEmbeddedStore: encryption at rest', () => {
  it('leaves no plaintext field value in any file of the store, before and after compaction', async () => {
    const written = await writeEverywhere();
    const check = async () => {
      const files = await filesUnder(storeFolder(dataDir));
      expect([...files.keys()].some((file) => file.includes(`${sep}activity${sep}`) && file.endsWith('.db'))).toBe(true);
      for (const [file, text] of files) {
        for (const value of Object.values(secrets)) expect(text, `${file} holds ${value}`).not.toContain(value);
        if (file.endsWith('.db')) for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(/^v1:/);
      }
    };
    await check();
    await written.close();
    const { store } = await open();
    await store.collection('activity').count({});
    await store.close();
    await check();
  });

  it('reads back what it sealed after a reopen, with the same derived keys', async () => {
    await (await writeEverywhere()).close();
    const first = await open();
    await first.store.close();
    const second = await open();
    expect(await second.store.collection('mailboxes').get(secrets.address)).toEqual({ _id: secrets.address, phone: secrets.phone, locked: true });
    expect(Buffer.from(second.keys.mac).equals(Buffer.from(first.keys.mac))).toBe(true);
    expect(second.sealer.open(first.sealer.seal('outbox entry', 'outbox'), 'outbox')).toBe('outbox entry');
    expect(() => second.sealer.open(first.sealer.seal('outbox entry', 'outbox'), 'other')).toThrow();
  });

  it('refuses to open with another data key rather than treat every line as damage', async () => {
    keychain.reachable = false;
    await (await writeEverywhere()).close();
    const keyFile = dataKeyFile(dataDir);
    await writeFile(keyFile, randomBytes(32).toString('base64'));
    const grantsFile = join(storeFolder(dataDir), 'grants.db');
    const before = await readFile(grantsFile, 'utf8');
    await expect(open()).rejects.toThrow(/cannot be opened: the data key is not the one/);
    expect(await readFile(grantsFile, 'utf8')).toBe(before);
  });
});

describe('openEmbeddedStore: the data key', () => {
  it('keeps the key in the keychain when one is reachable, and no key file', async () => {
    const opened = await open();
    expect(opened.dataKeySource).toBe('keychain');
    expect(keychain.entries.has(`${keychainService}\n${dataKeyAccount(dataDir)}`)).toBe(true);
    expect(
      await stat(dataKeyFile(dataDir)).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });

  it('falls back to a 0600 key file when none is reachable', async () => {
    keychain.reachable = false;
    expect((await open()).dataKeySource).toBe('file');
    if (process.platform !== 'win32') expect((await stat(dataKeyFile(dataDir))).mode & 0o777).toBe(0o600);
  });

  it('refuses to open, creating no key, when the keychain entry of a store with records is gone', async () => {
    await (await writeEverywhere()).close();
    keychain.entries.clear();
    await expect(open()).rejects.toThrow(StorageError);
    expect(keychain.entries.size).toBe(0);
  });

  it('keeps everything in memory, under a random key, without a data folder', async () => {
    const opened = await openEmbeddedStore(undefined, logger, { keychain });
    expect(opened.dataKeySource).toBe('memory');
    expect(keychain.entries.size).toBe(0);
    expect(await opened.store.collection<SchemaRecord>('meta').get(schemaRecordId)).toEqual({ _id: 'schema', version: schemaVersion });
  });
});

describe('openEmbeddedStore: migrations', () => {
  it('migrates a new data folder to the current schema, and runs nothing on the next open', async () => {
    const { store } = await open();
    expect(await store.collection<SchemaRecord>('meta').get(schemaRecordId)).toEqual({ _id: 'schema', version: schemaVersion });
    await store.close();
    const migratedBefore = logger.lines.filter((line) => line.message === 'store migrated').length;
    expect(migratedBefore).toBe(schemaVersion);
    await open();
    expect(logger.lines.filter((line) => line.message === 'store migrated')).toHaveLength(migratedBefore);
  });

  it('refuses a data folder written by a newer build', async () => {
    const { store } = await open();
    await store.collection<SchemaRecord>('meta').replace({ _id: schemaRecordId, version: schemaVersion + 5 });
    await store.close();
    await expect(open()).rejects.toThrow(/written by a newer version of Mailwarden/);
  });
});

describe.skipIf(process.platform === 'win32')('openEmbeddedStore: permissions', () => {
  it('makes the store folder 0700 and every file in it 0600', async () => {
    await (await writeEverywhere()).close();
    const { store } = await open();
    await store.close();
    expect((await stat(storeFolder(dataDir))).mode & 0o777).toBe(0o700);
    const files = await filesUnder(storeFolder(dataDir));
    expect(files.size).toBeGreaterThan(5);
    for (const file of files.keys()) expect((await stat(file)).mode & 0o777, file).toBe(0o600);
  });

  it('narrows a folder and files left readable to others by an older build or a restored backup', async () => {
    keychain.reachable = false;
    await (await writeEverywhere()).close();
    await chmod(storeFolder(dataDir), 0o755);
    await chmod(dataKeyFile(dataDir), 0o644);
    const [logFile] = await readdir(join(storeFolder(dataDir), 'activity'));
    await chmod(join(storeFolder(dataDir), 'activity', logFile!), 0o644);
    await mkdir(join(storeFolder(dataDir), 'backups'), { recursive: true });
    await open();
    expect((await stat(storeFolder(dataDir))).mode & 0o777).toBe(0o700);
    expect((await stat(dataKeyFile(dataDir))).mode & 0o777).toBe(0o600);
    expect((await stat(join(storeFolder(dataDir), 'activity', logFile!))).mode & 0o777).toBe(0o600);
  });
});
