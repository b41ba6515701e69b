/**
 * Password hashing per the OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1
 * (its floor), a 16-byte salt, a 32-byte key. scrypt needs 128·N·r bytes of memory, 128 MiB
 * here, above Node's 32 MiB default `maxmem`, so maxmem is raised explicitly.
 * Used for main passwords, client passwords and backup codes alike.
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

function derive(secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFC'), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
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

/** Cheap enough for unit tests (never for stored data). */
export const testScrypt: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };
