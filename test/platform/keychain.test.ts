// Covers electron/platform/keychain.ts: the error mapping against a stand-in for the native
// module, then the real adapter against a real Secret Service (gnome-keyring on a private
// session bus) in a child process.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeychainUnavailableError } from '../../electron/core/ports';
import { OsKeychain } from '../../electron/platform/keychain';
import { parseResults } from '../factories/processes';
import { bundledChild, expectUnavailableAfter, runWithoutBus, runWithSecretService, secretServiceSkipReason } from './fixtures/private-secret-service';

/** What the stand-in native module does next; reset before each test. */
const native = vi.hoisted(() => ({
  constructed: [] as { service: string; account: string; options: unknown }[],
  constructorError: null as Error | null,
  reply: (() => Promise.resolve(null)) as () => Promise<unknown>,
}));

vi.mock('@napi-rs/keyring', () => ({
  AsyncEntry: class {
    constructor(service: string, account: string, options: unknown) {
      native.constructed.push({ service, account, options });
      if (native.constructorError) throw native.constructorError;
    }
    getPassword() {
      return native.reply();
    }
    setPassword() {
      return native.reply();
    }
    deleteCredential() {
      return native.reply();
    }
  },
}));

describe('OsKeychain error mapping', () => {
  beforeEach(() => {
    native.constructed.length = 0;
    native.constructorError = null;
    native.reply = () => Promise.resolve(null);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pins Linux entries to the Secret Service, never the kernel keyring that forgets at logout', async () => {
    await new OsKeychain().get('Mailwarden', 'data-key:0123456789abcdef');
    expect(native.constructed).toEqual([{ service: 'Mailwarden', account: 'data-key:0123456789abcdef', options: { linux: { store: 'secret-service' } } }]);
  });

  it('gives null for a missing entry and passes values through', async () => {
    native.reply = () => Promise.resolve(undefined);
    expect(await new OsKeychain().get('s', 'a')).toBeNull();
    native.reply = () => Promise.resolve('secret');
    expect(await new OsKeychain().get('s', 'a')).toBe('secret');
    native.reply = () => Promise.resolve(false);
    expect(await new OsKeychain().delete('s', 'a')).toBe(false);
  });

  it('maps "no Secret Service" at construction to KeychainUnavailableError', async () => {
    native.constructorError = new Error('Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time');
    await expect(new OsKeychain().get('s', 'a')).rejects.toBeInstanceOf(KeychainUnavailableError);
    await expect(new OsKeychain().set('s', 'a', 'x')).rejects.toBeInstanceOf(KeychainUnavailableError);
    await expect(new OsKeychain().delete('s', 'a')).rejects.toBeInstanceOf(KeychainUnavailableError);
  });

  it('maps a refused or locked store to KeychainUnavailableError', async () => {
    native.reply = () => Promise.reject(new Error("Couldn't access platform storage: AccessDenied"));
    await expect(new OsKeychain().set('s', 'a', 'x')).rejects.toBeInstanceOf(KeychainUnavailableError);
    native.reply = () => Promise.reject(new Error('Platform failure: the collection is locked'));
    await expect(new OsKeychain().get('s', 'a')).rejects.toBeInstanceOf(KeychainUnavailableError);
  });

  it('keeps other failures (two matching entries) as plain errors, not as "unavailable"', async () => {
    native.reply = () => Promise.reject(new Error('Entry is matched by 2 credentials'));
    const failure = await new OsKeychain().get('s', 'a').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(KeychainUnavailableError);
    expect((failure as Error).message).toContain('Entry is matched by 2 credentials');
  });

  it('counts a keychain that does not answer within the timeout as unavailable', async () => {
    vi.useFakeTimers();
    native.reply = () => new Promise(() => undefined);
    await expectUnavailableAfter(new OsKeychain({ timeoutMs: 2_000 }).get('s', 'a'), 2_000);
  });
});

// ---- The real thing ------------------------------------------------------------------------

const realSkipReason = secretServiceSkipReason();
const notLinux = process.platform !== 'linux';

describe('OsKeychain against a real Secret Service', () => {
  const suite = bundledChild('keychain', 'test/platform/fixtures/keychain-child.ts');

  it.skipIf(realSkipReason !== '')(
    `stores, reads, overwrites and deletes secrets, and keeps the data key there${realSkipReason ? ` (skipped: ${realSkipReason})` : ''}`,
    async () => {
      const { result, leftovers } = await runWithSecretService(suite.work, suite.child, [join(suite.work, 'data-real')]);
      const results = parseResults(result);
      expect(results).toMatchObject({
        getMissing: { value: null },
        set: { value: null },
        overwrite: { value: null },
        getAfterSet: { value: 'first secret' },
        getAfterOverwrite: { value: '第二个 secret ✓' },
        otherAccount: { value: null },
        delete: { value: true },
        deleteAgain: { value: false },
        getAfterDelete: { value: null },
        store: { value: { firstSource: 'keychain', secondSource: 'keychain', owner: 'owner@example.cn', keyFileExists: false, inKeychain: true } },
      });
      expect(leftovers, 'daemons still running after their session ended').toEqual([]);
    },
    30_000,
  );

  it.skipIf(notLinux)(
    `reports a machine without a Secret Service as unavailable, and the data key falls back to a file${notLinux ? ' (skipped: Linux only)' : ''}`,
    async () => {
      const result = await runWithoutBus(suite.work, suite.child, [join(suite.work, 'data-none')]);
      const results = parseResults(result);
      for (const key of ['getMissing', 'set', 'delete']) {
        expect(results[key], key).toMatchObject({ error: 'KeychainUnavailableError' });
      }
      expect(results.store).toMatchObject({
        value: { firstSource: 'file', secondSource: 'file', owner: 'owner@example.cn', keyFileExists: true, inKeychain: false },
      });
    },
    30_000,
  );
});
