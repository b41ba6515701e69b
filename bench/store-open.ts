/**
 * Store open: the time from nothing to the sign-in screen's data (openBackend on a data folder
 * of 50 mailboxes and 100,000 security events, then every channel the sign-in screen asks:
 * settings:get, auth:status, auth:directory, app:info, app:policy), divided by the time to
 * readFile and JSON.parse the same records as one plain JSON file. The activity log is one file
 * per mailbox, read on first use (store/partitions.ts), so opening decrypts none of the 100,000
 * events; a second, goal-less figure says what reading all of them costs: IT's audit export,
 * streamed in batches, on top of the same open.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditBatches } from '../electron/core/audit-export';
import { collectionSpecs, type CollectionName } from '../electron/core/store';
import { silentLogger } from '../electron/core/ports';
import { openBackend } from '../electron/platform/compose';
import { openEmbeddedStore } from '../electron/store/open';
import { memoryTrustSlot } from '../test/factories/call';
import { ratioFigure, report } from './lib';
import { historyPlan, seededFolder } from './seed';

const runs = 5;
const signInScreenChannels = ['settings:get', 'auth:status', 'auth:directory', 'app:info', 'app:policy'] as const;

const dataDir = await seededFolder('history', historyPlan, console.log);

// The same records, as plain JSON: what the store holds, without sealing, nedb or indexes.
const work = await mkdtemp(join(tmpdir(), 'mailwarden-bench-open-'));
const plainFile = join(work, 'plain.json');
{
  const { store } = await openEmbeddedStore(dataDir, silentLogger);
  const all: Record<string, unknown[]> = {};
  for (const name of Object.keys(collectionSpecs) as CollectionName[]) all[name] = await store.collection(name).find({});
  await store.close();
  await writeFile(plainFile, JSON.stringify(all));
  console.log(`plain JSON of the same records: ${(Buffer.byteLength(JSON.stringify(all)) / 1024 / 1024).toFixed(1)} MiB, ${all.activity!.length} events`);
}

async function readAndParse(): Promise<number> {
  const started = performance.now();
  const parsed = JSON.parse(await readFile(plainFile, 'utf8')) as Record<string, unknown[]>;
  const elapsed = performance.now() - started;
  if (parsed.activity!.length !== historyPlan.activity) throw new Error('the plain file lost events');
  return elapsed;
}

/** Open to sign-in screen, then (untimed close aside) the first activity load on top. */
async function openToSignIn(): Promise<{ open: number; activity: number }> {
  const started = performance.now();
  const backend = await openBackend(
    { productName: 'Mailwarden', version: 'bench', dataDir, shell: 'browser', demo: false, platform: process.platform },
    silentLogger,
  );
  const call = { connection: 'bench-open', device: { label: 'Linux · bench', client: 'Chromium' }, trust: memoryTrustSlot() };
  for (const channel of signInScreenChannels) {
    const result = await backend.dispatch(channel, {}, call);
    if (!result.ok) throw new Error(`${channel} answered ${result.code}`);
  }
  const open = performance.now() - started;
  const loadStarted = performance.now();
  let events = 0;
  for await (const batch of auditBatches(backend.core, { since: 0 })) events += batch.length;
  const activity = performance.now() - loadStarted;
  if (events !== historyPlan.activity) throw new Error(`the store holds ${events} events`);
  await backend.close();
  return { open, activity };
}

await readAndParse();
await openToSignIn();
const parse: number[] = [];
const open: number[] = [];
const full: number[] = [];
for (let i = 0; i < runs; i += 1) {
  parse.push(await readAndParse());
  const timed = await openToSignIn();
  open.push(timed.open);
  full.push(timed.open + timed.activity);
}
await rm(work, { recursive: true, force: true });

report(
  ratioFigure(
    'store open (sign-in screen ready)',
    { label: 'open', samples: open },
    { label: 'read+JSON.parse', samples: parse },
    2,
    "openBackend on 50 mailboxes + 100k events and the sign-in screen's five channels answered, ÷ readFile + JSON.parse of the same records as one plain JSON file; the activity log is not loaded by opening",
  ),
);
report(
  ratioFigure(
    'store open + audit export of all 100k events',
    { label: 'open+export', samples: full },
    { label: 'read+JSON.parse', samples: parse },
    null,
    'the same open, then every event read oldest first in batches of 5,000 (what `mailwarden audit export` streams), ÷ the same read + JSON.parse; no goal, shown so reading the whole log is not hidden',
  ),
);
