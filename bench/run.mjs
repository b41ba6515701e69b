// `npm run bench` (after the build): every benchmark in turn, each in its own Node process, then
// a table of every figure in one run with the machine it ran on, for BENCHMARKS.md. The table
// and the raw lines are also written to test-results/bench.md and bench.json.
// `node bench/run.mjs first-paint store-open` runs only those.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const benches = [
  ['bundle-size', ['bench/bundle-size.mjs']],
  ['app-size', ['bench/app-size.mjs']],
  ['first-paint', ['bench/run-ts.mjs', 'bench/first-paint.ts']],
  ['store-open', ['bench/run-ts.mjs', 'bench/store-open.ts']],
  ['handler-latency', ['bench/run-ts.mjs', 'bench/handler-latency.ts']],
  ['mail-auth', ['bench/run-ts.mjs', 'bench/mail-auth.ts']],
  ['memory', ['bench/run-ts.mjs', 'bench/memory.ts']],
  ['server', ['bench/run-ts.mjs', 'bench/server.ts']],
];
const only = process.argv.slice(2);
const figures = [];
const channels = [];
const failed = [];
for (const [name, args] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n=== ${name}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('BENCH-FIGURE ')) figures.push(JSON.parse(line.slice(13)));
    else if (line.startsWith('BENCH-CHANNEL ')) channels.push(JSON.parse(line.slice(14)));
    else if (line) console.log(line);
  }
  console.log(`(${name}: ${Math.round((Date.now() - started) / 1000)} s)`);
  if (run.status !== 0) failed.push(name);
}

const chromium = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? 'not found';
const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown';
const machine = `${cpuModel}, ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}, ${chromium}, ${process.platform} ${process.arch}`;
const cell = (text) => String(text).replaceAll('|', '\\|');
const table = [
  `Machine: ${machine}`,
  `Run: ${new Date().toISOString()}`,
  '',
  '| Benchmark | Result | Goal | Verdict | What it compares |',
  '|---|---|---|---|---|',
  ...figures.map((f) => `| ${cell(f.name)} | ${cell(f.value)} | ${cell(f.goal || '—')} | ${f.verdict || '—'} | ${cell(f.note)} |`),
];
if (channels.length > 0) {
  table.push('', '| Channel | n | p50 | p95 | Answers |', '|---|---|---|---|---|');
  for (const c of channels) table.push(`| ${c.channel} | ${c.n} | ${c.p50.toFixed(2)} ms | ${c.p95.toFixed(2)} ms | ${cell(c.answers)} |`);
}
console.log(`\n${table.join('\n')}`);
mkdirSync('test-results', { recursive: true });
writeFileSync('test-results/bench.md', `${table.join('\n')}\n`);
writeFileSync('test-results/bench.json', JSON.stringify({ machine, figures, channels }, null, 2));
if (failed.length > 0) {
  console.log(`\nbenchmarks that failed: ${failed.join(', ')}`);
  process.exit(1);
}
