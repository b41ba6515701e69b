/**
 * `mailwarden policy show | check | set`: the policy in force on this computer (or the
 * organisation's), a policy.json checked key by key, and the organisation's policy stored.
 */
import { describePolicy, resolvePolicy, type PolicyProblem } from '../core/policy';
import { readOrganisationPolicy, writeOrganisationPolicy } from '../core/organisation-policy';
import { silentLogger } from '../core/ports';
import { readPolicy, readPolicyLayers } from '../platform/policy';
import { readPolicyJsonFile } from '../platform/policy/json-file';
import type { PolicyItem } from '../shared/contract';
import { policyOptions, withBackend } from './backend';
import { exitCodes, operatorOf, type CliFlags, type CliOptions } from './command-line';
import { databaseVariable } from './organisation';

export const policyHelp = {
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
} as const;

function problemLine(problem: PolicyProblem): string {
  return `${problem.path}: ${problem.reason} (${problem.level}, ${problem.origin})`;
}

function valueText(item: PolicyItem): string {
  if (item.secret) return item.set ? '(set, not shown)' : '(not set)';
  return Array.isArray(item.value) ? item.value.join(',') : String(item.value);
}

/** `policy show`: the merged policy, as a table or JSON. Ignored values go to stderr by key. */
export async function policyShow(options: CliOptions, json: boolean, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
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
export async function policySet(
  file: string | undefined,
  flags: CliFlags,
  options: CliOptions,
  out: (s: string) => void,
  errOut: (s: string) => void,
): Promise<number> {
  if (!file) {
    errOut(`mailwarden: policy set needs a FILE\n\n${policyHelp['policy set']}`);
    return 2;
  }
  if (!options.organisation) {
    // On a computer, policy comes from the registry, managed preferences or /etc (docs/it-deployment.md).
    errOut(
      `mailwarden: policy set stores the organisation's policy in its database: give --database URL (or ${databaseVariable})\n\n${policyHelp['policy set']}`,
    );
    return 2;
  }
  const by = operatorOf(flags);
  if (by === null) {
    errOut(`mailwarden: --by needs a name of 1–64 characters\n\n${policyHelp['policy set']}`);
    return 2;
  }
  const read = await readPolicyJsonFile(file, 'policy-file');
  if (!read.ok) {
    errOut(`${file}: ${read.problem}\n`);
    return 1;
  }
  return withBackend(options, errOut, async (backend) => {
    const written = await writeOrganisationPolicy(backend.core.store, read.layers, by, Date.now());
    if (!written.ok) {
      for (const problem of written.problems) errOut(`${file}: ${problem.path}: ${problem.reason}${problem.level === 'recommended' ? ' (recommended)' : ''}\n`);
      errOut(`mailwarden: nothing was stored (${written.problems.length} problem${written.problems.length === 1 ? '' : 's'})\n`);
      return 1;
    }
    out(
      `Stored ${written.keys} key${written.keys === 1 ? '' : 's'} as the organisation's policy (by ${by}). Restart the organisation server processes, one at a time, to apply it.\n`,
    );
    return 0;
  });
}

/** `policy check FILE`: 0 when every key is valid, 1 with each bad key on stderr. */
export async function policyCheck(file: string | undefined, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  if (!file) {
    errOut(`mailwarden: policy check needs a FILE\n\n${policyHelp['policy check']}`);
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
