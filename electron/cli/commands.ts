/**
 * The IT command line: `mailwarden <command>`. Commands print to stdout, errors to stderr.
 * Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
 */
import { memoryTrustSlot } from '../core/call';
import { parseLaunchOptions } from '../platform/args';
import { deviceLabel } from '../platform/device';
import { openBackend } from '../platform/compose';
import { createConsoleLogger } from '../platform/logger';
import { defaultDataDir, productName } from '../platform/paths';
import { version } from '../../package.json';

const usage = `Usage: mailwarden <command> [--user-data-dir DIR]

Commands:
  info      Print this installation's version, data folder, backend and policy source as JSON
  help      Print this help

Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
`;

export async function runCli(argv: readonly string[], out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  const [command] = argv.filter((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h') || command === 'help') {
    out(usage);
    return 0;
  }
  let options;
  try {
    options = parseLaunchOptions(argv);
  } catch (cause) {
    errOut(`mailwarden: ${cause instanceof Error ? cause.message : String(cause)}\n`);
    return 2;
  }
  switch (command) {
    case 'info': {
      const backend = await openBackend(
        { productName, version, dataDir: options.userDataDir ?? defaultDataDir(), shell: 'cli', demo: options.demo, platform: process.platform },
        createConsoleLogger('cli', (line) => errOut(`${line}\n`)),
      );
      const result = await backend.dispatch('app:info', {}, {
        connection: 'cli',
        device: { label: deviceLabel(), client: `mailwarden CLI ${version}` },
        trust: memoryTrustSlot(),
      });
      await backend.close();
      if (!result.ok) {
        errOut(`mailwarden: ${result.code}\n`);
        return 1;
      }
      out(`${JSON.stringify(result.data, null, 2)}\n`);
      return 0;
    }
    default:
      errOut(command ? `mailwarden: unknown command '${command}'\n\n${usage}` : usage);
      return 2;
  }
}

