/**
 * What the Foxmail and Thunderbird adapters (docs/rules.md §8) share about finding and reading a
 * mail client's files: the options every locator takes, a read that refuses a file too big to be
 * what it claims to be, and one write at a time to a profile.
 */
import { readFile, stat } from 'node:fs/promises';
import type { RunCommand } from './foxmail/locate';

export interface ClientLocatorOptions {
  /** Extra folders to look in (--foxmail-root, --thunderbird-root), found by 'environment'. */
  readonly extraRoots?: readonly string[];
  readonly platform?: NodeJS.Platform;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Runs `tasklist` and `ps`. */
  readonly runCommand?: RunCommand;
}

/** The whole file, unless it is bigger than `maxBytes`: 'absent' when it is not there, 'unreadable' when too big or unreadable. */
export async function readBoundedFile(path: string, maxBytes: number): Promise<Buffer | 'absent' | 'unreadable'> {
  try {
    if ((await stat(path)).size > maxBytes) return 'unreadable';
    return await readFile(path);
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'unreadable';
  }
}

/**
 * Runs `work` after every earlier one queued under `key` has settled (a failure does not stop the
 * queue), so two writes to one profile never interleave.
 */
export async function queuedPerKey<T>(queues: Map<string, Promise<unknown>>, key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(key, next);
  try {
    return await next;
  } finally {
    if (queues.get(key) === next) queues.delete(key);
  }
}
