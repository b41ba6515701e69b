/**
 * The command line of `mailwarden <command>`: the flags any command takes, the ones each command
 * accepts and how many words follow its name, and the operator a logged command names.
 */
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { LaunchOptions } from '../platform/args';
import type { OrganisationTarget } from './organisation';

export const exitCodes = `Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.`;

/** The list of commands: `mailwarden help`, and what a wrong command line is shown. */
export const usage = `Usage: mailwarden <command> [options] [--user-data-dir DIR]

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

/** The shells' options, and the organisation's database when the command was pointed at one. */
export type CliOptions = LaunchOptions & { readonly organisation: OrganisationTarget | null };

/** The options each command takes; any other is refused (exit 2), so a typo is never ignored. */
export const optionsOf: Record<string, readonly OptionName[]> = {
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
export function misfit(topic: string, argv: readonly string[], words: readonly string[]): string | null {
  const allowed = new Set<string>([...(optionsOf[topic] ?? []), 'help']);
  const { tokens } = parseArgs({ args: [...argv], options: commandOptions, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option' && !allowed.has(token.name)) return `unknown option '${token.rawName}' for ${topic}`;
  }
  const extra = words.slice(topic.split(' ').length + (wordsOf[topic] ?? 0));
  return extra.length > 0 ? `unexpected argument '${extra[0]!}' for ${topic}` : null;
}

export function flagsOf(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: commandOptions, strict: false, allowPositionals: true }).values;
}

/** The words of the command line that are not flags or flag values: the command and its arguments. */
export function positionalsOf(argv: readonly string[]): string[] {
  return parseArgs({
    args: [...argv],
    options: commandOptions,
    strict: false,
    allowPositionals: true,
  }).positionals;
}

export type CliFlags = ReturnType<typeof flagsOf>;

/** Who a logged command names (--by NAME, 1–64 characters, or this computer's user); null when --by is unusable. */
export function operatorOf(flags: CliFlags): string | null {
  if (flags.by === undefined) return operatorName();
  return typeof flags.by === 'string' && flags.by.trim() !== '' && flags.by.length <= 64 ? flags.by.trim() : null;
}

/** Who runs the command, when --by does not say: this computer's user and host name. */
function operatorName(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
