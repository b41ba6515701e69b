// Covers electron/platform/mail-auth/http.ts and resources/dovecot/mailwarden-passdb.lua (issue 12,
// item 1): a real Dovecot 2.3 (as nobody, on 127.0.0.1) whose Lua passdb asks the loopback
// endpoint of a real backend over a real data folder. imapflow logs in as a mail client would: a
// client password opens the mailbox, the main password is refused once 2FA is on, a revoke
// refuses the very next login though the check was cached a moment before, and a bridge that
// refuses the passdb's token makes Dovecot say "try again later", never yes. Then the endpoint's
// own refusals, without Dovecot.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientPassword, revokeClientPassword } from '../../../electron/core/client-passwords';
import { verifyMailLogin } from '../../../electron/core/mail-login';
import { defaultPolicy } from '../../../electron/core/policy';
import { resolvedFromPolicy } from '../../factories/policy';
import { silentLogger } from '../../../electron/core/ports';
import { openBackend, type Backend } from '../../../electron/platform/compose';
import { startMailAuthHttp, type MailAuthHttp } from '../../../electron/platform/mail-auth/http';
import type { CallContext } from '../../../electron/core/call';
import type { CoreContext } from '../../../electron/core/context';
import type { RequestOf } from '../../../electron/shared/contract';
import { coreHandlers } from '../../factories/dispatch';
import { testCall } from '../../factories/call';
import { dovecotSkipReason, imapLogin, nobodyIds, startDovecot, type RunningDovecot } from '../../factories/dovecot';
import { testEnvironment } from '../../factories/environment';
import { freeLoopbackPort } from '../../factories/loopback';
import { createMailbox, signIn } from '../../factories/mailbox';
import { projectRoot, removeFolder, tempFolder } from '../../factories/store';

/** The password change as the channel runs it: its session level applied, then the core's rules. */
function changeMainPassword(core: CoreContext, call: CallContext, change: RequestOf<'account:change-password'>) {
  return coreHandlers(core)['account:change-password'](change, call);
}

const luaModule = '/usr/lib/dovecot/modules/auth/libauthdb_lua.so';
const skipReason = dovecotSkipReason() || (existsSync(luaModule) ? '' : 'dovecot-auth-lua is not installed');

const address = 'zhang.wei@cstnet.cn';
let mainPassword = 'Zhang-Wei-main-password-1';
const token = 'b'.repeat(64);

let work: string;
let backend: Backend;
let endpoint: MailAuthHttp;

/** The passdb script as shipped, pointed at this run's settings file instead of /etc/dovecot. */
async function installScript(settings: string): Promise<string> {
  const shipped = await readFile(join(projectRoot, 'resources/dovecot/mailwarden-passdb.lua'), 'utf8');
  const script = join(work, 'mailwarden-passdb.lua');
  const configured = shipped.replace('local config_path = "/etc/dovecot/mailwarden-passdb.conf"', `local config_path = "${settings}"`);
  expect(configured).not.toBe(shipped);
  await writeFile(script, configured, { mode: 0o644 });
  return script;
}

beforeAll(async () => {
  work = await tempFolder('lua-passdb');
  await chmod(work, 0o755);
  backend = await openBackend(testEnvironment({ dataDir: join(work, 'data'), shell: 'cli' }), silentLogger, { policy: resolvedFromPolicy(defaultPolicy) });
  endpoint = await startMailAuthHttp({ host: '127.0.0.1', port: 0, token, logger: silentLogger, verify: (request) => verifyMailLogin(backend.core, request) });
}, 60_000);

afterAll(async () => {
  await endpoint?.close();
  await backend?.close();
  if (work) await removeFolder(work);
});

describe.skipIf(skipReason !== '')(`Dovecot's Lua passdb asking Mailwarden${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let dovecot: RunningDovecot | undefined;
  let imapPort: number;

  const login = (pass: string) => imapLogin(imapPort, address, pass);

  beforeAll(async () => {
    const { uid, gid } = nobodyIds();
    const mail = join(work, 'mail');
    await mkdir(mail, { mode: 0o755 });
    const { chown } = await import('node:fs/promises');
    await chown(mail, uid, gid);
    // Readable by Dovecot's auth worker (nobody here; root:dovecot 0640 in production).
    const tokenFile = join(work, 'passdb.token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o644 });
    const settings = join(work, 'passdb.conf');
    await writeFile(settings, `url = http://127.0.0.1:${endpoint.port}/mail-login\ntoken_file = ${tokenFile}\n`, { mode: 0o644 });
    imapPort = await freeLoopbackPort();
    dovecot = await startDovecot({ work, imapPort, mail, luaPassdb: await installScript(settings), extra: ['auth_cache_size = 0'] });
    await createMailbox(backend.core, { address, password: mainPassword, phone: '+8613912345678' });
  }, 60_000);

  afterAll(async () => {
    await dovecot?.stop();
  });

  it('opens the mailbox with a client password, refuses the main password, and refuses a revoked one at once', async () => {
    const created = await createClientPassword(backend.core, address, testCall(), { name: 'Foxmail' });
    if (!created.ok) throw new Error(created.code);
    expect(await login(created.data.password)).toEqual({ ok: true });
    // Again: from the cache of recent successes this time.
    expect(await login(created.data.grouped)).toEqual({ ok: true });
    expect(await login(mainPassword)).toMatchObject({ ok: false, code: 'AUTHENTICATIONFAILED' });
    expect(await revokeClientPassword(backend.core, address, testCall(), created.data.id)).toMatchObject({ ok: true });
    expect(await login(created.data.password)).toMatchObject({ ok: false, code: 'AUTHENTICATIONFAILED' });
  }, 60_000);

  it('accepts a client password only in its scope, and refuses it at once after a main password change though it was cached', async () => {
    const smtpOnly = await createClientPassword(backend.core, address, testCall(), { name: 'Phone SMTP', scopes: ['smtp'] });
    if (!smtpOnly.ok) throw new Error(smtpOnly.code);
    expect(await login(smtpOnly.data.password)).toMatchObject({ ok: false, code: 'AUTHENTICATIONFAILED' });
    const imap = await createClientPassword(backend.core, address, testCall(), { name: 'Outlook' });
    if (!imap.ok) throw new Error(imap.code);
    expect(await login(imap.data.password)).toEqual({ ok: true });
    // Changing the main password revokes every client password (policy's default): the cached
    // success of a moment ago does not let the next login in.
    const call = testCall({ connection: 'password-change' });
    await signIn(backend.core, call, address);
    expect(
      await changeMainPassword(backend.core, call, { current: mainPassword, next: 'Zhang-Wei-main-password-2', confirmation: 'Zhang-Wei-main-password-2' }),
    ).toMatchObject({ ok: true });
    expect(await login(imap.data.password)).toMatchObject({ ok: false, code: 'AUTHENTICATIONFAILED' });
    expect(await login('Zhang-Wei-main-password-2')).toMatchObject({ ok: false, code: 'AUTHENTICATIONFAILED' });
    mainPassword = 'Zhang-Wei-main-password-2';
  }, 60_000);

  it('answers "try again later" when the bridge refuses the passdb, never lets the client in', async () => {
    await endpoint.close();
    endpoint = await startMailAuthHttp({
      host: '127.0.0.1',
      port: endpoint.port,
      token: 'c'.repeat(64),
      logger: silentLogger,
      verify: (request) => verifyMailLogin(backend.core, request),
    });
    const created = await createClientPassword(backend.core, address, testCall(), { name: 'Thunderbird' });
    if (!created.ok) throw new Error(created.code);
    expect(await login(created.data.password)).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    await endpoint.close();
    endpoint = await startMailAuthHttp({
      host: '127.0.0.1',
      port: endpoint.port,
      token,
      logger: silentLogger,
      verify: (request) => verifyMailLogin(backend.core, request),
    });
    expect(await login(created.data.password)).toEqual({ ok: true });
  }, 60_000);
});

describe('the loopback endpoint refuses what is not a well-formed question', () => {
  function post(path: string, headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: endpoint.port, path, method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: 413, body: '' }) : reject(error),
      );
      req.end(body);
    });
  }
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' };

  it('401 without the token or with another, 404 elsewhere, 400 for a missing field or an unknown service, 413 when huge', async () => {
    expect((await post('/mail-login', {}, 'user=a@b.cn&password=x&service=imap')).status).toBe(401);
    expect((await post('/mail-login', { Authorization: `Bearer ${'x'.repeat(64)}` }, 'user=a@b.cn&password=x&service=imap')).status).toBe(401);
    expect((await post('/other', auth, '')).status).toBe(404);
    expect((await post('/mail-login', auth, 'user=a@b.cn&service=imap')).status).toBe(400);
    expect((await post('/mail-login', auth, 'user=a@b.cn&password=x&service=lmtp')).status).toBe(400);
    expect((await post('/mail-login', auth, `user=a@b.cn&password=${'x'.repeat(10_000)}&service=imap`)).status).toBe(413);
  });

  it('answers an unknown address and bytes that are not a form cleanly', async () => {
    expect(await post('/mail-login', auth, 'user=nobody%40cstnet.cn&password=whatever&service=submission&rip=203.0.113.5')).toEqual({
      status: 200,
      body: 'no unknown',
    });
    expect((await post('/mail-login', auth, Buffer.from([0xff, 0xfe, 0x00, 0x26, 0x3d]))).status).toBe(400);
  }, 30_000);

  it('answers 200 questions at once, each its own answer, with no connection left behind', async () => {
    // The endpoint alone here: each real check of an unknown address spends a full scrypt hash on
    // purpose (test/core/mail-login.test.ts), which would make this a test of scrypt.
    let asked = 0;
    const quick = await startMailAuthHttp({
      host: '127.0.0.1',
      port: 0,
      token,
      logger: silentLogger,
      verify: async (request) => {
        asked += 1;
        return request.secret === 'right' ? { ok: true, via: 'client-password' } : { ok: false, reason: 'wrong' };
      },
    });
    const ask = (i: number) =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: quick.port, path: '/mail-login', method: 'POST', headers: auth }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${body}`));
        });
        req.on('error', reject);
        req.end(`user=user${i}%40cstnet.cn&password=${i % 2 === 0 ? 'right' : 'wrong'}&service=imap`);
      });
    const crowd = await Promise.all(Array.from({ length: 200 }, (_, i) => ask(i)));
    expect(crowd.filter((reply) => reply === '200 ok')).toHaveLength(100);
    expect(crowd.filter((reply) => reply === '200 no wrong')).toHaveLength(100);
    expect(asked).toBe(200);
    await quick.close();
  }, 30_000);

  it('listens on loopback only', async () => {
    await expect(
      startMailAuthHttp({ host: '0.0.0.0', port: 0, token, logger: silentLogger, verify: async () => ({ ok: false, reason: 'wrong' }) }),
    ).rejects.toThrow(/loopback only/);
  });
});
