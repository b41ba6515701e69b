/**
 * Fault suite, contract fuzz (issue 7; docs/rules.md §12): covers electron/core/dispatch.ts with every
 * handler of electron/core/handlers.ts behind it over a real (in-memory) nedb store, and a sample
 * through each HTTP front: the browser-mode host (electron/host/server.ts) and the organisation
 * server (electron/server/http.ts, with its bearer token; its desktop-only channels answer so). Every channel gets its share of
 * FUZZ_CASES seeded malformed requests (test/fault/malformed.ts), from a signed-out caller and
 * from a signed-in mailbox with two-factor on, a client password and a grant.
 *
 * A request the contract refuses must be answered `invalid-request`. A request that happens to be
 * well typed (its strings are the edge cases) goes only to the signed-out caller and must get a
 * typed code the channel declares. Never `internal` (a handler bug), never a throw, never an error
 * in the log, and the store, settings and machine-side state after each channel's batch are
 * exactly what they were. FUZZ_SEED picks the stream; a failure names the seed and case number.
 */
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/call';
import { createDispatcher, type Dispatch } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import { collectionSpecs, type CollectionName } from '../../electron/core/store';
import { startHost, type RunningHost } from '../../electron/host/server';
import { defaultLimits } from '../../electron/server/config';
import { desktopOnlyChannels, startOrganisationServer, type RunningOrganisationServer } from '../../electron/server/http';
import { channelNames, contract, genericErrors, type Channel } from '../../electron/shared/contract';
import { MemorySettingsStore } from '../factories/settings';
import { testCall } from '../factories/call';
import { testCore, type TestCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { fakeMailClientPorts, type FakeMailClientPorts } from '../factories/mail-clients';
import { recordingLogger } from '../factories/store';
import { sendHttp } from '../factories/http';
import { edgeStrings, malformedRequest, picker, prng } from './malformed';

/** Raise for a long run: FUZZ_CASES=200000 npx vitest run test/fault/contract-fuzz.test.ts */
export const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? 0x0c0_47ac7);
const HTTP_SAMPLE = Number(process.env.FUZZ_HTTP_CASES ?? 300);

const logger = recordingLogger();
const settings = new MemorySettingsStore();
let test: TestCore;
let ports: FakeMailClientPorts;
let dispatch: Dispatch;
const anonymous = testCall({ connection: 'signed-out' });
const alice = testCall({ connection: 'alice' });

async function call(channel: string, request: unknown, who: CallContext): Promise<unknown> {
  const result = await dispatch(channel, request, who);
  if (!result.ok) throw new Error(`${channel} answered ${result.code}`);
  return result.data;
}

/** Everything a request could change: every collection, the settings, the machine-side fakes. */
async function snapshot(): Promise<string> {
  const collections: Record<string, unknown> = {};
  for (const name of Object.keys(collectionSpecs) as CollectionName[]) {
    collections[name] = (await test.store.collection(name).find({})).sort((a, b) => (a._id < b._id ? -1 : 1));
  }
  return JSON.stringify({
    collections,
    settings: await settings.read(),
    keychain: [...ports.keychain],
    foxmail: [...ports.foxmailPasswords],
    thunderbird: [...ports.thunderbirdPasswords],
    files: [...ports.files.saved.keys()],
    connectionTests: ports.tests.length,
    sms: test.sms.sent.length,
  });
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const edges = new Set(edgeStrings);

function hasEdgeString(value: unknown): boolean {
  if (typeof value === 'string') return edges.has(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasEdgeString);
}

/**
 * The next request for a channel and whether it is well typed. A well-typed request with no
 * edge-case string in it is simply a valid request (`{}` for a channel that takes nothing, a theme
 * from the list), so it is drawn again: only its edge-case strings make a well-typed request bad input.
 */
function nextRequest(channel: Channel, pick: ReturnType<typeof picker>): { request: unknown; typed: boolean } {
  const schema = contract[channel].request;
  for (;;) {
    const request = malformedRequest(schema, pick);
    const typed = isPlainObject(request) && v.safeParse(schema, request).success;
    if (!typed || hasEdgeString(request)) return { request, typed };
  }
}

/** For messages: the request's shape without its (possibly megabyte) values. */
function shapeOf(request: unknown): string {
  if (!isPlainObject(request)) return Array.isArray(request) ? 'array' : typeof request;
  return `{${Object.keys(request as object).join(',')}}`;
}

beforeAll(async () => {
  test = await testCore();
  ports = fakeMailClientPorts();
  dispatch = createDispatcher(createHandlers({ mailClients: ports, environment: testEnvironment(), settingsStore: settings, logger, core: test.core }), logger);
  const password = 'Alice-main-password-1';
  await call('auth:register', { address: 'alice@example.cn', password, confirmation: password }, alice);
  await call(
    'auth:register',
    { address: 'bob@example.cn', password: 'Bob-main-password-22', confirmation: 'Bob-main-password-22' },
    testCall({ connection: 'bob' }),
  );
  await call('two-factor:start-phone-binding', { phone: '+86 139 1234 5678' }, alice);
  await call('two-factor:confirm-phone-binding', { code: test.sms.lastCode() }, alice);
  await call('client-passwords:create', { name: 'Foxmail 办公室' }, alice);
  await call('grants:add', { grantee: 'bob@example.cn', level: 'read-only' }, alice);
  await call('settings:update', { locale: 'en' }, alice);
  logger.lines.length = 0;
});

const perChannel = Math.ceil(FUZZ_CASES / channelNames.length);

describe(`${perChannel * channelNames.length} malformed requests through the dispatcher (seed ${seed})`, () => {
  it(
    'answers each with a typed error and changes nothing',
    async () => {
      const pick = picker(prng(seed));
      let wellTyped = 0;
      for (const channel of channelNames) {
        const definition = contract[channel];
        const declared = new Set<string>([...genericErrors, ...definition.errors]);
        declared.delete('internal');
        const before = await snapshot();
        for (let n = 0; n < perChannel; n += 1) {
          const { request, typed } = nextRequest(channel, pick);
          if (typed) wellTyped += 1;
          const who = typed || pick.chance(0.5) ? anonymous : alice;
          const where = `${channel} case ${n} (seed ${seed}, ${shapeOf(request)}, ${who.connection})`;
          const result = await dispatch(channel, request, who);
          if (typed) {
            expect(result.ok, where).toBe(false);
            expect(declared, where).toContain((result as { code: string }).code);
          } else {
            expect(result, where).toMatchObject({ ok: false, code: 'invalid-request' });
          }
        }
        expect(await snapshot(), `the state after ${channel}'s batch`).toBe(before);
      }
      expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
      // Most requests are refused by the schema; some well-typed ones must reach the handlers.
      expect(wellTyped).toBeGreaterThan(channelNames.length);
      // The limit only catches a hang; it grows with the case count for the long run.
    },
    Math.max(120_000, FUZZ_CASES * 5),
  );

  it('fuzzes an unknown or odd channel name into unknown-channel', async () => {
    const pick = picker(prng(seed ^ 0x5a5a));
    for (let n = 0; n < 500; n += 1) {
      const channel = pick.one([
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'app:info\0',
        'APP:INFO',
        ' app:info',
        'app:info ',
        'auth:sign-in\u202E',
        'auth',
        ':',
        '',
        `${pick.one(channelNames)}x`,
        null,
        undefined,
        42,
        ['app:info'],
        { toString: () => 'app:info' },
      ]);
      expect(await dispatch(channel, {}, alice), `case ${n}`).toEqual({ ok: false, code: 'unknown-channel' });
    }
  });
});

/** POSTs `body` to /api/<channel> on loopback `port`, with `headers` besides Host and the JSON type. */
function postChannel(port: number, channel: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/${encodeURIComponent(channel)}`,
        headers: { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    // The server may answer 413 and close before a huge body is all sent.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: 413, body: '{"ok":false,"code":"invalid-request"}' }) : reject(error),
    );
    req.end(body);
  });
}

/**
 * HTTP_SAMPLE malformed requests over a server's HTTP front (`post`): each answered as JSON with a
 * typed error; nothing changes; nothing is logged as an error. `elsewhere`: channels the server
 * answers with one fixed code instead of running them (the organisation server's desktop-only).
 */
async function fuzzOverHttp(
  post: (channel: string, body: string | Buffer) => Promise<{ status: number; body: string }>,
  salt: number,
  elsewhere: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  const pick = picker(prng(seed ^ salt));
  const before = await snapshot();
  for (let n = 0; n < HTTP_SAMPLE; n += 1) {
    const channel: Channel = pick.one(channelNames);
    const definition = contract[channel];
    let body: string | Buffer = '';
    let stillTyped = false;
    if (n % 10 === 9) {
      // Bytes that are not UTF-8 JSON at all.
      body = Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x00, 0xc0, 0x80, 0x7d]);
    } else {
      // JSON drops undefined and turns NaN into null, which can make a bad request a valid
      // one (`{"theme":"dark"}`): draw again until what goes over the wire is still bad input.
      for (;;) {
        const { request } = nextRequest(channel, pick);
        try {
          body = JSON.stringify(request) ?? 'undefined';
        } catch {
          // Nested too deep for JSON.stringify: send the nest as text.
          body = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
          break;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          break;
        }
        stillTyped = isPlainObject(parsed) && v.safeParse(definition.request, parsed).success;
        if (!stillTyped || hasEdgeString(parsed)) break;
      }
    }
    const reply = await post(channel, body);
    const where = `${channel} case ${n} (seed ${seed})`;
    expect([200, 400, 413], where).toContain(reply.status);
    const result = JSON.parse(reply.body) as { ok: boolean; code?: string };
    expect(result.ok, where).toBe(false);
    if (elsewhere.has(channel) && reply.status === 200) expect(result.code, where).toBe(elsewhere.get(channel));
    else if (stillTyped) expect([...genericErrors.filter((c) => c !== 'internal'), ...definition.errors], where).toContain(result.code);
    else expect(result.code, where).toBe('invalid-request');
  }
  expect(await snapshot()).toBe(before);
  expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
}

describe(`a sample of ${HTTP_SAMPLE} through the browser-mode host`, () => {
  const token = 'F'.repeat(43);
  let host: RunningHost;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mailwarden-fuzz-host-'));
    host = await startHost({ dispatch, deviceLabel: 'Linux · fuzz', rendererDir: root, token, logger });
  });
  afterAll(async () => {
    await host?.close();
    await rm(root, { recursive: true, force: true });
  });

  const post = (channel: string, body: string | Buffer) =>
    postChannel(host.port, channel, body, { Origin: `http://127.0.0.1:${host.port}`, Authorization: `Bearer ${token}` });

  it('answers each as JSON with a typed error and changes nothing', () => fuzzOverHttp(post, 0x4877), Math.max(60_000, HTTP_SAMPLE * 200));
});

describe(`a sample of ${HTTP_SAMPLE} through the organisation server`, () => {
  let server: RunningOrganisationServer;
  let root: string;
  let bearer: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mailwarden-fuzz-server-'));
    server = await startOrganisationServer({
      dispatch,
      host: '127.0.0.1',
      port: 0,
      publicUrl: new URL('http://127.0.0.1:1'),
      tls: null,
      behindProxy: false,
      limits: { ...defaultLimits, requestsPerMinute: 1_000_000, burst: 1_000_000 },
      connectionKey: new Uint8Array(32).fill(7),
      rendererDir: root,
      logger,
      healthy: async () => true,
    });
    const issued = await sendHttp(server.port, 'POST', '/session', { Host: `127.0.0.1:${server.port}` }, '{}');
    bearer = (JSON.parse(issued.body) as { token: string }).token;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const post = (channel: string, body: string | Buffer) => postChannel(server.port, channel, body, { Authorization: `Bearer ${bearer}` });

  it(
    'answers each as JSON with a typed error and changes nothing',
    () => fuzzOverHttp(post, 0x5e7, new Map([...desktopOnlyChannels].map((channel) => [channel, 'desktop-only']))),
    Math.max(60_000, HTTP_SAMPLE * 200),
  );
});
