/**
 * A long history: signing in and showing the first page of the activity log on a data folder
 * of 50 mailboxes and 100,000 security events, beside the same on 50 mailboxes and 100 events,
 * in the built browser-mode host (out/main/host.js), alternating the two folders run by run.
 * Time is auth:sign-in (one scrypt check) + activity:list; memory is the host's heap after a full
 * GC at that point. The log is kept one file per mailbox (store/partitions.ts), so the bench
 * mailbox's 2,000 events are read, not the 100,000.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { median, mib, ratioFigure, report } from './lib';
import { Connection, projectRoot, scratchCopy, startHost, type BenchHost } from './host';
import { benchAddress, benchPassword, historyPlan, seededFolder, shortHistoryPlan } from './seed';

const runs = 4;
const folders = {
  long: await seededFolder('history', historyPlan, console.log),
  short: await seededFolder('short-history', shortHistoryPlan, console.log),
};

function memory(of: BenchHost): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    of.child.once('message', (m) => resolve(m as NodeJS.MemoryUsage));
    of.child.send('memory');
  });
}
const line = (m: NodeJS.MemoryUsage) => `heap used ${mib(m.heapUsed)} (heap total ${mib(m.heapTotal)}), RSS ${mib(m.rss)}`;

interface Sample {
  readonly ms: number;
  readonly atSignIn: NodeJS.MemoryUsage;
  readonly loaded: NodeJS.MemoryUsage;
}

async function signInAndList(folder: string): Promise<Sample> {
  const dataDir = await scratchCopy(folder);
  const host = await startHost({ dataDir, nodeArgs: ['--expose-gc', '--import', join(projectRoot, 'bench/memory-probe.mjs')], ipc: true });
  try {
    const user = new Connection(host);
    for (const channel of ['settings:get', 'auth:status', 'auth:directory', 'app:info', 'app:policy']) await user.must(channel);
    const atSignIn = await memory(host);
    const started = performance.now();
    await user.must('auth:sign-in', { address: benchAddress, password: benchPassword });
    const page = (await user.must('activity:list')) as { events: unknown[] };
    const ms = performance.now() - started;
    if (page.events.length === 0) throw new Error('the first activity page is empty');
    return { ms, atSignIn, loaded: await memory(host) };
  } finally {
    await host.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const samples: Record<keyof typeof folders, Sample[]> = { long: [], short: [] };
await signInAndList(folders.long);
await signInAndList(folders.short);
for (let i = 0; i < runs; i += 1) {
  for (const which of ['long', 'short'] as const) samples[which].push(await signInAndList(folders[which]));
}

const heap = (which: keyof typeof folders) => samples[which].map((s) => s.loaded.heapUsed);
report(
  ratioFigure(
    'sign-in + first activity page, 100k events ÷ 100',
    { label: '100k', samples: samples.long.map((s) => s.ms) },
    { label: '100 events', samples: samples.short.map((s) => s.ms) },
    1.5,
    'auth:sign-in (one scrypt check) + activity:list in the built host over 50 mailboxes, 100,000 events ÷ 100 events, alternating folder by folder',
  ),
);
{
  const ratio = median(heap('long')) / median(heap('short'));
  report({
    name: 'memory after sign-in + first activity page, 100k events ÷ 100',
    value: `${ratio.toFixed(2)}× (heap used median ${mib(median(heap('long')))} ÷ ${mib(median(heap('short')))}; ${runs} runs each)`,
    goal: '≤ 1.5×',
    verdict: ratio <= 1.5 ? 'met' : 'missed',
    note: 'the same hosts after a full GC',
  });
}
report({
  name: 'memory at the sign-in screen',
  value: line(samples.long[0]!.atSignIn),
  goal: '',
  verdict: '',
  note: "the host over 50 mailboxes + 100k events, the sign-in screen's channels answered, after a full GC",
});
report({
  name: 'memory with the first activity page loaded',
  value: line(samples.long[0]!.loaded),
  goal: '',
  verdict: '',
  note: 'the same host after auth:sign-in and activity:list, after a full GC',
});
