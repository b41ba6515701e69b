/**
 * Replacing logins.json without ever leaving it damaged: Thunderbird drops a logins.json it
 * cannot read (and every saved password with it). The same steps as Foxmail's profile writer
 * (../foxmail/profile-writer.ts), whose file operations are reused: backup beside the file, temp
 * file fsynced, check the file did not change meanwhile, rename over, re-read and verify, restore
 * on any failure after the rename.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { ThunderbirdError } from '../../core/mail-clients/ports';
import { backupStamp, nodeProfileFiles, type ProfileFiles } from '../foxmail/profile-writer';

export interface LoginsWriteSeams {
  readonly files: ProfileFiles;
  readonly now: () => Date;
}

export const defaultLoginsWriteSeams: LoginsWriteSeams = { files: nodeProfileFiles, now: () => new Date() };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.mailwarden-${randomBytes(6).toString('hex')}.tmp`);
}

async function createBackup(file: string, original: Uint8Array, seams: LoginsWriteSeams): Promise<string> {
  const stem = `${file}.mailwarden-${backupStamp(seams.now())}`;
  for (let attempt = 1; ; attempt++) {
    const path = attempt === 1 ? `${stem}.bak` : `${stem}-${attempt}.bak`;
    try {
      // It holds the encrypted passwords: readable by the owner alone.
      await seams.files.create(path, original, 0o600);
      return path;
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'EEXIST' || attempt >= 50) throw cause;
    }
  }
}

/** Puts the original back (or removes a file that did not exist before), the same atomic way. */
async function restore(file: string, original: Uint8Array | null, mode: number, seams: LoginsWriteSeams): Promise<void> {
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
 * Writes `updated` over `file` (whose bytes were `original`, null when it did not exist), and
 * checks with `verify` that what is on disk afterwards is right.
 */
export async function replaceLoginsFile(
  file: string,
  original: Uint8Array | null,
  updated: Uint8Array,
  verify: (written: Uint8Array) => boolean,
  seams: LoginsWriteSeams = defaultLoginsWriteSeams,
): Promise<{ backupPath: string | null }> {
  let mode = 0o600;
  let backupPath: string | null = null;
  if (original !== null) {
    try {
      mode = await seams.files.mode(file);
      backupPath = await createBackup(file, original, seams);
      if (!sameBytes(await seams.files.read(backupPath), original)) throw new Error('the backup does not hold the original bytes');
    } catch (cause) {
      throw new ThunderbirdError('write-failed', 'the backup of logins.json could not be written; nothing was changed', { cause });
    }
  }
  const temp = tempPath(file);
  let replaced = false;
  try {
    await seams.files.create(temp, updated, mode);
    // Thunderbird (or anything else) may have written the file since it was read: never replace a newer one.
    const now = await seams.files.read(file).catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT') return null;
      throw cause;
    });
    if (original === null ? now !== null : !now || !sameBytes(now, original)) throw new Error('logins.json changed while it was being updated');
    replaced = true;
    await seams.files.rename(temp, file);
    await seams.files.syncFolder(dirname(file));
    const written = await seams.files.read(file);
    if (!sameBytes(written, updated) || !verify(written)) throw new Error('the written logins.json does not read back with the new password');
    return { backupPath };
  } catch (cause) {
    await seams.files.remove(temp).catch(() => undefined);
    if (!replaced) throw new ThunderbirdError('write-failed', 'logins.json could not be changed; it is untouched', { cause });
    try {
      await restore(file, original, mode, seams);
    } catch (restoreCause) {
      const kept = backupPath ? `; its original is kept at ${backupPath}` : '';
      throw new ThunderbirdError('write-failed', `logins.json could not be changed nor restored${kept}`, { cause: new AggregateError([cause, restoreCause]) });
    }
    throw new ThunderbirdError('write-failed', 'logins.json could not be changed; it was restored', { cause });
  }
}
