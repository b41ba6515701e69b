/**
 * Saving a file the person asked for, readable by them alone (0600): an iPhone profile may hold a
 * client password. The Electron shell asks where with a save dialog; browser mode and the
 * command line have no dialog, so they save into a folder (the Downloads folder, or
 * --downloads-dir), as a browser's download would, never overwriting a file already there.
 */
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { FileSaver } from '../core/mail-clients/ports';

/**
 * Writes `contents` to `path` with mode 0600, failing if it exists when `exclusive`, and fsyncs
 * before closing: the person is told "saved" only for a file that is really there.
 */
export async function writePrivateFile(path: string, contents: Uint8Array, exclusive: boolean): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | (exclusive ? constants.O_EXCL : constants.O_TRUNC);
  const handle = await open(path, flags, 0o600);
  try {
    // An existing file chosen in the save dialog keeps its old mode through O_TRUNC: narrow it.
    await handle.chmod(0o600);
    await handle.writeFile(contents);
    await handle.sync();
  } catch (cause) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    throw cause;
  }
  await handle.close();
}

/** The Downloads folder: XDG's on Linux when set, ~/Downloads elsewhere. */
export function defaultDownloadsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DOWNLOAD_DIR && env.XDG_DOWNLOAD_DIR.length > 0 ? env.XDG_DOWNLOAD_DIR : join(homedir(), 'Downloads');
}

export class FolderFileSaver implements FileSaver {
  constructor(private readonly folder: string) {}

  async save(suggestedName: string, contents: Uint8Array): Promise<{ path: string }> {
    const name = basename(suggestedName);
    const extension = extname(name);
    const stem = name.slice(0, name.length - extension.length);
    // "name.mobileconfig", then "name (1).mobileconfig", … as browsers do.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const path = join(this.folder, attempt === 0 ? name : `${stem} (${attempt})${extension}`);
      try {
        await writePrivateFile(path, contents, true);
        return { path };
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
      }
    }
    throw new Error(`no free file name for ${name} in ${this.folder}`);
  }

  async remove(path: string): Promise<void> {
    await rm(path);
  }
}
