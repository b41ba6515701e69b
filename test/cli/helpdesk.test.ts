// Covers `mailwarden helpdesk` in electron/cli/commands.ts on a data folder (the organisation's
// database is covered in database.test.ts): each action is done, said, and logged with who did it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../factories/cli';

const run = runCliCaptured;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-helpdesk-'));
  const file = join(dir, 'staff.csv');
  await writeFile(file, 'address,password\nli.na@cstnet.cn,first-password\n');
  expect((await run(['import-mailboxes', file, '--user-data-dir', dir])).code).toBe(0);
}, 30_000);
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('mailwarden helpdesk', () => {
  it('does the action, says what changed, and the mailbox’s log says who did it', async () => {
    const done = await run(['helpdesk', 'reset-two-factor', 'LI.NA@cstnet.cn', '--by', 'wang.it', '--user-data-dir', dir]);
    expect(done).toMatchObject({ code: 0, out: 'reset-two-factor done for li.na@cstnet.cn by wang.it (methods 0, backupCodes 0, devices 0).\n' });
    const log = JSON.parse(
      (await run(['audit', 'export', '--since', '2000-01-01', '--format', 'json', '--mailbox', 'li.na@cstnet.cn', '--user-data-dir', dir])).out,
    ) as {
      kind: string;
      detail: Record<string, string>;
    }[];
    expect(log.find((row) => row.kind === 'helpdesk-action')?.detail).toEqual({ action: 'reset-two-factor', by: 'wang.it' });
  });

  it('names the operator by this computer’s user when --by is not given', async () => {
    const done = await run(['helpdesk', 'unlock', 'li.na@cstnet.cn', '--user-data-dir', dir]);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/^unlock done for li\.na@cstnet\.cn by \S+@\S+ \(locked 0, failures 0\)\.\n$/);
  });

  it.each([
    [['helpdesk'], 'helpdesk needs an ACTION'],
    [['helpdesk', 'wipe', 'li.na@cstnet.cn'], "not 'wipe'"],
    [['helpdesk', 'unlock'], "needs the mailbox's ADDRESS"],
    [['helpdesk', 'unlock', 'li.na@cstnet.cn', '--by', ''], '--by needs a name'],
    [['helpdesk', 'unlock', 'li.na@cstnet.cn', '--force'], "unknown option '--force'"],
  ])('refuses %j with exit 2', async (argv, message) => {
    const result = await run([...argv, '--user-data-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('says so for a mailbox that does not exist, with exit 1', async () => {
    const result = await run(['helpdesk', 'unlock', 'nobody@cstnet.cn', '--user-data-dir', dir]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toContain('no mailbox nobody@cstnet.cn');
  });
});

describe('mailwarden helpdesk issue-access-pass', () => {
  it('prints a one-time pass and until when it is valid, and logs who issued it', async () => {
    const issued = await run(['helpdesk', 'issue-access-pass', 'li.na@cstnet.cn', '--valid', '8h', '--by', 'wang.it', '--user-data-dir', dir]);
    expect(issued.code).toBe(0);
    expect(issued.out).toMatch(
      /^Temporary access pass for li\.na@cstnet\.cn, one sign-in, valid until \d{4}-\d\d-\d\dT[\d:.]+Z \(issued by wang\.it\):\n[0-9A-Z]{4}(-[0-9A-Z]{4}){3}\n$/,
    );
    const log = JSON.parse(
      (await run(['audit', 'export', '--since', '2000-01-01', '--format', 'json', '--mailbox', 'li.na@cstnet.cn', '--user-data-dir', dir])).out,
    ) as { kind: string; detail: Record<string, unknown> }[];
    expect(log.find((row) => row.kind === 'helpdesk-action')?.detail).toMatchObject({ action: 'issue-access-pass', by: 'wang.it' });
    // The pass is shown once, to the operator: never in the log.
    expect(JSON.stringify(log)).not.toContain(issued.out.trim().split('\n')[1]!);
  });

  it.each([['5m'], ['31d'], ['an hour'], ['0h']])('refuses --valid %s with exit 2, and issues nothing', async (valid) => {
    const refused = await run(['helpdesk', 'issue-access-pass', 'li.na@cstnet.cn', '--valid', valid, '--user-data-dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--valid needs a time from 10m to 30d');
  });
});
