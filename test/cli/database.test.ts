// Covers electron/cli/organisation.ts and the IT commands with --database: import-mailboxes,
// list-mailboxes and audit export against the organisation's PostgreSQL store (issue 11, item 2),
// on a real PostgreSQL 15 started for this file.
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captured, runCliCaptured, startServe } from '../factories/cli';
import { serveCommand } from '../../electron/cli/serve';
import { askMailAuth } from '../../electron/platform/mail-auth/client';
import { databaseVariable, redactDatabaseUrl } from '../../electron/cli/organisation';
import { serverKeyVariable } from '../../electron/postgres/open';
import { postgresSkipReason, startPostgres, type RunningPostgres } from '../factories/postgres';

const skip = postgresSkipReason();

/** serve that is expected to refuse at once. */
async function serveOnce(argv: string[]) {
  return captured((out, err) => serveCommand(argv, out, err, Promise.resolve()));
}

const run = runCliCaptured;

describe.skipIf(skip !== '')(`the IT commands on the organisation's database${skip ? ` (not run: ${skip})` : ''}`, () => {
  let postgres: RunningPostgres;
  let dir: string;
  let url: string;
  let keyFile: string;

  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(() => postgres?.stop());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-db-'));
    url = await postgres.freshDatabase();
    keyFile = join(dir, 'server.key');
    await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const org = () => ['--database', url, '--server-key-file', keyFile, '--user-data-dir', join(dir, 'desk')];

  it('imports into the database, lists from it, and exports its log; no data folder is touched', async () => {
    const csv = join(dir, 'staff.csv');
    await writeFile(csv, 'address,password,displayName\nzhang.wei@cstnet.cn,first-password,张伟\nli.na@cstnet.cn,second-password,\n');
    expect(await run(['import-mailboxes', csv, ...org()])).toMatchObject({ code: 0, out: 'Imported 2 mailboxes.\n' });
    const listed = await run(['list-mailboxes', ...org()]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { address: string }[]).map((m) => m.address)).toEqual(['li.na@cstnet.cn', 'zhang.wei@cstnet.cn']);
    const exported = await run(['audit', 'export', '--since', '2000-01-01', '--format', 'json', ...org()]);
    expect(exported.code).toBe(0);
    expect(new Set((JSON.parse(exported.out) as { mailbox: string }[]).map((row) => row.mailbox))).toEqual(new Set(['li.na@cstnet.cn', 'zhang.wei@cstnet.cn']));
    // The embedded store of the data folder was never opened.
    await expect(access(join(dir, 'desk', 'store'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('is all or nothing across runs: an address already in the database refuses the whole file', async () => {
    const first = join(dir, 'first.csv');
    await writeFile(first, 'address,password\nzhang.wei@cstnet.cn,first-password\n');
    expect((await run(['import-mailboxes', first, ...org()])).code).toBe(0);
    const second = join(dir, 'second.csv');
    await writeFile(second, 'address,password\nwang.fang@cstnet.cn,third-password\nzhang.wei@cstnet.cn,other-password\n');
    const refused = await run(['import-mailboxes', second, ...org()]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('a mailbox with this address exists already');
    expect((JSON.parse((await run(['list-mailboxes', ...org()])).out) as unknown[]).length).toBe(1);
  }, 60_000);

  it('takes the database and the key from the environment too', async () => {
    const saved = { db: process.env[databaseVariable], key: process.env[serverKeyVariable] };
    process.env[databaseVariable] = url;
    process.env[serverKeyVariable] = randomBytes(32).toString('base64');
    try {
      const listed = await run(['list-mailboxes', '--user-data-dir', join(dir, 'desk')]);
      expect(listed).toMatchObject({ code: 0, out: '[]\n' });
    } finally {
      for (const [name, value] of [
        [databaseVariable, saved.db],
        [serverKeyVariable, saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('serve answers mail logins from the database, two bridges at once, on their own sockets', async () => {
    const file = join(dir, 'staff.json');
    await writeFile(file, JSON.stringify([{ address: 'li.na@cstnet.cn', password: 'Li-Na-main-password-1' }]));
    expect((await run(['import-mailboxes', file, ...org()])).code).toBe(0);
    const bridges = ['a.sock', 'b.sock'].map((name) => {
      const socket = join(dir, name);
      return { socket, ...startServe(['serve', '--database', url, '--server-key-file', keyFile, '--socket', socket]) };
    });
    try {
      for (const bridge of bridges) {
        await bridge.ready();
        expect(bridge.output()).toContain(`Database: ${url}`);
        expect(
          await askMailAuth(
            bridge.socket,
            { address: 'LI.NA@cstnet.cn', secret: 'Li-Na-main-password-1', protocol: 'imap', clientAddress: '192.0.2.1' },
            { timeoutMs: 10_000 },
          ),
        ).toEqual({
          ok: true,
          via: 'main-password',
          address: 'li.na@cstnet.cn',
        });
        expect(
          await askMailAuth(
            bridge.socket,
            { address: 'li.na@cstnet.cn', secret: 'wrong', protocol: 'imap', clientAddress: '192.0.2.1' },
            { timeoutMs: 10_000 },
          ),
        ).toEqual({ ok: false, reason: 'wrong' });
      }
    } finally {
      expect((await Promise.all(bridges.map((bridge) => bridge.stop()))).map((stopped) => stopped.code)).toEqual([0, 0]);
    }
    expect(bridges.map((bridge) => bridge.errors()).join('')).not.toContain('Li-Na-main-password-1');
  }, 60_000);

  it('serve --database needs a socket to answer on, and the server key', async () => {
    const noSocket = await serveOnce(['serve', '--database', url, '--server-key-file', keyFile]);
    expect(noSocket.code).toBe(2);
    expect(noSocket.err).toContain('serve --database needs --socket PATH');
    const noKey = await serveOnce(['serve', '--database', url, '--socket', join(dir, 'c.sock')]);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('server key');
  });

  it('helpdesk acts on the database, logged with who did it', async () => {
    const file = join(dir, 'staff.csv');
    await writeFile(file, 'address,password\nli.na@cstnet.cn,first-password\n');
    expect((await run(['import-mailboxes', file, ...org()])).code).toBe(0);
    expect(await run(['helpdesk', 'revoke-devices', 'li.na@cstnet.cn', '--by', 'wang.it', ...org()])).toMatchObject({
      code: 0,
      out: 'revoke-devices done for li.na@cstnet.cn by wang.it (devices 0).\n',
    });
    const log = JSON.parse((await run(['audit', 'export', '--since', '2000-01-01', '--format', 'json', ...org()])).out) as {
      kind: string;
      detail: Record<string, string>;
    }[];
    expect(log.find((row) => row.kind === 'helpdesk-action')?.detail).toEqual({ action: 'revoke-devices', by: 'wang.it' });
  }, 60_000);

  it('refuses to start without the server key, and says where to give it', async () => {
    const result = await run(['list-mailboxes', '--database', url, '--user-data-dir', join(dir, 'desk')]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`--server-key-file FILE or ${serverKeyVariable}`);
  });

  it("stores the organisation's policy all or nothing, and policy show --database shows it with its place", async () => {
    const good = join(dir, 'organisation-policy.json');
    await writeFile(good, JSON.stringify({ enforced: { enforceTwoFactor: true, clientPasswordLimit: 5 } }));
    expect(await run(['policy', 'set', good, '--by', 'wang.it', ...org()])).toMatchObject({
      code: 0,
      out: expect.stringContaining("Stored 2 keys as the organisation's policy (by wang.it)"),
    });
    const shown = await run(['policy', 'show', '--json', ...org()]);
    expect(shown.code).toBe(0);
    expect(shown.err).toContain('stored');
    expect(
      (JSON.parse(shown.out) as { items: { key: string; value: unknown; origin?: string }[] }).items.find((item) => item.key === 'clientPasswordLimit'),
    ).toMatchObject({ value: 5, origin: 'organisation-server' });
    // A file with one bad key changes nothing.
    const bad = join(dir, 'bad-policy.json');
    await writeFile(bad, JSON.stringify({ enforced: { clientPasswordLimit: 500, enforceTwoFactor: false } }));
    const refused = await run(['policy', 'set', bad, ...org()]);
    expect([refused.code, refused.err]).toEqual([1, expect.stringContaining('clientPasswordLimit')]);
    const after = JSON.parse((await run(['policy', 'show', '--json', ...org()])).out) as { items: { key: string; value: unknown }[] };
    expect(after.items.find((item) => item.key === 'enforceTwoFactor')?.value).toBe(true);
  });

  it('refuses policy set without the organisation database: a computer takes policy from its own place', async () => {
    const file = join(dir, 'p.json');
    await writeFile(file, '{}');
    expect(await run(['policy', 'set', file, '--user-data-dir', dir])).toMatchObject({
      code: 2,
      err: expect.stringContaining('policy set stores the organisation'),
    });
  });

  it('says which database it could not open, never its password', async () => {
    const unreachable = 'postgres://mailwarden:hunter2-secret@127.0.0.1:1/nowhere';
    const result = await run(['list-mailboxes', '--database', unreachable, '--server-key-file', keyFile]);
    expect(result.code).toBe(1);
    expect(result.err).toContain("cannot open the organisation's database postgres://mailwarden:***@127.0.0.1:1/nowhere");
    expect(result.err).not.toContain('hunter2-secret');
  });
});

describe('redactDatabaseUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactDatabaseUrl('postgres://u:p@db.example.edu.cn:5432/mailwarden?sslmode=require')).toBe(
      'postgres://u:***@db.example.edu.cn:5432/mailwarden?sslmode=require',
    );
    expect(redactDatabaseUrl('postgres://db/mw')).toBe('postgres://db/mw');
    expect(redactDatabaseUrl('not a url')).toBe('(a database URL that does not parse)');
  });
});
