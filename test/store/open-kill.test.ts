// Covers electron/store/open.ts, electron/store/nedb-store.ts and electron/store/repair.ts: an
// acknowledged write survives SIGKILL (docs/rules.md §12), and the store opens after every kill.
// Fault suite item 1 of issue 7: a writer child makes up to KILL_WRITES mixed writes (inserts,
// replaces, removes in two collections) and is killed at a random one of them, KILL_ROUNDS times
// on one data folder. `npm test` runs 5 rounds; `npm run bench:long` runs 20 × 1,000.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/ports';
import type { CollectionName } from '../../electron/core/store';
import { openEmbeddedStore } from '../../electron/store/open';
import { bundleForNode, projectRoot, removeFolder, tempFolder } from '../factories/store';

export const rounds = Number(process.env.KILL_ROUNDS ?? 5);
export const writesPerRound = Number(process.env.KILL_WRITES ?? 1_000);
const collections: CollectionName[] = ['grants', 'activity'];

let work: string;
let child: string;

beforeAll(async () => {
  work = await tempFolder('kill');
  child = await bundleForNode(join(projectRoot, 'test/store/fixtures/writer-child.ts'), join(work, 'bundle'));
}, 30_000);

afterAll(() => removeFolder(work));

interface Write {
  readonly op: 'insert' | 'replace' | 'remove';
  /** `<collection> <id>` */
  readonly key: string;
  /** The record's value after the write; null once removed. */
  readonly value: string | null;
}

interface Round {
  readonly acknowledged: Write[];
  /** The write announced but not acknowledged when the kill came: it may or may not have landed. */
  readonly inFlight: Write | null;
  readonly killedAt: string;
}

function parseIntent(line: string): Write {
  const [, op, name, id, value] = line.split(' ') as [string, Write['op'], string, string, string];
  return { op, key: `${name} ${id}`, value: op === 'remove' ? null : value };
}

/**
 * Runs the writer and kills it: in one round of four at a random moment while it may still be
 * opening the store (repair, load-time compaction, migrations), otherwise the moment it
 * acknowledges its k-th write, k uniform in 0…writes, when the next write is under way.
 */
function writeThenKill(dataDir: string): Promise<Round> {
  return new Promise((resolve, reject) => {
    const writer = spawn(process.execPath, [child, dataDir, String(writesPerRound)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = () => writer.kill('SIGKILL');
    const duringOpen = randomInt(4) === 0;
    const killAfter = randomInt(writesPerRound + 1);
    let killedAt = duringOpen ? 'opening' : `after ${killAfter} writes`;
    const openTimer = duringOpen ? setTimeout(kill, randomInt(0, 250)) : undefined;
    // A writer that hangs must not hang the test.
    const deadline = setTimeout(kill, 120_000);
    const acknowledged: Write[] = [];
    let inFlight: Write | null = null;
    let pending = '';
    let errors = '';
    writer.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      // A line cut off by the kill was never fully printed, so it does not count.
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('> ')) inFlight = parseIntent(line);
        else if (line === 'ok' && inFlight) {
          acknowledged.push(inFlight);
          inFlight = null;
        }
        if (!duringOpen && ((line === 'ready' && killAfter === 0) || (line === 'ok' && acknowledged.length === killAfter))) kill();
      }
    });
    writer.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    writer.on('error', reject);
    writer.on('close', (code, signal) => {
      clearTimeout(deadline);
      clearTimeout(openTimer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer ended without being killed (exit ${code}): ${errors}`));
        return;
      }
      if (duringOpen) killedAt = `opening, after ${acknowledged.length} writes`;
      resolve({ acknowledged, inFlight, killedAt });
    });
  });
}

describe('an acknowledged write survives SIGKILL', () => {
  it(
    `keeps every acknowledged write of up to ${writesPerRound} mixed ones and opens the store after each of ${rounds} kills on one data folder`,
    async () => {
      const dataDir = join(work, 'data');
      // What the store must hold: `<collection> <id>` → value, from every acknowledged write.
      let model = new Map<string, string>();
      let total = 0;
      for (let round = 1; round <= rounds; round += 1) {
        const { acknowledged, inFlight, killedAt } = await writeThenKill(dataDir);
        total += acknowledged.length;
        const before = inFlight ? model.get(inFlight.key) : undefined;
        for (const write of acknowledged) {
          if (write.value === null) model.delete(write.key);
          else model.set(write.key, write.value);
        }
        const stateBeforeInFlight = inFlight ? model.get(inFlight.key) : undefined;
        const { store } = await openEmbeddedStore(dataDir, silentLogger);
        // A kill can tear the last line (cut off at open); it can never damage one before it.
        for (const health of Object.values(store.health())) expect(health.quarantined, `round ${round}, killed ${killedAt}`).toEqual([]);
        const stored = new Map<string, string>();
        for (const name of collections) {
          for (const row of await store.collection<{ _id: string; v: string }>(name).find({})) stored.set(`${name} ${row._id}`, row.v);
        }
        // Closed, so the next writer can take the data folder's lock; the writer's own store,
        // killed and never closed, is the case under test.
        await store.close();
        const wrong: string[] = [];
        for (const key of new Set([...model.keys(), ...stored.keys()])) {
          if (key === inFlight?.key) {
            // Either side of the write under way when the kill came, nothing else.
            const landed = stored.get(key) === (inFlight.value ?? undefined);
            const notLanded = stored.get(key) === stateBeforeInFlight;
            if (!landed && !notLanded) wrong.push(`${key} (in flight: ${inFlight.op}; was ${String(before)})`);
          } else if (stored.get(key) !== model.get(key)) {
            wrong.push(`${key}: stored ${String(stored.get(key))}, acknowledged ${String(model.get(key))}`);
          }
        }
        expect(wrong, `round ${round}, killed ${killedAt}`).toEqual([]);
        model = stored;
      }
      expect(total).toBeGreaterThan(rounds);
      // About 2 s a round on a loaded machine; the limit only catches a hang.
    },
    60_000 + rounds * 30_000,
  );
});
