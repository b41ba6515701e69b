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

/** keyring's messages for a store that is missing, locked, refusing or not set up. */
const unavailable = /^(platform failure|couldn't access platform storage|no default (credential )?store)/i;

function classify(cause: unknown, operation: string): Error {
  if (cause instanceof KeychainUnavailableError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (unavailable.test(message)) return new KeychainUnavailableError(`system keychain unavailable (${operation}): ${message}`, { cause });
  return new Error(`system keychain ${operation} failed: ${message}`, { cause });
}

export interface OsKeychainOptions {
  /** How long one call may take before the keychain counts as unavailable (a prompt nobody answers). */
  readonly timeoutMs?: number;
}

export class OsKeychain implements Keychain {
  private readonly timeoutMs: number;

  constructor(options: OsKeychainOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
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

  private async call<R>(operation: string, service: string, account: string, action: (entry: AsyncEntry, signal: AbortSignal) => Promise<R>): Promise<R> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      // The constructor already talks to the platform store (and throws when there is none).
      const pending = action(new AsyncEntry(service, account, entryOptions), abort.signal);
      // Settled later than the timeout, its outcome is of no interest, but must not go unhandled.
      pending.catch(() => undefined);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new KeychainUnavailableError(`system keychain did not answer (${operation}) within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
      });
      return await Promise.race([pending, timeout]);
    } catch (cause) {
      throw classify(cause, operation);
    } finally {
      clearTimeout(timer);
    }
  }
}
