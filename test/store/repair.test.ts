// Covers electron/store/repair.ts. Lines here are plain JSON so the files can be read in the
// test; "opens" means parses to an object, as it does for sealed lines after decryption.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../electron/core/ports';
import { badLineLimit, fileStamp, repairDataFile } from '../../electron/store/repair';
import { recordingLogger, removeFolder, tempFolder } from '../factories/store';

const now = Date.UTC(2026, 10, 23, 9, 0, 0);
const stamp = '20261123T090000Z';

let folder: string;
let file: string;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(async () => {
  folder = await tempFolder('repair');
  file = join(folder, 'grants.db');
  logger = recordingLogger();
});
afterEach(() => removeFolder(folder));

const opens = (line: string) => {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
};
const repair = () => repairDataFile(file, { opens, logger, now: () => now });
const record = (n: number) => JSON.stringify({ _id: `g${n}` });
const records = (count: number) => Array.from({ length: count }, (_, i) => record(i + 1));
const asFile = (lines: string[]) => lines.map((line) => `${line}\n`).join('');

describe('repairDataFile', () => {
  it('names the files it keeps with a sortable UTC stamp that is legal on every platform', () => {
    expect(fileStamp(now)).toBe(stamp);
  });

  it('does nothing for a missing file', async () => {
    expect(await repair()).toEqual({ repairedTail: false, quarantined: [] });
    expect(await readdir(folder)).toEqual([]);
  });

  it('leaves a sound file exactly as it is', async () => {
    const text = asFile(records(5));
    await writeFile(file, text);
    const before = await stat(file);
    expect(await repair()).toEqual({ repairedTail: false, quarantined: [] });
    expect(await readFile(file, 'utf8')).toBe(text);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    expect(logger.lines).toEqual([]);
  });

  it('cuts off an unterminated last line and keeps it beside the file as .torn-<stamp>', async () => {
    await writeFile(file, `${asFile(records(3))}{"_id":"g4","own`);
    expect(await repair()).toEqual({ repairedTail: true, quarantined: [] });
    expect(await readFile(file, 'utf8')).toBe(asFile(records(3)));
    expect(await readFile(`${file}.torn-${stamp}`, 'utf8')).toBe('{"_id":"g4","own');
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', fields: { file: 'grants.db', kept: `grants.db.torn-${stamp}`, bytes: 16 } })]);
  });

  it('cuts off an unterminated last line even when it would parse: nedb always writes the newline', async () => {
    await writeFile(file, `${asFile(records(2))}${record(3)}`);
    expect(await repair()).toEqual({ repairedTail: true, quarantined: [] });
    expect(await readFile(file, 'utf8')).toBe(asFile(records(2)));
  });

  it('cuts off a terminated last line that does not open', async () => {
    await writeFile(file, asFile([...records(9), '\0\0\0garbage']));
    expect(await repair()).toEqual({ repairedTail: true, quarantined: [] });
    expect(await readFile(file, 'utf8')).toBe(asFile(records(9)));
    expect(await readFile(`${file}.torn-${stamp}`, 'utf8')).toBe('\0\0\0garbage\n');
  });

  it('moves a bad line elsewhere to .quarantine-<stamp>, reports its line number and keeps the rest', async () => {
    const lines = records(10);
    lines[3] = 'damaged line';
    await writeFile(file, asFile(lines));
    expect(await repair()).toEqual({ repairedTail: false, quarantined: [4] });
    expect(await readFile(file, 'utf8')).toBe(asFile(lines.filter((_, i) => i !== 3)));
    expect(await readFile(`${file}.quarantine-${stamp}`, 'utf8')).toBe('damaged line\n');
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'error', fields: { file: 'grants.db', kept: `grants.db.quarantine-${stamp}`, count: 1, lines: [4] } }),
    ]);
  });

  it('appends to the quarantine file rather than replacing what an earlier repair put there', async () => {
    await writeFile(`${file}.quarantine-${stamp}`, 'earlier\n');
    const lines = records(10);
    lines[0] = 'first bad';
    await writeFile(file, asFile(lines));
    await repair();
    expect(await readFile(`${file}.quarantine-${stamp}`, 'utf8')).toBe('earlier\nfirst bad\n');
  });

  it(`quarantines up to ${badLineLimit * 100}% bad lines: 1 of 10`, async () => {
    const lines = records(10);
    lines[4] = 'bad';
    await writeFile(file, asFile(lines));
    expect((await repair()).quarantined).toEqual([5]);
  });

  it(`refuses more than ${badLineLimit * 100}% bad lines (1 of 9, 11%) and leaves the file untouched`, async () => {
    const lines = records(9);
    lines[4] = 'bad';
    const text = `${asFile(lines)}{"torn`;
    await writeFile(file, text);
    const failure = await repair().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as Error).message).toMatch(/1 of 9 lines of grants\.db cannot be opened.*data key/);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(folder)).toEqual(['grants.db']);
  });

  it('counts a bad terminated last line towards the limit, so a wrong key never passes as a torn tail', async () => {
    await writeFile(file, asFile(['sealed with another key']));
    await expect(repair()).rejects.toThrow(StorageError);
    expect(await readFile(file, 'utf8')).toBe('sealed with another key\n');
  });

  it('refuses a file none of whose lines open (a wrong key, a foreign file)', async () => {
    await writeFile(file, asFile(['a', 'b', 'c', 'd']));
    await expect(repair()).rejects.toThrow(/4 of 4 lines/);
  });

  it('handles a torn tail and a damaged line in the same file', async () => {
    const lines = records(12);
    lines[1] = 'damaged';
    await writeFile(file, `${asFile(lines)}{"tor`);
    expect(await repair()).toEqual({ repairedTail: true, quarantined: [2] });
    expect(await readFile(file, 'utf8')).toBe(asFile(lines.filter((_, i) => i !== 1)));
  });

  it('takes over the "~" copy nedb leaves when a rewrite died before its rename, and checks it', async () => {
    await writeFile(`${file}~`, `${asFile(records(2))}{"tor`);
    expect(await repair()).toEqual({ repairedTail: true, quarantined: [] });
    expect(await readFile(file, 'utf8')).toBe(asFile(records(2)));
    expect(await readdir(folder)).not.toContain('grants.db~');
  });

  it.skipIf(process.platform === 'win32')('writes the repaired file and the files kept beside it readable by this user only', async () => {
    const lines = records(10);
    lines[2] = 'bad';
    await writeFile(file, `${asFile(lines)}{"tor`, { mode: 0o644 });
    await repair();
    for (const name of await readdir(folder)) expect((await stat(join(folder, name))).mode & 0o777, name).toBe(0o600);
  });
});
