/**
 * Password hashing per the OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1
 * (its floor), a 16-byte salt, a 32-byte key. scrypt needs 128·N·r bytes of memory, 128 MiB
 * here, above Node's 32 MiB default `maxmem`, so maxmem is raised explicitly.
 * Used for main passwords and client passwords; backup codes use `lookupSecretScrypt`.
 */
import { scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Random } from './ports';

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** The OWASP floor. Tests may pass a cheaper cost to stay fast; the stored hash records its cost. */
export const owaspScrypt: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };

/**
 * Backup codes: scrypt N=2^14 (16 MiB, ~40 ms here) instead of 2^17 (~0.34 s). NIST SP 800-63B
 * §5.1.2.2 asks that look-up secrets under 112 bits be salted and hashed with an approved
 * password hashing scheme, which this still is. What sets the cost is how guessable the secret
 * is. A main password is chosen by a person; a backup code is 8 symbols drawn from 31 by the
 * CSPRNG, about 40 bits. Exhausting 2^39 guesses at 40 ms each is some 700 years of one core per
 * code, and the codes are single-use, replaced as a set, and sealed in the store besides. At the
 * password cost, making ten took 3.4 s and checking one, against each in turn, up to 3.4 s.
 */
export const lookupSecretScrypt: ScryptCost = { N: 2 ** 14, r: 8, p: 1 };

function derive(secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(secret.normalize('NFC'), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export class PasswordHasher {
  constructor(
    private readonly random: Random,
    readonly cost: ScryptCost = owaspScrypt,
  ) {}

  /** `scrypt$N$r$p$salt$hash`, base64url parts: self-describing, so the cost can rise later. */
  async hash(secret: string): Promise<string> {
    const salt = Buffer.from(this.random.bytes(16));
    const key = await derive(secret, salt, this.cost);
    return ['scrypt', this.cost.N, this.cost.r, this.cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(secret: string, encoded: string): Promise<boolean> {
    const parts = encoded.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
    const expected = Buffer.from(parts[5]!, 'base64url');
    const key = await derive(secret, Buffer.from(parts[4]!, 'base64url'), { N, r, p });
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** True when a hash was made with less than the current cost and should be redone at next sign-in. */
  needsRehash(encoded: string): boolean {
    const [, N, r, p] = encoded.split('$').map(Number);
    return N! < this.cost.N || r! < this.cost.r || p! < this.cost.p;
  }
}
