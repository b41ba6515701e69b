import { randomBytes, randomInt } from 'node:crypto';
import type { Clock, Random, Scheduler } from '../core/ports';

export const systemClock: Clock = { now: () => Date.now() };

/** Node's timers, unref'd: a pending one never holds the app open (what it would clean up goes at quit). */
export const systemScheduler: Scheduler = {
  after: (ms, run) => void setTimeout(run, ms).unref(),
};

/** node:crypto's CSPRNG; `randomInt` draws without modulo bias. */
export const cryptoRandom: Random = {
  bytes: (length) => new Uint8Array(randomBytes(length)),
  int: (maxExclusive) => randomInt(maxExclusive),
};
