/**
 * Replacing logins.json without ever leaving it damaged: Thunderbird drops a logins.json it
 * cannot read (and every saved password with it). The same steps as Foxmail's profile writer
 * (../careful-replace.ts, shared with it): backup beside the file, temp
 * file fsynced, check the file did not change meanwhile, rename over, re-read and verify, restore
 * on any failure after the rename.
 */
import { ThunderbirdError } from '../../core/mail-clients/ports';
import { nodeProfileFiles, ReplaceFailedError, replaceCarefully, type ProfileFiles } from '../careful-replace';

export interface LoginsWriteSeams {
  readonly files: ProfileFiles;
  readonly now: () => Date;
}

export const defaultLoginsWriteSeams: LoginsWriteSeams = { files: nodeProfileFiles, now: () => new Date() };

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
  try {
    return await replaceCarefully(file, original, updated, verify, seams, 'logins.json');
  } catch (cause) {
    if (cause instanceof ReplaceFailedError) throw new ThunderbirdError('write-failed', cause.message, { cause: cause.cause });
    throw cause;
  }
}
