/**
 * Opens the organisation's store for a process that serves it (the IT command line with
 * `--database`, and the organisation server to come): the database URL, and the server key that
 * every such process shares. The key seals the secret fields (seal.ts) and keys the hashes the
 * core looks records up by (client-password lookups, trust tokens, SMS codes), so every process
 * must hold the same one and nobody else may: it comes from a file only its owner can read, or from
 * the environment, never from the database.
 */
import { stat, readFile } from 'node:fs/promises';
import type { CoreKeys } from '../core/context';
import type { Logger } from '../core/ports';
import { deriveKey } from '../store/crypto';
import { PostgresStore } from './pg-store';

/** The environment variable that may hold the server key (base64 of 32 bytes). */
export const serverKeyVariable = 'MAILWARDEN_SERVER_KEY';

export class ServerKeyError extends Error {
  override readonly name = 'ServerKeyError';
}

function decodeKey(text: string, where: string): Uint8Array {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from ignores what is not base64: check that the text was all key.
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) {
    throw new ServerKeyError(`${where} must hold 32 random bytes in base64 (make one with: openssl rand -base64 32)`);
  }
  return new Uint8Array(key);
}

/**
 * The server key: from `file` when given, else from the environment. A key file others can read or
 * write is refused, as ssh refuses such a private key: whoever reads it reads every phone number.
 */
export async function loadServerKey(options: { file?: string; env?: NodeJS.ProcessEnv }): Promise<Uint8Array> {
  if (options.file) {
    let info;
    try {
      info = await stat(options.file);
    } catch (cause) {
      throw new ServerKeyError(`the server key file ${options.file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new ServerKeyError(
        `the server key file ${options.file} is open to other users (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${options.file}`,
      );
    }
    return decodeKey(await readFile(options.file, 'utf8'), `the server key file ${options.file}`);
  }
  const fromEnv = (options.env ?? process.env)[serverKeyVariable];
  if (fromEnv) return decodeKey(fromEnv, serverKeyVariable);
  throw new ServerKeyError(`no server key: give --server-key-file FILE or set ${serverKeyVariable}`);
}

export interface OpenedOrganisationStore {
  readonly store: PostgresStore;
  readonly keys: CoreKeys;
}

export async function openOrganisationStore(options: {
  url: string;
  serverKey: Uint8Array;
  logger: Logger;
  poolSize?: number;
}): Promise<OpenedOrganisationStore> {
  const store = await PostgresStore.open({
    url: options.url,
    serverKey: options.serverKey,
    logger: options.logger,
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  // The same derivation as the embedded store's, from the shared key instead of a desktop's.
  return { store, keys: { mac: deriveKey(options.serverKey, 'mac') } };
}
