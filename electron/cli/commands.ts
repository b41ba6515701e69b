/**
 * The IT command line: `mailwarden <command>`. Commands print to stdout, errors to stderr.
 * Exit codes: 0 done, 1 the command failed, 2 the command line was wrong. This module reads the
 * command line and hands each command to its module (mailboxes, policy, audit, helpdesk, serve,
 * server); `info` and `autoconfig` are answered here.
 */
import { describeApp } from '../core/app-info';
import { silentLogger } from '../core/ports';
import { isMailDomain, thunderbirdAutoconfig } from '../core/mail-clients/autoconfig';
import { parseLaunchOptions } from '../platform/args';
import { readPolicy } from '../platform/policy';
import { auditExport, auditExportUsage } from './audit';
import { environmentOf, policyOptions } from './backend';
import { exitCodes, flagsOf, misfit, optionsOf, positionalsOf, usage, type CliOptions } from './command-line';
import { helpdeskCommand, helpdeskUsage } from './helpdesk';
import { importCommand, listCommand, mailboxesHelp } from './mailboxes';
import { organisationTarget } from './organisation';
import { policyCheck, policyHelp, policySet, policyShow } from './policy';
import { serveCommand, serveUsage } from './serve';
import { serverCommand, serverUsage } from './server';
import { version } from '../../package.json';

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
  ...mailboxesHelp,
  ...policyHelp,
  'audit export': auditExportUsage,
};

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
  if (command === 'server')
    return serverCommand(
      argv.filter((word, at) => at !== argv.indexOf('server')),
      out,
      errOut,
    );
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
        errOut(
          `mailwarden: autoconfig needs --domain, the mail domain (e.g. cstnet.cn)${domain ? `; '${domain}' is not one` : ''}\n\n${commandHelp.autoconfig}`,
        );
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
      errOut(
        `mailwarden: policy needs 'show', 'check' or 'set'\n\n${commandHelp['policy show']}\n${commandHelp['policy check']}\n${commandHelp['policy set']}`,
      );
      return 2;
    case 'audit':
      if (argument === 'export') return auditExport(flags, options, out, errOut);
      errOut(`mailwarden: audit needs 'export'\n\n${commandHelp['audit export']}`);
      return 2;
    case 'helpdesk':
      return helpdeskCommand(argument, words[2], flags, options, out, errOut);
    case 'list-mailboxes':
      return listCommand(options, out, errOut);
    default:
      errOut(command ? `mailwarden: unknown command '${command}'\n\n${usage}` : usage);
      return 2;
  }
}
