// Covers electron/cli/server.ts (`mailwarden server`) on a real PostgreSQL 15: the command line and
// its refusals, then two server processes on one database (issue 11, item 3): a sign-in begun on
// one finishes on the other, 200 requests racing the same rules across both never break one (the
// client-password limit among them comes from the policy stored in the database), and
// a SIGKILL of one during writes loses no write it acknowledged.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serverCommand } from '../../electron/cli/server';
import { createCoreContext } from '../../electron/core/context';
import { defaultPolicy } from '../../electron/core/policy';
import { testScrypt } from '../factories/scrypt';
import { silentLogger } from '../../electron/core/ports';
import { OutboxSmsGateway } from '../../electron/platform/sms/outbox';
import { cryptoRandom, systemClock } from '../../electron/platform/system';
import { openOrganisationStore } from '../../electron/postgres/open';
import { deriveKey, openLine, sealLine } from '../../electron/store/crypto';
import { sendHttp, type Reply } from '../factories/http';
import { createMailbox, defaultTestPassword } from '../factories/mailbox';
import { postgresSkipReason, startPostgres, type RunningPostgres } from '../factories/postgres';
import { captured, runCliCaptured } from '../factories/cli';
import { bundleForNode, projectRoot } from '../factories/store';

const skip = postgresSkipReason();

describe('mailwarden server: the command line', () => {
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => captured((out, err) => serverCommand(argv, out, err, { env, until: Promise.resolve() }));

  it('prints its help with every option and the environment variable of each', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const name of ['--listen', '--public-url', '--tls-cert', '--behind-proxy', '--database', 'MAILWARDEN_DATABASE_URL', '/health'])
      expect(out).toContain(name);
  });

  it('refuses, with exit 2 and a reason, what would be unsafe or is not understood; nothing starts', async () => {
    const unknown = await run(['--port', '80']);
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining("Unknown option '--port'")]);
    const plain = await run(['--listen', '0.0.0.0:8080', '--database', 'postgres://x/y']);
    expect([plain.code, plain.err]).toEqual([2, expect.stringContaining('would send passwords unencrypted')]);
    const noDatabase = await run([]);
    expect([noDatabase.code, noDatabase.err]).toEqual([2, expect.stringContaining('no database')]);
    const noConfig = await run(['--config', '/nonexistent/server.json']);
    expect([noConfig.code, noConfig.err]).toEqual([2, expect.stringContaining('cannot read the config file')]);
  });

  it('refuses to start without the server key, and says where to put it', async () => {
    const { code, err } = await run(['--database', 'postgres://127.0.0.1:1/none']);
    expect(code).toBe(1);
    expect(err).toContain('no server key');
  });
});

interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly out: () => string;
  readonly err: () => string;
}

describe.skipIf(skip !== '')(`two server processes on one database${skip ? ` (not run: ${skip})` : ''}`, () => {
  let postgres: RunningPostgres;
  let work: string;
  let cli: string;
  let url: string;
  let serverKey: Uint8Array;
  let keyFile: string;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  const colleagues = Array.from({ length: 24 }, (_, i) => `colleague${i}@cstnet.cn`);

  async function startServer(): Promise<ServerProcess> {
    const child = spawn(
      process.execPath,
      [cli, 'server', '--config', join(work, 'server.json'), '--listen', '127.0.0.1:0', '--database', url, '--server-key-file', keyFile, '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.once('close', () => clearTimeout(killer));
    await vi.waitFor(() => expect(out, err).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/), { timeout: 20_000, interval: 25 });
    const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    return { child, port, out: () => out, err: () => err };
  }

  async function stopServer(server: ServerProcess | undefined): Promise<number | null> {
    if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return server?.child.exitCode ?? null;
    const closed = new Promise<number | null>((resolve) => server.child.once('close', resolve));
    server.child.kill('SIGTERM');
    return closed;
  }

  beforeAll(async () => {
    postgres = await startPostgres();
    work = await mkdtemp(join(tmpdir(), 'mailwarden-server-'));
    dataDir = join(work, 'data');
    await mkdir(dataDir);
    url = await postgres.freshDatabase();
    serverKey = new Uint8Array(randomBytes(32));
    keyFile = join(work, 'server.key');
    await writeFile(keyFile, Buffer.from(serverKey).toString('base64'), { mode: 0o600 });
    // Room for the whole crowd at once: the race is about the rules, not the limits (test/server).
    await writeFile(join(work, 'server.json'), JSON.stringify({ limits: { maxInFlight: 500, requestsPerMinute: 100_000, burst: 10_000 } }));
    await writeFile(join(work, 'policy.json'), JSON.stringify({ enforced: { clientPasswordLimit: 3 } }));
    // The people, written straight into the organisation's store with the shared key.
    const opened = await openOrganisationStore({ url, serverKey, logger: silentLogger, poolSize: 2 });
    const core = createCoreContext(
      {
        store: opened.store,
        clock: systemClock,
        random: cryptoRandom,
        sms: new OutboxSmsGateway(dataDir, sealerOf(serverKey), systemClock),
        keys: opened.keys,
        logger: silentLogger,
        policy: () => defaultPolicy,
      },
      { scrypt: testScrypt },
    );
    await createMailbox(core, { address: 'alice@cstnet.cn', phone: '+8613912345678' });
    await createMailbox(core, { address: 'carol@cstnet.cn', phone: '+8613912345679' });
    await createMailbox(core, { address: 'dave@cstnet.cn', phone: '+8613912345670' });
    await createMailbox(core, { address: 'erin@cstnet.cn', phone: '+8613912345671' });
    for (const address of colleagues) await createMailbox(core, { address });
    await opened.store.close();
    // The organisation's policy, stored once in the database: both processes apply it.
    const stored = await runCliCaptured(['policy', 'set', join(work, 'policy.json'), '--database', url, '--server-key-file', keyFile, '--by', 'wang.it']);
    expect(stored.code, stored.err).toBe(0);
    cli = await bundleForNode(join(projectRoot, 'electron/cli/index.ts'), join(work, 'bundle'));
    [a, b] = await Promise.all([startServer(), startServer()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stopServer(a), stopServer(b)]);
    await postgres?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  const sealerOf = (key: Uint8Array) => {
    const fileKey = deriveKey(key, 'files');
    return {
      seal: (text: string, purpose: string) => sealLine(fileKey, text, purpose),
      open: (line: string, purpose: string) => openLine(fileKey, line, purpose),
    };
  };

  /** The newest code the test outbox holds for a mailbox (the servers share its folder). */
  async function latestCode(mailbox: string): Promise<string> {
    const outbox = new OutboxSmsGateway(dataDir, sealerOf(serverKey), systemClock);
    const [latest] = await outbox.read(mailbox);
    const code = /\b(\d{6})\b/.exec(latest?.text ?? '')?.[1];
    if (!code) throw new Error(`no code for ${mailbox}`);
    return code;
  }

  const json = (reply: Reply) => JSON.parse(reply.body) as { ok: boolean; code?: string; data?: Record<string, unknown> };
  const post = (server: ServerProcess, path: string, headers: Record<string, string>, body: unknown) =>
    sendHttp(server.port, 'POST', path, { Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', ...headers }, JSON.stringify(body));
  const token = async (server: ServerProcess) => json(await post(server, '/session', {}, {})) as unknown as { token: string };
  const api = async (server: ServerProcess, bearer: string, channel: string, body: unknown = {}) =>
    json(await post(server, `/api/${channel}`, { Authorization: `Bearer ${bearer}` }, body));

  /** Signs a mailbox in: the password on one process, the SMS code on the other. */
  async function signedIn(address: string): Promise<string> {
    const { token: bearer } = await token(a);
    expect(await api(a, bearer, 'auth:sign-in', { address, password: defaultTestPassword })).toMatchObject({ ok: true, data: { status: 'code-required' } });
    expect(await api(b, bearer, 'auth:verify-code', { code: await latestCode(address), method: 'sms', trustDevice: false })).toMatchObject({
      ok: true,
      data: { status: 'signed-in' },
    });
    return bearer;
  }

  /** Alice, signed in once for the tests that follow (a second SMS within a minute is not sent). */
  let aliceSession: Promise<string> | undefined;
  const alice = () => (aliceSession ??= signedIn('alice@cstnet.cn'));

  it('a sign-in begun on one process finishes on the other, and both know the session; a sign-out on one holds on both', async () => {
    const bearer = await signedIn('erin@cstnet.cn');
    expect(await api(a, bearer, 'auth:status')).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: 'erin@cstnet.cn' } });
    expect(await api(b, bearer, 'auth:status')).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    expect(await api(b, bearer, 'auth:sign-out')).toMatchObject({ ok: true });
    expect(await api(a, bearer, 'auth:status')).toMatchObject({ ok: true, data: { status: 'signed-out' } });
  }, 30_000);

  it('200 requests racing the same rules across both processes never break one', async () => {
    const aliceBearer = await alice();
    const either = (i: number) => (i % 2 === 0 ? a : b);

    // Carol's challenge, for the 6th wrong code; Dave's, for the same code twice.
    const { token: carol } = await token(a);
    await api(a, carol, 'auth:sign-in', { address: 'carol@cstnet.cn', password: defaultTestPassword });
    const carolCode = await latestCode('carol@cstnet.cn');
    const wrong = carolCode === '000000' ? '111111' : '000000';
    const { token: dave } = await token(b);
    await api(b, dave, 'auth:sign-in', { address: 'dave@cstnet.cn', password: defaultTestPassword });
    const daveCode = await latestCode('dave@cstnet.cn');

    const requests: Promise<{ kind: string; reply: Awaited<ReturnType<typeof api>> }>[] = [];
    for (let i = 0; i < 50; i += 1) {
      requests.push(api(either(i), aliceBearer, 'grants:add', { grantee: colleagues[0], level: 'read-only' }).then((reply) => ({ kind: 'grant', reply })));
      requests.push(api(either(i + 1), aliceBearer, 'client-passwords:create', { name: `Client ${i}` }).then((reply) => ({ kind: 'password', reply })));
      requests.push(api(either(i), carol, 'auth:verify-code', { code: wrong, method: 'sms', trustDevice: false }).then((reply) => ({ kind: 'wrong', reply })));
      requests.push(
        api(either(i + 1), dave, 'auth:verify-code', { code: daveCode, method: 'sms', trustDevice: false }).then((reply) => ({ kind: 'same', reply })),
      );
    }
    const replies = await Promise.all(requests);
    expect(replies).toHaveLength(200);
    const outcome = (kind: string) => replies.filter((r) => r.kind === kind).map((r) => (r.reply.ok ? 'ok' : r.reply.code!));
    const count = (list: string[]) => Object.fromEntries([...new Set(list)].map((v) => [v, list.filter((x) => x === v).length]));

    // Nothing failed for want of a lock or a retry.
    expect(replies.filter((r) => !r.reply.ok && ['internal', 'storage-failed', 'server-busy'].includes(r.reply.code!))).toEqual([]);
    // One grant per pair.
    expect(count(outcome('grant'))).toEqual({ ok: 1, 'grant-exists': 49 });
    // The policy's limit of 3 client passwords.
    expect(count(outcome('password'))).toEqual({ ok: 3, 'limit-reached': 47 });
    // Five wrong codes are counted, never a sixth; then even the right code is refused.
    const wrongs = count(outcome('wrong'));
    expect(wrongs['code-invalid']).toBeLessThanOrEqual(5);
    expect(wrongs.ok).toBeUndefined();
    expect(await api(a, carol, 'auth:verify-code', { code: carolCode, method: 'sms', trustDevice: false })).toMatchObject({ ok: false });
    expect(await api(b, carol, 'auth:status')).toMatchObject({ data: { status: expect.not.stringMatching(/^signed-in$/) } });
    // A code works once.
    expect(outcome('same').filter((o) => o === 'ok')).toHaveLength(1);

    // What the database holds agrees, asked through either process.
    const listed = await api(b, aliceBearer, 'client-passwords:list');
    expect((listed.data as { passwords: unknown[] }).passwords).toHaveLength(3);
    const grants = await api(a, aliceBearer, 'grants:list-given');
    expect(JSON.stringify(grants.data).match(new RegExp(colleagues[0]!, 'g'))).toHaveLength(1);
  }, 120_000);

  it('a SIGKILL of one process during writes loses no write it acknowledged', async () => {
    const aliceBearer = await alice();
    const acknowledged: string[] = [];
    const attempts = colleagues.slice(1).map((grantee) =>
      api(b, aliceBearer, 'grants:add', { grantee, level: 'send-on-behalf' })
        .then((reply) => {
          if (reply.ok) acknowledged.push(grantee);
        })
        .catch(() => undefined),
    );
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(0), { timeout: 20_000, interval: 5 });
    b.child.kill('SIGKILL');
    await Promise.all(attempts);
    const grants = JSON.stringify((await api(a, aliceBearer, 'grants:list-given')).data);
    for (const grantee of acknowledged) expect(grants, grantee).toContain(grantee);
    // The survivor still serves, and a new process on the same database takes the place of the dead one.
    b = await startServer();
    expect(await api(b, aliceBearer, 'auth:status')).toMatchObject({ data: { status: 'signed-in' } });
  }, 60_000);

  it('stops on SIGTERM with exit 0 after saying so; /health answered 200 until then', async () => {
    const health = await sendHttp(a.port, 'GET', '/health', { Host: 'lb.internal' });
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: 'ok' }]);
    expect(await stopServer(a)).toBe(0);
    expect(a.out()).toContain('stopped');
    // Its log is JSON lines with no password or code in them.
    for (const line of a.err().trim().split('\n').filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
    expect(a.err()).not.toContain(defaultTestPassword);
    a = await startServer();
  }, 30_000);
});
