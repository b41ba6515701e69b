/**
 * What the Foxmail and Thunderbird adapters (docs/rules.md §8) share about finding and reading a
 * mail client's files: the options every locator takes, and a read that refuses a file too big
 * to be what it claims to be.
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
