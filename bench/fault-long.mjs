// `npm run bench:long`: the fault and fuzz suites at full size (issue 7), outside `npm test`.
// The same test files run in `npm test` at short sizes; here environment variables raise them:
//   SIGKILL      20 rounds × 1,000 mixed writes          (test/store/open-kill.test.ts)
//   contract     200,000 requests, 3,000 over HTTP        (test/fault/contract-fuzz.test.ts)
//   Foxmail      100,000 mutated profiles                 (test/platform/foxmail/fuzz.test.ts)
// plus the disk-full and brute-force suites as they are. Pass a seed to explore further:
//   FUZZ_SEED=7 FOXMAIL_FUZZ_SEED=7 npm run bench:long
import { spawnSync } from 'node:child_process';

const env = {
  KILL_ROUNDS: '20',
  KILL_WRITES: '1000',
  FUZZ_CASES: '200000',
  FUZZ_HTTP_CASES: '3000',
  FOXMAIL_FUZZ_CASES: '100000',
  ...process.env,
};
const files = [
  'test/store/open-kill.test.ts',
  'test/fault/contract-fuzz.test.ts',
  'test/platform/foxmail/fuzz.test.ts',
  'test/fault/disk-full.test.ts',
  'test/fault/brute-force.test.ts',
];
console.log(
  `fault-long: SIGKILL ${env.KILL_ROUNDS} x ${env.KILL_WRITES} writes, contract fuzz ${env.FUZZ_CASES} (+${env.FUZZ_HTTP_CASES} over HTTP), ` +
    `Foxmail fuzz ${env.FOXMAIL_FUZZ_CASES}`,
);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
// One file at a time, so each gets the machine and a slow one does not starve the others.
const started = Date.now();
const result = spawnSync(npx, ['vitest', 'run', '--no-file-parallelism', '--testTimeout=1800000', ...files], { stdio: 'inherit', env });
console.log(`fault-long: ${result.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(result.status ?? 1);
