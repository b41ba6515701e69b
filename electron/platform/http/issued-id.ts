/**
 * Ids a server hands out (browser mode's connection cookie) that a client cannot choose: each is
 * a random id with an HMAC under a key of this process, so a value the server never issued (a
 * cookie set by another site on the same host name, a guessed one) is refused and replaced. This
 * closes session fixation; it does not replace the token every API call carries.
 *
 * The organisation server issues its bearer tokens the same way, under a key derived from the
 * server key, so a token one process issued is accepted by every process of the organisation.
 * Its ids are 128 random bits: the token is the connection's only credential there.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class IssuedIds {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array = randomBytes(32)) {
    this.#key = key;
  }

  #mac(id: string): string {
    return createHmac('sha256', this.#key).update(id).digest('base64url').slice(0, 22);
  }

  issue(): string {
    const id = randomBytes(16).toString('base64url');
    return `${id}.${this.#mac(id)}`;
  }

  /** The id of a value this process issued; null for anything else. */
  check(value: string | undefined): string | null {
    const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/.exec(value ?? '');
    if (!match) return null;
    const given = Buffer.from(match[2]!);
    const expected = Buffer.from(this.#mac(match[1]!));
    return timingSafeEqual(given, expected) ? match[1]! : null;
  }
}
