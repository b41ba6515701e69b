// Covers electron/host/guard.ts.
import { describe, expect, it } from 'vitest';
import { checkRequest, type RequestFacts } from '../../electron/host/guard';
import { isLoopbackAddress, tokensEqual } from '../../electron/platform/http/safe-request';

const token = 'abcdefghijklmnopqrstuvwxyz012345';
const good: RequestFacts = { remoteAddress: '127.0.0.1', host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000', authorization: `Bearer ${token}` };

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1'])('accepts %s', (a) => expect(isLoopbackAddress(a)).toBe(true));
  it.each(['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '0.0.0.0', '', undefined, 'localhost'])('refuses %s', (a) =>
    expect(isLoopbackAddress(a)).toBe(false),
  );
});

describe('checkRequest', () => {
  it('lets the app itself in', () => {
    expect(checkRequest(good, 4000, token, true)).toBe('ok');
    expect(checkRequest({ ...good, host: 'localhost:4000', origin: 'http://localhost:4000' }, 4000, token, true)).toBe('ok');
    expect(checkRequest({ ...good, origin: undefined }, 4000, token, true)).toBe('ok');
  });

  it('refuses a peer that is not on this machine', () => {
    expect(checkRequest({ ...good, remoteAddress: '192.168.1.20' }, 4000, token, true)).toBe('not-loopback');
    expect(checkRequest({ ...good, remoteAddress: '192.168.1.20' }, 4000, token, false)).toBe('not-loopback');
  });

  it('refuses a foreign Host header (DNS rebinding)', () => {
    expect(checkRequest({ ...good, host: 'evil.example:4000' }, 4000, token, true)).toBe('foreign-host');
    expect(checkRequest({ ...good, host: '127.0.0.1:4001' }, 4000, token, false)).toBe('foreign-host');
    expect(checkRequest({ ...good, host: undefined }, 4000, token, false)).toBe('foreign-host');
  });

  it('refuses a foreign Origin, even with the right token', () => {
    expect(checkRequest({ ...good, origin: 'https://evil.example' }, 4000, token, true)).toBe('foreign-origin');
    expect(checkRequest({ ...good, origin: 'null' }, 4000, token, true)).toBe('foreign-origin');
    expect(checkRequest({ ...good, origin: 'https://127.0.0.1:4000' }, 4000, token, true)).toBe('foreign-origin');
  });

  it('refuses an API call without the right token', () => {
    expect(checkRequest({ ...good, authorization: undefined }, 4000, token, true)).toBe('unauthorized');
    expect(checkRequest({ ...good, authorization: `Bearer ${token.slice(0, -1)}x` }, 4000, token, true)).toBe('unauthorized');
    expect(checkRequest({ ...good, authorization: token }, 4000, token, true)).toBe('unauthorized');
    expect(checkRequest({ ...good, authorization: undefined }, 4000, token, false)).toBe('ok');
  });

  it('compares tokens of any length without throwing', () => {
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual('short', token)).toBe(false);
  });
});
