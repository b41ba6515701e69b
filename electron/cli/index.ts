/** Entry point of the IT command line (`node out/main/cli.js`, `mailwarden` when installed). */
import { runCli } from './commands';

void runCli(
  process.argv.slice(2),
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
).then((code) => {
  process.exitCode = code;
});
