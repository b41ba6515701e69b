// Covers electron/platform/keychain.ts: the error mapping against a stand-in for the native
// module, then the real adapter against a real Secret Service (gnome-keyring on a private
// session bus) in a child process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeychainUnavailableError } from '../../electron/core/ports';
import { OsKeychain } from '../../electron/platform/keychain';
import { bundleForNode, projectRoot, removeFolder, tempFolder } from '../factories/store';

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
    const pending = new OsKeychain({ timeoutMs: 2_000 }).get('s', 'a');
    const settled = vi.fn();
    pending.then(settled, settled);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).rejects.toBeInstanceOf(KeychainUnavailableError);
  });
});

// ---- The real thing ------------------------------------------------------------------------

const onPath = (binary: string) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
const missingBinaries = ['dbus-run-session', 'gnome-keyring-daemon'].filter((binary) => !onPath(binary));
const notLinux = process.platform !== 'linux';
const realSkipReason = notLinux ? 'the Secret Service is Linux only' : missingBinaries.length > 0 ? `${missingBinaries.join(', ')} not installed` : '';

let work: string;
let child: string;

interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in its own process group, killing the whole group if it outlives the timeout. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    process_.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    process_.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => process.kill(-process_.pid!, 'SIGKILL'), timeoutMs);
    process_.on('error', reject);
    process_.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Live (not zombie) processes whose command line mentions `token`, a path only our daemons got. */
async function processesMentioning(token: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      const state = (await readFile(`/proc/${entry}/stat`, 'utf8')).split(') ')[1]?.[0];
      if (commandLine.includes(token) && state !== 'Z') found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Those still alive after a grace period: a daemon notices its bus has gone within moments. */
async function survivors(token: string, graceMs: number): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  let alive = await processesMentioning(token);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = await processesMentioning(token);
  }
  return alive;
}

function parseResults(result: ChildRun): Record<string, unknown> {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`child printed no result (exit ${result.code}): ${result.stderr}`);
  }
}

describe('OsKeychain against a real Secret Service', () => {
  beforeAll(async () => {
    if (notLinux) return;
    work = await tempFolder('keychain');
    child = await bundleForNode(join(projectRoot, 'test/platform/fixtures/keychain-child.ts'), join(work, 'bundle'));
  }, 30_000);
  afterAll(async () => {
    if (work) await removeFolder(work);
  });

  it.skipIf(realSkipReason !== '')(
    `stores, reads, overwrites and deletes secrets, and keeps the data key there${realSkipReason ? ` (skipped: ${realSkipReason})` : ''}`,
    async () => {
      const home = join(work, 'home');
      const control = join(work, 'keyring-control');
      await mkdir(home, { recursive: true });
      await mkdir(control, { recursive: true });
      // A private bus and a keyring unlocked with an empty password, in a throwaway home, so the
      // test neither sees nor touches the keyring of whoever runs it.
      const script = 'echo "" | gnome-keyring-daemon --unlock --components=secrets --control-directory="$1" >/dev/null && exec "$2" "$3" "$4"';
      const result = await run(
        'dbus-run-session',
        ['--', 'sh', '-c', script, 'sh', control, process.execPath, child, join(work, 'data-real')],
        { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), XDG_RUNTIME_DIR: control },
        20_000,
      );
      // The keyring daemon leaves with its bus; anything of ours still alive is stopped here.
      const leftovers = await survivors(control, 2_000);
      for (const pid of leftovers) process.kill(pid, 'SIGKILL');

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
      const result = await run(
        process.execPath,
        [child, join(work, 'data-none')],
        { PATH: process.env.PATH, HOME: join(work, 'home-none'), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(work, 'no-bus-here')}` },
        20_000,
      );
      const results = parseResults(result);
      for (const key of ['getMissing', 'set', 'delete']) {
        expect(results[key], key).toMatchObject({ error: 'KeychainUnavailableError' });
      }
      expect(results.store).toMatchObject({ value: { firstSource: 'file', secondSource: 'file', owner: 'owner@example.cn', keyFileExists: true, inKeychain: false } });
    },
    30_000,
  );
});
