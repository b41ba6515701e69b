// Covers electron/platform/file-saver.ts: files the person saves are theirs alone (0600), never
// overwrite what is already there in browser mode, and are complete when "saved" is reported.
import { readdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDownloadsDir, FolderFileSaver, writePrivateFile } from '../../electron/platform/file-saver';
import { permissionsOf, removeFolder, tempFolder } from '../factories/store';

let folder: string;
beforeEach(async () => {
  folder = await tempFolder('file-saver');
});
afterEach(async () => {
  await removeFolder(folder);
});

const bytes = (text: string) => new TextEncoder().encode(text);

describe('FolderFileSaver', () => {
  it('saves into its folder readable by the owner alone', async () => {
    const saved = await new FolderFileSaver(folder).save('a@cstnet.cn.mobileconfig', bytes('<plist/>'));
    expect(saved.path).toBe(join(folder, 'a@cstnet.cn.mobileconfig'));
    expect(await readFile(saved.path, 'utf8')).toBe('<plist/>');
    expect(await permissionsOf(saved.path)).toBe(0o600);
  });

  it('numbers the name instead of overwriting a file already there, as a browser download does', async () => {
    const saver = new FolderFileSaver(folder);
    await writeFile(join(folder, 'p.mobileconfig'), 'mine');
    const first = await saver.save('p.mobileconfig', bytes('1'));
    const second = await saver.save('p.mobileconfig', bytes('2'));
    expect(first.path).toBe(join(folder, 'p (1).mobileconfig'));
    expect(second.path).toBe(join(folder, 'p (2).mobileconfig'));
    expect(await readFile(join(folder, 'p.mobileconfig'), 'utf8')).toBe('mine');
  });

  it('keeps a suggested name from leaving its folder', async () => {
    const saved = await new FolderFileSaver(folder).save('../../escape.mobileconfig', bytes('x'));
    expect(saved.path).toBe(join(folder, 'escape.mobileconfig'));
  });

  it('removes a saved file, and says so when it is already gone', async () => {
    const saver = new FolderFileSaver(folder);
    const saved = await saver.save('p.mobileconfig', bytes('x'));
    await saver.remove(saved.path);
    expect(await readdir(folder)).toEqual([]);
    await expect(saver.remove(saved.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails, leaving nothing behind, when the folder does not exist', async () => {
    await expect(new FolderFileSaver(join(folder, 'missing')).save('p.mobileconfig', bytes('x'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writePrivateFile', () => {
  it('narrows an existing file chosen in a save dialog to 0600 as it replaces it', async () => {
    const path = join(folder, 'chosen.mobileconfig');
    await writeFile(path, 'old contents, longer than the new');
    await chmod(path, 0o644);
    await writePrivateFile(path, bytes('new'), false);
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await permissionsOf(path)).toBe(0o600);
  });

  it('refuses to replace a file when asked for a new one', async () => {
    const path = join(folder, 'taken');
    await writeFile(path, 'taken');
    await expect(writePrivateFile(path, bytes('x'), true)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('taken');
  });
});

describe('defaultDownloadsDir', () => {
  it('follows XDG_DOWNLOAD_DIR when set, else ~/Downloads', () => {
    expect(defaultDownloadsDir({ XDG_DOWNLOAD_DIR: '/home/z/下载' })).toBe('/home/z/下载');
    expect(defaultDownloadsDir({})).toMatch(/[/\\]Downloads$/);
  });
});
