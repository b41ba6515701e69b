// Covers electron/platform/organisation-client.ts: the desktop's line to the organisation server,
// against the real server front (electron/server/http.ts) on loopback over the real core, in
// plain HTTP and in TLS with a pinned certificate.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/call';
import { createDispatcher, type Dispatch } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import type { Logger } from '../../electron/core/ports';
import { StoredSessions } from '../../electron/core/sessions';
import { createOrganisationClient, failureOf, nodeHttpPost, type OrganisationClient } from '../../electron/platform/organisation-client';
import { defaultLimits, type ServerLimits } from '../../electron/server/config';
import { startOrganisationServer, type RunningOrganisationServer } from '../../electron/server/http';
import { ok } from '../../electron/shared/result';
import { MemorySettingsStore } from '../factories/settings';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { fakeMailClientPorts } from '../factories/mail-clients';
import { createMailbox, defaultTestPassword } from '../factories/mailbox';
import { selfSignedCertificate, type TestCertificate } from '../factories/tls';

const alice = 'alice@cstnet.cn';
let root: string;
let certificate: TestCertificate;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailwarden-org-client-'));
  certificate = selfSignedCertificate(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Seen {
  channel: string;
  device: CallContext['device'];
  trust: string | undefined;
}

interface Running {
  readonly server: RunningOrganisationServer;
  readonly seen: Seen[];
  readonly url: URL;
}

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startServer(options: { tls?: boolean; limits?: Partial<ServerLimits>; wrap?: (inner: Dispatch) => Dispatch } = {}): Promise<Running> {
  const test = await testCore();
  await createMailbox(test.core, { address: alice });
  const core = { ...test.core, sessions: new StoredSessions(test.core.store, test.core.keys.mac, test.core.clock, { sessionLifetimeMs: 3_600_000 }) };
  const logger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const inner = createDispatcher(
    createHandlers({
      mailClients: fakeMailClientPorts(),
      environment: testEnvironment({ shell: 'server' }),
      settingsStore: new MemorySettingsStore(),
      logger,
      core,
    }),
    logger,
  );
  const seen: Seen[] = [];
  const watched: Dispatch = async (channel, request, call) => {
    seen.push({ channel: String(channel), device: call.device, trust: await call.trust.get() });
    return (options.wrap ? options.wrap(inner) : inner)(channel, request, call);
  };
  const server = await startOrganisationServer({
    dispatch: watched,
    host: '127.0.0.1',
    port: 0,
    publicUrl: new URL(options.tls ? 'https://127.0.0.1' : 'http://127.0.0.1'),
    tls: options.tls ? { cert: certificate.cert, key: certificate.key } : null,
    behindProxy: false,
    limits: { ...defaultLimits, ...options.limits },
    connectionKey: new Uint8Array(randomBytes(32)),
    rendererDir: root,
    logger,
    healthy: async () => true,
    // The rate limit's clock stands still: a slow machine cannot refill the bucket mid-test.
    now: () => test.clock.now(),
  });
  stops.push(() => server.stop());
  return { server, seen, url: new URL(`${options.tls ? 'https' : 'http'}://127.0.0.1:${server.port}/`) };
}

function client(url: URL, options: { ca?: Buffer } = {}): OrganisationClient & { lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    warn: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    error: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
  const post = nodeHttpPost(options.ca ? { ca: options.ca } : {});
  stops.push(() => post.close());
  return {
    ...createOrganisationClient({ url, post, userAgent: 'Mailwarden/1.2.3 (Linux)', deviceLabel: 'Linux · 实验室-07', logger, timeoutMs: 5_000 }),
    lines,
  };
}

describe("the desktop's line to the organisation server", () => {
  it('signs in per window, and names this computer and app to the server', async () => {
    const running = await startServer();
    const line = client(running.url);
    const window1 = testCall({ connection: 'window:1' });
    const window2 = testCall({ connection: 'window:2' });
    const signedIn = await line.call('auth:sign-in', { address: alice, password: defaultTestPassword }, window1);
    expect(signedIn).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: alice } });
    expect(await line.call('auth:status', {}, window1)).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    expect(await line.call('auth:status', {}, window2)).toEqual({ ok: true, data: { status: 'signed-out' } });
    // The server adds the address it saw the desktop come from, for the security log.
    expect(running.seen[0]!.device).toEqual({ label: 'Linux · 实验室-07', client: 'Mailwarden 1.2.3', address: '127.0.0.1' });
    // A closed window's token is dropped: the same name later is a new, signed-out connection.
    line.forget('window:1');
    expect(await line.call('auth:status', {}, window1)).toEqual({ ok: true, data: { status: 'signed-out' } });
    expect(line.lines.join('\n')).not.toContain(defaultTestPassword);
  });

  it('carries the trusted-device token both ways and forgets it when the server says so', async () => {
    const token = 'T'.repeat(43);
    const running = await startServer({
      wrap: (inner) => async (channel, request, call) => {
        if (channel === 'auth:status') await call.trust.set((await call.trust.get()) ? undefined : token);
        return inner(channel, request, call);
      },
    });
    const line = client(running.url);
    const call = testCall();
    await line.call('auth:status', {}, call);
    expect(call.trust.current).toBe(token);
    await line.call('auth:directory', {}, call);
    expect(running.seen.at(-1)!.trust).toBe(token);
    await line.call('auth:status', {}, call);
    expect(call.trust.current).toBeUndefined();
  });

  it('trusts a pinned certificate, and refuses a server whose certificate is not trusted', async () => {
    const running = await startServer({ tls: true });
    expect(await client(running.url, { ca: certificate.cert }).call('auth:status', {}, testCall())).toEqual({ ok: true, data: { status: 'signed-out' } });
    const unpinned = client(running.url);
    expect(await unpinned.call('auth:sign-in', { address: alice, password: defaultTestPassword }, testCall())).toEqual({ ok: false, code: 'server-untrusted' });
    expect(unpinned.lines.join('\n')).toContain('server-untrusted');
    expect(unpinned.lines.join('\n')).not.toContain(defaultTestPassword);
    // Nothing reached the server's handlers from the untrusted attempt.
    expect(running.seen.filter((entry) => entry.channel === 'auth:sign-in')).toHaveLength(0);
  });

  it('says the server cannot be reached when nothing listens', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const free = (probe.address() as { port: number }).port;
        probe.close(() => resolve(free));
      });
    });
    expect(await client(new URL(`http://127.0.0.1:${port}/`)).call('auth:status', {}, testCall())).toEqual({ ok: false, code: 'server-unreachable' });
    expect(failureOf(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('server-unreachable');
    expect(failureOf(new TypeError('net::ERR_CERT_AUTHORITY_INVALID'))).toBe('server-untrusted');
  });

  it("passes the server's rate refusal on with when to try again", async () => {
    const running = await startServer({ limits: { requestsPerMinute: 60, burst: 2 } });
    const line = client(running.url);
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await line.call('auth:status', {}, testCall()));
    expect(answers.at(-1)).toMatchObject({ ok: false, code: 'too-many-requests', retryAfter: expect.any(Number) });
  });

  it('refuses an answer that is not what the contract says, rather than showing it', async () => {
    const running = await startServer({
      wrap: (inner) => async (channel, request, call) => (channel === 'auth:status' ? ok({ status: 'signed-in', mailbox: 42 }) : inner(channel, request, call)),
    });
    const line = client(running.url);
    expect(await line.call('auth:status', {}, testCall())).toEqual({ ok: false, code: 'server-incompatible' });
    expect(line.lines.join('\n')).toContain('answer does not match the contract');
  });
});
