/**
 * An exact cache of recent successful secret checks, as Dovecot's auth_cache keeps for mail
 * clients that log in every few minutes: the scrypt check of a secret against one stored hash is
 * remembered for a while, so the next login with the same secret against the same hash skips it.
 *
 * What is kept is a keyed hash of (the record, its stored hash, the secret), never the secret, and
 * nothing else: every login still reads the record and the mailbox as they are now and applies
 * every rule to them (electron/core/mail-login.ts). So a revoked password (no record), a changed
 * main password (another hash), a new scope, an expiry or 2FA switched on refuse the next login at
 * once, in this process and in every other one, cached or not. Only failures are never cached:
 * a wrong secret pays the full check every time.
 */
import { keyedHash } from './keyed-hash';
import type { Clock } from './ports';

export interface VerifiedSecretsOptions {
  /** How long one success is remembered; Dovecot's auth_cache_ttl defaults to an hour. */
  readonly ttlMs: number;
  /** Entries kept at most; the least recently used go first. */
  readonly capacity: number;
}

const defaultVerifiedSecrets: VerifiedSecretsOptions = { ttlMs: 15 * 60_000, capacity: 10_000 };

export class VerifiedSecrets {
  readonly #entries = new Map<string, number>();

  constructor(
    private readonly mac: Uint8Array,
    private readonly clock: Clock,
    private readonly options: VerifiedSecretsOptions = defaultVerifiedSecrets,
  ) {}

  #key(recordId: string, storedHash: string, secret: string): string {
    return keyedHash(this.mac, 'verified-secret', `${recordId}\u0000${storedHash}\u0000${secret}`);
  }

  /** True when `secret` was found to match `storedHash` of record `recordId` within the ttl. */
  has(recordId: string, storedHash: string, secret: string): boolean {
    const key = this.#key(recordId, storedHash, secret);
    const until = this.#entries.get(key);
    if (until === undefined) return false;
    this.#entries.delete(key);
    if (until <= this.clock.now()) return false;
    this.#entries.set(key, until);
    return true;
  }

  add(recordId: string, storedHash: string, secret: string): void {
    const key = this.#key(recordId, storedHash, secret);
    this.#entries.delete(key);
    this.#entries.set(key, this.clock.now() + this.options.ttlMs);
    if (this.#entries.size > this.options.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * `hasher.verify(secret, storedHash)` through the cache: a success is remembered, a failure never.
 */
export async function verifyRemembered(
  verified: VerifiedSecrets,
  hasher: { verify(secret: string, storedHash: string): Promise<boolean> },
  recordId: string,
  storedHash: string,
  secret: string,
): Promise<boolean> {
  if (verified.has(recordId, storedHash, secret)) return true;
  const matches = await hasher.verify(secret, storedHash);
  if (matches) verified.add(recordId, storedHash, secret);
  return matches;
}
