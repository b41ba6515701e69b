// Covers electron/host/server.ts against a real server on loopback.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import { silentLogger } from '../../electron/core/ports';
import { startHost, type RunningHost } from '../../electron/host/server';
import { MemorySettingsStore } from '../factories/settings';
import { testCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { fakeMailClientPorts } from '../factories/mail-clients';
import { sendHttp } from '../factories/http';

const token = 'T'.repeat(43);
let host: RunningHost;
let root: string;
const store = new MemorySettingsStore();

const send = (method: string, path: string, headers: Record<string, string>, body?: string) => sendHttp(host.port, method, path, headers, body);

const apiHeaders = () => ({
  Host: `127.0.0.1:${host.port}`,
  Origin: `http://127.0.0.1:${host.port}`,
  Authorization: `Bearer ${token}`,
  'Content-Type': 'application/json',
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailwarden-host-'));
  await mkdir(join(root, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>Mailwarden</title>');
  await writeFile(join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.txt'), 'outside the renderer');
  const { core } = await testCore();
  const handlers = createHandlers({ mailClients: fakeMailClientPorts(), environment: testEnvironment(), settingsStore: store, logger: silentLogger, core });
  host = await startHost({
    dispatch: createDispatcher(handlers, silentLogger),
    deviceLabel: 'Linux · test-host',
    rendererDir: join(root, 'renderer'),
    token,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

describe('browser-mode host', () => {
  it('listens on loopback and prints the token only in the URL fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${token}`);
  });

  it('answers an API call with the handler value', async () => {
    const reply = await send('POST', '/api/app:info', apiHeaders(), '{}');
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, data: { backend: 'embedded', version: '9.9.9' } });
  });

  it('refuses an API call without the token, with a wrong one, and changes nothing', async () => {
    const { Authorization: _, ...withoutToken } = apiHeaders();
    const missing = await send('POST', '/api/settings:update', withoutToken, '{"theme":"dark"}');
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual({ ok: false, code: 'unauthorized' });
    const wrong = await send('POST', '/api/settings:update', { ...apiHeaders(), Authorization: `Bearer ${'X'.repeat(43)}` }, '{"theme":"dark"}');
    expect(wrong.status).toBe(401);
    expect((await store.read()).theme).toBe('system');
  });

  it('refuses a foreign Origin and a foreign Host', async () => {
    const origin = await send('POST', '/api/settings:update', { ...apiHeaders(), Origin: 'https://evil.example' }, '{"theme":"dark"}');
    expect(origin.status).toBe(403);
    expect(JSON.parse(origin.body)).toEqual({ ok: false, code: 'forbidden-sender' });
    const hostHeader = await send('GET', '/', { Host: `rebound.example:${host.port}` });
    expect(hostHeader.status).toBe(403);
    expect((await store.read()).theme).toBe('system');
  });

  it('refuses bodies that are not JSON, not declared as JSON, or too large', async () => {
    expect((await send('POST', '/api/app:info', apiHeaders(), '{nope')).status).toBe(400);
    expect((await send('POST', '/api/app:info', { ...apiHeaders(), 'Content-Type': 'text/plain' }, '{}')).status).toBe(415);
    expect((await send('POST', '/api/app:info', apiHeaders(), `"${'x'.repeat(1024 * 1024 + 10)}"`)).status).toBe(413);
    expect((await send('GET', '/api/app:info', apiHeaders())).status).toBe(405);
  });

  it('gives each browser its own connection in an HttpOnly cookie scripts cannot read', async () => {
    const first = await send('POST', '/api/app:info', apiHeaders(), '{}');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/^mw_connection=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}; Path=\/api\/; HttpOnly; SameSite=Strict$/);
    const again = await send('POST', '/api/app:info', { ...apiHeaders(), Cookie: setCookie.split(';')[0]! }, '{}');
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('passes a bad request on as a typed error value', async () => {
    const reply = await send('POST', '/api/settings:update', apiHeaders(), '{"theme":"neon"}');
    expect(JSON.parse(reply.body)).toEqual({ ok: false, code: 'invalid-request', fields: ['theme'] });
    const unknown = await send('POST', '/api/admin:shell', apiHeaders(), '{}');
    expect(JSON.parse(unknown.body)).toEqual({ ok: false, code: 'unknown-channel' });
  });

  it('serves the renderer and nothing outside it', async () => {
    const home = await send('GET', '/', { Host: `127.0.0.1:${host.port}` });
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.body).toContain('<title>Mailwarden</title>');
    const script = await send('GET', '/assets/app.js', { Host: `localhost:${host.port}` });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await send('GET', '/../secret.txt', { Host: `127.0.0.1:${host.port}` })).status).toBe(404);
    expect((await send('GET', '/%2e%2e/secret.txt', { Host: `127.0.0.1:${host.port}` })).status).toBe(404);
    expect((await send('GET', '/missing.js', { Host: `127.0.0.1:${host.port}` })).status).toBe(404);
    expect((await send('DELETE', '/', { Host: `127.0.0.1:${host.port}` })).status).toBe(405);
  });
});
