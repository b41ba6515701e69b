/**
 * What the help desk does for "I lost my phone" and its kin (issue 11, item 6), from the IT
 * command line against either store: reset a mailbox's two-factor authentication, unlock it,
 * revoke all its client passwords, or remove all its trusted devices. Each is one atomic change
 * written to the mailbox's own security log with who did it, so the person sees it on their
 * activity page; none needs the mailbox's password.
 */
import { err, ok, type Result } from '../shared/result';
import { revokeAllClientPasswords } from './client-password-record';
import type { CoreContext } from './context';
import { normalizeAddress, type MailboxRecord } from './mailbox';
import { revokeAllTrustedDevices } from './trusted-devices';

export const helpdeskActions = ['reset-two-factor', 'unlock', 'revoke-client-passwords', 'revoke-devices'] as const;
export type HelpdeskAction = (typeof helpdeskActions)[number];

export function isHelpdeskAction(value: string): value is HelpdeskAction {
  return (helpdeskActions as readonly string[]).includes(value);
}

export interface HelpdeskOutcome {
  readonly mailbox: string;
  readonly action: HelpdeskAction;
  /** What changed, for the operator: e.g. { methods: 2, devices: 3 }; all zero when nothing needed doing. */
  readonly changed: Readonly<Record<string, number>>;
}

export interface HelpdeskRequest {
  readonly action: HelpdeskAction;
  readonly address: string;
  /** Who did it, as the security log shows it (an operator's name or account). */
  readonly by: string;
  /** Where from: the operator's computer and tool. */
  readonly device: string;
}

/** One help-desk action on one mailbox, all or nothing; 'mailbox-unknown' when there is no such mailbox. */
export async function helpdeskAct(core: CoreContext, request: HelpdeskRequest): Promise<Result<HelpdeskOutcome>> {
  const address = normalizeAddress(request.address);
  const mailboxes = core.store.collection<MailboxRecord>('mailboxes');
  const outcome = await core.store.atomically(async (): Promise<Result<HelpdeskOutcome>> => {
    const mailbox = await mailboxes.get(address);
    if (!mailbox) return err('mailbox-unknown');
    let changed: Record<string, number>;
    switch (request.action) {
      case 'reset-two-factor': {
        // Every factor goes, and every trust granted under them: the lost phone must not still
        // open the mailbox from a trusted browser. The person binds a new method at next sign-in.
        const methods = (mailbox.phone ? 1 : 0) + (mailbox.totp ? 1 : 0);
        await mailboxes.replace({ ...mailbox, phone: null, totp: null, totpPending: null, backupCodes: [] });
        changed = { methods, backupCodes: mailbox.backupCodes.length, devices: await revokeAllTrustedDevices(core, address) };
        break;
      }
      case 'unlock':
        changed = { locked: mailbox.lockedUntil !== null && mailbox.lockedUntil > core.clock.now() ? 1 : 0, failures: mailbox.failedSignIns.length };
        await mailboxes.replace({ ...mailbox, failedSignIns: [], lockedUntil: null });
        break;
      case 'revoke-client-passwords':
        changed = { clientPasswords: (await revokeAllClientPasswords(core, address)).length };
        break;
      case 'revoke-devices':
        changed = { devices: await revokeAllTrustedDevices(core, address) };
        break;
    }
    await core.activity.record({ mailbox: address, kind: 'helpdesk-action', device: request.device, detail: { action: request.action, by: request.by } });
    return ok({ mailbox: address, action: request.action, changed });
  });
  // Sessions signed in under the old factors end too (outside the store lock: they may live elsewhere).
  if (outcome.ok && (request.action === 'reset-two-factor' || request.action === 'revoke-devices')) await core.sessions.endAllFor(address);
  return outcome;
}
