/**
 * Checks a collection file before nedb loads it. nedb appends every write as whole lines ending
 * in "\n" and rewrites the file with every line terminated, so:
 *
 * - a last line without its "\n", or a last line that does not open, is a write cut short by a
 *   crash: it is cut off and kept beside the file as `<name>.db.torn-<stamp>`;
 * - any other line that does not open is damage: it is moved to `<name>.db.quarantine-<stamp>`
 *   (appended) and reported by line number, never dropped unseen;
 * - when more than 10% of the lines do not open, the cause is a wrong key or a foreign file, not
 *   damage: the file is left exactly as it is and the store refuses to open.
 */
import { appendFile, open, readFile, rename } from 'node:fs/promises';
import { basename } from 'node:path';
import { StorageError, type Logger } from '../core/ports';
import { writeFileAtomic } from './atomic-file';

/**
 * Above this share of unreadable lines a file is not damaged but unreadable as a whole.
 * @internal
 */
export const badLineLimit = 0.1;

export interface FileRepair {
  /** A torn last line was cut off (and kept beside the file). */
  readonly repairedTail: boolean;
  /** 1-based numbers of the lines moved to the quarantine file. */
  readonly quarantined: readonly number[];
}

export const cleanRepair: FileRepair = { repairedTail: false, quarantined: [] };

export interface RepairOptions {
  /** Whether a stored line decrypts and parses to a record. */
  readonly opens: (line: string) => boolean;
  readonly logger: Logger;
  /** Milliseconds since the epoch, for the names of the files kept beside. */
  readonly now: () => number;
}

/**
 * `20261123T090000Z`: sortable, and legal in a file name on every platform.
 * @internal
 */
export function fileStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(`cannot read ${basename(file)}: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`, { cause });
  }
}

/** Appends and flushes, so what was set aside is on disk before the file loses it. */
async function keepBeside(path: string, text: string): Promise<void> {
  await appendFile(path, text, { encoding: 'utf8', mode: 0o600 });
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function repairDataFile(file: string, options: RepairOptions): Promise<FileRepair> {
  let text = await readIfPresent(file);
  if (text === null) {
    // nedb's own recovery when a rewrite died before its rename: the "~" copy is the file. Done
    // here so that copy is checked like any other.
    const backup = await readIfPresent(`${file}~`);
    if (backup === null) return cleanRepair;
    await rename(`${file}~`, file);
    text = backup;
  }
  if (text === '') return cleanRepair;

  const lines = text.split('\n');
  // After the last "\n" split leaves either '' or the unterminated rest of a line.
  const unterminated = lines.pop()!;
  const bad: number[] = [];
  let counted = 0;
  lines.forEach((line, index) => {
    if (line === '') return;
    counted += 1;
    if (!options.opens(line)) bad.push(index);
  });
  const name = basename(file);
  if (bad.length > counted * badLineLimit) {
    throw new StorageError(
      `${bad.length} of ${counted} lines of ${name} cannot be opened: the data key is not the one this store was written with, ` +
        'or the file is not part of this store. The store was not opened and the file was left as it is.',
    );
  }

  let torn = unterminated;
  if (torn === '' && bad.at(-1) === lines.length - 1) {
    torn = `${lines.pop()!}\n`;
    bad.pop();
  }
  if (torn === '' && bad.length === 0) return cleanRepair;

  const stamp = fileStamp(options.now());
  const badSet = new Set(bad);
  if (torn !== '') {
    const kept = `${file}.torn-${stamp}`;
    await keepBeside(kept, torn);
    options.logger.warn('store file ended in a torn line (a write cut short); cut it off and kept it beside the file', {
      file: name,
      kept: basename(kept),
      bytes: Buffer.byteLength(torn),
    });
  }
  if (bad.length > 0) {
    const kept = `${file}.quarantine-${stamp}`;
    await keepBeside(kept, bad.map((index) => `${lines[index]}\n`).join(''));
    options.logger.error('store file had unreadable lines; moved them to quarantine', {
      file: name,
      kept: basename(kept),
      count: bad.length,
      lines: bad.map((index) => index + 1),
    });
  }
  const good = lines.filter((line, index) => line !== '' && !badSet.has(index));
  await writeFileAtomic(file, good.map((line) => `${line}\n`).join(''), 0o600);
  return { repairedTail: torn !== '', quarantined: bad.map((index) => index + 1) };
}
