/**
 * Replacing a mail client's own file (a Foxmail profile, Thunderbird's logins.json) without ever
 * leaving it damaged: a file the client cannot read loses the person's account settings or saved
 * passwords, which is worse than no change at all (docs/rules.md §8.2). The steps: a backup beside
 * the file, read back; a temp file fsynced; a check that the file did not change since it was read
 * (the client may have written it); a rename over it and the folder fsynced; a re-read checked by
 * the caller; and on any failure after the rename, the original put back the same way.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file operations a write uses; tests wrap them to make one fail. */
export interface ProfileFiles {
  read(path: string): Promise<Uint8Array>;
  /** Creates `path` (failing if it exists) with `mode`, writes `bytes`, fsyncs and closes it. */
  create(path: string, bytes: Uint8Array, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Makes a rename in `folder` durable where the OS allows it. */
  syncFolder(folder: string): Promise<void>;
  mode(path: string): Promise<number>;
}

export const nodeProfileFiles: ProfileFiles = {
  read: async (path) => new Uint8Array(await readFile(path)),
  async create(path, bytes, mode) {
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  async syncFolder(folder) {
    // Windows cannot open a folder for fsync; NTFS journals the rename itself.
    if (process.platform === 'win32') return;
    const handle = await open(folder, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  mode: async (path) => (await stat(path)).mode & 0o777,
};

export interface ReplaceSeams {
  readonly files: ProfileFiles;
  readonly now: () => Date;
}

/** Why a replace failed, said of `what` ("the profile", "logins.json"); the caller turns it into its own refusal. */
export class ReplaceFailedError extends Error {
  override readonly name = 'ReplaceFailedError';
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** `20261123T231500Z`: sorts by time and is a valid file name everywhere. */
function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.mailwarden-${randomBytes(6).toString('hex')}.tmp`);
}

async function createBackup(file: string, original: Uint8Array, seams: ReplaceSeams): Promise<string> {
  const stem = `${file}.mailwarden-${backupStamp(seams.now())}`;
  for (let attempt = 1; ; attempt++) {
    const path = attempt === 1 ? `${stem}.bak` : `${stem}-${attempt}.bak`;
    try {
      // It holds the old (obfuscated or encrypted) password: readable by the owner alone.
      await seams.files.create(path, original, 0o600);
      return path;
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'EEXIST' || attempt >= 50) throw cause;
    }
  }
}

/** Puts the original back (or removes a file that did not exist before), the same atomic way, and checks it is there. */
async function restore(file: string, original: Uint8Array | null, mode: number, seams: ReplaceSeams): Promise<void> {
  if (original === null) {
    await seams.files.remove(file);
    return;
  }
  const current = await seams.files.read(file).catch(() => null);
  if (current && sameBytes(current, original)) return;
  const temp = tempPath(file);
  try {
    await seams.files.create(temp, original, mode);
    await seams.files.rename(temp, file);
  } finally {
    await seams.files.remove(temp).catch(() => undefined);
  }
  await seams.files.syncFolder(dirname(file)).catch(() => undefined);
  if (!sameBytes(await seams.files.read(file), original)) throw new Error('the restored file differs from the backup');
}

/**
 * Writes `updated` over `file`, whose bytes were `original` when read (null: it did not exist),
 * and checks with `verify` what is on disk afterwards. Throws ReplaceFailedError saying whether the
 * file is untouched, restored, or (restore failing too) where its original is kept.
 */
export async function replaceCarefully(
  file: string,
  original: Uint8Array | null,
  updated: Uint8Array,
  verify: (written: Uint8Array) => boolean,
  seams: ReplaceSeams,
  what: string,
): Promise<{ backupPath: string | null }> {
  let mode = 0o600;
  let backupPath: string | null = null;
  if (original !== null) {
    try {
      mode = await seams.files.mode(file);
      backupPath = await createBackup(file, original, seams);
      if (!sameBytes(await seams.files.read(backupPath), original)) throw new Error('the backup does not hold the original bytes');
    } catch (cause) {
      throw new ReplaceFailedError(`the backup of ${what} could not be written; ${what} is unchanged`, { cause });
    }
  }
  const temp = tempPath(file);
  let replaced = false;
  try {
    await seams.files.create(temp, updated, mode);
    // The client (or anything else) may have written the file since it was read: never replace a newer one.
    const now = await seams.files.read(file).catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT') return null;
      throw cause;
    });
    if (original === null ? now !== null : !now || !sameBytes(now, original)) throw new Error(`${what} changed while it was being updated`);
    replaced = true;
    await seams.files.rename(temp, file);
    await seams.files.syncFolder(dirname(file));
    const written = await seams.files.read(file);
    if (!sameBytes(written, updated) || !verify(written)) throw new Error(`the written ${what} does not read back with the new password`);
    return { backupPath };
  } catch (cause) {
    await seams.files.remove(temp).catch(() => undefined);
    // Before the rename the file is untouched (and may hold someone else's newer change).
    if (!replaced) throw new ReplaceFailedError(`${what} could not be changed; it is untouched`, { cause });
    try {
      await restore(file, original, mode, seams);
    } catch (restoreCause) {
      const kept = backupPath ? `; its original is kept at ${backupPath}` : '';
      throw new ReplaceFailedError(`${what} could not be changed nor restored${kept}`, { cause: new AggregateError([cause, restoreCause]) });
    }
    throw new ReplaceFailedError(`${what} could not be changed; it was restored from the backup`, { cause });
  }
}
