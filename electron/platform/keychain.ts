/**
 * The OS keychain through @napi-rs/keyring: Windows Credential Manager, macOS Keychain, the
 * Secret Service on Linux. "Not found" is null (get) or false (delete); a keychain that cannot
 * be reached, refuses access or does not answer in time is KeychainUnavailableError, so callers
 * can fall back; anything else (two entries matching, a malformed entry) is a plain Error.
 */
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { KeychainUnavailableError, type Keychain } from '../core/ports';

/**
 * Pinned to the Secret Service on Linux: left to choose, the library falls back to the kernel
 * keyring, which forgets everything at logout or reboot, and a forgotten data key is lost data.
 */
const entryOptions: EntryOptions = { linux: { store: 'secret-service' } };

/**
 * keyring's messages for a store that is missing, locked, refusing or not set up; the second line
 * is the secret-service crate's own, which findCredentials talks to directly on Linux.
 */
const unavailable =
  /^(platform failure|couldn't access platform storage|no default (credential )?store|zbus (fdo )?error|no secret service provider|ss error: (object locked|prompt dismissed|connection closed))/i;

function classify(cause: unknown, operation: string): Error {
  if (cause instanceof KeychainUnavailableError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (unavailable.test(message)) return new KeychainUnavailableError(`system keychain unavailable (${operation}): ${message}`, { cause });
  return new Error(`system keychain ${operation} failed: ${message}`, { cause });
}

/** Default for how long one keychain call may take (a prompt nobody answers). */
export const keychainTimeoutMs = 15_000;

/**
 * Runs one call into the keychain with a deadline: past it the call is aborted and the keychain
 * counts as unavailable; whatever the call throws is classified (see the file comment).
 */
export async function callKeychain<R>(operation: string, timeoutMs: number, action: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    const pending = action(abort.signal);
    // Settled later than the timeout, its outcome is of no interest, but must not go unhandled.
    pending.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new KeychainUnavailableError(`system keychain did not answer (${operation}) within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return await Promise.race([pending, timeout]);
  } catch (cause) {
    throw classify(cause, operation);
  } finally {
    clearTimeout(timer);
  }
}

export interface OsKeychainOptions {
  /** How long one call may take before the keychain counts as unavailable (a prompt nobody answers). */
  readonly timeoutMs?: number;
}

export class OsKeychain implements Keychain {
  private readonly timeoutMs: number;

  constructor(options: OsKeychainOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? keychainTimeoutMs;
  }

  async get(service: string, account: string): Promise<string | null> {
    return (await this.call('read', service, account, (entry, signal) => entry.getPassword(signal))) ?? null;
  }

  async set(service: string, account: string, secret: string): Promise<void> {
    await this.call('write', service, account, (entry, signal) => entry.setPassword(secret, signal));
  }

  delete(service: string, account: string): Promise<boolean> {
    return this.call('delete', service, account, (entry, signal) => entry.deleteCredential(signal));
  }

  private call<R>(operation: string, service: string, account: string, action: (entry: AsyncEntry, signal: AbortSignal) => Promise<R>): Promise<R> {
    // The constructor already talks to the platform store (and throws when there is none), so it
    // runs inside callKeychain to be classified like the call itself.
    return callKeychain(operation, this.timeoutMs, async (signal) => action(new AsyncEntry(service, account, entryOptions), signal));
  }
}
