/**
 * Client passwords the person chose to remember, in the OS keychain beside the store's data key:
 * service `Mailwarden`, account `<address>/<name>`. Reads and writes go through OsKeychain (pinned
 * to the Secret Service on Linux); listing uses keyring's findCredentials, which on Linux always
 * asks the Secret Service itself (it never falls back to the kernel keyring), so what is listed is
 * what OsKeychain reads.
 */
import { findCredentialsAsync } from '@napi-rs/keyring';
import type { ClientPasswordShelf } from '../core/mail-clients/ports';
import { keychainService } from '../store/data-key';
import { callKeychain, keychainTimeoutMs, OsKeychain, type OsKeychainOptions } from './keychain';

function account(address: string, name: string): string {
  return `${address}/${name}`;
}

export class KeychainClientPasswordShelf implements ClientPasswordShelf {
  private readonly keychain: OsKeychain;
  private readonly timeoutMs: number;

  constructor(options: OsKeychainOptions = {}) {
    this.keychain = new OsKeychain(options);
    this.timeoutMs = options.timeoutMs ?? keychainTimeoutMs;
  }

  remember(address: string, name: string, secret: string): Promise<void> {
    return this.keychain.set(keychainService, account(address, name), secret);
  }

  read(address: string, name: string): Promise<string | null> {
    return this.keychain.get(keychainService, account(address, name));
  }

  forget(address: string, name: string): Promise<boolean> {
    return this.keychain.delete(keychainService, account(address, name));
  }

  async names(address: string): Promise<string[]> {
    // findCredentials hands back every secret of the service, the data key's included: only the
    // account names leave this callback, so the secrets are dropped before anything else runs.
    const accounts = await callKeychain('list', this.timeoutMs, async (signal) =>
      (await findCredentialsAsync(keychainService, null, signal)).map((credential) => credential.account),
    );
    // The data key's account (`data-key:…`) never starts with an address and a slash.
    const prefix = account(address, '');
    const names = accounts.filter((name) => name.startsWith(prefix) && name.length > prefix.length).map((name) => name.slice(prefix.length));
    // A Secret Service can hold two items for one account (another program wrote the second).
    return [...new Set(names)].sort();
  }
}
