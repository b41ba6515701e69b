/**
 * The IT command line: `mailwarden <command>`. Commands print to stdout, errors to stderr.
 * Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism, hostname, userInfo } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeApp, type AppEnvironment } from '../core/app-info';
import { accessPassRules, helpdeskAct, helpdeskActions, isHelpdeskAction, issueAccessPass } from '../core/helpdesk';
import { auditBatches, auditBatchSize, auditCount, auditCsvLines, auditCsvStart, auditJson } from '../core/audit-export';
import { describePolicy, resolvePolicy, type PolicyProblem } from '../core/policy';
import { silentLogger, StorageError } from '../core/ports';
import type { PolicyItem } from '../shared/contract';
import { readOrganisationPolicy, writeOrganisationPolicy } from '../core/organisation-policy';
import { readPolicy, readPolicyLayers, type PolicySourcesOptions } from '../platform/policy';
import { readPolicyJsonFile } from '../platform/policy/json-file';
import { importHashConcurrency, importMailboxes, listMailboxes, parseMailboxCsv, parseMailboxJson, type ImportProblem, type ImportProblemCode, type ImportProgress } from '../core/directory';
import { parseLaunchOptions, type LaunchOptions } from '../platform/args';
import { deviceLabel } from '../platform/device';
import { openBackend, type Backend } from '../platform/compose';
import { createConsoleLogger } from '../platform/logger';
import { DataFolderInUseError } from '../store/folder-lock';
import { databaseVariable, openOrganisationBackend, organisationFailure, organisationTarget, type OrganisationTarget } from './organisation';
import { defaultDataDir, productName } from '../platform/paths';
import { isMailDomain, thunderbirdAutoconfig } from '../core/mail-clients/autoconfig';
import { serveCommand, serveUsage } from './serve';
import { serverCommand, serverUsage } from './server';
import { version } from '../../package.json';

const exitCodes = `Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.`;

const usage = `Usage: mailwarden <command> [options] [--user-data-dir DIR]

Commands:
  info                    Print this installation's version, data folder, backend and policy sources as JSON
  import-mailboxes FILE   Add mailboxes from a JSON or CSV file (all or nothing)
  list-mailboxes          Print every mailbox (address, display name, 2FA methods, created) as JSON
  policy show             Print the merged policy and where each value came from
  policy check FILE       Check a policy.json file key by key
  policy set FILE         Store FILE as the organisation's policy in its database (--database)
  audit export            Export the security activity log as CSV or JSON
  helpdesk ACTION ADDRESS [--by NAME]
                          For the help desk: reset-two-factor, unlock, revoke-client-passwords,
                          revoke-devices or issue-access-pass (a one-time pass to sign in and bind a
                          new phone) for one mailbox, written to its security log with who did it
  serve --data DIR [--socket PATH] [--policy FILE]
                          Answer mail-server logins (Dovecot checkpassword, SMTP AUTH) for the data
                          folder DIR on a Unix socket (default DIR/mail-auth.sock) until SIGTERM
  autoconfig --domain DOMAIN [--name NAME]
                          Print Thunderbird's autoconfig file (config-v1.1.xml) for the mail domain,
                          from the policy's servers, for IT to host
  server [--config FILE]  Run the organisation server on PostgreSQL: the app's API and its web page
                          over HTTPS for every desktop and browser (mailwarden server --help)
  help                    Print this help (also --help); --version prints the version

Run \`mailwarden <command> --help\` for a command's options.

import-mailboxes, list-mailboxes, audit export and helpdesk work on this computer's data folder,
or on the organisation's database with --database URL (or MAILWARDEN_DATABASE_URL) and its
server key (--server-key-file FILE or MAILWARDEN_SERVER_KEY); policy set and policy show do too.
${exitCodes}
`;

const helpdeskUsage = `Usage: mailwarden helpdesk ACTION ADDRESS [--by NAME] [--valid DURATION] [--user-data-dir DIR | --database URL --server-key-file FILE]

For "I lost my phone" and its kin. ACTION is one of:
  reset-two-factor          remove the phone, the authenticator app, backup codes and every trusted
                            device, and sign the mailbox out everywhere; the person binds a new
                            method at their next sign-in (enforced 2FA sends them there)
  unlock                    end a lock after too many wrong passwords
  revoke-client-passwords   revoke every client password (a lost laptop with Foxmail on it)
  revoke-devices            remove trust from every device and sign the mailbox out everywhere
  issue-access-pass         print a temporary access pass: it signs the mailbox in once in place of
                            its second factor, so the person can bind a new phone; --valid 10m to
                            30d (e.g. 30m, 8h, 7d), 1h by default; a new pass replaces the last one

Each is written to the mailbox's security log with who did it (--by NAME; by default this
computer's user and host name), so the person sees it on their activity page.

${exitCodes} (1 also for a mailbox that does not exist)
`;

const commandHelp: Record<string, string> = {
  serve: `${serveUsage}\n${exitCodes}\n`,
  server: serverUsage,
  helpdesk: helpdeskUsage,
  autoconfig: `Usage: mailwarden autoconfig --domain DOMAIN [--name NAME] [--policy FILE]

Prints Thunderbird's autoconfiguration file (config-v1.1.xml, Mozilla's clientConfig 1.1) for the
mail domain DOMAIN: the IMAP, POP3 and SMTP servers of the policy in force on this computer (or
FILE), each with its port and encryption, and the address as the user name. Host it at
https://autoconfig.DOMAIN/mail/config-v1.1.xml (or https://DOMAIN/.well-known/autoconfig/mail/
config-v1.1.xml): Thunderbird then sets an account up from the address alone.

  --domain DOMAIN   The part after @ of the addresses it serves, e.g. cstnet.cn
  --name NAME       What Thunderbird shows for the provider (default: the domain)

${exitCodes}
`,
  info: `Usage: mailwarden info [--user-data-dir DIR] [--policy FILE]

Prints this installation's version, data folder, backend, and the policy's sources (the places
that set anything and each key's source) as JSON.

${exitCodes}
`,
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
  'policy show': `Usage: mailwarden policy show [--json] [--policy FILE] [--database URL --server-key-file FILE]

Prints the policy in force: this computer's managed policy (Windows registry, macOS managed
preferences or /etc/mailwarden/policy.json) merged over the defaults, each key with its value
and source (default, recommended, enforced) and the place it came from. Secret values (the SMS
webhook's URL, headers and body) are shown only as set or not set. Values that were ignored are
listed on stderr, by key.

  --json          One JSON object: {"items": [{key, value, secret, set, source, origin?}]}
  --policy FILE   Also read FILE (tests, development) below the platform's policy
  --database URL  Also the organisation's policy stored in its database (policy set), above
                  this computer's: what the organisation server applies

${exitCodes}
`,
  'policy set': `Usage: mailwarden policy set FILE --database URL --server-key-file FILE [--by NAME]

Stores FILE (policy.json format, checked as 'policy check' does) as the organisation's policy in
its database, replacing the one stored before: enforce 2FA, grace days, trusted-device days, the
client-password limit, the SMS gateway and its credentials. A file with any invalid key is
refused as a whole and nothing changes. Every organisation server process applies it from its
next start: restart them one at a time.

${exitCodes}
`,
  'policy check': `Usage: mailwarden policy check FILE

Checks a policy.json file (a flat object of enforced keys, or {"enforced": {...},
"recommended": {...}}) against the policy schema. Each invalid or unknown key is printed on
stderr as "FILE: KEY: reason"; values are never printed.

Exit codes: 0 every key is valid, 1 some key is invalid or the file is not a JSON object or
cannot be read, 2 the command line was wrong.
`,
  'audit export': `Usage: mailwarden audit export --since DATE [--format csv|json] [--mailbox ADDR] [--out FILE]

Exports the security activity log (sign-ins, codes, 2FA changes, client passwords, devices,
grants) from DATE on, oldest first.

  --since DATE     YYYY-MM-DD (midnight UTC) or an ISO 8601 time, e.g. 2026-01-31T08:00:00+08:00
  --format FORMAT  csv (default: RFC 4180, a header row, CRLF; cells starting with = + - @ are
                   prefixed with ' so spreadsheets do not run them) or json (an array)
  --mailbox ADDR   Only this mailbox's events
  --out FILE       Write to FILE (created readable by its owner only) instead of stdout
  --database URL   The organisation's PostgreSQL database instead of this computer's data folder
                   (or MAILWARDEN_DATABASE_URL); needs --server-key-file FILE or MAILWARDEN_SERVER_KEY

${exitCodes}
`,
};

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

/** Every flag any command takes; parsed loosely here so a flag's value is never taken for a word. */
const commandOptions = {
  'user-data-dir': { type: 'string' },
  port: { type: 'string' },
  demo: { type: 'boolean' },
  policy: { type: 'string' },
  json: { type: 'boolean' },
  since: { type: 'string' },
  format: { type: 'string' },
  mailbox: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  by: { type: 'string' },
  // The organisation's database (./organisation.ts)
  database: { type: 'string' },
  'server-key-file': { type: 'string' },
  // serve's
  data: { type: 'string' },
  socket: { type: 'string' },
  // the shells' (ignored here, accepted so a shared command line does not break)
  'downloads-dir': { type: 'string' },
  'foxmail-root': { type: 'string' },
  'thunderbird-root': { type: 'string' },
  valid: { type: 'string' },
  http: { type: 'string' },
  'http-token-file': { type: 'string' },
  'sender-map': { type: 'string' },
  domain: { type: 'string' },
  name: { type: 'string' },
} as const;

type OptionName = keyof typeof commandOptions;

/** The options each command takes; any other is refused (exit 2), so a typo is never ignored. */
/** The shells' options, and the organisation's database when the command was pointed at one. */
type CliOptions = LaunchOptions & { readonly organisation: OrganisationTarget | null };

const optionsOf: Record<string, readonly OptionName[]> = {
  info: ['user-data-dir', 'policy'],
  autoconfig: ['domain', 'name', 'policy'],
  'import-mailboxes': ['user-data-dir', 'policy', 'demo', 'database', 'server-key-file'],
  'list-mailboxes': ['user-data-dir', 'policy', 'demo', 'database', 'server-key-file'],
  'policy show': ['json', 'policy', 'database', 'server-key-file', 'user-data-dir'],
  'policy check': [],
  'policy set': ['database', 'server-key-file', 'by', 'user-data-dir'],
  'audit export': ['since', 'format', 'mailbox', 'out', 'user-data-dir', 'policy', 'database', 'server-key-file'],
  serve: ['data', 'user-data-dir', 'socket', 'policy', 'database', 'server-key-file', 'http', 'http-token-file', 'sender-map'],
  helpdesk: ['user-data-dir', 'policy', 'database', 'server-key-file', 'by', 'valid'],
};
/** How many words each command takes after its name. */
const wordsOf: Record<string, number> = { 'import-mailboxes': 1, 'policy check': 1, 'policy set': 1, helpdesk: 2 };

/** The first option or word the command does not take, as the message to print; null when all fit. */
function misfit(topic: string, argv: readonly string[], words: readonly string[]): string | null {
  const allowed = new Set<string>([...(optionsOf[topic] ?? []), 'help']);
  const { tokens } = parseArgs({ args: [...argv], options: commandOptions, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option' && !allowed.has(token.name)) return `unknown option '${token.rawName}' for ${topic}`;
  }
  const extra = words.slice(topic.split(' ').length + (wordsOf[topic] ?? 0));
  return extra.length > 0 ? `unexpected argument '${extra[0]!}' for ${topic}` : null;
}

function flagsOf(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: commandOptions, strict: false, allowPositionals: true }).values;
}

/** The words of the command line that are not flags or flag values: the command and its arguments. */
function positionalsOf(argv: readonly string[]): string[] {
  return parseArgs({
    args: [...argv],
    options: commandOptions,
    strict: false,
    allowPositionals: true,
  }).positionals;
}

/**
 * Runs `work` on the data folder's backend. `access: 'read'` opens a snapshot without the writer's
 * lock (electron/store/open.ts `openSnapshot`), so it works while the app or `serve` runs.
 */
async function withBackend(
  options: CliOptions,
  errOut: (s: string) => void,
  work: (backend: Backend) => Promise<number>,
  access: 'read' | 'write' = 'write',
): Promise<number> {
  const logger = createConsoleLogger('cli', (line) => errOut(`${line}\n`));
  const policy = await readPolicy(policyOptions(options), logger);
  let backend: Backend;
  const { organisation } = options;
  try {
    backend = organisation
      ? await openOrganisationBackend(environmentOf(options), logger, { policy }, organisation, process.env)
      : await openBackend(environmentOf(options), logger, { policy, readOnly: access === 'read' });
  } catch (cause) {
    const failure = organisationFailure(cause);
    if (failure) {
      errOut(`mailwarden: ${failure.message}\n`);
      return failure.exitCode;
    }
    const hint =
      cause instanceof DataFolderInUseError
        ? ' Quit the Mailwarden app and stop `mailwarden serve` for this folder, then try again (reading commands — info, list-mailboxes, audit export — work meanwhile).'
        : '';
    errOut(`mailwarden: cannot open the data folder: ${cause instanceof Error ? cause.message : String(cause)}.${hint}\n`);
    return 1;
  }
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

/** A snapshot for the commands that only read (withBackend's 'read'). */
const readBackend = (options: CliOptions, errOut: (s: string) => void, work: (backend: Backend) => Promise<number>) => withBackend(options, errOut, work, 'read');

const environmentOf = (options: LaunchOptions): AppEnvironment => ({
  productName,
  version,
  dataDir: options.userDataDir ?? defaultDataDir(),
  shell: 'cli',
  demo: options.demo,
  platform: process.platform,
});

const cliDevice = () => ({ label: deviceLabel(), client: `mailwarden CLI ${version}` });

function describeProblem(file: string, format: 'json' | 'csv', problem: ImportProblem): string {
  const where = problem.line === 0 ? file : `${file}: ${format === 'csv' ? 'line' : 'entry'} ${problem.line}`;
  return `${where}: ${problemText[problem.code]}${problem.field ? ` (${problem.field})` : ''}\n`;
}

async function importCommand(file: string | undefined, options: CliOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
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
    const outcome = await importMailboxes(backend.core, parsed, `${device.label} / ${device.client}`, { onProgress: progress, concurrency: Math.max(availableParallelism(), importHashConcurrency) });
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
  const words = positionalsOf(argv);
  const [command, argument] = words;
  const flags = flagsOf(argv);
  if (flags.version === true && command === undefined) {
    out(`${version}\n`);
    return 0;
  }
  if (flags.help === true || command === 'help' || command === undefined) {
    // `help serve` as well as `serve --help`.
    const [name, sub] = command === 'help' ? words.slice(1) : [command, argument];
    const topic = name === 'policy' || name === 'audit' ? `${name} ${sub ?? ''}`.trim() : (name ?? '');
    const text = commandHelp[topic] ?? usage;
    if (command === undefined && flags.help !== true) {
      errOut(usage);
      return 2;
    }
    out(text);
    return 0;
  }
  // The server reads its own flags, its config file and its environment (electron/cli/server.ts).
  if (command === 'server') return serverCommand(argv.filter((word, at) => at !== argv.indexOf('server')), out, errOut);
  const topic = command === 'policy' || command === 'audit' ? `${command} ${argument ?? ''}`.trim() : command;
  const wrong = topic in optionsOf ? misfit(topic, argv, words) : null;
  if (wrong) {
    errOut(`mailwarden: ${wrong}\n\n${commandHelp[topic] ?? usage}`);
    return 2;
  }
  let options: CliOptions;
  try {
    options = { ...parseLaunchOptions(argv), organisation: organisationTarget(flags, process.env) };
  } catch (cause) {
    errOut(`mailwarden: ${cause instanceof Error ? cause.message : String(cause)}\n`);
    return 2;
  }
  switch (command) {
    case 'info': {
      // Facts of the installation and its policy: no store is opened, so it answers while the app runs.
      const resolved = await readPolicy(policyOptions(options), silentLogger);
      out(`${JSON.stringify(describeApp(environmentOf(options), resolved.sources), null, 2)}\n`);
      return 0;
    }
    case 'autoconfig': {
      const domain = typeof flags.domain === 'string' ? flags.domain.trim() : '';
      if (!isMailDomain(domain)) {
        errOut(`mailwarden: autoconfig needs --domain, the mail domain (e.g. cstnet.cn)${domain ? `; '${domain}' is not one` : ''}\n\n${commandHelp.autoconfig}`);
        return 2;
      }
      const resolved = await readPolicy(policyOptions(options), silentLogger);
      const name = typeof flags.name === 'string' && flags.name.trim() !== '' ? flags.name.trim() : domain.toLowerCase();
      out(`${thunderbirdAutoconfig({ domain, displayName: name, server: resolved.policy.mailServer })}\n`);
      return 0;
    }
    case 'import-mailboxes':
      return importCommand(argument, options, out, errOut);
    case 'serve':
      return serveCommand(argv, out, errOut);
    case 'policy':
      if (argument === 'show') return policyShow(options, flags.json === true, out, errOut);
      if (argument === 'check') return policyCheck(words[2], out, errOut);
      if (argument === 'set') return policySet(words[2], flags, options, out, errOut);
      errOut(`mailwarden: policy needs 'show', 'check' or 'set'\n\n${commandHelp['policy show']}\n${commandHelp['policy check']}\n${commandHelp['policy set']}`);
      return 2;
    case 'audit':
      if (argument === 'export') return auditExport(flags, options, out, errOut);
      errOut(`mailwarden: audit needs 'export'\n\n${commandHelp['audit export']}`);
      return 2;
    case 'helpdesk':
      return helpdeskCommand(argument, words[2], flags, options, out, errOut);
    case 'list-mailboxes':
      return withBackend(
        options,
        errOut,
        async (backend) => {
          const list = await listMailboxes(backend.core);
          out(`${JSON.stringify(list.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })), null, 2)}\n`);
          return 0;
        },
        // --demo seeds the demo mailboxes, a write.
        options.demo ? 'write' : 'read',
      );
    default:
      errOut(command ? `mailwarden: unknown command '${command}'\n\n${usage}` : usage);
      return 2;
  }
}

function policyOptions(options: LaunchOptions): PolicySourcesOptions {
  return { platform: process.platform, ...(options.policyFile ? { policyFile: options.policyFile } : {}) };
}

function problemLine(problem: PolicyProblem): string {
  return `${problem.path}: ${problem.reason} (${problem.level}, ${problem.origin})`;
}

function valueText(item: PolicyItem): string {
  if (item.secret) return item.set ? '(set, not shown)' : '(not set)';
  return Array.isArray(item.value) ? item.value.join(',') : String(item.value);
}

/** `policy show`: the merged policy, as a table or JSON. Ignored values go to stderr by key. */
async function policyShow(options: CliOptions, json: boolean, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  if (options.organisation) {
    return withBackend(
      options,
      errOut,
      async (backend) => {
        const stored = await readOrganisationPolicy(backend.core.store);
        const layers = [...(await readPolicyLayers(policyOptions(options), silentLogger)), ...(stored?.layers ?? [])];
        if (stored) errOut(`mailwarden: the organisation's policy was stored ${new Date(stored.updatedAt).toISOString()} by ${stored.updatedBy}\n`);
        else errOut(`mailwarden: no organisation policy is stored in the database yet (policy set FILE)\n`);
        return printPolicy(resolvePolicy(layers, silentLogger), json, out, errOut);
      },
      'read',
    );
  }
  return printPolicy(await readPolicy(policyOptions(options), silentLogger), json, out, errOut);
}

function printPolicy(resolved: ReturnType<typeof resolvePolicy>, json: boolean, out: (s: string) => void, errOut: (s: string) => void): number {
  for (const problem of resolved.problems) errOut(`mailwarden: policy value ignored: ${problemLine(problem)}\n`);
  const view = describePolicy(resolved);
  if (json) {
    out(`${JSON.stringify(view, null, 2)}\n`);
    return 0;
  }
  const rows = [['KEY', 'VALUE', 'SOURCE', 'PLACE'], ...view.items.map((item) => [item.key, valueText(item), item.source, item.origin ?? '-'])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) out(`${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}\n`);
  return 0;
}

/** `policy set FILE --database …`: the organisation's policy, stored all or nothing. */
async function policySet(file: string | undefined, flags: ReturnType<typeof flagsOf>, options: CliOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  if (!file) {
    errOut(`mailwarden: policy set needs a FILE\n\n${commandHelp['policy set']}`);
    return 2;
  }
  if (!options.organisation) {
    // On a computer, policy comes from the registry, managed preferences or /etc (docs/it-deployment.md).
    errOut(`mailwarden: policy set stores the organisation's policy in its database: give --database URL (or ${databaseVariable})\n\n${commandHelp['policy set']}`);
    return 2;
  }
  if (flags.by !== undefined && (typeof flags.by !== 'string' || flags.by.trim() === '' || flags.by.length > 64)) {
    errOut(`mailwarden: --by needs a name of 1–64 characters\n\n${commandHelp['policy set']}`);
    return 2;
  }
  const read = await readPolicyJsonFile(file, 'policy-file');
  if (!read.ok) {
    errOut(`${file}: ${read.problem}\n`);
    return 1;
  }
  const by = typeof flags.by === 'string' ? flags.by.trim() : operatorName();
  return withBackend(options, errOut, async (backend) => {
    const written = await writeOrganisationPolicy(backend.core.store, read.layers, by, Date.now());
    if (!written.ok) {
      for (const problem of written.problems) errOut(`${file}: ${problem.path}: ${problem.reason}${problem.level === 'recommended' ? ' (recommended)' : ''}\n`);
      errOut(`mailwarden: nothing was stored (${written.problems.length} problem${written.problems.length === 1 ? '' : 's'})\n`);
      return 1;
    }
    out(`Stored ${written.keys} key${written.keys === 1 ? '' : 's'} as the organisation's policy (by ${by}). Restart the organisation server processes, one at a time, to apply it.\n`);
    return 0;
  });
}

/** `policy check FILE`: 0 when every key is valid, 1 with each bad key on stderr. */
async function policyCheck(file: string | undefined, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  if (!file) {
    errOut(`mailwarden: policy check needs a FILE\n\n${commandHelp['policy check']}`);
    return 2;
  }
  const read = await readPolicyJsonFile(file, 'policy-file');
  if (!read.ok) {
    errOut(`${file}: ${read.problem}\n`);
    return 1;
  }
  const { problems } = resolvePolicy(read.layers, silentLogger);
  for (const problem of problems) errOut(`${file}: ${problem.path}: ${problem.reason}${problem.level === 'recommended' ? ' (recommended)' : ''}\n`);
  if (problems.length > 0) return 1;
  const count = read.layers.reduce((sum, layer) => sum + layer.entries.length, 0);
  out(`${file}: valid (${count} key${count === 1 ? '' : 's'})\n`);
  return 0;
}

/**
 * A --since value: YYYY-MM-DD is midnight UTC; anything else must be a full ISO 8601 time.
 * @internal
 */
export function parseSince(text: string): number | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const at = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text ? null : at;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : at;
}

async function auditExport(
  flags: ReturnType<typeof flagsOf>,
  options: CliOptions,
  out: (s: string) => void,
  errOut: (s: string) => void,
): Promise<number> {
  const wrong = (message: string) => {
    errOut(`mailwarden: ${message}\n\n${commandHelp['audit export']}`);
    return 2;
  };
  if (typeof flags.since !== 'string') return wrong('audit export needs --since DATE');
  const since = parseSince(flags.since);
  if (since === null) return wrong(`--since must be YYYY-MM-DD or an ISO 8601 time, got '${flags.since}'`);
  const format = flags.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') return wrong(`--format must be csv or json, got '${String(format)}'`);
  if (flags.mailbox !== undefined && typeof flags.mailbox !== 'string') return wrong('--mailbox needs an address');
  if (flags.out !== undefined && (typeof flags.out !== 'string' || flags.out === '')) return wrong('--out needs a FILE');
  return readBackend(options, errOut, async (backend) => {
    const query = { since, ...(typeof flags.mailbox === 'string' ? { mailbox: flags.mailbox } : {}) };
    const target = typeof flags.out === 'string' ? flags.out : null;
    const total = await auditCount(backend.core, query);
    const started = performance.now();
    // To a file: written beside it and renamed at the end, so a failure half-way leaves no half a log.
    let sink: ExportSink;
    try {
      sink = target === null ? { write: async (text) => out(text), finish: async () => undefined, abandon: async () => undefined } : await fileSink(target);
    } catch (cause) {
      errOut(`mailwarden: cannot write ${target}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}\n`);
      return 1;
    }
    let written = 0;
    try {
      if (format === 'csv') await sink.write(auditCsvStart);
      for await (const batch of auditBatches(backend.core, query)) {
        let text = '';
        if (format === 'csv') text = auditCsvLines(batch);
        else batch.forEach((row, i) => (text += auditJson.row(row, written + i === 0)));
        await sink.write(text);
        written += batch.length;
        // Progress for a long export to a file; on stdout the data itself is the progress.
        if (target !== null && total > auditBatchSize) errOut(`  ${written} of ${total} events (${Math.floor((written / total) * 100)}%)\n`);
      }
      if (format === 'json') await sink.write(auditJson.end(written));
      await sink.finish();
    } catch (cause) {
      await sink.abandon();
      errOut(`mailwarden: cannot write ${target ?? 'the export'}: ${(cause as NodeJS.ErrnoException).code ?? (cause instanceof StorageError ? cause.message : 'error')}\n`);
      return 1;
    }
    if (target === null) return 0;
    const seconds = (performance.now() - started) / 1000;
    errOut(`Exported ${written} event${written === 1 ? '' : 's'} to ${target} in ${seconds.toFixed(1)} s (${Math.round(written / Math.max(seconds, 0.001))} events/s).\n`);
    return 0;
  });
}

interface ExportSink {
  write(text: string): Promise<void>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

/** A file written beside `target` (readable by its owner only: the log names mailboxes and devices), renamed over it when done. */
async function fileSink(target: string): Promise<ExportSink> {
  const temp = join(dirname(resolve(target)), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(temp, 'wx', 0o600);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write: async (text) => {
      await handle.writeFile(text, 'utf8');
    },
    finish: async () => {
      await handle.sync();
      await close();
      await rename(temp, target);
    },
    abandon: async () => {
      await close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}

/** `helpdesk ACTION ADDRESS`: one help-desk action, logged with who did it (core/helpdesk.ts). */
async function helpdeskCommand(
  action: string | undefined,
  address: string | undefined,
  flags: ReturnType<typeof flagsOf>,
  options: CliOptions,
  out: (s: string) => void,
  errOut: (s: string) => void,
): Promise<number> {
  if (!action || !(isHelpdeskAction(action) || action === 'issue-access-pass')) {
    errOut(`mailwarden: helpdesk needs an ACTION: ${[...helpdeskActions, 'issue-access-pass'].join(', ')}${action ? ` (not '${action}')` : ''}\n\n${helpdeskUsage}`);
    return 2;
  }
  if (!address) {
    errOut(`mailwarden: helpdesk ${action} needs the mailbox's ADDRESS\n\n${helpdeskUsage}`);
    return 2;
  }
  if (flags.by !== undefined && (typeof flags.by !== 'string' || flags.by.trim() === '' || flags.by.length > 64)) {
    errOut(`mailwarden: --by needs a name of 1–64 characters\n\n${helpdeskUsage}`);
    return 2;
  }
  const by = typeof flags.by === 'string' ? flags.by.trim() : operatorName();
  if (action === 'issue-access-pass') {
    const validMs = flags.valid === undefined ? accessPassRules.defaultMs : parseDuration(flags.valid);
    if (validMs === null || validMs < accessPassRules.minMs || validMs > accessPassRules.maxMs) {
      errOut(`mailwarden: --valid needs a time from 10m to 30d, such as 30m, 8h or 7d\n\n${helpdeskUsage}`);
      return 2;
    }
    return withBackend(options, errOut, async (backend) => {
      const device = cliDevice();
      const issued = await issueAccessPass(backend.core, { address, by, device: `${device.label} / ${device.client}`, validMs });
      if (!issued.ok) {
        errOut(issued.code === 'mailbox-unknown' ? `mailwarden: no mailbox ${address}\n` : `mailwarden: ${issued.code}\n`);
        return 1;
      }
      // The pass alone on its own line, for the operator to read out or pass on; shown only here.
      out(`Temporary access pass for ${issued.data.mailbox}, one sign-in, valid until ${new Date(issued.data.expiresAt).toISOString()} (issued by ${by}):\n${issued.data.pass}\n`);
      return 0;
    });
  }
  return withBackend(options, errOut, async (backend) => {
    const device = cliDevice();
    const result = await helpdeskAct(backend.core, { action, address, by, device: `${device.label} / ${device.client}` });
    if (!result.ok) {
      errOut(result.code === 'mailbox-unknown' ? `mailwarden: no mailbox ${address}\n` : `mailwarden: ${result.code}\n`);
      return 1;
    }
    const changed = Object.entries(result.data.changed).map(([what, n]) => `${what} ${n}`).join(', ');
    out(`${action} done for ${result.data.mailbox} by ${by}${changed ? ` (${changed})` : ''}.\n`);
    return 0;
  });
}

/** "30m", "8h", "7d" in milliseconds; null for anything else. */
function parseDuration(value: unknown): number | null {
  const match = typeof value === 'string' ? /^(\d{1,4})([mhd])$/.exec(value.trim()) : null;
  if (!match) return null;
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

/** Who runs the command, when --by does not say: this computer's user and host name. */
function operatorName(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
