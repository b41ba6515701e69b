import type { ScryptCost } from '../../electron/core/password-hash';

/** Cheap enough for unit tests (never for stored data). */
export const testScrypt: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };
