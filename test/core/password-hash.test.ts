// Covers electron/core/password-hash.ts and electron/core/keyed-hash.ts.
import { describe, expect, it } from 'vitest';
import { keyedHash, keyedHashMatches } from '../../electron/core/keyed-hash';
import { owaspScrypt, PasswordHasher } from '../../electron/core/password-hash';
import { testScrypt } from '../factories/scrypt';
import { cryptoRandom } from '../../electron/platform/system';

describe('PasswordHasher', () => {
  it('stores at the OWASP floor by default: scrypt N=2^17, r=8, p=1', () => {
    expect(owaspScrypt).toEqual({ N: 131072, r: 8, p: 1 });
    expect(new PasswordHasher(cryptoRandom).cost).toEqual(owaspScrypt);
  });

  it('hashes at the OWASP cost within Node scrypt memory limits', async () => {
    const hasher = new PasswordHasher(cryptoRandom);
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await hasher.verify('correct horse', hash)).toBe(true);
  });

  it('salts every hash and rejects a wrong secret', async () => {
    const hasher = new PasswordHasher(cryptoRandom, testScrypt);
    const a = await hasher.hash('same');
    const b = await hasher.hash('same');
    expect(a).not.toBe(b);
    expect(await hasher.verify('same', a)).toBe(true);
    expect(await hasher.verify('Same', a)).toBe(false);
    expect(await hasher.verify('same', 'md5$whatever')).toBe(false);
    expect(await hasher.verify('same', 'scrypt$x$8$1$a$b')).toBe(false);
  });

  it('treats canonically equal Unicode the same (NFC)', async () => {
    const hasher = new PasswordHasher(cryptoRandom, testScrypt);
    expect(await hasher.verify('caf\u0065\u0301', await hasher.hash('caf\u00e9'))).toBe(true);
  });

  it('asks to rehash what was stored at a lower cost', async () => {
    const cheap = await new PasswordHasher(cryptoRandom, testScrypt).hash('x');
    expect(new PasswordHasher(cryptoRandom).needsRehash(cheap)).toBe(true);
    expect(new PasswordHasher(cryptoRandom, testScrypt).needsRehash(cheap)).toBe(false);
  });
});

describe('keyedHash', () => {
  const key = cryptoRandom.bytes(32);
  it('matches only the same secret, purpose and key', () => {
    const h = keyedHash(key, 'code', '123456');
    expect(keyedHashMatches(key, 'code', '123456', h)).toBe(true);
    expect(keyedHashMatches(key, 'code', '123457', h)).toBe(false);
    expect(keyedHashMatches(key, 'token', '123456', h)).toBe(false);
    expect(keyedHashMatches(cryptoRandom.bytes(32), 'code', '123456', h)).toBe(false);
    expect(keyedHashMatches(key, 'code', '123456', 'short')).toBe(false);
  });
});
