// Covers the mail-server bridge end to end (docs/rules.md §6, issue 5 item 6): a real Dovecot (IMAP,
// as nobody, on 127.0.0.1) runs the bundled checkpassword program, which asks the mail-auth socket
// of a real backend over a real data folder; a real smtp-server asks the same socket from its
// onAuth. imapflow and nodemailer log in as a mail client would. Once 2FA is on, the main
// password is refused and only a client password opens the mailbox, until it is revoked.
import { readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMailLogin } from '../../../electron/core/mail-login';
import { defaultPolicy } from '../../../electron/core/policy';
import { resolvedFromPolicy } from '../../factories/policy';
import { openBackend, type Backend } from '../../../electron/platform/compose';
import { createConsoleLogger } from '../../../electron/platform/logger';
import { askMailAuth, MailAuthUnavailableError } from '../../../electron/platform/mail-auth/client';
import { startMailAuthServer, type MailAuthServer } from '../../../electron/platform/mail-auth/server';
import { testCall } from '../../factories/call';
import { testEnvironment } from '../../factories/environment';
import { dovecotSkipReason, imapLogin as imapLoginTo, nobodyIds, startDovecot, type LoginOutcome, type RunningDovecot } from '../../factories/dovecot';
import { freeLoopbackPort } from '../../factories/loopback';
import { survivors } from '../../factories/processes';
import { bundleForNode, projectRoot, removeFolder, tempFolder } from '../../factories/store';

const skipReason = dovecotSkipReason();
const testerIsSkeleton = readFileSync(join(projectRoot, 'electron/platform/mail-test.ts'), 'utf8').includes('SKELETON');

const address = 'zhang.wei@cstnet.cn';
const mainPassword = 'Zhang-Wei-main-password-1';

let work: string;
let dovecot: RunningDovecot | undefined;
let imapPort: number;
let smtp: SMTPServer | undefined;
let smtpPort: number;
let backend: Backend | undefined;
let bridge: MailAuthServer | undefined;
let socketPath: string;
const logLines: string[] = [];
const user = testCall({ connection: 'dovecot-test' });

/** An IMAP login to this file's Dovecot. */
const imapLogin = (user_: string, pass: string): Promise<LoginOutcome> => imapLoginTo(imapPort, user_, pass);

/** SMTP AUTH through nodemailer's verify(): the response code of a refusal, or 'ok'. */
async function smtpLogin(user_: string, pass: string): Promise<'ok' | number | string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    auth: { user: user_, pass },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
  });
  try {
    await transport.verify();
    return 'ok';
  } catch (cause) {
    return (cause as { responseCode?: number }).responseCode ?? (cause as Error).message;
  } finally {
    transport.close();
  }
}

async function call<T>(channel: string, request: unknown): Promise<T> {
  const result = await backend!.dispatch(channel, request, user);
  if (!result.ok) throw new Error(`${channel} answered ${JSON.stringify(result)}`);
  return result.data as T;
}

const refusedByImap = { ok: false, authenticationFailed: true, code: 'AUTHENTICATIONFAILED', text: expect.stringMatching(/^Authentication failed\./) };

describe.skipIf(skipReason !== '')(`the mail-server bridge against a real Dovecot${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    work = await tempFolder('dovecot');
    // Dovecot's auth process runs the program as nobody: it must reach the bundle and the socket.
    await chmod(work, 0o755);
    const program = await bundleForNode(join(projectRoot, 'electron/cli/checkpassword.ts'), join(work, 'checkpassword'));
    const nobody = nobodyIds();

    imapPort = await freeLoopbackPort();
    smtp = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // What an SMTP server in front of the mailbox does: ask the bridge, and on no answer say
      // "try later" (454), never yes or no.
      onAuth(auth, session, callback) {
        askMailAuth(
          socketPath,
          { address: auth.username ?? '', secret: auth.password ?? '', protocol: 'smtp', clientAddress: session.remoteAddress },
          { timeoutMs: 10_000 },
        ).then(
          (answer) =>
            answer.ok ? callback(null, { user: answer.address }) : callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 })),
          (cause: unknown) =>
            callback(
              Object.assign(new Error(cause instanceof MailAuthUnavailableError ? 'Temporary authentication failure' : 'Authentication failed'), {
                responseCode: 454,
              }),
            ),
        );
      },
    });
    await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as { port: number }).port;

    const dataDir = join(work, 'data');
    backend = await openBackend(
      testEnvironment({ dataDir, shell: 'cli' }),
      createConsoleLogger('test', (line) => logLines.push(line)),
      {
        policy: resolvedFromPolicy({
          ...defaultPolicy,
          mailServer: {
            imap: { host: '127.0.0.1', port: imapPort, security: 'none' },
            smtp: { host: '127.0.0.1', port: smtpPort, security: 'none' },
            pop3: { host: '127.0.0.1', port: 1, security: 'none' },
          },
        }),
      },
    );
    const socketDir = join(work, 'bridge');
    await mkdir(socketDir, { mode: 0o755 });
    socketPath = join(socketDir, 'mail-auth.sock');
    bridge = await startMailAuthServer({
      socketPath,
      logger: createConsoleLogger('bridge', (line) => logLines.push(line)),
      verify: (r) => verifyMailLogin(backend!.core, r),
    });
    // In production serve runs as the auth user itself; here the test is root and Dovecot's auth
    // process is nobody, so the 0600 socket is handed to nobody.
    await chown(socketPath, nobody.uid, nobody.gid);

    const mail = join(work, 'mail');
    await mkdir(mail);
    await chown(mail, nobody.uid, nobody.gid);
    dovecot = await startDovecot({ work, imapPort, checkpassword: program, socketPath, mail, extra: ['auth_verbose = yes'] });
  }, 60_000);

  afterAll(async () => {
    await dovecot?.stop();
    await bridge?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await backend?.close();
    if (work) {
      const leftovers = await survivors(work, 3_000);
      for (const pid of leftovers) process.kill(pid, 'SIGKILL');
      await removeFolder(work);
      expect(leftovers, 'processes still running after Dovecot stopped').toEqual([]);
    }
  }, 30_000);

  it('main password before 2FA, refused after binding; a client password works (with or without spaces) until revoked', async () => {
    await call('auth:register', { address, password: mainPassword, confirmation: mainPassword });

    expect(await imapLogin(address, mainPassword)).toEqual({ ok: true });
    expect(await smtpLogin(address, mainPassword)).toBe('ok');
    expect(await imapLogin(address, 'not-the-password')).toEqual(refusedByImap);
    expect(await smtpLogin(address, 'not-the-password')).toBe(535);

    await call('two-factor:start-phone-binding', { phone: '+86 139 1234 5678' });
    const outbox = await call<{ messages: { text: string }[] }>('two-factor:outbox', {});
    const code = /\b(\d{6})\b/.exec(outbox.messages[0]?.text ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);
    await call('two-factor:confirm-phone-binding', { code });

    // The guide's central promise: with 2FA on, the main password no longer opens the mailbox.
    expect(await imapLogin(address, mainPassword)).toEqual(refusedByImap);
    expect(await smtpLogin(address, mainPassword)).toBe(535);

    const created = await call<{ id: string; password: string; grouped: string }>('client-passwords:create', { name: 'Dovecot 测试' });
    expect(created.grouped).toContain(' ');
    expect(await imapLogin(address, created.password)).toEqual({ ok: true });
    // As shown, with spaces: Dovecot passes the password through unchanged and the bridge accepts it.
    expect(await imapLogin(address, created.grouped)).toEqual({ ok: true });
    // The address as a person might type it: the bridge answers with the canonical one.
    expect(await imapLogin('Zhang.Wei@CSTNET.cn', created.password)).toEqual({ ok: true });
    expect(await smtpLogin(address, created.password)).toBe('ok');
    expect(await smtpLogin(address, created.grouped)).toBe('ok');

    const listed = await call<{ passwords: { id: string; lastUsedAt: number | null; lastUsedFrom: string | null }[] }>('client-passwords:list', {});
    expect(listed.passwords[0]).toMatchObject({ id: created.id, lastUsedFrom: '127.0.0.1' });

    await call('client-passwords:revoke', { id: created.id });
    expect(await imapLogin(address, created.password)).toEqual(refusedByImap);
    expect(await smtpLogin(address, created.password)).toBe(535);

    for (const secret of [mainPassword, created.password, created.grouped, code!]) {
      expect(logLines.join('\n'), 'a secret reached a log line').not.toContain(secret);
      expect(await readFile(join(work, 'dovecot.log'), 'utf8'), 'a secret reached the Dovecot log').not.toContain(secret);
    }
    // Dovecot logged the mixed-case login in as the canonical address the bridge gave back.
    const logins = [...(await readFile(join(work, 'dovecot.log'), 'utf8')).matchAll(/Login: user=<([^>]*)>/g)].map((m) => m[1]);
    expect(new Set(logins)).toEqual(new Set([address]));
  }, 40_000);

  it.skipIf(testerIsSkeleton)(
    `the test-connection channel tells each outcome in the right words${testerIsSkeleton ? ' (skipped: the connection tester is still a skeleton)' : ''}`,
    async () => {
      const created = await call<{ id: string; password: string; grouped: string }>('client-passwords:create', { name: 'Test connection' });
      type Tested = { imap: { outcome: string }; smtp: { outcome: string } };
      const test = (password: string) => call<Tested>('mail-clients:test-connection', { secret: { kind: 'typed', password } });
      expect(await test(created.grouped)).toMatchObject({ imap: { outcome: 'ok' }, smtp: { outcome: 'ok' } });
      expect(await test(mainPassword)).toMatchObject({ imap: { outcome: 'main-password' }, smtp: { outcome: 'main-password' } });
      await call('client-passwords:revoke', { id: created.id });
      expect(await test(created.password)).toMatchObject({ imap: { outcome: 'auth-refused' }, smtp: { outcome: 'auth-refused' } });
    },
    40_000,
  );

  it('with the bridge stopped, checkpassword exits 111 and Dovecot answers a temporary failure; SMTP says try later', async () => {
    const created = await call<{ password: string }>('client-passwords:create', { name: 'Bridge down' });
    await bridge!.close();
    bridge = undefined;
    expect(await imapLogin(address, created.password)).toEqual({
      ok: false,
      authenticationFailed: true,
      code: 'UNAVAILABLE',
      text: expect.stringMatching(/^Temporary authentication failure\./),
    });
    expect(await smtpLogin(address, created.password)).toBe(454);
    const log = await readFile(join(work, 'dovecot.log'), 'utf8');
    expect(log).toMatch(/mailwarden-checkpassword: temporary failure: mail-auth bridge: no-server/);
    expect(log).toMatch(/exited with status 111/);
  }, 40_000);
});
