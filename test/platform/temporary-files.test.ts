// Covers electron/platform/temporary-files.ts: a profile opened for the OS (docs/rules.md §8.11) is
// written alone in a fresh private folder, readable by the owner only, and goes with its folder
// when removed or when the process exits; a path it did not make is never deleted.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrivateTemporaryFiles, removeLeftoverTemporaryFiles } from '../../electron/platform/temporary-files';
import { permissionsOf, removeFolder, tempFolder } from '../factories/store';

let parent: string;
beforeEach(async () => {
  parent = await tempFolder('temporary-files');
});
afterEach(async () => {
  await removeFolder(parent);
});

const bytes = (text: string) => new TextEncoder().encode(text);

describe('PrivateTemporaryFiles', () => {
  it('writes each file alone in a new folder only its owner can enter, the file readable by the owner alone', async () => {
    const files = new PrivateTemporaryFiles(parent);
    const first = await files.write('a@cstnet.cn.mobileconfig', bytes('<plist/>'));
    const second = await files.write('a@cstnet.cn.mobileconfig', bytes('<plist>2</plist>'));
    expect(basename(first.path)).toBe('a@cstnet.cn.mobileconfig');
    expect(dirname(first.path)).not.toBe(dirname(second.path));
    expect(dirname(dirname(first.path))).toBe(parent);
    expect(await readFile(first.path, 'utf8')).toBe('<plist/>');
    expect(await permissionsOf(first.path)).toBe(0o600);
    expect(await permissionsOf(dirname(first.path))).toBe(0o700);
    expect(await readdir(dirname(first.path))).toEqual(['a@cstnet.cn.mobileconfig']);
  });

  it('keeps a name from leaving its folder', async () => {
    const written = await new PrivateTemporaryFiles(parent).write('../../escape.mobileconfig', bytes('x'));
    expect(dirname(dirname(written.path))).toBe(parent);
    expect(basename(written.path)).toBe('escape.mobileconfig');
  });

  it('removes the file with its folder, and a second removal is not an error', async () => {
    const files = new PrivateTemporaryFiles(parent);
    const written = await files.write('p.mobileconfig', bytes('x'));
    await files.remove(written.path);
    expect(existsSync(dirname(written.path))).toBe(false);
    await files.remove(written.path);
    expect(await readdir(parent)).toEqual([]);
  });

  it('never deletes what it did not write', async () => {
    const mine = join(parent, 'mine');
    await writeFile(mine, 'keep');
    await new PrivateTemporaryFiles(parent).remove(join(mine, 'x.mobileconfig'));
    await new PrivateTemporaryFiles(parent).remove(join(parent, 'other.mobileconfig'));
    expect(await readFile(mine, 'utf8')).toBe('keep');
  });

  it('removes what is left when the process exits', async () => {
    const files = new PrivateTemporaryFiles(parent);
    const left = await files.write('p.mobileconfig', bytes('x'));
    const removed = await files.write('q.mobileconfig', bytes('y'));
    await files.remove(removed.path);
    // Installed as the process's exit handler by the first write.
    expect(process.listeners('exit')).toContain(removeLeftoverTemporaryFiles);
    removeLeftoverTemporaryFiles();
    expect(existsSync(left.path)).toBe(false);
    expect(await readdir(parent)).toEqual([]);
  });
});
