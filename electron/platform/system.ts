import { randomBytes, randomInt } from 'node:crypto';
import type { Clock, Random } from '../core/ports';

export const systemClock: Clock = { now: () => Date.now() };

/** node:crypto's CSPRNG; `randomInt` draws without modulo bias. */
export const cryptoRandom: Random = {
  bytes: (length) => new Uint8Array(randomBytes(length)),
  int: (maxExclusive) => randomInt(maxExclusive),
};
