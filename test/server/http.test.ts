// Covers electron/server/http.ts: the organisation server's front, on a real socket on loopback,
// over the real core with sessions kept in the store (as every server process keeps them).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatch } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import type { Logger } from '../../electron/core/ports';
import { createClientPassword } from '../../electron/core/client-passwords';
import { createPhoneHandoff, phoneHandoffPath, takePhoneHandoff } from '../../electron/core/phone-handoff';
import { StoredSessions } from '../../electron/core/sessions';
import { testCall } from '../factories/call';
import { defaultLimits, type ServerLimits } from '../../electron/server/config';
import { startOrganisationServer, trustHeader, type RunningOrganisationServer } from '../../electron/server/http';
import { MemorySettingsStore } from '../factories/settings';
import { testCore, type TestCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { sendHttp, type Reply } from '../factories/http';
import { fakeMailClientPorts } from '../factories/mail-clients';
import { createMailbox, defaultTestPassword } from '../factories/mailbox';
import { selfSignedCertificate, type TestCertificate } from '../factories/tls';

let root: string;
let certificate: TestCertificate;
const connectionKey = new Uint8Array(randomBytes(32));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailwarden-server-http-'));
  await mkdir(join(root, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>Mailwarden</title>');
  await writeFile(join(root, 'renderer', 'assets', 'app-1a2b3c.js'), 'console.log(1)');
  certificate = selfSignedCertificate(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Running {
  readonly server: RunningOrganisationServer;
  readonly test: TestCore;
  readonly lines: { level: string; message: string; fields?: Record<string, unknown> }[];
}

async function start(
  options: {
    limits?: Partial<ServerLimits>;
    dispatch?: (inner: Dispatch) => Dispatch;
    healthy?: () => Promise<boolean>;
    tls?: boolean;
    timeouts?: { headersMs?: number; requestMs?: number; drainMs?: number };
  } = {},
): Promise<Running> {
  const test = await testCore();
  const lines: Running['lines'] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const core = { ...test.core, sessions: new StoredSessions(test.core.store, test.core.keys.mac, test.core.clock, { sessionLifetimeMs: 12 * 3_600_000 }) };
  const publicUrl = new URL(options.tls ? 'https://mail-security.example.edu' : 'http://127.0.0.1:1');
  const handlers = createHandlers({
    mailClients: fakeMailClientPorts(),
    environment: { ...testEnvironment(), shell: 'server' },
    settingsStore: new MemorySettingsStore(),
    logger,
    core,
    phoneHandoffBase: () => publicUrl,
  });
  const inner = createDispatcher(handlers, logger);
  const server = await startOrganisationServer({
    dispatch: options.dispatch ? options.dispatch(inner) : inner,
    host: '127.0.0.1',
    port: 0,
    publicUrl,
    tls: options.tls ? { cert: certificate.cert, key: certificate.key } : null,
    behindProxy: false,
    limits: { ...defaultLimits, ...options.limits },
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    connectionKey,
    rendererDir: join(root, 'renderer'),
    logger,
    healthy: options.healthy ?? (async () => true),
    now: () => test.clock.now(),
    phoneProfiles: (token, device) => takePhoneHandoff(core, token, device),
  });
  return { server, test, lines };
}

let running: Running | null = null;
afterEach(async () => {
  await running?.server.stop();
  running = null;
});

const host = () => `127.0.0.1:${running!.server.port}`;
const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  sendHttp(running!.server.port, method, path, { Host: host(), ...headers }, body);
const json = (reply: Reply) => JSON.parse(reply.body) as Record<string, unknown>;

async function newToken(): Promise<string> {
  const reply = await send('POST', '/session', { Origin: `http://${host()}`, 'Content-Type': 'application/json' }, '{}');
  expect(reply.status).toBe(200);
  return json(reply).token as string;
}

const api = (channel: string, token: string, body: unknown = {}, extra: Record<string, string> = {}) =>
  send('POST', `/api/${channel}`, { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...extra }, JSON.stringify(body));

describe('the organisation server over HTTP', () => {
  beforeEach(async () => {
    running = await start();
  });

  it('issues a bearer token, signs in with it, and knows nobody without it; no cookie is ever set', async () => {
    await createMailbox(running!.test.core, { address: 'zhang.wei@cstnet.cn' });
    const token = await newToken();
    const signIn = await api('auth:sign-in', token, { address: 'zhang.wei@cstnet.cn', password: defaultTestPassword });
    expect(json(signIn)).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: 'zhang.wei@cstnet.cn' } });
    expect(signIn.headers['set-cookie']).toBeUndefined();
    expect(json(await api('auth:status', token))).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    // Another tab, another token: not signed in.
    expect(json(await api('auth:status', await newToken()))).toMatchObject({ ok: true, data: { status: 'signed-out' } });
    // The session lives in the store, by a keyed hash of the token: never the token itself.
    const rows = await running!.test.core.store.collection<{ _id: string }>('sessions').find({});
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token.split('.')[0]);
  });

  it("holds several mailboxes on one tab's token, one active, and answers every call for the active one (docs/rules.md §7.4)", async () => {
    const { core } = running!.test;
    for (const address of ['zhang.wei@cstnet.cn', 'office@cstnet.cn']) await createMailbox(core, { address });
    const token = await newToken();
    for (const address of ['zhang.wei@cstnet.cn', 'office@cstnet.cn']) await api('auth:sign-in', token, { address, password: defaultTestPassword });
    const names = async () => (json(await api('devices:sessions', token)).data as { sessions: unknown[] }).sessions.length;
    expect(json(await api('auth:status', token))).toMatchObject({ ok: true, data: { mailbox: 'office@cstnet.cn' } });
    expect(await names()).toBe(1);
    expect(json(await api('auth:switch', token, { mailbox: 'zhang.wei@cstnet.cn' }))).toMatchObject({ ok: true, data: { mailbox: 'zhang.wei@cstnet.cn' } });
    expect(json(await api('auth:status', token))).toMatchObject({ ok: true, data: { mailbox: 'zhang.wei@cstnet.cn' } });
    // Signing out the active one leaves the other signed in on this token, and active.
    await api('auth:sign-out', token);
    expect(json(await api('auth:mailboxes', token))).toEqual({
      ok: true,
      data: { mailboxes: [{ mailbox: 'office@cstnet.cn', displayName: 'office', active: true }], limit: 5 },
    });
    // Another tab holds none of them.
    expect(json(await api('auth:switch', await newToken(), { mailbox: 'office@cstnet.cn' }))).toEqual({ ok: false, code: 'mailbox-not-signed-in' });
  });

  it('names the address a sign-in came from in the security log', async () => {
    await createMailbox(running!.test.core, { address: 'zhang.wei@cstnet.cn' });
    const token = await newToken();
    await api('auth:sign-in', token, { address: 'zhang.wei@cstnet.cn', password: defaultTestPassword });
    const [event] = await running!.test.core.store
      .collection<{ _id: string; kind: string; device: string }>('activity')
      .find({ mailbox: 'zhang.wei@cstnet.cn', kind: 'sign-in' });
    expect(event!.device).toMatch(/ \((127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)\)$/);
  });

  it('refuses API calls without a token, with one it never issued, or one issued under another key', async () => {
    const missing = await send('POST', '/api/auth:status', { 'Content-Type': 'application/json' }, '{}');
    expect(missing.status).toBe(401);
    expect(json(missing)).toEqual({ ok: false, code: 'unauthorized' });
    const chosen = `${'A'.repeat(22)}.${'B'.repeat(22)}`;
    expect((await api('auth:status', chosen)).status).toBe(401);
    const other = await startOther();
    try {
      const foreign = json(await sendHttp(other.server.port, 'POST', '/session', { Host: `127.0.0.1:${other.server.port}` }, '{}')).token as string;
      expect((await api('auth:status', foreign)).status).toBe(401);
    } finally {
      await other.server.stop();
    }
  });

  it('accepts a token issued by another process holding the same key: a load balancer may send a tab anywhere', async () => {
    const token = await newToken();
    const twin = await startOther(connectionKey);
    try {
      const reply = await sendHttp(
        twin.server.port,
        'POST',
        '/api/auth:status',
        { Host: `127.0.0.1:${twin.server.port}`, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        '{}',
      );
      expect(reply.status).toBe(200);
    } finally {
      await twin.server.stop();
    }
  });

  it('answers what needs this computer (keychain, Foxmail, Thunderbird, files, settings) with desktop-only, and runs none of it', async () => {
    const token = await newToken();
    for (const channel of [
      'mail-clients:keychain-list',
      'mail-clients:foxmail-scan',
      'mail-clients:thunderbird-scan',
      'mail-clients:thunderbird-apply',
      'mail-clients:mac-profile-open',
      'mail-clients:test-connection',
      'settings:update',
    ]) {
      const reply = await api(channel, token, {});
      expect(json(reply), channel).toEqual({ ok: false, code: 'desktop-only' });
    }
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, before any handler runs', async () => {
    const token = await newToken();
    const rebound = await sendHttp(
      running!.server.port,
      'POST',
      '/api/auth:status',
      { Host: 'evil.example', Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      '{}',
    );
    expect(rebound.status).toBe(421);
    const origin = await api('auth:sign-in', token, { address: 'a@b.cn', password: 'x'.repeat(12) }, { Origin: 'https://evil.example' });
    expect(origin.status).toBe(403);
    expect(json(origin)).toEqual({ ok: false, code: 'forbidden-sender' });
    expect(running!.lines.some((line) => line.message === 'api')).toBe(false);
  });

  it('refuses bodies that are too large, not JSON, or not declared JSON, with clear answers', async () => {
    const token = await newToken();
    const large = await api('auth:sign-in', token, { address: 'a@b.cn', password: 'x'.repeat(defaultLimits.maxBodyBytes) });
    expect(large.status).toBe(413);
    expect(json(large)).toEqual({ ok: false, code: 'invalid-request' });
    const malformed = await send('POST', '/api/auth:status', { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, '{nope');
    expect(malformed.status).toBe(400);
    const plain = await send('POST', '/api/auth:status', { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' }, '{}');
    expect(plain.status).toBe(415);
    expect((await send('GET', '/api/auth:status', { Authorization: `Bearer ${token}` })).status).toBe(405);
  });

  it('logs one line per call with the channel, the outcome and the time, and never a password or token', async () => {
    await createMailbox(running!.test.core, { address: 'li.na@cstnet.cn' });
    const token = await newToken();
    await api('auth:sign-in', token, { address: 'li.na@cstnet.cn', password: 'a wrong password here' });
    const line = running!.lines.find((l) => l.message === 'api');
    expect(line?.fields).toMatchObject({ channel: 'auth:sign-in', result: 'sign-in-failed' });
    const all = JSON.stringify(running!.lines);
    expect(all).not.toContain('a wrong password here');
    expect(all).not.toContain(token);
  });

  it('serves the web page with its security headers; built assets may be cached, the page may not', async () => {
    const page = await send('GET', '/', {});
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await send('GET', '/assets/app-1a2b3c.js', {});
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await send('GET', '/../secret.txt', {})).status).toBe(404);
  });

  it('answers the health check without a Host it knows, and 503 once the database stops answering', async () => {
    let up = true;
    await running!.server.stop();
    running = await start({ healthy: async () => up });
    const ok = await sendHttp(running.server.port, 'GET', '/health', { Host: '10.0.0.5:8443' });
    expect([ok.status, json(ok)]).toEqual([200, { status: 'ok' }]);
    up = false;
    const down = await sendHttp(running.server.port, 'GET', '/health', { Host: '10.0.0.5:8443' });
    expect([down.status, json(down)]).toEqual([503, { status: 'database-unreachable' }]);
  });
});

/** A second server over its own core: with `key`, the same token key as the first. */
async function startOther(key: Uint8Array = new Uint8Array(randomBytes(32))): Promise<Running> {
  const test = await testCore();
  const handlers = createHandlers({
    mailClients: fakeMailClientPorts(),
    environment: testEnvironment(),
    settingsStore: new MemorySettingsStore(),
    logger: { info() {}, warn() {}, error() {} },
    core: test.core,
  });
  const server = await startOrganisationServer({
    dispatch: createDispatcher(handlers, { info() {}, warn() {}, error() {} }),
    host: '127.0.0.1',
    port: 0,
    publicUrl: new URL('http://127.0.0.1:1'),
    tls: null,
    behindProxy: false,
    limits: defaultLimits,
    connectionKey: key,
    rendererDir: join(root, 'renderer'),
    logger: { info() {}, warn() {}, error() {} },
    healthy: async () => true,
  });
  return { server, test, lines: [] };
}

describe('a phone fetching its profile by QR', () => {
  beforeEach(async () => {
    running = await start();
  });

  /** A handoff made as the phone-handoff:create channel makes it; the path of its link. */
  async function handoffPath(): Promise<{ path: string; password: string }> {
    const core = running!.test.core;
    await createMailbox(core, { address: 'zhang.wei@cstnet.cn', phone: '+8613912345678' });
    const call = testCall();
    const created = await createClientPassword(core, 'zhang.wei@cstnet.cn', call, { name: 'iPhone' });
    if (!created.ok) throw new Error(created.code);
    const handoff = await createPhoneHandoff(core, new URL('http://127.0.0.1:1'), 'zhang.wei@cstnet.cn', call, {
      id: created.data.id,
      password: created.data.password,
    });
    if (!handoff.ok) throw new Error(handoff.code);
    return { path: new URL(handoff.data.url).pathname, password: created.data.password };
  }

  it('serves the profile once, as a download Safari hands to Settings, with no token needed', async () => {
    const { path, password } = await handoffPath();
    expect(path.startsWith(phoneHandoffPath)).toBe(true);
    const reply = await send('GET', path, {
      'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-apple-aspen-config');
    expect(reply.headers['content-disposition']).toBe('attachment; filename="zhang.wei@cstnet.cn.mobileconfig"');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.body).toContain(`<string>${password}</string>`);

    const again = await send('GET', path, {});
    expect(again.status).toBe(404);
    expect(again.body).toContain('This link has been used or has expired');
    expect(again.body).toContain('此链接已使用或已过期');
    // The log says a profile went out, never the token nor the password.
    const logged = JSON.stringify(running!.lines);
    expect(logged).toContain('phone profile fetched');
    expect(logged).not.toContain(path.slice(phoneHandoffPath.length));
    expect(logged).not.toContain(password);
  });

  it('hands nothing to a HEAD or a POST, and the link still works after them', async () => {
    const { path } = await handoffPath();
    expect((await send('HEAD', path, {})).status).toBe(405);
    expect((await send('POST', path, {}, '')).status).toBe(405);
    expect((await send('GET', path, {})).status).toBe(200);
  });

  it('answers a made-up link as a used one, and a foreign Host as every request', async () => {
    await handoffPath();
    expect((await send('GET', `${phoneHandoffPath}${'A'.repeat(43)}`, {})).status).toBe(404);
    expect((await send('GET', `${phoneHandoffPath}x/../../index.html`, {})).status).toBe(404);
    const foreign = await sendHttp(running!.server.port, 'GET', `${phoneHandoffPath}${'A'.repeat(43)}`, { Host: 'attacker.example' });
    expect(foreign.status).toBe(421);
  });
});

describe('trusted devices without cookies', () => {
  it('hands the trust token over in a header, and a sign-in that sends it back skips the code', async () => {
    running = await start();
    const { core, sms } = running.test;
    await createMailbox(core, { address: 'wang.fang@cstnet.cn', phone: '+8613800138000' });
    const first = await newToken();
    const challenge = await api('auth:sign-in', first, { address: 'wang.fang@cstnet.cn', password: defaultTestPassword, trustDevice: true });
    expect(json(challenge)).toMatchObject({ ok: true, data: { status: 'code-required' } });
    const verified = await api('auth:verify-code', first, { code: sms.lastCode(), method: 'sms', trustDevice: true });
    expect(json(verified)).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    const trust = verified.headers[trustHeader];
    expect(trust).toMatch(/^[A-Za-z0-9_-]{16,128}$/);

    // A new tab of the same browser sends the token back: no code this time.
    const second = await newToken();
    const again = await api('auth:sign-in', second, { address: 'wang.fang@cstnet.cn', password: defaultTestPassword }, { [trustHeader]: String(trust) });
    expect(json(again)).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    // Without it, a code is asked for.
    const stranger = await api('auth:sign-in', await newToken(), { address: 'wang.fang@cstnet.cn', password: defaultTestPassword });
    expect(json(stranger)).toMatchObject({ ok: true, data: { status: 'code-required' } });
  });
});

describe('limits', () => {
  it('answers 429 with Retry-After once a client spends its burst, and lets it in again as time passes', async () => {
    running = await start({ limits: { requestsPerMinute: 60, burst: 3 } });
    for (let i = 0; i < 3; i += 1) expect((await send('GET', '/', {})).status).toBe(200);
    const refused = await send('GET', '/', {});
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(json(refused)).toEqual({ ok: false, code: 'too-many-requests', retryAfter: 1 });
    running.test.clock.advanceSeconds(1);
    expect((await send('GET', '/', {})).status).toBe(200);
  });

  it('answers 503 at once when its calls in flight are at the cap, and changes nothing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    running = await start({
      limits: { maxInFlight: 1 },
      dispatch: (inner) => async (channel, request, call) => {
        if (channel === 'auth:status') {
          entered();
          await gate;
        }
        return inner(channel, request, call);
      },
    });
    await createMailbox(running.test.core, { address: 'zhao.lei@cstnet.cn' });
    const token = await newToken();
    const held = api('auth:status', token);
    await inside;
    const busy = await api('auth:sign-in', token, { address: 'zhao.lei@cstnet.cn', password: defaultTestPassword });
    expect(busy.status).toBe(503);
    expect(json(busy)).toEqual({ ok: false, code: 'server-busy', retryAfter: 1 });
    release();
    expect((await held).status).toBe(200);
    expect(json(await api('auth:status', token))).toMatchObject({ data: { status: 'signed-out' } });
  });

  it('drops a client that sends its request head too slowly, and serves others meanwhile', async () => {
    running = await start({ timeouts: { headersMs: 300, requestMs: 600 } });
    const slow: Socket = connect(running.server.port, '127.0.0.1');
    const closed = new Promise<string>((resolve) => {
      let answer = '';
      slow.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      slow.on('close', () => resolve(answer));
    });
    slow.write(`GET / HTTP/1.1\r\nHost: ${host()}\r\n`);
    expect((await send('GET', '/', {})).status).toBe(200);
    expect(await closed).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('stops gracefully: a call in flight finishes, new ones are refused, health says stopping', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const started = await start({
      dispatch: (inner) => async (channel, request, call) => {
        if (channel === 'auth:status') {
          entered();
          await gate;
        }
        return inner(channel, request, call);
      },
    });
    running = started;
    const token = await newToken();
    const held = api('auth:status', token);
    await inside;
    const stopping = started.server.stop();
    release();
    const reply = await held;
    expect([reply.status, json(reply)]).toEqual([200, { ok: true, data: { status: 'signed-out' } }]);
    await stopping;
    running = null;
    await expect(sendHttp(started.server.port, 'GET', '/health', { Host: 'x' })).rejects.toThrow();
  });
});

describe('over TLS', () => {
  function sendTls(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'GET',
          headers,
          ca: certificate.cert,
          checkServerIdentity: (_name, cert) => checkServerIdentity('127.0.0.1', cert),
          timeout: 5000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('serves HTTPS with HSTS, and answers only to its public name', async () => {
    running = await start({ tls: true });
    const page = await sendTls(running.server.port, '/', { Host: 'mail-security.example.edu' });
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000');
    expect((await sendTls(running.server.port, '/', { Host: 'evil.example' })).status).toBe(421);
  });

  it('survives a client that speaks plain HTTP or garbage to the TLS port', async () => {
    running = await start({ tls: true, timeouts: { headersMs: 300 } });
    for (const garbage of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', '\x16\x03\x01\x00\x05hello']) {
      const socket = connect(running.server.port, '127.0.0.1');
      await new Promise<void>((resolve) => {
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
        // Read what the server answers (a TLS alert), or the end never comes.
        socket.resume();
        socket.write(garbage);
      });
    }
    expect((await sendTls(running.server.port, '/', { Host: 'mail-security.example.edu' })).status).toBe(200);
  });
});
