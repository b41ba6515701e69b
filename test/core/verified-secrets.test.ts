// Covers electron/core/verified-secrets.ts: what the cache remembers, for how long, how many.
import { describe, expect, it } from 'vitest';
import { VerifiedSecrets, verifyRemembered } from '../../electron/core/verified-secrets';
import { FakeClock } from '../factories/clock';

const mac = new Uint8Array(32).fill(3);

describe('VerifiedSecrets', () => {
  it('remembers a success for its record, hash and secret only', () => {
    const cache = new VerifiedSecrets(mac, new FakeClock(), { ttlMs: 1000, capacity: 10 });
    cache.add('record-1', 'hash-a', 'secret');
    expect(cache.has('record-1', 'hash-a', 'secret')).toBe(true);
    expect(cache.has('record-1', 'hash-b', 'secret')).toBe(false);
    expect(cache.has('record-2', 'hash-a', 'secret')).toBe(false);
    expect(cache.has('record-1', 'hash-a', 'Secret')).toBe(false);
  });

  it('forgets after its time, and the least recently used first when full', () => {
    const clock = new FakeClock();
    const cache = new VerifiedSecrets(mac, clock, { ttlMs: 1000, capacity: 2 });
    cache.add('a', 'h', 's');
    cache.add('b', 'h', 's');
    expect(cache.has('a', 'h', 's')).toBe(true);
    cache.add('c', 'h', 's');
    expect([cache.has('a', 'h', 's'), cache.has('b', 'h', 's'), cache.has('c', 'h', 's')]).toEqual([true, false, true]);
    clock.advance(1000);
    expect(cache.has('a', 'h', 's')).toBe(false);
  });

  it('through verifyRemembered: a success is checked once, a failure every time', async () => {
    const cache = new VerifiedSecrets(mac, new FakeClock());
    let checks = 0;
    const hasher = {
      verify: async (secret: string) => {
        checks += 1;
        return secret === 'right';
      },
    };
    expect([await verifyRemembered(cache, hasher, 'r', 'h', 'right'), await verifyRemembered(cache, hasher, 'r', 'h', 'right')]).toEqual([true, true]);
    expect(checks).toBe(1);
    expect([await verifyRemembered(cache, hasher, 'r', 'h', 'wrong'), await verifyRemembered(cache, hasher, 'r', 'h', 'wrong')]).toEqual([false, false]);
    expect(checks).toBe(3);
  });
});
