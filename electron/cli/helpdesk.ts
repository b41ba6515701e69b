/**
 * `mailwarden helpdesk ACTION ADDRESS`: the help desk's actions on one mailbox (core/helpdesk.ts),
 * each written to its security log with who did it.
 */
import { accessPassRules, helpdeskAct, helpdeskActions, isHelpdeskAction, issueAccessPass } from '../core/helpdesk';
import { cliDeviceName, withBackend } from './backend';
import { exitCodes, operatorOf, type CliFlags, type CliOptions } from './command-line';

export const helpdeskUsage = `Usage: mailwarden helpdesk ACTION ADDRESS [--by NAME] [--valid DURATION] [--user-data-dir DIR | --database URL --server-key-file FILE]

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

/** `helpdesk ACTION ADDRESS`: one help-desk action, logged with who did it (core/helpdesk.ts). */
export async function helpdeskCommand(
  action: string | undefined,
  address: string | undefined,
  flags: CliFlags,
  options: CliOptions,
  out: (s: string) => void,
  errOut: (s: string) => void,
): Promise<number> {
  if (!action || !(isHelpdeskAction(action) || action === 'issue-access-pass')) {
    errOut(
      `mailwarden: helpdesk needs an ACTION: ${[...helpdeskActions, 'issue-access-pass'].join(', ')}${action ? ` (not '${action}')` : ''}\n\n${helpdeskUsage}`,
    );
    return 2;
  }
  if (!address) {
    errOut(`mailwarden: helpdesk ${action} needs the mailbox's ADDRESS\n\n${helpdeskUsage}`);
    return 2;
  }
  const by = operatorOf(flags);
  if (by === null) {
    errOut(`mailwarden: --by needs a name of 1–64 characters\n\n${helpdeskUsage}`);
    return 2;
  }
  if (action === 'issue-access-pass') {
    const validMs = flags.valid === undefined ? accessPassRules.defaultMs : parseDuration(flags.valid);
    if (validMs === null || validMs < accessPassRules.minMs || validMs > accessPassRules.maxMs) {
      errOut(`mailwarden: --valid needs a time from 10m to 30d, such as 30m, 8h or 7d\n\n${helpdeskUsage}`);
      return 2;
    }
    return withBackend(options, errOut, async (backend) => {
      const issued = await issueAccessPass(backend.core, { address, by, device: cliDeviceName(), validMs });
      if (!issued.ok) {
        errOut(issued.code === 'mailbox-unknown' ? `mailwarden: no mailbox ${address}\n` : `mailwarden: ${issued.code}\n`);
        return 1;
      }
      // The pass alone on its own line, for the operator to read out or pass on; shown only here.
      out(
        `Temporary access pass for ${issued.data.mailbox}, one sign-in, valid until ${new Date(issued.data.expiresAt).toISOString()} (issued by ${by}):\n${issued.data.pass}\n`,
      );
      return 0;
    });
  }
  return withBackend(options, errOut, async (backend) => {
    const result = await helpdeskAct(backend.core, { action, address, by, device: cliDeviceName() });
    if (!result.ok) {
      errOut(result.code === 'mailbox-unknown' ? `mailwarden: no mailbox ${address}\n` : `mailwarden: ${result.code}\n`);
      return 1;
    }
    const changed = Object.entries(result.data.changed)
      .map(([what, n]) => `${what} ${n}`)
      .join(', ');
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
