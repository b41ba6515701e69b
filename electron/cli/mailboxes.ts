/**
 * `mailwarden import-mailboxes FILE` and `list-mailboxes`: the directory's mailboxes added from a
 * JSON or CSV file (all or nothing) and listed.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { importHashConcurrency, listMailboxes } from '../core/directory';
import { importMailboxes, parseMailboxCsv, parseMailboxJson, type ImportProblem, type ImportProblemCode, type ImportProgress } from '../core/mailbox-import';
import { cliDeviceName, withBackend } from './backend';
import { exitCodes, usage, type CliOptions } from './command-line';

export const mailboxesHelp = {
  'import-mailboxes': `Usage: mailwarden import-mailboxes FILE [--user-data-dir DIR | --database URL --server-key-file FILE]

Adds mailboxes from a JSON array [{"address", "password", "displayName"?}] or a CSV file with
the header address,password,displayName (displayName optional). All or nothing: every bad row
is reported on stderr and then nothing is imported.

${exitCodes} (1 also when any row is bad)
`,
  'list-mailboxes': `Usage: mailwarden list-mailboxes [--user-data-dir DIR | --database URL --server-key-file FILE]

Prints every mailbox (address, display name, 2FA methods, created) as JSON.

${exitCodes}
`,
} as const;

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

function describeProblem(file: string, format: 'json' | 'csv', problem: ImportProblem): string {
  const where = problem.line === 0 ? file : `${file}: ${format === 'csv' ? 'line' : 'entry'} ${problem.line}`;
  return `${where}: ${problemText[problem.code]}${problem.field ? ` (${problem.field})` : ''}\n`;
}

export async function importCommand(file: string | undefined, options: CliOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
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
  const format =
    extension === '.json' ||
    (extension !== '.csv' &&
      text
        .trimStart()
        .replace(/^\uFEFF/, '')
        .startsWith('['))
      ? 'json'
      : 'csv';
  const parsed = format === 'json' ? parseMailboxJson(text) : parseMailboxCsv(text);
  return withBackend(options, errOut, async (backend) => {
    // One scrypt hash per password: 10,000 rows take a while, so say how far it has got, a line a
    // second, on stderr (stdout keeps the one-line result), and hash on every core.
    const started = Date.now();
    let told = started;
    const progress = ({ hashed, total }: ImportProgress) => {
      const now = Date.now();
      if (now - told < 1000 && hashed < total) return;
      told = now;
      const rate = hashed / Math.max((now - started) / 1000, 0.001);
      errOut(`mailwarden: hashed ${hashed} of ${total} passwords (${rate.toFixed(0)}/s)\n`);
    };
    const outcome = await importMailboxes(backend.core, parsed, cliDeviceName(), {
      onProgress: progress,
      concurrency: Math.max(availableParallelism(), importHashConcurrency),
    });
    if (!outcome.ok) {
      for (const problem of outcome.problems) errOut(describeProblem(file, format, problem));
      errOut(`mailwarden: nothing was imported (${outcome.problems.length} problem${outcome.problems.length === 1 ? '' : 's'})\n`);
      return 1;
    }
    out(`Imported ${outcome.imported.length} mailbox${outcome.imported.length === 1 ? '' : 'es'}.\n`);
    return 0;
  });
}

/** Every mailbox as JSON; `--demo` seeds the demo mailboxes first, a write. */
export function listCommand(options: CliOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  return withBackend(
    options,
    errOut,
    async (backend) => {
      const list = await listMailboxes(backend.core);
      out(
        `${JSON.stringify(
          list.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })),
          null,
          2,
        )}\n`,
      );
      return 0;
    },
    options.demo ? 'write' : 'read',
  );
}
