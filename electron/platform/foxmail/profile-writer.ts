/**
 * Replacing the password in one Foxmail profile without ever leaving it damaged: a profile that
 * Foxmail cannot read loses the person's account settings, which is worse than no change at all.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FoxmailError } from '../../core/mail-clients/ports';
import { decodePassword, encodePassword, isEncodablePassword } from './codec';
import { readProfile, serializeV7Records, withPasswordHex } from './profile-format';

/**
 * The file operations a write uses; tests wrap them to make one fail.
 * @internal
 */
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

/** @internal */
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

export interface WriteSeams {
  readonly files: ProfileFiles;
  readonly now: () => Date;
  /** The free first byte of the stored password. */
  readonly seed: () => number;
}

export const defaultWriteSeams: WriteSeams = { files: nodeProfileFiles, now: () => new Date(), seed: () => randomInt(0, 256) };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** `20261123T231500Z`: sorts by time and is a valid file name everywhere. */
export function backupStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function isExists(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'EEXIST';
}

async function createBackup(file: string, original: Uint8Array, seams: WriteSeams): Promise<string> {
  const stem = `${file}.mailwarden-${backupStamp(seams.now())}`;
  for (let attempt = 1; ; attempt++) {
    const path = attempt === 1 ? `${stem}.bak` : `${stem}-${attempt}.bak`;
    try {
      // The backup holds the old (obfuscated) password: readable by the owner alone.
      await seams.files.create(path, original, 0o600);
      return path;
    } catch (cause) {
      if (!isExists(cause) || attempt >= 50) throw cause;
    }
  }
}

function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.mailwarden-${randomBytes(6).toString('hex')}.tmp`);
}

/** Puts the backup's bytes back over `file` the same atomic way, and checks they are there. */
async function restore(file: string, backupPath: string, original: Uint8Array, mode: number, seams: WriteSeams): Promise<void> {
  const current = await seams.files.read(file).catch(() => null);
  if (current && sameBytes(current, original)) return;
  const saved = await seams.files.read(backupPath);
  if (!sameBytes(saved, original)) throw new Error('the backup does not hold the original bytes');
  const temp = tempPath(file);
  try {
    await seams.files.create(temp, saved, mode);
    await seams.files.rename(temp, file);
  } finally {
    await seams.files.remove(temp).catch(() => undefined);
  }
  await seams.files.syncFolder(dirname(file)).catch(() => undefined);
  if (!sameBytes(await seams.files.read(file), original)) throw new Error('the restored profile differs from the backup');
}

/**
 * Replaces the stored password of the Foxmail 7 profile at `file`. Refuses ('unsupported') unless
 * every byte parses and re-serializes to the identical file; backs it up beside itself; writes a
 * temp file, fsyncs, renames over; re-reads and checks the new password decodes to `password`;
 * restores the backup on any failure after the backup exists ('write-failed').
 */
export async function writeProfilePassword(file: string, password: string, seams: WriteSeams = defaultWriteSeams): Promise<{ backupPath: string }> {
  let original: Uint8Array;
  try {
    original = await seams.files.read(file);
  } catch (cause) {
    throw new FoxmailError('not-found', 'the profile could not be read', { cause });
  }
  const parsed = readProfile(original);
  if (!parsed || parsed.version !== 7 || !parsed.records) {
    throw new FoxmailError('unsupported', `the profile is not one this app can change: ${parsed?.unwritableBecause ?? 'not a Foxmail profile'}`);
  }
  if (!sameBytes(serializeV7Records(parsed.records), original)) {
    throw new FoxmailError('unsupported', 'the profile does not re-serialize to the same bytes');
  }
  if (!isEncodablePassword(password)) throw new FoxmailError('unsupported', 'Foxmail can store only printable ASCII passwords');
  const updated = serializeV7Records(withPasswordHex(parsed.records, encodePassword(password, 7, seams.seed())));
  const check = readProfile(updated);
  if (!check?.records || decodePassword(check.passwordHex, 7) !== password) {
    throw new FoxmailError('unsupported', 'the changed profile would not read back');
  }

  let mode: number;
  let backupPath: string;
  try {
    mode = await seams.files.mode(file);
    backupPath = await createBackup(file, original, seams);
  } catch (cause) {
    throw new FoxmailError('write-failed', 'the backup could not be written; the profile is unchanged', { cause });
  }

  const temp = tempPath(file);
  let replaced = false;
  try {
    const backup = await seams.files.read(backupPath);
    if (!sameBytes(backup, original)) throw new Error('the backup does not hold the original bytes');
    await seams.files.create(temp, updated, mode);
    // Foxmail (or anything else) may have written the profile since it was read: never replace a newer file.
    if (!sameBytes(await seams.files.read(file), original)) throw new Error('the profile changed while it was being updated');
    replaced = true;
    await seams.files.rename(temp, file);
    await seams.files.syncFolder(dirname(file));
    const written = await seams.files.read(file);
    const reread = readProfile(written);
    if (!sameBytes(written, updated) || !reread?.records || decodePassword(reread.passwordHex, 7) !== password) {
      throw new Error('the written profile does not read back with the new password');
    }
    return { backupPath };
  } catch (cause) {
    await seams.files.remove(temp).catch(() => undefined);
    // Before the rename the profile is untouched (and may hold someone else's newer change).
    if (!replaced) throw new FoxmailError('write-failed', 'the profile could not be changed; it is untouched', { cause });
    try {
      await restore(file, backupPath, original, mode, seams);
    } catch (restoreCause) {
      throw new FoxmailError('write-failed', `the profile could not be changed nor restored; its original is kept at ${backupPath}`, {
        cause: new AggregateError([cause, restoreCause]),
      });
    }
    throw new FoxmailError('write-failed', 'the profile could not be changed; it was restored from the backup', { cause });
  }
}
