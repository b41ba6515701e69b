/** Covers renderer/src/lib/api/http-transport.ts: browser mode's token handling and transport. */
import { describe, expect, it, vi } from 'vitest';
import { createHttpTransport, takeToken } from '../../renderer/src/lib/api/http-transport';

function places(hash: string, stored: string | null = null) {
  const storage = { getItem: vi.fn(() => stored), setItem: vi.fn() };
  const history = { state: null, replaceState: vi.fn() };
  return { location: { hash, pathname: '/', search: '' }, storage, history };
}

describe('takeToken', () => {
  it('takes the token from the fragment, keeps it for reloads and clears the address bar', () => {
    const p = places('#token=abc_DEF-123');
    expect(takeToken(p)).toBe('abc_DEF-123');
    expect(p.storage.setItem).toHaveBeenCalledWith('mailwarden.token', 'abc_DEF-123');
    expect(p.history.replaceState).toHaveBeenCalledWith(null, '', '/');
  });

  it('after a reload uses the kept token and leaves the address alone', () => {
    const p = places('#/settings', 'kept');
    expect(takeToken(p)).toBe('kept');
    expect(p.history.replaceState).not.toHaveBeenCalled();
  });

  it('has no token when neither the fragment nor the session holds one', () => {
    expect(takeToken(places(''))).toBeNull();
  });
});

function answering(answer: () => Promise<Response>) {
  return vi.fn<typeof fetch>(answer);
}

describe('createHttpTransport', () => {
  it('POSTs JSON to the encoded channel with the bearer token', async () => {
    const fetchImpl = answering(async () => Response.json({ ok: true, data: { a: 1 } }));
    const result = await createHttpTransport('tok', fetchImpl)('settings:update', { theme: 'dark' });
    expect(result).toEqual({ ok: true, data: { a: 1 } });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/settings%3Aupdate');
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer tok' });
    expect(init?.body).toBe('{"theme":"dark"}');
  });

  it('sends no Authorization header without a token', async () => {
    const fetchImpl = answering(async () => Response.json({ ok: false, code: 'unauthorized' }, { status: 401 }));
    expect(await createHttpTransport(null, fetchImpl)('app:info', {})).toEqual({ ok: false, code: 'unauthorized' });
    expect(fetchImpl.mock.calls[0]![1]?.headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('passes an error result through with its details', async () => {
    const fetchImpl = answering(async () => Response.json({ ok: false, code: 'invalid-request', fields: ['locale'] }));
    expect(await createHttpTransport('t', fetchImpl)('settings:update', {})).toEqual({
      ok: false,
      code: 'invalid-request',
      fields: ['locale'],
    });
  });

  it.each([
    ['a network failure', () => Promise.reject(new TypeError('Failed to fetch'))],
    ['a non-JSON answer', async () => new Response('<html>', { status: 502 })],
    ['JSON that is not a result', async () => Response.json({ hello: 'world' })],
    ['an unknown error code', async () => Response.json({ ok: false, code: 'made-up' })],
    ['a success without data', async () => Response.json({ ok: true })],
  ])('turns %s into an internal error', async (_, answer) => {
    const result = await createHttpTransport('t', answering(answer as () => Promise<Response>))('app:info', {});
    expect(result).toEqual({ ok: false, code: 'internal' });
  });
});
