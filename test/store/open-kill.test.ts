// Covers electron/store/open.ts, electron/store/nedb-store.ts and electron/store/repair.ts: an
// acknowledged write survives SIGKILL (SPEC.md §12), and the store opens after every kill.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/ports';
import { openEmbeddedStore } from '../../electron/store/open';
import { bundleForNode, projectRoot, removeFolder, tempFolder } from '../factories/store';

const rounds = 20;

let work: string;
let child: string;

beforeAll(async () => {
  work = await tempFolder('kill');
  child = await bundleForNode(join(projectRoot, 'test/store/fixtures/writer-child.ts'), join(work, 'bundle'));
}, 30_000);

afterAll(() => removeFolder(work));

/**
 * Runs the writer and kills it at a random moment: in one round of four while it may still be
 * opening the store (repair, load-time compaction, migrations), otherwise 5–150 ms into its
 * inserts. Returns the ids it acknowledged.
 */
function writeThenKill(dataDir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const writer = spawn(process.execPath, [child, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = () => writer.kill('SIGKILL');
    let out = '';
    let errors = '';
    let killTimer = randomInt(4) === 0 ? setTimeout(kill, randomInt(0, 250)) : undefined;
    // A writer that never gets ready must not hang the test.
    const deadline = setTimeout(kill, 5_000);
    writer.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!killTimer && out.startsWith('ready\n')) killTimer = setTimeout(kill, randomInt(5, 150));
    });
    writer.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    writer.on('error', reject);
    writer.on('close', (code, signal) => {
      clearTimeout(deadline);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer ended without being killed (exit ${code}): ${errors}`));
        return;
      }
      // A line cut off by the kill was never fully printed, so it is not counted as acknowledged.
      resolve(out.split('\n').slice(0, -1).filter((line) => line !== 'ready'));
    });
  });
}

describe('an acknowledged write survives SIGKILL', () => {
  it(`keeps every acknowledged insert and opens the store after each of ${rounds} kills on one data folder`, async () => {
    const dataDir = join(work, 'data');
    const acknowledged = new Set<string>();
    for (let round = 0; round < rounds; round += 1) {
      for (const id of await writeThenKill(dataDir)) acknowledged.add(id);
      const { store } = await openEmbeddedStore(dataDir, silentLogger);
      // A kill can tear the last line (cut off at open); it can never damage one before it.
      for (const health of Object.values(store.health())) expect(health.quarantined).toEqual([]);
      const stored = new Set((await store.collection('grants').find({})).map((record) => record._id));
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      expect(missing, `round ${round + 1}`).toEqual([]);
      // Closed, so the next writer can take the data folder's lock; the writer's own store,
      // killed and never closed, is the case under test.
      await store.close();
    }
    expect(acknowledged.size).toBeGreaterThan(rounds);
    // About 10 s alone and 20 s beside the rest of the suite; the limit only catches a hang.
  }, 60_000);
});
