/**
 * Files written only for the OS to read once (docs/rules.md §8.11: a profile opened for System
 * Settings), each alone in a fresh private folder: mkdtemp makes it 0700 under the OS's temporary
 * folder, the file inside is 0600 and fsynced. Each is removed when asked; whatever is still there
 * when the process exits (the app quitting, or browser mode stopped) is removed then.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { TemporaryFiles } from '../core/mail-clients/ports';
import { writePrivateFile } from './file-saver';

/** The folders written and not yet removed, of every instance in this process. */
const live = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes every folder still live, at once (an exit handler cannot wait for promises).
 * @internal the process's exit handler; exported for its test.
 */
export function removeLeftoverTemporaryFiles(): void {
  for (const folder of live) {
    try {
      rmSync(folder, { recursive: true, force: true });
      live.delete(folder);
    } catch {
      // Exiting: nothing left to tell. The OS's temporary folder is cleaned in time.
    }
  }
}

export class PrivateTemporaryFiles implements TemporaryFiles {
  constructor(private readonly parent: string = tmpdir()) {}

  async write(name: string, contents: Uint8Array): Promise<{ path: string }> {
    if (!exitHookInstalled) {
      process.once('exit', removeLeftoverTemporaryFiles);
      exitHookInstalled = true;
    }
    const folder = await mkdtemp(join(this.parent, 'mailwarden-'));
    live.add(folder);
    const path = join(folder, basename(name));
    try {
      await writePrivateFile(path, contents, true);
    } catch (cause) {
      await this.remove(path);
      throw cause;
    }
    return { path };
  }

  async remove(path: string): Promise<void> {
    const folder = dirname(path);
    // Only a folder this process made: a path handed back never names anything else to delete.
    if (!live.has(folder)) return;
    await rm(folder, { recursive: true, force: true });
    live.delete(folder);
  }
}
