// `npm test`: every check in order (build, Electronegativity, type-check, lint, unit tests, the core's
// tests on PostgreSQL, browser-mode end-to-end tests, the Electron spec where its binary exists),
// then one closing line with the counts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
const vitestJson = 'test-results/vitest.json';
const postgresJson = 'test-results/vitest-postgres.json';
const playwrightJson = 'test-results/playwright.json';
rmSync(vitestJson, { force: true });
rmSync(postgresJson, { force: true });
rmSync(playwrightJson, { force: true });

const stages = [];
function run(name, command, args, env = {}) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = result.status === 0;
  stages.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  return ok;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const built = run('build', 'npm', ['run', '--silent', 'build']);
// Electronegativity over electron/ and the built renderer: fails on any finding of MEDIUM or above.
if (built) run('electronegativity', 'node', ['scripts/electronegativity.mjs']);
else stages.push({ name: 'electronegativity', ok: false, seconds: 0 });
run('type-check', 'npm', ['run', '--silent', 'typecheck']);
// ESLint: no import cycle, the layers of ARCHITECTURE.md, the TypeScript and Svelte rules (eslint.config.js);
// knip: no unused file, dependency or export, and none that only a test uses unless tagged @internal (knip.jsonc).
run('lint', 'npm', ['run', '--silent', 'lint']);
run('unit', npx, ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
// The core's suites once more with every test core on PostgreSQL: one contract, two backends.
// Where PostgreSQL is missing (not on CI, which installs it) the stage says so instead of failing.
if (process.env.CI || existsSync('/usr/lib/postgresql/15/bin/initdb')) {
  run('core on PostgreSQL', npx, [
    'vitest',
    'run',
    '-c',
    'vitest.postgres.config.ts',
    '--reporter=dot',
    '--reporter=json',
    `--outputFile.json=${postgresJson}`,
  ]);
} else {
  console.log('\n=== core on PostgreSQL: not run, PostgreSQL 15 is not installed (npm run setup installs it)');
}
if (built) {
  // The Electron spec needs a display; on a headless Linux machine give it a virtual one.
  const headless = process.platform === 'linux' && !process.env.DISPLAY && spawnSync('which', ['xvfb-run']).status === 0;
  const [cmd, ...args] = headless ? ['xvfb-run', '-a', npx, 'playwright', 'test'] : [npx, 'playwright', 'test'];
  run('end-to-end', cmd, args, { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson });
} else {
  stages.push({ name: 'end-to-end', ok: false, seconds: 0 });
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of [vitestJson, postgresJson]) {
  if (!existsSync(file)) continue;
  const v = JSON.parse(readFileSync(file, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
}
const skipReasons = new Map();
if (existsSync(playwrightJson)) {
  const report = JSON.parse(readFileSync(playwrightJson, 'utf8'));
  passed += report.stats.expected + report.stats.flaky;
  failed += report.stats.unexpected;
  skipped += report.stats.skipped;
  // Say why anything was not run (the Electron spec without its binary), once per reason.
  const visit = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if (t.status === 'skipped')
          for (const a of t.annotations ?? [])
            if (a.type === 'skip') skipReasons.set(a.description ?? 'no reason given', (skipReasons.get(a.description) ?? 0) + 1);
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
}
console.log('');
for (const [reason, count] of skipReasons) console.log(`skipped ${count} end-to-end test(s): ${reason}`);
for (const s of stages) console.log(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (${s.seconds}s)`);
const stageFailures = stages.filter((s) => !s.ok).length;
// A failing stage with no failing test (a type error, a broken build) still counts as a failure.
if (stageFailures > 0 && failed === 0) failed = stageFailures;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(stageFailures > 0 ? 1 : 0);
