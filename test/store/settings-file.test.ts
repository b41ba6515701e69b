// Covers electron/store/settings-file.ts and electron/store/atomic-file.ts.
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type Logger } from '../../electron/core/ports';
import { SettingsFile, settingsFileName } from '../../electron/store/settings-file';
import { writeFileAtomic } from '../../electron/store/atomic-file';

let dir: string;
const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m) => warnings.push(m), error() {} };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailwarden-settings-'));
  warnings.length = 0;
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('SettingsFile', () => {
  it('gives the defaults when nothing was saved yet', async () => {
    expect(await new SettingsFile(dir, logger).read()).toEqual({ locale: 'system', theme: 'system' });
  });

  it('keeps what was written across instances, readable by the owner only', async () => {
    await new SettingsFile(dir, logger).write({ locale: 'en', theme: 'dark' });
    expect(await new SettingsFile(dir, logger).read()).toEqual({ locale: 'en', theme: 'dark' });
    if (process.platform !== 'win32') expect((await stat(join(dir, settingsFileName))).mode & 0o777).toBe(0o600);
  });

  it('falls back to the defaults on a file that is not JSON, and says so', async () => {
    await writeFile(join(dir, settingsFileName), '{"locale": "en", ');
    expect(await new SettingsFile(dir, logger).read()).toEqual({ locale: 'system', theme: 'system' });
    expect(warnings).toEqual(['settings file is not JSON; using defaults']);
  });

  it('keeps the valid keys of a file with one bad value', async () => {
    await writeFile(join(dir, settingsFileName), JSON.stringify({ locale: 'en', theme: 'purple' }));
    expect(await new SettingsFile(dir, logger).read()).toEqual({ locale: 'en', theme: 'system' });
    expect(warnings).toHaveLength(1);
  });

  // Root ignores folder permissions, so this one runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('throws a StorageError when the folder cannot be written, leaving the old file', async () => {
    const file = new SettingsFile(dir, logger);
    await file.write({ locale: 'en', theme: 'light' });
    await chmod(dir, 0o500);
    await expect(file.write({ locale: 'zh-CN', theme: 'dark' })).rejects.toBeInstanceOf(StorageError);
    expect(await file.read()).toEqual({ locale: 'en', theme: 'light' });
  });

  it('throws a StorageError when the data folder is a file', async () => {
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'not a folder');
    await expect(new SettingsFile(blocked, logger).write({ locale: 'en', theme: 'light' })).rejects.toBeInstanceOf(StorageError);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the whole file and leaves no temp file behind', async () => {
    const target = join(dir, 'a.json');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    expect(await readFile(target, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('creates the folder when it is missing', async () => {
    const target = join(dir, 'nested', 'deeper', 'b.json');
    await writeFileAtomic(target, 'x');
    expect(await readFile(target, 'utf8')).toBe('x');
  });

  it('removes its temp file when the rename fails', async () => {
    const target = join(dir, 'is-a-folder');
    await writeFileAtomic(join(target, 'inside'), 'x'); // makes `target` a non-empty folder
    await expect(writeFileAtomic(target, 'y')).rejects.toThrow();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
