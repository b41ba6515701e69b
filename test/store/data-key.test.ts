// Covers electron/store/data-key.ts.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type Keychain } from '../../electron/core/ports';
import { dataKeyAccount, dataKeyFile, keychainService, loadDataKey, storeHoldsData } from '../../electron/store/data-key';
import { storeFolder } from '../../electron/store/nedb-store';
import { MemoryKeychain, recordingLogger, removeFolder, tempFolder } from '../factories/store';

let dataDir: string;
let keychain: MemoryKeychain;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(async () => {
  dataDir = join(await tempFolder('data-key'), 'data');
  keychain = new MemoryKeychain();
  logger = recordingLogger();
});
afterEach(() => removeFolder(join(dataDir, '..')));

const hex = (key: Uint8Array) => Buffer.from(key).toString('hex');
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Leaves one sealed-looking line in a collection file, as any opened store has. */
async function storeWithData(): Promise<void> {
  await mkdir(storeFolder(dataDir), { recursive: true });
  await writeFile(join(storeFolder(dataDir), 'mailboxes.db'), 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n');
}

describe('the keychain account', () => {
  it('is data-key: and the first 16 hex digits of the sha256 of the absolute data folder', () => {
    const expected = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
    expect(dataKeyAccount(dataDir)).toBe(`data-key:${expected}`);
    expect(dataKeyAccount(relative(process.cwd(), dataDir))).toBe(`data-key:${expected}`);
    expect(dataKeyAccount(`${dataDir}-other`)).not.toBe(`data-key:${expected}`);
  });
});

describe('loadDataKey with a keychain', () => {
  it('creates a 32-byte key in the keychain on first open, and writes no key file', async () => {
    const first = await loadDataKey(dataDir, { keychain, logger });
    expect(first.source).toBe('keychain');
    expect(first.key).toHaveLength(32);
    expect(keychain.entries.get(`${keychainService}\n${dataKeyAccount(dataDir)}`)).toBe(Buffer.from(first.key).toString('base64'));
    expect(await exists(dataKeyFile(dataDir))).toBe(false);
    expect(keychainService).toBe('Mailwarden');
  });

  it('finds the same key on the next open', async () => {
    const first = await loadDataKey(dataDir, { keychain, logger });
    await storeWithData();
    const second = await loadDataKey(dataDir, { keychain, logger });
    expect(hex(second.key)).toBe(hex(first.key));
  });

  it('refuses to open when the keychain lost the key of a store that holds data, creating nothing', async () => {
    await storeWithData();
    const failure = await loadDataKey(dataDir, { keychain, logger }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as Error).message).toMatch(/holds encrypted records.*keychain holds no data key/);
    expect(keychain.entries.size).toBe(0);
    expect(await exists(dataKeyFile(dataDir))).toBe(false);
  });

  it('refuses a malformed key in the keychain rather than replacing it', async () => {
    keychain.entries.set(`${keychainService}\n${dataKeyAccount(dataDir)}`, 'not a key');
    await expect(loadDataKey(dataDir, { keychain, logger })).rejects.toThrow(/malformed/);
    expect(keychain.entries.get(`${keychainService}\n${dataKeyAccount(dataDir)}`)).toBe('not a key');
  });

  it('stops with a StorageError when the keychain fails in a way other than being unreachable', async () => {
    const broken: Keychain = {
      get: () => Promise.reject(new Error('Entry is matched by 2 credentials')),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(false),
    };
    await expect(loadDataKey(dataDir, { keychain: broken, logger })).rejects.toThrow(StorageError);
    expect(await exists(dataKeyFile(dataDir))).toBe(false);
  });

  it('falls back to the file when the keychain accepts the key but does not keep it', async () => {
    keychain.forgetful = true;
    const loaded = await loadDataKey(dataDir, { keychain, logger });
    expect(loaded.source).toBe('file');
    expect(Buffer.from((await readFile(dataKeyFile(dataDir), 'utf8')).trim(), 'base64').equals(Buffer.from(loaded.key))).toBe(true);
  });
});

describe('loadDataKey without a reachable keychain', () => {
  it('keeps the key in <dataDir>/store/data.key, readable by this user only, and says the fallback is in use', async () => {
    keychain.reachable = false;
    const loaded = await loadDataKey(dataDir, { keychain, logger });
    expect(loaded.source).toBe('file');
    expect(dataKeyFile(dataDir)).toBe(join(dataDir, 'store', 'data.key'));
    expect(Buffer.from((await readFile(dataKeyFile(dataDir), 'utf8')).trim(), 'base64').equals(Buffer.from(loaded.key))).toBe(true);
    if (process.platform !== 'win32') expect((await stat(dataKeyFile(dataDir))).mode & 0o777).toBe(0o600);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('fallback in use') }));
  });

  it('uses the file when no keychain is given at all', async () => {
    const loaded = await loadDataKey(dataDir, { logger });
    expect(loaded.source).toBe('file');
    expect(hex((await loadDataKey(dataDir, { logger })).key)).toBe(hex(loaded.key));
  });

  it('keeps using the file once the keychain is reachable again, and never copies the key there', async () => {
    keychain.reachable = false;
    const first = await loadDataKey(dataDir, { keychain, logger });
    await storeWithData();
    keychain.reachable = true;
    logger.lines.length = 0;
    const second = await loadDataKey(dataDir, { keychain, logger });
    expect(second.source).toBe('file');
    expect(hex(second.key)).toBe(hex(first.key));
    expect(keychain.entries.size).toBe(0);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('fallback in use') }));
  });

  it('refuses to open a store with data when the keychain that may hold its key cannot be reached', async () => {
    await storeWithData();
    keychain.reachable = false;
    await expect(loadDataKey(dataDir, { keychain, logger })).rejects.toThrow(/holds encrypted records.*cannot be reached/);
    expect(await exists(dataKeyFile(dataDir))).toBe(false);
  });

  it('refuses a malformed key file and leaves it as it is', async () => {
    await mkdir(storeFolder(dataDir), { recursive: true });
    await writeFile(dataKeyFile(dataDir), 'c2hvcnQ=\n');
    await expect(loadDataKey(dataDir, { keychain, logger })).rejects.toThrow(StorageError);
    expect(await readFile(dataKeyFile(dataDir), 'utf8')).toBe('c2hvcnQ=\n');
  });
});

describe('storeHoldsData', () => {
  it('is false for a missing folder or empty files, true once a collection file has a line', async () => {
    expect(await storeHoldsData(dataDir)).toBe(false);
    await mkdir(storeFolder(dataDir), { recursive: true });
    await writeFile(join(storeFolder(dataDir), 'grants.db'), '');
    await writeFile(join(storeFolder(dataDir), 'data.key.bak'), 'something');
    expect(await storeHoldsData(dataDir)).toBe(false);
    await writeFile(join(storeFolder(dataDir), 'grants.db~'), 'v1:x\n');
    expect(await storeHoldsData(dataDir)).toBe(true);
  });
});
