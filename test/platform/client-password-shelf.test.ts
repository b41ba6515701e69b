// Covers electron/platform/client-password-shelf.ts: naming, listing and the error mapping against
// a stand-in for the native module, then the real shelf against a real Secret Service
// (gnome-keyring on a private session bus) and against none, each in a child process.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeychainUnavailableError } from '../../electron/core/ports';
import { KeychainClientPasswordShelf } from '../../electron/platform/client-password-shelf';
import { parseResults } from '../factories/processes';
import { bundledChild, expectUnavailableAfter, runWithoutBus, runWithSecretService, secretServiceSkipReason } from './fixtures/private-secret-service';

/** What the stand-in native module holds and does next; reset before each test. */
const native = vi.hoisted(() => ({
  entries: new Map<string, string>(),
  constructed: [] as { service: string; account: string; options: unknown }[],
  constructorError: null as Error | null,
  findError: null as Error | null,
  findHangs: false,
  findCalls: [] as unknown[][],
}));

vi.mock('@napi-rs/keyring', () => ({
  AsyncEntry: class {
    private readonly key: string;
    constructor(service: string, account: string, options: unknown) {
      native.constructed.push({ service, account, options });
      if (native.constructorError) throw native.constructorError;
      this.key = `${service}\u0000${account}`;
    }
    async getPassword() {
      return native.entries.get(this.key) ?? null;
    }
    async setPassword(secret: string) {
      native.entries.set(this.key, secret);
    }
    async deleteCredential() {
      return native.entries.delete(this.key);
    }
  },
  findCredentialsAsync: (...args: unknown[]) => {
    native.findCalls.push(args);
    if (native.findHangs) return new Promise(() => undefined);
    if (native.findError) return Promise.reject(native.findError);
    const [service] = args as [string];
    return Promise.resolve(
      [...native.entries]
        .filter(([key]) => key.startsWith(`${service}\u0000`))
        .map(([key, password]) => ({ account: key.slice(service.length + 1), password })),
    );
  },
}));

const mine = 'wang@example.cn';

describe('KeychainClientPasswordShelf against a stand-in keychain', () => {
  beforeEach(() => {
    native.entries.clear();
    native.constructed.length = 0;
    native.constructorError = null;
    native.findError = null;
    native.findHangs = false;
    native.findCalls.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps each password under service Mailwarden, account <address>/<name>, pinned to the Secret Service', async () => {
    const shelf = new KeychainClientPasswordShelf();
    await shelf.remember(mine, '中文 手机', 'abcd efgh ijkl mnop');
    expect(native.constructed).toEqual([{ service: 'Mailwarden', account: 'wang@example.cn/中文 手机', options: { linux: { store: 'secret-service' } } }]);
    expect(await shelf.read(mine, '中文 手机')).toBe('abcd efgh ijkl mnop');
    expect(await shelf.read(mine, 'Thunderbird')).toBeNull();
    expect(await shelf.forget(mine, '中文 手机')).toBe(true);
    expect(await shelf.forget(mine, '中文 手机')).toBe(false);
  });

  it("lists only this mailbox's names, sorted, never the data key, another program's entry or another mailbox's", async () => {
    native.entries.set('Mailwarden\u0000data-key:0123456789abcdef', 'the data key');
    native.entries.set('Mailwarden\u0000wang@example.cn/Thunderbird', 's1');
    native.entries.set('Mailwarden\u0000wang@example.cn/Foxmail', 's2');
    native.entries.set('Mailwarden\u0000wang@example.cn.org/Outlook', 's3');
    native.entries.set('Mailwarden\u0000li@example.cn/Thunderbird', 's4');
    native.entries.set('SomethingElse\u0000wang@example.cn/Mail', 's5');
    const shelf = new KeychainClientPasswordShelf();
    expect(await shelf.names(mine)).toEqual(['Foxmail', 'Thunderbird']);
    expect(await shelf.names('wang@example.cn.org')).toEqual(['Outlook']);
    expect(await shelf.names('zhao@example.cn')).toEqual([]);
    expect(native.findCalls.map(([service]) => service)).toEqual(['Mailwarden', 'Mailwarden', 'Mailwarden']);
  });

  it('maps "no Secret Service" to KeychainUnavailableError for every method', async () => {
    native.constructorError = new Error('Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time');
    native.findError = new Error('zbus error: Failed to connect to address `unix:path=/run/user/0/bus`: No such file or directory (os error 2)');
    const shelf = new KeychainClientPasswordShelf();
    await expect(shelf.remember(mine, 'a', 'x')).rejects.toBeInstanceOf(KeychainUnavailableError);
    await expect(shelf.read(mine, 'a')).rejects.toBeInstanceOf(KeychainUnavailableError);
    await expect(shelf.forget(mine, 'a')).rejects.toBeInstanceOf(KeychainUnavailableError);
    await expect(shelf.names(mine)).rejects.toBeInstanceOf(KeychainUnavailableError);
  });

  it.each([
    'zbus fdo error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files',
    'no secret service provider or dbus session found',
    'SS Error: object locked',
    'SS error: prompt dismissed',
  ])('counts a listing that fails with "%s" as unavailable', async (message) => {
    native.findError = new Error(message);
    await expect(new KeychainClientPasswordShelf().names(mine)).rejects.toBeInstanceOf(KeychainUnavailableError);
  });

  it('keeps other listing failures as plain errors, not as "unavailable"', async () => {
    native.findError = new Error('Crypto error: message decryption failed');
    const failure = await new KeychainClientPasswordShelf().names(mine).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(KeychainUnavailableError);
    expect((failure as Error).message).toContain('message decryption failed');
  });

  it('counts a listing that does not answer within the timeout as unavailable, and aborts it', async () => {
    vi.useFakeTimers();
    native.findHangs = true;
    await expectUnavailableAfter(new KeychainClientPasswordShelf({ timeoutMs: 2_000 }).names(mine), 2_000);
    const signal = native.findCalls[0]?.[2] as AbortSignal;
    expect(signal.aborted).toBe(true);
  });
});

// ---- The real thing ------------------------------------------------------------------------

const skipReason = secretServiceSkipReason();
const notLinux = process.platform !== 'linux';

describe('KeychainClientPasswordShelf against a real Secret Service', () => {
  const suite = bundledChild('client-password-shelf', 'test/platform/fixtures/client-password-shelf-child.ts');

  it.skipIf(skipReason !== '')(
    `remembers, lists per mailbox, reads, overwrites and forgets, and leaves the data key alone${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    async () => {
      const { result, leftovers } = await runWithSecretService(suite.work, suite.child, []);
      expect(parseResults(result)).toEqual({
        dataKey: { value: null },
        namesEmpty: { value: [] },
        readMissing: { value: null },
        rememberFirst: { value: null },
        rememberSecond: { value: null },
        rememberOther: { value: null },
        namesMine: { value: ['Thunderbird', '中文 手机'] },
        namesOther: { value: ['Outlook'] },
        readFirst: { value: 'abcd efgh ijkl mnop' },
        readSecond: { value: '第二个 secret ✓' },
        readOtherMailboxName: { value: null },
        overwrite: { value: null },
        readAfterOverwrite: { value: 'qrst uvwx yzab cdef' },
        namesAfterOverwrite: { value: ['Thunderbird', '中文 手机'] },
        forget: { value: true },
        forgetAgain: { value: false },
        readAfterForget: { value: null },
        namesAfterForget: { value: ['中文 手机'] },
        namesOtherAfterForget: { value: ['Outlook'] },
        dataKeyAfter: { value: 'the data key' },
      });
      expect(leftovers, 'daemons still running after their session ended').toEqual([]);
    },
    30_000,
  );

  it.skipIf(notLinux)(
    `reports every method as unavailable on a machine without a Secret Service${notLinux ? ' (skipped: Linux only)' : ''}`,
    async () => {
      const results = parseResults(await runWithoutBus(suite.work, suite.child, []));
      for (const key of ['namesEmpty', 'readMissing', 'rememberFirst', 'namesMine', 'forget']) {
        expect(results[key], key).toMatchObject({ error: 'KeychainUnavailableError' });
      }
    },
    30_000,
  );
});
