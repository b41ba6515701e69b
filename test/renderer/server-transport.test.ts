// Covers renderer/src/lib/api/server-transport.ts: the organisation server page's half of the
// bridge (bearer token per tab, trust token per browser, settings kept in the browser).
import { describe, expect, it } from 'vitest';
import { createServerTransport } from '../../renderer/src/lib/api/server-transport';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

interface Seen {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** A stand-in for the server: issues tokens, accepts those it issued, and answers per channel. */
function fakeServer(answer: (channel: string) => { status?: number; body?: unknown; headers?: Record<string, string> } = () => ({})) {
  const seen: Seen[] = [];
  let issued = 0;
  const valid = new Set<string>();
  let sessionStatus = 200;
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    seen.push({ url, headers });
    if (url === '/session') {
      if (sessionStatus !== 200) return new Response(null, { status: sessionStatus });
      const token = `token-${(issued += 1)}`;
      valid.add(token);
      return Response.json({ token });
    }
    if (!valid.has(headers.Authorization?.replace('Bearer ', '') ?? '')) return Response.json({ ok: false, code: 'unauthorized' }, { status: 401 });
    const reply = answer(decodeURIComponent(url.slice('/api/'.length)));
    return Response.json(reply.body ?? { ok: true, data: {} }, { status: reply.status ?? 200, headers: reply.headers ?? {} });
  }) as typeof fetch;
  return {
    fetchImpl,
    seen,
    revokeAll: () => valid.clear(),
    refuseSessions: (status: number) => (sessionStatus = status),
  };
}

describe('the server page transport', () => {
  it('asks for one token however many calls start at once, keeps it for the tab, and sends it as a bearer token', async () => {
    const server = fakeServer();
    const session = new MemoryStorage();
    const transport = createServerTransport({ session, local: new MemoryStorage() }, server.fetchImpl);
    await Promise.all([transport('auth:status', {}), transport('auth:directory', {}), transport('app:info', {})]);
    expect(server.seen.filter((s) => s.url === '/session')).toHaveLength(1);
    expect(session.getItem('mailwarden.connection')).toBe('token-1');
    expect(server.seen.filter((s) => s.url.startsWith('/api/')).every((s) => s.headers.Authorization === 'Bearer token-1')).toBe(true);
  });

  it('keeps the trust token the server hands over, sends it back, and forgets it when told', async () => {
    let trust: string | undefined = 'T'.repeat(43);
    const server = fakeServer(() => ({ headers: trust === undefined ? ({} as Record<string, string>) : { 'Mailwarden-Trust': trust } }));
    const local = new MemoryStorage();
    const transport = createServerTransport({ session: new MemoryStorage(), local }, server.fetchImpl);
    await transport('auth:verify-code', {});
    expect(local.getItem('mailwarden.trust')).toBe('T'.repeat(43));
    trust = undefined;
    await transport('auth:status', {});
    expect(server.seen.at(-1)!.headers['Mailwarden-Trust']).toBe('T'.repeat(43));
    trust = '';
    await transport('devices:remove', {});
    expect(local.getItem('mailwarden.trust')).toBeNull();
  });

  it('starts a new connection once when the server no longer knows the token', async () => {
    const server = fakeServer();
    const session = new MemoryStorage();
    const transport = createServerTransport({ session, local: new MemoryStorage() }, server.fetchImpl);
    await transport('auth:status', {});
    server.revokeAll();
    expect(await transport('auth:status', {})).toEqual({ ok: true, data: {} });
    expect(session.getItem('mailwarden.connection')).toBe('token-2');
  });

  it('answers unauthorized when the page is not served by an organisation server', async () => {
    const server = fakeServer();
    server.refuseSessions(405);
    const transport = createServerTransport({ session: new MemoryStorage(), local: new MemoryStorage() }, server.fetchImpl);
    expect(await transport('auth:status', {})).toEqual({ ok: false, code: 'unauthorized' });
  });

  it('keeps language and theme in this browser, never on the server, and ignores values it does not know', async () => {
    const server = fakeServer();
    const local = new MemoryStorage();
    const transport = createServerTransport({ session: new MemoryStorage(), local }, server.fetchImpl);
    expect(await transport('settings:get', {})).toEqual({ ok: true, data: { locale: 'system', theme: 'system' } });
    expect(await transport('settings:update', { theme: 'dark' })).toEqual({ ok: true, data: { locale: 'system', theme: 'dark' } });
    expect(await transport('settings:update', { locale: 'fr' })).toEqual({ ok: true, data: { locale: 'system', theme: 'dark' } });
    local.setItem('mailwarden.settings', '{not json');
    expect(await transport('settings:get', {})).toEqual({ ok: true, data: { locale: 'system', theme: 'system' } });
    expect(server.seen).toEqual([]);
  });
});
