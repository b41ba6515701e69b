// Covers electron/cli/serve.ts (`mailwarden serve`): the headless backend answering on its
// socket, the data folder it holds, and stopping on a signal in a real process.
import { spawn } from 'node:child_process';
import { lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../electron/cli/commands';
import { parseServerAddress, serveCommand } from '../../electron/cli/serve';
import { addGrant, listGivenGrants } from '../../electron/core/grants';
import { defaultPolicy } from '../../electron/core/policy';
import { resolvedFromPolicy } from '../factories/policy';
import { silentLogger } from '../../electron/core/ports';
import { openBackend } from '../../electron/platform/compose';
import { testCall } from '../factories/call';
import { testEnvironment } from '../factories/environment';
import { freeLoopbackPort } from '../factories/loopback';
import { createMailbox } from '../factories/mailbox';
import { askMailAuth, type MailAuthRequest } from '../../electron/platform/mail-auth/client';
import { inUseLockName } from '../../electron/store/folder-lock';
import { bundleForNode, projectRoot, removeFolder, tempFolder } from '../factories/store';
import { startServe } from '../factories/cli';

let work: string;
let dataDir: string;

beforeAll(async () => {
  work = await tempFolder('serve');
});
afterAll(() => removeFolder(work));

let case_ = 0;
beforeEach(async () => {
  dataDir = join(work, `data-${(case_ += 1)}`);
});

const question = (address: string, secret: string): MailAuthRequest => ({ address, secret, protocol: 'imap', clientAddress: '192.0.2.1' });

/** Runs serve on this case's data folder with more flags, for flags it must refuse before starting: its exit code and errors. */
async function refusedWith(argv: string[]) {
  let err = '';
  const code = await serveCommand(
    ['serve', '--data', dataDir, ...argv],
    () => undefined,
    (s) => (err += s),
    Promise.resolve(),
  );
  return { code, err };
}

describe('mailwarden serve', () => {
  it('answers on DIR/mail-auth.sock (mode 0600) with the data folder’s mailboxes, and stops cleanly', async () => {
    const passwordFile = join(work, 'mailboxes.json');
    await writeFile(passwordFile, JSON.stringify([{ address: 'li.na@cstnet.cn', password: 'Li-Na-main-password-1' }]));
    expect(
      await runCli(
        ['import-mailboxes', passwordFile, '--user-data-dir', dataDir],
        () => undefined,
        () => undefined,
      ),
    ).toBe(0);

    const serve = startServe(['serve', '--data', dataDir]);
    await serve.ready();
    const socketPath = join(dataDir, 'mail-auth.sock');
    expect(serve.output()).toContain(`answering on ${socketPath}`);
    if (process.platform !== 'win32') expect((await lstat(socketPath)).mode & 0o777).toBe(0o600);

    expect(await askMailAuth(socketPath, question('LI.NA@cstnet.cn', 'Li-Na-main-password-1'), { timeoutMs: 10_000 })).toEqual({
      ok: true,
      via: 'main-password',
      address: 'li.na@cstnet.cn',
    });
    expect(await askMailAuth(socketPath, question('li.na@cstnet.cn', 'not the password'), { timeoutMs: 10_000 })).toEqual({ ok: false, reason: 'wrong' });
    expect(await askMailAuth(socketPath, question('nobody@cstnet.cn', 'whatever-password'), { timeoutMs: 10_000 })).toEqual({ ok: false, reason: 'unknown' });

    const stopped = await serve.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.err).not.toContain('Li-Na-main-password-1');
    expect(stopped.err).not.toContain('not the password');
    await expect(stat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dataDir, inUseLockName))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 30_000);

  it('also answers the Lua passdb on loopback HTTP (--http, --http-token-file) and Postfix (--sender-map), and refuses half or unsafe flags', async () => {
    const tokenFile = join(work, 'passdb.token');
    await writeFile(tokenFile, `${'t'.repeat(64)}\n`, { mode: 0o600 });
    expect(await refusedWith(['--http', '127.0.0.1:0'])).toMatchObject({ code: 2, err: expect.stringContaining('go together') });
    expect(await refusedWith(['--http', '0.0.0.0:8190', '--http-token-file', tokenFile])).toMatchObject({
      code: 2,
      err: expect.stringContaining('loopback only'),
    });
    const short = join(work, 'short.token');
    await writeFile(short, 'abc\n');
    expect(await refusedWith(['--http', '127.0.0.1:0', '--http-token-file', short])).toMatchObject({
      code: 1,
      err: expect.stringContaining('openssl rand -hex 32'),
    });

    expect(await refusedWith(['--sender-map', '0.0.0.0:10027'])).toMatchObject({ code: 2, err: expect.stringContaining('loopback only') });

    const serve = startServe(['serve', '--data', dataDir, '--http', '127.0.0.1:0', '--http-token-file', tokenFile, '--sender-map', '127.0.0.1:0']);
    await serve.ready();
    expect(serve.output()).toMatch(/answering Postfix on socketmap:inet:127\.0\.0\.1:\d+:senders/);
    const port = Number(/answering Dovecot's Lua passdb on http:\/\/127\.0\.0\.1:(\d+)\/mail-login/.exec(serve.output())?.[1]);
    const asked = await fetch(`http://127.0.0.1:${port}/mail-login`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${'t'.repeat(64)}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'user=nobody%40cstnet.cn&password=whatever&service=imap',
    });
    expect([asked.status, await asked.text()]).toEqual([200, 'no unknown']);
    expect((await serve.stop()).code).toBe(0);
  }, 30_000);

  it('applies grants on the mail server as IMAP ACLs (--imap-acl), says when it cannot, and refuses half or bad flags', async () => {
    const passwordFile = join(work, 'acl-master.password');
    await writeFile(passwordFile, 'master-secret-1\n', { mode: 0o600 });
    expect(await refusedWith(['--imap-acl', '127.0.0.1:143'])).toMatchObject({ code: 2, err: expect.stringContaining('go together') });
    expect(await refusedWith(['--imap-acl', 'mail server:143', '--imap-acl-password-file', passwordFile])).toMatchObject({
      code: 2,
      err: expect.stringContaining('not a host and port'),
    });
    expect(await refusedWith(['--imap-acl', '127.0.0.1:143', '--imap-acl-password-file', join(work, 'missing')])).toMatchObject({
      code: 1,
      err: expect.stringContaining('ENOENT'),
    });
    expect(parseServerAddress('mail.cstnet.cn:143')).toEqual({ host: 'mail.cstnet.cn', port: 143 });
    expect(parseServerAddress('[::1]:993')).toEqual({ host: '::1', port: 993 });
    expect(parseServerAddress('mail.cstnet.cn:0')).toBeNull();

    // A grant in the data folder, and a mail server that is not there.
    const backend = await openBackend(testEnvironment({ dataDir, shell: 'cli' }), silentLogger, {
      policy: resolvedFromPolicy({ ...defaultPolicy, mailServerAcls: true }),
    });
    await createMailbox(backend.core, { address: 'gonggong@cstnet.cn' });
    await createMailbox(backend.core, { address: 'li.na@cstnet.cn' });
    expect(await addGrant(backend.core, 'gonggong@cstnet.cn', testCall(), { grantee: 'li.na@cstnet.cn', level: 'read-only' })).toMatchObject({ ok: true });
    await backend.close();
    const closedPort = await freeLoopbackPort();
    const serve = startServe(['serve', '--data', dataDir, '--imap-acl', `127.0.0.1:${closedPort}`, '--imap-acl-password-file', passwordFile]);
    await serve.ready();
    expect(serve.output()).toContain(`applying grants as IMAP ACLs on 127.0.0.1:${closedPort}`);
    await vi.waitFor(() => expect(serve.errors()).toContain('mail server ACL not applied'), { timeout: 15_000, interval: 20 });
    const stopped = await serve.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.err).not.toContain('master-secret-1');
    const reopened = await openBackend(testEnvironment({ dataDir, shell: 'cli' }), silentLogger, {
      policy: resolvedFromPolicy({ ...defaultPolicy, mailServerAcls: true }),
    });
    try {
      const shown = (await listGivenGrants(reopened.core, 'gonggong@cstnet.cn'))[0]!.mailServer!;
      expect(shown.state).toBe('failed');
      expect(shown.error).toContain('cannot log in to the mail server');
    } finally {
      await reopened.close();
    }
  }, 30_000);

  it('refuses a second serve (or the app) on the same data folder while one runs', async () => {
    const first = startServe(['serve', '--data', dataDir]);
    await first.ready();
    const second = startServe(['serve', '--data', dataDir, '--socket', join(work, `other-${case_}.sock`)]);
    expect(await second.exited).toBe(1);
    expect(second.errors()).toContain('data folder already in use by another Mailwarden process');
    expect((await first.stop()).code).toBe(0);
  }, 30_000);

  it('refuses a socket another serve answers on, and takes the data folder only when it can serve', async () => {
    const socketPath = join(work, `shared-${case_}.sock`);
    const first = startServe(['serve', '--data', dataDir, '--socket', socketPath]);
    await first.ready();
    const otherData = join(work, `data-other-${case_}`);
    const second = startServe(['serve', '--data', otherData, '--socket', socketPath]);
    expect(await second.exited).toBe(1);
    expect(second.errors()).toContain(`another process already answers on ${socketPath}`);
    // It let go of its own data folder on the way out.
    await expect(stat(join(otherData, inUseLockName))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await first.stop()).code).toBe(0);
  }, 30_000);

  it('refuses to start without --data, or with a policy file that is not valid', async () => {
    let err = '';
    expect(
      await serveCommand(
        ['serve'],
        () => undefined,
        (s) => (err += s),
        Promise.resolve(),
      ),
    ).toBe(2);
    expect(err).toContain('serve needs --data DIR');
    const policy = join(work, 'bad-policy.json');
    await writeFile(policy, '{"enforceTwoFactor":"yes"}');
    err = '';
    expect(
      await serveCommand(
        ['serve', '--data', dataDir, '--policy', policy],
        () => undefined,
        (s) => (err += s),
        Promise.resolve(),
      ),
    ).toBe(1);
    expect(err).toContain('enforceTwoFactor');
  });

  it.each([[['serve', '--help']], [['serve', '-h']], [['help', 'serve']], [['--help', 'serve', '--data', 'somewhere']]])(
    '%j prints serve’s own help with exit 0 and starts nothing',
    async (argv) => {
      let out = '';
      expect(
        await runCli(
          argv,
          (s) => (out += s),
          () => undefined,
        ),
      ).toBe(0);
      expect(out).toMatch(/^Usage: mailwarden serve --data DIR/);
      expect(out).toContain('Exit codes:');
      await expect(stat(join(work, 'somewhere'))).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );

  it('is listed in the help and found wherever its flags are', async () => {
    let out = '';
    await runCli(
      ['help'],
      (s) => (out += s),
      () => undefined,
    );
    expect(out).toContain('serve --data DIR');
    const serve = startServe(['--data', dataDir, 'serve']);
    await serve.ready();
    expect((await serve.stop()).code).toBe(0);
  }, 30_000);
});

describe('mailwarden serve as its own process', () => {
  let cli: string;
  beforeAll(async () => {
    cli = await bundleForNode(join(projectRoot, 'electron/cli/index.ts'), join(work, 'bundle'));
  }, 60_000);

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops on %s with exit 0, removing its socket and lock',
    async (signal) => {
      const socketPath = join(work, `signal-${signal}.sock`);
      await mkdir(dataDir, { recursive: true });
      const child = spawn(process.execPath, [cli, 'serve', '--data', dataDir, '--socket', socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      await vi.waitFor(() => expect(out).toContain('answering on'), { timeout: 15_000, interval: 20 });
      expect(await askMailAuth(socketPath, question('x@cstnet.cn', 'some-password'), { timeoutMs: 10_000 })).toEqual({ ok: false, reason: 'unknown' });
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      clearTimeout(killer);
      expect(code).toBe(0);
      expect(out).toContain('stopped');
      await expect(stat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(join(dataDir, inUseLockName))).rejects.toMatchObject({ code: 'ENOENT' });
    },
    30_000,
  );

  it('after a SIGKILL, the next serve takes over the stale socket and the data folder at once', async () => {
    const socketPath = join(work, 'killed.sock');
    const startChild = () => {
      const child = spawn(process.execPath, [cli, 'serve', '--data', dataDir, '--socket', socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('close', () => clearTimeout(killer));
      return { child, out: () => out, err: () => err };
    };
    const first = startChild();
    await vi.waitFor(() => expect(first.out()).toContain('answering on'), { timeout: 15_000, interval: 20 });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('close', resolve));
    expect((await lstat(socketPath)).isSocket()).toBe(true);

    const second = startChild();
    await vi.waitFor(() => expect(second.out() + second.err()).toContain('answering on'), { timeout: 15_000, interval: 20 });
    expect(await askMailAuth(socketPath, question('x@cstnet.cn', 'some-password'), { timeoutMs: 10_000 })).toMatchObject({ ok: false });
    second.child.kill('SIGTERM');
    expect(await new Promise((resolve) => second.child.once('close', resolve))).toBe(0);
  }, 40_000);
});
