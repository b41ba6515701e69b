/**
 * Memory: heap and RSS of the built browser-mode host (out/main/host.js) over the data folder of
 * 50 mailboxes and 100,000 events, after a full GC: at the sign-in screen (activity not loaded),
 * then after the bench mailbox signed in and listed its activity (all 100,000 events loaded).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mib, report } from './lib';
import { Connection, projectRoot, scratchCopy, startHost, type BenchHost } from './host';
import { benchAddress, benchPassword, historyPlan, seededFolder } from './seed';

const dataDir = await scratchCopy(await seededFolder('history', historyPlan, console.log));
const host = await startHost({ dataDir, nodeArgs: ['--expose-gc', '--import', join(projectRoot, 'bench/memory-probe.mjs')], ipc: true });

function memory(of: BenchHost): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    of.child.once('message', (m) => resolve(m as NodeJS.MemoryUsage));
    of.child.send('memory');
  });
}
const line = (m: NodeJS.MemoryUsage) => `heap used ${mib(m.heapUsed)} (heap total ${mib(m.heapTotal)}), RSS ${mib(m.rss)}`;

try {
  const user = new Connection(host);
  for (const channel of ['settings:get', 'auth:status', 'auth:directory', 'app:info', 'app:policy']) await user.must(channel);
  const atSignIn = await memory(host);
  const started = performance.now();
  await user.must('auth:sign-in', { address: benchAddress, password: benchPassword });
  await user.must('activity:list');
  const loadMs = performance.now() - started;
  const loaded = await memory(host);
  report({ name: 'memory at the sign-in screen', value: line(atSignIn), goal: '', verdict: '', note: 'the host over 50 mailboxes + 100k events, the sign-in screen\'s channels answered, after a full GC' });
  report({
    name: 'memory with the activity log loaded',
    value: `${line(loaded)}; signing in and the first activity:list took ${(loadMs / 1000).toFixed(1)} s`,
    goal: '', verdict: '',
    note: 'the same host after auth:sign-in (scrypt) and activity:list loaded all 100k events, after a full GC',
  });
} finally {
  await host.stop();
  await rm(dataDir, { recursive: true, force: true });
}
