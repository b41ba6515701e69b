// Covers electron/platform/http/safe-request.ts and issued-id.ts: attacker-shaped input is read
// without throwing, and only ids this process issued are taken.
import { describe, expect, it } from 'vitest';
import { IssuedIds } from '../../../electron/platform/http/issued-id';
import { bearerTokenOf, requestPathOf } from '../../../electron/platform/http/safe-request';

describe('requestPathOf', () => {
  it.each([
    ['/api/app:info', '/api/app:info'],
    ['/api/two-factor%3Astatus?x=1', '/api/two-factor:status'],
    ['/', '/'],
    [undefined, '/'],
    ['/%E0%A4%A', null],
    ['//[', null],
    ['//x:99999', null],
    ['//%', null],
    ['http://evil.example/', null],
    ['*', null],
  ])('%j → %j', (target, path) => {
    expect(requestPathOf(target)).toBe(path);
  });
});

describe('bearerTokenOf', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   abc', 'abc'],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
    [undefined, null],
  ])('%j → %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });
});

describe('IssuedIds', () => {
  it('takes back what it issued and nothing else, not even another process’s', () => {
    const ids = new IssuedIds();
    const issued = ids.issue();
    expect(ids.check(issued)).toBe(issued.split('.')[0]);
    expect(ids.check(new IssuedIds().issue())).toBeNull();
    expect(ids.check('A'.repeat(22))).toBeNull();
    expect(ids.check(`${issued.slice(0, -1)}${issued.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(ids.check(undefined)).toBeNull();
  });
});
