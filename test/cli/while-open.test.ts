// Covers electron/cli/commands.ts while another Mailwarden process holds the data folder, and the
// command line's own strictness (issue 10, fault 5): `info` needs no store, reading the log or the
// mailboxes needs no writer's lock, writing still does; --version; unknown flags are refused.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../factories/cli';
import { silentLogger } from '../../electron/core/ports';
import { lockDataFolder } from '../../electron/store/folder-lock';
import { version } from '../../package.json';

const run = runCliCaptured;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-open-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('while the app (or serve) holds the data folder', () => {
  let release: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const csv = join(dir, 'staff.csv');
    await writeFile(csv, 'address,password,displayName\nzhang.wei@cstnet.cn,first-password,张伟\n');
    expect((await run(['import-mailboxes', csv, '--user-data-dir', dir])).code).toBe(0);
    // What the desktop app holds for as long as it runs.
    release = await lockDataFolder(dir, silentLogger);
  }, 30_000);
  afterEach(async () => {
    await release?.();
  });

  it('`info` answers: it needs no store', async () => {
    const { code, out, err } = await run(['info', '--user-data-dir', dir]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ version, dataDir: dir, backend: 'embedded' });
  });

  it('`audit export` reads the log as it is now, without the writer’s lock and without writing to the folder', async () => {
    const before = await readdir(join(dir, 'store'));
    const { code, out, err } = await run(['audit', 'export', '--since', '2000-01-01', '--format', 'json', '--user-data-dir', dir]);
    expect(err).not.toContain('already in use');
    expect(code).toBe(0);
    expect((JSON.parse(out) as { mailbox: string }[]).some((row) => row.mailbox === 'zhang.wei@cstnet.cn')).toBe(true);
    expect(await readdir(join(dir, 'store'))).toEqual(before);
  });

  it('`list-mailboxes` reads the mailboxes too', async () => {
    const { code, out } = await run(['list-mailboxes', '--user-data-dir', dir]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject([{ address: 'zhang.wei@cstnet.cn', displayName: '张伟' }]);
  });

  it('`import-mailboxes` still needs the folder to itself, and says what to do', async () => {
    const csv = join(dir, 'more.csv');
    await writeFile(csv, 'address,password\nli.na@cstnet.cn,second-password\n');
    const { code, err } = await run(['import-mailboxes', csv, '--user-data-dir', dir]);
    expect(code).toBe(1);
    expect(err).toContain('in use by another Mailwarden process');
    expect(err).toContain('Quit the Mailwarden app');
  });
});

describe('the command line itself', () => {
  it('prints its version with --version, exit 0', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it.each([
    [['policy', 'show', '--jsn'], '--jsn'],
    [['info', '--user-data-dri', '/tmp/x'], '--user-data-dri'],
    [['audit', 'export', '--since', '2000-01-01', '--fromat', 'json'], '--fromat'],
    [['list-mailboxes', '--since', '2000-01-01'], '--since'],
  ])('refuses an option the command does not take: %j', async (argv, flag) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(`unknown option '${flag}'`);
  });

  it('refuses a stray word after a command that takes none', async () => {
    const { code, err } = await run(['info', 'extra']);
    expect(code).toBe(2);
    expect(err).toContain("unexpected argument 'extra'");
  });
});
