/** Entry point of the IT command line (`node out/main/cli.js`, `mailwarden` when installed). */
import { availableParallelism } from 'node:os';
import { runCli } from './commands';

// scrypt runs on libuv's thread pool, 4 threads unless told: import-mailboxes hashes on every
// core. Read when the pool first starts, which nothing above has needed yet.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

void runCli(
  process.argv.slice(2),
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
).then((code) => {
  process.exitCode = code;
});
