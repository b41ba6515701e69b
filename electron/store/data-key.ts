/**
 * The data key: 32 random bytes from which every store key is derived (crypto.ts). Where it is
 * kept, in order:
 *
 * 1. `<dataDir>/store/data.key` when that file exists. It exists only because no keychain could
 *    be reached when the key was made (or an older build made it); once it exists it wins, even
 *    if a keychain is reachable later, because moving the key is a second copy that can drift
 *    and a half-done move is a lost key. The file is readable by this user only (0600).
 * 2. The OS keychain (service `Mailwarden`, account `data-key:<first 16 hex of sha256 of the
 *    absolute data folder>`), created there on first open when a keychain is reachable.
 * 3. A new key, only while the store holds no sealed data: a new key can never open records
 *    sealed with the old one, so when the key has gone missing the store refuses to open
 *    instead of orphaning them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KeychainUnavailableError, StorageError, type Keychain, type Logger } from '../core/ports';
import { writeFileAtomic } from './atomic-file';
import { storeFolder } from './nedb-store';

export const keychainService = 'Mailwarden';
const dataKeyFileName = 'data.key';

export type DataKeySource = 'keychain' | 'file';

export interface DataKey {
  readonly key: Uint8Array;
  readonly source: DataKeySource;
}

export interface DataKeyOptions {
  /** The OS keychain; omitted, the key is kept in the file. */
  readonly keychain?: Keychain;
  readonly logger: Logger;
}

/**
 * One account per data folder, so two data folders (a test profile, IT's import) never share a key.
 * @internal
 */
export function dataKeyAccount(dataDir: string): string {
  return `data-key:${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}`;
}

/** @internal */
export function dataKeyFile(dataDir: string): string {
  return join(storeFolder(dataDir), dataKeyFileName);
}

const encodedKey = /^[A-Za-z0-9+/]{43}=$/;

function decodeKey(encoded: string, where: string): Uint8Array {
  const trimmed = encoded.trim();
  if (!encodedKey.test(trimmed)) throw new StorageError(`the data key in ${where} is malformed; refusing to open the store`);
  return new Uint8Array(Buffer.from(trimmed, 'base64'));
}

function encodeKey(key: Uint8Array): string {
  return Buffer.from(key).toString('base64');
}

async function readKeyFile(file: string): Promise<Uint8Array | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new StorageError(`cannot read the data key file: ${code ?? 'unknown'}`, { cause });
  }
  return decodeKey(text, file);
}

/**
 * Whether the store folder already holds sealed lines. nedb writes index lines on first load, so
 * a store opened once counts even before its first record; refusing then costs nothing real.
 */
export async function storeHoldsData(dataDir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(storeFolder(dataDir));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StorageError(`cannot list the store folder: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`, { cause });
  }
  for (const name of names) {
    if (!/\.db~?$/.test(name)) continue;
    if ((await stat(join(storeFolder(dataDir), name))).size > 0) return true;
  }
  return false;
}

function orphanError(dataDir: string, why: string): StorageError {
  return new StorageError(
    `the store in ${storeFolder(dataDir)} holds encrypted records, but ${why}. ` +
      'A new key could not open them, so the store was not opened. Restore the keychain entry ' +
      `"${keychainService}" / "${dataKeyAccount(dataDir)}" or the file ${dataKeyFileName}, or move the store folder aside to start afresh.`,
  );
}

/** Loads the data key of a data folder, creating it on first open (see the rules above). */
export async function loadDataKey(dataDir: string, options: DataKeyOptions): Promise<DataKey> {
  const { keychain, logger } = options;
  const file = dataKeyFile(dataDir);
  const fromFile = await readKeyFile(file);
  if (fromFile) {
    logger.warn('store data key is kept in a file, not in the system keychain (fallback in use)', { file });
    return { key: fromFile, source: 'file' };
  }
  const holdsData = await storeHoldsData(dataDir);
  const account = dataKeyAccount(dataDir);
  if (keychain) {
    try {
      const stored = await keychain.get(keychainService, account);
      if (stored !== null) return { key: decodeKey(stored, 'the system keychain'), source: 'keychain' };
      if (holdsData) throw orphanError(dataDir, 'the system keychain holds no data key for it');
      const key = new Uint8Array(randomBytes(32));
      await keychain.set(keychainService, account, encodeKey(key));
      // Read it back: a keychain that accepts a secret and forgets it would lose every record.
      if ((await keychain.get(keychainService, account)) !== encodeKey(key)) {
        throw new KeychainUnavailableError('the keychain did not keep the data key');
      }
      logger.info('store data key created in the system keychain', { service: keychainService, account });
      return { key, source: 'keychain' };
    } catch (cause) {
      if (cause instanceof StorageError) throw cause;
      if (!(cause instanceof KeychainUnavailableError)) {
        throw new StorageError(`cannot use the system keychain for the data key: ${(cause as Error).message}`, { cause });
      }
      logger.warn('system keychain unreachable', { reason: cause.message });
    }
  }
  if (holdsData) throw orphanError(dataDir, `its data key is in no file and ${keychain ? 'the system keychain cannot be reached' : 'no keychain was given'}`);
  const key = new Uint8Array(randomBytes(32));
  await writeFileAtomic(file, encodeKey(key), 0o600);
  logger.warn('store data key created in a file readable by this user only, because no system keychain was reachable (fallback in use)', { file });
  return { key, source: 'file' };
}
