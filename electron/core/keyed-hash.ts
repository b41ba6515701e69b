/**
 * Keyed hashes for short-lived or looked-up secrets (verification codes, trust tokens, lookup
 * ids): HMAC-SHA-256 under the backend's mac key, compared in constant time. A stolen store
 * without the key reveals nothing, and a 6-digit code cannot be brute-forced offline from it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function keyedHash(key: Uint8Array, purpose: string, secret: string): string {
  return createHmac('sha256', key).update(purpose).update('\0').update(secret).digest('base64url');
}

export function keyedHashMatches(key: Uint8Array, purpose: string, secret: string, expected: string): boolean {
  const actual = Buffer.from(keyedHash(key, purpose, secret));
  const wanted = Buffer.from(expected);
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}
