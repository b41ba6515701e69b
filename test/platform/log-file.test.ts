// Covers electron/platform/log-file.ts: log files that rotate by size and stay private.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../electron/platform/log-file';
import { createConsoleLogger } from '../../electron/platform/logger';
import { removeFolder, tempFolder } from '../factories/store';

let dir: string;
beforeEach(async () => {
  dir = join(await tempFolder('logs'), 'logs');
});
afterEach(() => removeFolder(join(dir, '..')));

describe('the log file', () => {
  it('keeps every line, newest in main.log, and never grows past its limit', async () => {
    const file = new RotatingLogFile(dir, 'main', { maxBytes: 100, keep: 2 });
    for (let n = 0; n < 30; n += 1) file.write(`line ${String(n).padStart(2, '0')} ${'x'.repeat(10)}`);
    expect((await readdir(dir)).sort()).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    for (const name of await readdir(dir)) expect((await stat(join(dir, name))).size).toBeLessThanOrEqual(100);
    expect(await readFile(join(dir, 'main.log'), 'utf8')).toContain('line 29');
    const files = file.files();
    expect(files.map((f) => f.name)).toEqual(['main.log', 'main.1.log', 'main.2.log']);
    // The oldest lines beyond what is kept are gone.
    expect(files.map((f) => f.text).join('')).not.toContain('line 00');
  });

  it.runIf(process.platform !== 'win32')('is readable by this user only', async () => {
    const file = new RotatingLogFile(dir);
    file.write('one');
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('carries on after a restart, appending to the same file', async () => {
    new RotatingLogFile(dir).write('first run');
    new RotatingLogFile(dir).write('second run');
    expect(await readFile(join(dir, 'main.log'), 'utf8')).toBe('first run\nsecond run\n');
  });

  it('gets the logger’s lines with secrets already redacted', async () => {
    const file = new RotatingLogFile(dir);
    const logger = createConsoleLogger('main', (line) => file.write(line));
    logger.info('client password made', { password: 'abcd efgh ijkm npqr', mailbox: 'zhang.wei@cstnet.cn' });
    const text = await readFile(file.path, 'utf8');
    expect(text).toContain('zhang.wei@cstnet.cn');
    expect(text).not.toContain('abcd');
  });
});
