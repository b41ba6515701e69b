/**
 * Replacing the password in one Foxmail profile without ever leaving it damaged: a profile that
 * Foxmail cannot read loses the person's account settings, which is worse than no change at all.
 * What is Foxmail's is here (the format must round-trip to the byte); the careful write is
 * ../careful-replace.ts, shared with Thunderbird's logins.json.
 */
import { randomInt } from 'node:crypto';
import { FoxmailError } from '../../core/mail-clients/ports';
import { nodeProfileFiles, ReplaceFailedError, replaceCarefully, sameBytes, type ProfileFiles } from '../careful-replace';
import { decodePassword, encodePassword, isEncodablePassword } from './codec';
import { readProfile, serializeV7Records, withPasswordHex } from './profile-format';

export interface WriteSeams {
  readonly files: ProfileFiles;
  readonly now: () => Date;
  /** The free first byte of the stored password. */
  readonly seed: () => number;
}

export const defaultWriteSeams: WriteSeams = { files: nodeProfileFiles, now: () => new Date(), seed: () => randomInt(0, 256) };

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

  try {
    const { backupPath } = await replaceCarefully(
      file,
      original,
      updated,
      (written) => {
        const reread = readProfile(written);
        return reread?.records !== undefined && reread.records !== null && decodePassword(reread.passwordHex, 7) === password;
      },
      seams,
      'the profile',
    );
    // A profile that existed has a backup.
    return { backupPath: backupPath! };
  } catch (cause) {
    if (cause instanceof ReplaceFailedError) throw new FoxmailError('write-failed', cause.message, { cause: cause.cause });
    throw cause;
  }
}
