// Covers electron/host/server.ts and electron/platform/http/*: whatever arrives, the browser-mode
// host answers it and keeps running (issue 10, faults 2 and 8), with the page's security headers,
// server-issued connection ids and a bounded refusal log.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import { silentLogger } from '../../electron/core/ports';
import { startHost, type RunningHost } from '../../electron/host/server';
import { testCore } from '../factories/core';
import { recordingLogger } from '../factories/store';
import { sendHttp } from '../factories/http';
import { coreHandlers } from '../factories/dispatch';

const token = 'T'.repeat(43);
let host: RunningHost;
let root: string;
let now = Date.UTC(2026, 11, 4);
const logger = recordingLogger();

/** One raw request (or any bytes) on a fresh connection; resolves with the status line, or '' if closed. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(bytes.slice(0, 40))}`));
    });
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('close', () => resolve(reply.split('\r\n')[0] ?? ''));
    socket.on('error', () => resolve(reply.split('\r\n')[0] ?? ''));
    socket.end(bytes);
  });
}

const send = (method: string, path: string, headers: Record<string, string>, body?: string) => sendHttp(host.port, method, path, headers, body);

const hostHeader = () => `127.0.0.1:${host.port}`;
const api = (extra: Record<string, string> = {}) => ({ Host: hostHeader(), Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...extra });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailwarden-host-hardening-'));
  await mkdir(join(root, 'renderer'), { recursive: true });
  await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>Mailwarden</title>');
  const { core } = await testCore();
  const handlers = coreHandlers(core);
  host = await startHost({
    dispatch: createDispatcher(handlers, silentLogger),
    deviceLabel: 'Linux · test-host',
    rendererDir: join(root, 'renderer'),
    token,
    logger,
    now: () => now,
  });
});

afterAll(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

describe('any request line', () => {
  it.each([
    [
      'a malformed escape in an API path, with the token',
      () =>
        `POST /api/%E0%A4%A HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    ],
    ['an unclosed IPv6 bracket', () => `GET //[ HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`],
    ['a port out of range', () => `GET //x:99999 HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`],
    ['a lone percent sign', () => `GET //% HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`],
    ['a cross-origin image of a bad path, without the token', () => `GET //[ HTTP/1.1\r\nHost: ${hostHeader()}\r\nOrigin: https://evil.example\r\n\r\n`],
    ['a line that is not HTTP at all', () => 'HELLO THERE\r\n\r\n'],
    ['a header with a bare newline inside', () => `GET / HTTP/1.1\r\nHost: ${hostHeader()}\r\nX: a\rb\r\n\r\n`],
  ])('%s is answered with a refusal, and the host keeps serving', async (_name, request) => {
    expect(await raw(request())).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect((await send('GET', '/', { Host: hostHeader() })).status).toBe(200);
    expect((await send('POST', '/api/app:info', api(), '{}')).status).toBe(200);
  });
});

describe('the page and the API', () => {
  it('send a CSP that forbids framing, X-Frame-Options and the other security headers', async () => {
    for (const reply of [await send('GET', '/', { Host: hostHeader() }), await send('POST', '/api/app:info', api(), '{}')]) {
      expect(reply.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('accept the Bearer scheme in any case (RFC 7235)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect((await send('POST', '/api/app:info', api({ Authorization: `${scheme} ${token}` }), '{}')).status).toBe(200);
    }
  });

  it('never take a connection id the host did not issue: a chosen one is replaced', async () => {
    const chosen = 'A'.repeat(22);
    const reply = await send('POST', '/api/app:info', api({ Cookie: `mw_connection=${chosen}` }), '{}');
    const issued = String(reply.headers['set-cookie']).split(';')[0]!;
    expect(issued).toMatch(/^mw_connection=/);
    expect(issued).not.toBe(`mw_connection=${chosen}`);
    // The issued one is kept: no new cookie on the next call.
    expect((await send('POST', '/api/app:info', api({ Cookie: issued }), '{}')).headers['set-cookie']).toBeUndefined();
  });
});

describe('refused requests', () => {
  it('are logged at most 20 a minute, then counted in one summary line', async () => {
    const refusedLines = () => logger.lines.filter((line) => line.message === 'browser-mode request refused');
    const before = refusedLines().length;
    for (let n = 0; n < 100; n += 1) await send('POST', '/api/app:info', { Host: hostHeader(), 'Content-Type': 'application/json' }, '{}');
    expect(refusedLines().length - before).toBeLessThanOrEqual(20);
    now += 61_000;
    await send('POST', '/api/app:info', { Host: hostHeader(), 'Content-Type': 'application/json' }, '{}');
    const summary = logger.lines.find((line) => line.message === 'browser-mode requests refused without a log line');
    expect(summary?.fields).toMatchObject({ count: expect.any(Number) });
    expect((summary!.fields as { count: number }).count).toBeGreaterThanOrEqual(80);
  });
});
