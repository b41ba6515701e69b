// Covers electron/store/folder-lock.ts: a data-folder lock never outlives its dead owner by more
// than a moment, whatever the instant of death (issue 10, faults 1 and 11), and is private.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DataFolderInUseError,
  inUseLockName,
  inUseLockStaleMs,
  judgeOwner,
  lockDataFolder,
  ownerFileName,
  systemInspector,
  type LockOwner,
  type ProcessInspector,
} from '../../electron/store/folder-lock';
import { recordingLogger, removeFolder, tempFolder } from '../factories/store';

let root: string;
let dataDir: string;
let lockPath: string;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(async () => {
  root = await tempFolder('folder-lock');
  dataDir = join(root, 'data');
  lockPath = join(dataDir, inUseLockName);
  await mkdir(dataDir, { recursive: true });
  logger = recordingLogger();
});
afterEach(() => removeFolder(root));

/** Leaves a lock as a process that died holding it would, its owner file as given. */
async function leaveLock(owner: string | null): Promise<void> {
  await mkdir(lockPath);
  if (owner !== null) await writeFile(join(lockPath, ownerFileName), owner);
}

/** Takes the folder at once (no time passes) and lets it go. */
async function takesAtOnce(): Promise<void> {
  const release = await lockDataFolder(dataDir, logger);
  await release();
}

/** The pid of a process that has ended. */
function endedPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

const me = systemInspector.self();
const linux = process.platform === 'linux';

describe('a lock left by a process that died', () => {
  it('is taken at once when the process died between making the lock and writing its owner (fault 1)', async () => {
    await leaveLock(null);
    await takesAtOnce();
  });

  it('is taken at once when its owner file is empty', async () => {
    await leaveLock('');
    await takesAtOnce();
  });

  it('is taken at once when its owner ended on this host', async () => {
    await leaveLock(JSON.stringify({ ...me, pid: endedPid(), nonce: 'x' }));
    await takesAtOnce();
    expect(logger.lines.map((line) => line.message)).toContain('data folder lock of a process that ended taken over');
  });

  it('is taken at once after the host was renamed, when the machine is the same', async () => {
    await leaveLock(JSON.stringify({ ...me, host: `${hostname()}-old-name`, pid: endedPid(), nonce: 'x' }));
    await takesAtOnce();
  });

  describe.runIf(linux)('where the owner says when it started (Linux)', () => {
    let sleeper: ChildProcess;
    beforeAll(() => {
      sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    });
    afterAll(() => {
      sleeper.kill('SIGKILL');
    });

    it('is taken at once when its PID now belongs to another live process', async () => {
      await leaveLock(JSON.stringify({ ...me, pid: sleeper.pid, started: '1', nonce: 'x' }));
      await takesAtOnce();
    });

    it('is taken at once after a reboot, even if a process now runs under its PID', async () => {
      await leaveLock(JSON.stringify({ ...me, pid: sleeper.pid, boot: 'a-boot-before-this-one', nonce: 'x' }));
      await takesAtOnce();
    });

    it('is taken at once after its container restarted and this process got the old PID', async () => {
      await leaveLock(JSON.stringify({ ...me, pidNamespace: 'pid:[4026531836]', nonce: 'x' }));
      await takesAtOnce();
    });

    it('is still refused while its owner runs', async () => {
      await leaveLock(JSON.stringify({ ...me, pid: sleeper.pid, started: systemInspector.startedOf(sleeper.pid!), nonce: 'x' }));
      await expect(lockDataFolder(dataDir, logger)).rejects.toBeInstanceOf(DataFolderInUseError);
    });
  });

  it('whatever the instant of death during taking it, the next start takes it at once', async () => {
    const dead: ProcessInspector = { ...systemInspector, self: () => ({ ...me, pid: endedPid() }) };
    for (const step of ['temporary folder', 'owner written', 'renamed into place'] as const) {
      const killed = lockDataFolder(dataDir, logger, {
        inspector: dead,
        afterStep: (at) => {
          if (at === step) throw new Error(`killed after ${at}`);
        },
      });
      await expect(killed).rejects.toThrow(`killed after ${step}`);
      await takesAtOnce();
    }
  });
});

describe('a lock of a holder that cannot be checked from here', () => {
  it('on another machine: refused while refreshed, taken once not refreshed for the stale limit', async () => {
    await leaveLock(JSON.stringify({ pid: 1, host: 'another-host', machine: 'another-machine', nonce: 'x' }));
    await expect(lockDataFolder(dataDir, logger)).rejects.toBeInstanceOf(DataFolderInUseError);
    const past = new Date(Date.now() - inUseLockStaleMs - 5_000);
    await utimes(lockPath, past, past);
    await takesAtOnce();
  });
});

describe('the lock itself', () => {
  it.runIf(process.platform !== 'win32')('is private to this user: folder 0700, owner file 0600', async () => {
    const release = await lockDataFolder(dataDir, logger);
    expect((await stat(lockPath)).mode & 0o777).toBe(0o700);
    expect((await stat(join(lockPath, ownerFileName))).mode & 0o777).toBe(0o600);
    await release();
  });

  it('is refused to a second taker in the same process, and leaves no temporary folder behind', async () => {
    const release = await lockDataFolder(dataDir, logger);
    await expect(lockDataFolder(dataDir, logger)).rejects.toBeInstanceOf(DataFolderInUseError);
    expect(await readdir(dataDir)).toEqual([inUseLockName]);
    await release();
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('is won by exactly one of many processes breaking the same stale lock at once', async () => {
    await leaveLock(JSON.stringify({ ...me, pid: endedPid(), nonce: 'x' }));
    // Twelve takers racing in one event loop, interleaved at every await of judging and breaking.
    const takers = Array.from({ length: 12 }, () => lockDataFolder(dataDir, logger));
    const results = await Promise.allSettled(takers);
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(DataFolderInUseError);
    await (won[0] as PromiseFulfilledResult<() => Promise<void>>).value();
    expect(await readdir(dataDir)).toEqual([]);
  });
});

describe('judging an owner', () => {
  const self: Omit<LockOwner, 'nonce'> = { pid: 100, host: 'desk', machine: 'm1', boot: 'b1', pidNamespace: 'pid:[1]', started: '500' };
  const alive = (pids: Record<number, string>): ProcessInspector => ({
    self: () => self,
    isAlive: (pid) => pid in pids,
    startedOf: (pid) => pids[pid],
  });
  const judge = (owner: Partial<LockOwner> | string, age = 0, inspector = alive({ 7: '300' }), held = new Set<string>()) =>
    judgeOwner(typeof owner === 'string' ? owner : JSON.stringify({ nonce: 'n', ...owner }), age, self, inspector, held);

  it.each([
    ['a running owner', { ...self, pid: 7, started: '300' }, null],
    ['an owner that ended', { ...self, pid: 8 }, 'owner ended'],
    ['a PID now another process', { ...self, pid: 7, started: '299' }, 'pid reused'],
    ['this PID, not this process', { ...self }, 'pid reused'],
    ['another boot', { ...self, pid: 7, started: '300', boot: 'b0' }, 'rebooted'],
    ['this PID in another namespace, same host', { ...self, pidNamespace: 'pid:[2]' }, 'container restarted'],
    ['another PID in another namespace', { ...self, pid: 7, pidNamespace: 'pid:[2]' }, null],
    ['a renamed host on the same machine, owner ended', { ...self, host: 'old', pid: 8 }, 'owner ended'],
    ['another machine, fresh', { pid: 7, host: 'far', machine: 'm2' }, null],
    ['garbage', 'not json', 'no owner'],
  ] as const)('%s', (_name, owner, verdict) => {
    expect(judge(owner as Partial<LockOwner> | string)).toBe(verdict);
  });

  it('never judges a lock this process holds stale', () => {
    expect(judge({ ...self, nonce: 'mine' }, 0, alive({}), new Set(['mine']))).toBeNull();
  });

  it('takes a lock on another machine only after the stale limit', () => {
    expect(judge({ pid: 7, host: 'far', machine: 'm2' }, inUseLockStaleMs + 1)).toBe('not refreshed');
  });
});
