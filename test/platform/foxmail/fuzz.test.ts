/**
 * Mutated profiles: whatever the damage, the adapter lists or refuses, never crashes, and never
 * writes a file it did not fully understand. A mutation can leave a well-formed profile (a flipped
 * bit inside a host name, say); such a file is listed writable, and for those the test checks the
 * precondition of every write instead: the parse re-serializes to the very same bytes.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FoxmailError } from '../../../electron/core/mail-clients/ports';
import { parseV7Records, serializeV7Records } from '../../../electron/platform/foxmail/profile-format';
import { fixtureProfilePath, v6ProfileBytes, v7ProfileBytes, type FixtureAccount } from '../../factories/foxmail';
import { bytesOf, installation, type Installation } from './helpers';

/** 10,000 in `npm test`; `npm run bench:long` runs 100,000 (bench/fault-long.mjs). */
export const FOXMAIL_FUZZ_CASES = Number(process.env.FOXMAIL_FUZZ_CASES ?? 10_000);
const seed = Number(process.env.FOXMAIL_FUZZ_SEED ?? 0x5eed_f0c5);

/** mulberry32: small, seeded, and the same on every machine, so a failing case number reproduces. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const account: FixtureAccount = { address: 'fuzz@cstnet.cn', displayName: '模糊测试', password: '0123456789abcdef' };
const bases: Buffer[] = [
  v7ProfileBytes(account),
  v7ProfileBytes({ ...account, protocol: 'pop3', password: '' }),
  v7ProfileBytes({ ...account, password: 'q' }),
  v6ProfileBytes(account),
];

/** Offsets of the u32 length fields of a v7 file (key lengths and string counts), to corrupt on purpose. */
function lengthFields(bytes: Buffer): number[] {
  const offsets: number[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    offsets.push(at);
    const keyLength = bytes.readUInt32LE(at);
    at += 4 + keyLength;
    const type = bytes.readUInt32LE(at);
    at += 4;
    if (type === 0x100 || type === 0x08) {
      offsets.push(at);
      at += 4 + bytes.readUInt32LE(at) * (type === 0x08 ? 2 : 1);
    } else {
      at += 4;
    }
  }
  return offsets;
}

function mutate(random: () => number, base: Buffer): Buffer {
  const int = (n: number) => Math.floor(random() * n);
  let bytes = Buffer.from(base);
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    switch (int(6)) {
      case 0: {
        const flips = 1 + int(4);
        for (let i = 0; i < flips && bytes.length > 0; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
        break;
      }
      case 1:
        bytes = bytes.subarray(0, int(bytes.length));
        break;
      case 2: {
        const at = int(bytes.length + 1);
        const inserted = Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256)));
        bytes = Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]);
        break;
      }
      case 3: {
        const at = int(bytes.length);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + int(8))]);
        break;
      }
      case 4: {
        const fields = base[0] === 0xd0 ? [] : lengthFields(base);
        const at = fields.length > 0 ? fields[int(fields.length)]! : int(Math.max(1, bytes.length - 4));
        if (at + 4 <= bytes.length) {
          const choices = [0, 1, 0xffffffff, 0x7fffffff, bytes.readUInt32LE(at) + 1, bytes.readUInt32LE(at) - 1, int(0x10000)];
          bytes.writeUInt32LE(choices[int(choices.length)]! >>> 0, at);
        }
        break;
      }
      default: {
        const from = int(bytes.length);
        const slice = bytes.subarray(from, from + 1 + int(24));
        const at = int(bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), slice, bytes.subarray(at)]);
      }
    }
  }
  return bytes;
}

/** Independent installations the cases are spread over, so file I/O overlaps. */
const lanes = 4;

describe('mutated Foxmail profiles', () => {
  const setups: Installation[] = [];
  beforeAll(async () => {
    for (let i = 0; i < lanes; i++) setups.push(await installation([account]));
  });
  afterAll(() => Promise.all(setups.map((s) => s.cleanup())));

  it(
    `${FOXMAIL_FUZZ_CASES} cases: no crash, no write to a file not fully understood (seed ${seed})`,
    async () => {
      const random = prng(seed);
      const tally = { unwritable: 0, writableRoundTrip: 0, unlisted: 0 };

      async function check(setup: Installation, n: number, mutated: Buffer): Promise<void> {
        const path = fixtureProfilePath(setup.root, account);
        await writeFile(path, mutated);
        const context = `case ${n} (seed ${seed}): ${mutated.toString('hex').slice(0, 120)}`;

        const [found] = await setup.profiles.scan();
        const listed = found?.accounts.find((a) => a.ref === path);
        const read = await setup.profiles.readPassword(path).then(
          (value) => value,
          (e: unknown) => e,
        );
        if (read !== null && typeof read !== 'string') expect(read, context).toBeInstanceOf(FoxmailError);

        if (listed?.writable) {
          const records = parseV7Records(mutated);
          expect(records, context).not.toBeNull();
          expect(Buffer.from(serializeV7Records(records!)).equals(mutated), context).toBe(true);
          tally.writableRoundTrip++;
          return;
        }
        if (listed) tally.unwritable++;
        else tally.unlisted++;
        const error = await setup.profiles.writePassword(path, 'client-pass-0000').then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, context).toBeInstanceOf(FoxmailError);
        expect((error as FoxmailError).reason, context).toMatch(/^(unsupported|not-found)$/);
        expect((await bytesOf(path)).equals(mutated), context).toBe(true);
        expect(await readdir(join(path, '..')), context).toEqual(['Account.rec0']);
      }

      for (let n = 0; n < FOXMAIL_FUZZ_CASES; n += lanes) {
        // Mutations are drawn in case order whatever the lanes do, so case n is the same on every run.
        const batch = setups.map((setup, lane) => ({ setup, n: n + lane })).filter(({ n }) => n < FOXMAIL_FUZZ_CASES);
        const cases = batch.map(({ setup, n }) => ({ setup, n, mutated: mutate(random, bases[n % bases.length]!) }));
        await Promise.all(cases.map(({ setup, n, mutated }) => check(setup, n, mutated)));
      }
      // The mutations must mostly break the structure, or the test would prove little.
      expect(tally.unwritable + tally.unlisted).toBeGreaterThan(FOXMAIL_FUZZ_CASES * 0.6);
      console.info('foxmail fuzz', tally);
      // The limit only catches a hang; it grows with the case count for the long run.
    },
    120_000 * Math.max(1, FOXMAIL_FUZZ_CASES / 10_000),
  );
});
