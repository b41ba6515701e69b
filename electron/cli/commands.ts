/**
 * The IT command line: `mailwarden <command>`. Commands print to stdout, errors to stderr.
 * Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { memoryTrustSlot } from '../core/call';
import { importMailboxes, listMailboxes, parseMailboxCsv, parseMailboxJson, type ImportProblem, type ImportProblemCode } from '../core/directory';
import { parseLaunchOptions, type LaunchOptions } from '../platform/args';
import { deviceLabel } from '../platform/device';
import { openBackend, type Backend } from '../platform/compose';
import { createConsoleLogger } from '../platform/logger';
import { defaultDataDir, productName } from '../platform/paths';
import { serveCommand } from './serve';
import { version } from '../../package.json';

const usage = `Usage: mailwarden <command> [--user-data-dir DIR]

Commands:
  info                    Print this installation's version, data folder, backend and policy source as JSON
  import-mailboxes FILE   Add mailboxes from a JSON array [{"address", "password", "displayName"?}] or a
                          CSV file with the header address,password,displayName (displayName optional).
                          All or nothing: every bad row is reported and then nothing is imported.
  list-mailboxes          Print every mailbox (address, display name, 2FA methods, created) as JSON
  serve --data DIR [--socket PATH] [--policy FILE]
                          Answer mail-server logins (Dovecot checkpassword, SMTP AUTH) for the data
                          folder DIR on a Unix socket (default DIR/mail-auth.sock) until SIGTERM
  help                    Print this help

Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
`;

const problemText: Record<ImportProblemCode, string> = {
  'not-json': 'the file is not valid JSON',
  'not-an-array': 'the JSON must be an array of mailboxes',
  'not-an-object': 'each entry must be an object',
  'missing-field': 'a required text field is missing or not text',
  'unknown-field': 'unknown field',
  'csv-syntax': 'CSV syntax error (a stray or unclosed double quote)',
  'bad-header': 'the header must name the columns address, password and optionally displayName',
  'wrong-field-count': 'the row does not have as many fields as the header',
  'no-rows': 'the file lists no mailboxes',
  'invalid-address': 'not a valid mail address',
  'duplicate-address': 'the address appears earlier in the file',
  'mailbox-exists': 'a mailbox with this address exists already',
  'display-name-too-long': 'the display name is longer than 64 characters',
  'password-too-short': 'the password is shorter than 10 characters',
  'password-too-long': 'the password is longer than 128 characters',
  'password-same-as-address': 'the password is the address itself',
};

/** The words of the command line that are not flags or flag values: the command and its arguments. */
function positionalsOf(argv: readonly string[]): string[] {
  return parseArgs({
    args: [...argv],
    options: {
      'user-data-dir': { type: 'string' },
      port: { type: 'string' },
      demo: { type: 'boolean' },
      policy: { type: 'string' },
      'downloads-dir': { type: 'string' },
      'foxmail-root': { type: 'string' },
      data: { type: 'string' },
      socket: { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  }).positionals;
}

async function withBackend(options: LaunchOptions, errOut: (s: string) => void, work: (backend: Backend) => Promise<number>): Promise<number> {
  const backend = await openBackend(
    { productName, version, dataDir: options.userDataDir ?? defaultDataDir(), shell: 'cli', demo: options.demo, platform: process.platform },
    createConsoleLogger('cli', (line) => errOut(`${line}\n`)),
  );
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

const cliDevice = () => ({ label: deviceLabel(), client: `mailwarden CLI ${version}` });

function describeProblem(file: string, format: 'json' | 'csv', problem: ImportProblem): string {
  const where = problem.line === 0 ? file : `${file}: ${format === 'csv' ? 'line' : 'entry'} ${problem.line}`;
  return `${where}: ${problemText[problem.code]}${problem.field ? ` (${problem.field})` : ''}\n`;
}

async function importCommand(file: string | undefined, options: LaunchOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  if (!file) {
    errOut(`mailwarden: import-mailboxes needs a FILE\n\n${usage}`);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    errOut(`mailwarden: cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return 1;
  }
  const extension = extname(file).toLowerCase();
  const format = extension === '.json' || (extension !== '.csv' && text.trimStart().replace(/^\uFEFF/, '').startsWith('[')) ? 'json' : 'csv';
  const parsed = format === 'json' ? parseMailboxJson(text) : parseMailboxCsv(text);
  return withBackend(options, errOut, async (backend) => {
    const device = cliDevice();
    const outcome = await importMailboxes(backend.core, parsed, `${device.label} / ${device.client}`);
    if (!outcome.ok) {
      for (const problem of outcome.problems) errOut(describeProblem(file, format, problem));
      errOut(`mailwarden: nothing was imported (${outcome.problems.length} problem${outcome.problems.length === 1 ? '' : 's'})\n`);
      return 1;
    }
    out(`Imported ${outcome.imported.length} mailbox${outcome.imported.length === 1 ? '' : 'es'}.\n`);
    return 0;
  });
}

export async function runCli(argv: readonly string[], out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  const [command, argument] = positionalsOf(argv);
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
    case 'info':
      return withBackend(options, errOut, async (backend) => {
        const result = await backend.dispatch('app:info', {}, { connection: 'cli', device: cliDevice(), trust: memoryTrustSlot() });
        if (!result.ok) {
          errOut(`mailwarden: ${result.code}\n`);
          return 1;
        }
        out(`${JSON.stringify(result.data, null, 2)}\n`);
        return 0;
      });
    case 'import-mailboxes':
      return importCommand(argument, options, out, errOut);
    case 'serve':
      return serveCommand(argv, out, errOut);
    case 'list-mailboxes':
      return withBackend(options, errOut, async (backend) => {
        const list = await listMailboxes(backend.core);
        out(`${JSON.stringify(list.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })), null, 2)}\n`);
        return 0;
      });
    default:
      errOut(command ? `mailwarden: unknown command '${command}'\n\n${usage}` : usage);
      return 2;
  }
}
