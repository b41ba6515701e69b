/**
 * The data folder's inter-process lock: one Mailwarden process (app, browser-mode host, `serve`)
 * writes a data folder at a time, and a lock never outlives its dead owner by more than a moment.
 *
 * Why not proper-lockfile (used here before): it makes the lock directory first and its owner
 * afterwards, so a kill between the two left an ownerless lock that refused every start for 10 s
 * (issue 10, fault 1); it judges a lock only by its age; and two processes breaking the same stale
 * lock at once can each remove the lock the other just took. Here:
 *
 * - The lock is made whole or not at all: a private temporary folder (0700) with `owner.json`
 *   (0600) written and synced inside it is renamed into place. rename(2) onto an existing,
 *   non-empty folder fails, so exactly one process wins, and there is no instant at which the lock
 *   exists without its owner.
 * - The owner says who it is precisely enough to be judged at once (`judgeOwner`): its process id,
 *   the host and machine, the kernel's boot id, its PID namespace and its start time. A dead
 *   process, a reused PID, a renamed host, a reboot or a restarted container are recognised the
 *   moment they are seen. Only an owner on another machine (a shared network folder) falls back to
 *   age: the holder touches the lock every `refreshMs`, and a lock untouched for `staleMs` is taken.
 * - A stale lock is broken by one process at a time (`breakLock`), which checks under its turn that
 *   the lock is still the one judged before moving it aside. The holder checks at every refresh
 *   that the lock is still its own, and says so if not.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../core/ports';

export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';
  constructor(readonly dataDir: string) {
    super(`data folder already in use by another Mailwarden process: ${dataDir}`);
  }
}

/**
 * The lock directory inside the data folder it guards.
 * @internal
 */
export const inUseLockName = 'in-use.lock';
/** @internal */
export const ownerFileName = 'owner.json';
/**
 * A lock whose owner cannot be checked from here (another machine) is taken once untouched this long.
 * @internal
 */
export const inUseLockStaleMs = 10_000;
const refreshMs = inUseLockStaleMs / 4;
/** Leftover temporary folders of acquisitions killed half-way are removed once this old. */
const leftoverAgeMs = 60_000;

/**
 * Who holds a lock, as written in its owner file. Fields a platform cannot tell are absent.
 * @internal
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** /etc/machine-id: the same machine under another host name. */
  readonly machine?: string;
  /** The kernel's boot id: a lock from before a reboot is dead. */
  readonly boot?: string;
  /** The PID namespace (a container): a PID means something only inside its own. */
  readonly pidNamespace?: string;
  /** The process's start time in clock ticks since boot: tells a reused PID from its first owner. */
  readonly started?: string;
  /** Unique per acquisition: tells this lock from the next one in the same place. */
  readonly nonce: string;
}

/**
 * What the lock asks of the operating system, replaced in tests by a scripted one.
 * @internal
 */
export interface ProcessInspector {
  /** This process, as it writes itself into a lock it takes. */
  self(): Omit<LockOwner, 'nonce'>;
  /** Whether a process with this id runs in this PID namespace. */
  isAlive(pid: number): boolean;
  /** The start time of a running process, where the platform tells it. */
  startedOf(pid: number): string | undefined;
}

function readTrimmed(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function startTimeOf(pid: number): string | undefined {
  const stat_ = readTrimmed(`/proc/${pid}/stat`);
  if (!stat_) return undefined;
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat_.slice(stat_.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** @internal */
export const systemInspector: ProcessInspector = {
  self() {
    const pidNamespace = (() => {
      try {
        return fs.readlinkSync('/proc/self/ns/pid');
      } catch {
        return undefined;
      }
    })();
    const owner: Omit<LockOwner, 'nonce'> = {
      pid: process.pid,
      host: hostname(),
      machine: readTrimmed('/etc/machine-id') ?? readTrimmed('/var/lib/dbus/machine-id'),
      boot: readTrimmed('/proc/sys/kernel/random/boot_id'),
      pidNamespace,
      started: startTimeOf(process.pid),
    };
    return Object.fromEntries(Object.entries(owner).filter(([, value]) => value !== undefined)) as Omit<LockOwner, 'nonce'>;
  },
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (cause) {
      // EPERM: alive, only someone else's.
      return (cause as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  },
  startedOf: startTimeOf,
};

/**
 * Why a lock may be taken now, or null while its owner may still hold it.
 * @internal
 */
export type Verdict = 'no owner' | 'owner ended' | 'pid reused' | 'rebooted' | 'container restarted' | 'not refreshed' | null;

/**
 * Judges a lock by its owner file's text, as seen by `me` (this process) now. `held` are the nonces
 * of the locks this process holds itself, which are never stale.
 * @internal
 */
export function judgeOwner(text: string | null, ageMs: number, me: Omit<LockOwner, 'nonce'>, inspector: ProcessInspector, held: ReadonlySet<string>): Verdict {
  let owner: Partial<LockOwner>;
  try {
    owner = JSON.parse(text ?? '') as Partial<LockOwner>;
    if (typeof owner !== 'object' || owner === null || typeof owner.pid !== 'number') throw new Error('no owner');
  } catch {
    // Every lock this code makes has its owner inside from the first instant: one without is the
    // remains of an earlier version killed between making the folder and writing its owner.
    return 'no owner';
  }
  if (typeof owner.nonce === 'string' && held.has(owner.nonce)) return null;
  const sameMachine = owner.machine !== undefined && owner.machine === me.machine ? true : owner.host === me.host;
  if (!sameMachine) return ageMs > inUseLockStaleMs ? 'not refreshed' : null;
  if (owner.boot !== undefined && me.boot !== undefined && owner.boot !== me.boot) return 'rebooted';
  if (owner.pidNamespace !== undefined && me.pidNamespace !== undefined && owner.pidNamespace !== me.pidNamespace) {
    // Another container on the same kernel. Its processes cannot be seen from here, but one that had
    // this very PID under this host name was this container before it restarted: PIDs are unique
    // within a namespace, so no live process elsewhere is told from this one by them alone.
    if (owner.pid === me.pid && owner.host === me.host) return 'container restarted';
    return ageMs > inUseLockStaleMs ? 'not refreshed' : null;
  }
  // Not one of this process's own locks, so a lock in this process's name is an earlier process's.
  if (owner.pid === me.pid) return 'pid reused';
  if (!inspector.isAlive(owner.pid)) return 'owner ended';
  if (owner.started !== undefined) {
    const started = inspector.startedOf(owner.pid);
    if (started !== undefined && started !== owner.started) return 'pid reused';
  }
  return null;
}

/** The nonces of the locks this process holds, across every data folder. */
const heldNonces = new Set<string>();
/** Locks to remove if the process exits without closing (an uncaught error, process.exit). */
const heldPaths = new Map<string, string>();
let exitHookInstalled = false;

function removeHeldOnExit(): void {
  for (const [path, nonce] of heldPaths) {
    try {
      const owner = JSON.parse(fs.readFileSync(join(path, ownerFileName), 'utf8')) as LockOwner;
      if (owner.nonce === nonce) fs.rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours: nothing to remove.
    }
  }
}

export interface FolderLockOptions {
  readonly inspector?: ProcessInspector;
  /** Milliseconds since the epoch; the lock's age is measured against it. */
  readonly now?: () => number;
  /**
   * Called after each step of an acquisition, by name: a test ends the "process" there (throws)
   * to prove that a death at any instant leaves nothing that blocks the next start.
   */
  readonly afterStep?: (step: 'temporary folder' | 'owner written' | 'renamed into place') => void;
}

async function writeOwner(folder: string, owner: LockOwner): Promise<void> {
  const file = await open(join(folder, ownerFileName), 'wx', 0o600);
  try {
    await file.writeFile(JSON.stringify(owner));
    await file.sync();
  } finally {
    await file.close();
  }
}

const readOwner = (lockPath: string) => readFile(join(lockPath, ownerFileName), 'utf8').catch(() => null);

/** Removes temporary folders of acquisitions that died before their rename. */
async function removeLeftovers(dataDir: string, now: number): Promise<void> {
  for (const name of await readdir(dataDir).catch(() => [] as string[])) {
    if (!name.startsWith(`${inUseLockName}.`)) continue;
    const path = join(dataDir, name);
    const info = await stat(path).catch(() => null);
    if (info && now - info.mtimeMs > leftoverAgeMs) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Takes the data folder for this process alone. Returns the release; throws DataFolderInUseError
 * while another live process holds it.
 */
export async function lockDataFolder(dataDir: string, logger: Logger, options: FolderLockOptions = {}): Promise<() => Promise<void>> {
  const inspector = options.inspector ?? systemInspector;
  const now = options.now ?? Date.now;
  const step = options.afterStep ?? (() => undefined);
  const lockPath = join(dataDir, inUseLockName);
  const me = inspector.self();
  const owner: LockOwner = { ...me, nonce: randomBytes(12).toString('hex') };
  const ownerText = JSON.stringify(owner);
  await fs.promises.mkdir(dataDir, { recursive: true });
  await removeLeftovers(dataDir, now());

  // mkdtemp makes the folder 0700.
  const temporary = await mkdtemp(join(dataDir, `${inUseLockName}.`));
  step('temporary folder');
  let placed = false;
  try {
    await writeOwner(temporary, owner);
    step('owner written');
    for (let attempt = 0; attempt < maxAttempts && !placed; attempt += 1) {
      try {
        await rename(temporary, lockPath);
        placed = true;
        step('renamed into place');
        break;
      } catch (cause) {
        // Linux says ENOTEMPTY or EEXIST, Windows EPERM, when the name is taken.
        if (!['ENOTEMPTY', 'EEXIST', 'EPERM', 'EACCES'].includes((cause as NodeJS.ErrnoException).code ?? '')) throw cause;
      }
      const text = await readOwner(lockPath);
      const info = await stat(lockPath).catch(() => null);
      if (!info) continue; // released meanwhile: try again
      const verdict = judgeOwner(text, now() - info.mtimeMs, me, inspector, heldNonces);
      if (verdict === null) throw new DataFolderInUseError(dataDir);
      // Another process is breaking the same lock: after it, the lock is its own or free.
      if (!(await breakLock(lockPath, text, verdict, logger, dataDir, now))) await pause(breakWaitMs);
    }
    if (!placed) throw new DataFolderInUseError(dataDir);
  } finally {
    if (!placed) await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
  }

  heldNonces.add(owner.nonce);
  heldPaths.set(lockPath, owner.nonce);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeHeldOnExit);
  }

  let released = false;
  let lost = false;
  const refresh = setInterval(() => {
    void (async () => {
      if ((await readOwner(lockPath)) !== ownerText) {
        if (!lost && !released) {
          lost = true;
          logger.error('data folder lock lost', { dataDir });
        }
        return;
      }
      const at = new Date(now());
      await utimes(lockPath, at, at).catch(() => undefined);
    })();
  }, refreshMs);
  refresh.unref();

  return async () => {
    if (released) return;
    released = true;
    clearInterval(refresh);
    heldNonces.delete(owner.nonce);
    heldPaths.delete(lockPath);
    if ((await readOwner(lockPath)) !== ownerText) return;
    // Renamed aside first, so the name is free at once and a half-done removal blocks nobody.
    const aside = `${lockPath}.released-${owner.nonce}`;
    await rename(lockPath, aside);
    await rm(aside, { recursive: true, force: true });
  };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const maxAttempts = 50;
const breakWaitMs = 20;
/** A breaker left by a process killed while breaking (a window of microseconds) is removed once this old. */
const breakerStaleMs = 2_000;

/**
 * Moves a stale lock out of the way, and only the one that was judged. Breakers take turns through
 * `<lock>.break` (made by mkdir, which one process alone succeeds in), and re-read the owner under
 * it: nothing but a breaker moves a lock whose owner is gone, so the lock seen under the breaker is
 * the lock that is moved. Returns false when another process is breaking it.
 */
async function breakLock(
  lockPath: string,
  judged: string | null,
  verdict: Exclude<Verdict, null>,
  logger: Logger,
  dataDir: string,
  now: () => number,
): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  try {
    await fs.promises.mkdir(breaker, { mode: 0o700 });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
    const info = await stat(breaker).catch(() => null);
    if (info && now() - info.mtimeMs > breakerStaleMs) await rm(breaker, { recursive: true, force: true });
    return false;
  }
  try {
    if ((await readOwner(lockPath)) !== judged) return true; // changed meanwhile: judge again
    const aside = `${lockPath}.stale-${randomBytes(8).toString('hex')}`;
    try {
      await rename(lockPath, aside);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw cause;
    }
    logger.warn('data folder lock of a process that ended taken over', { dataDir, reason: verdict });
    await rm(aside, { recursive: true, force: true });
    return true;
  } finally {
    await rm(breaker, { recursive: true, force: true });
  }
}
