/**
 * What the help desk does for "I lost my phone" and its kin (issue 11, item 6), from the IT
 * command line against either store: reset a mailbox's two-factor authentication, unlock it,
 * revoke all its client passwords, or remove all its trusted devices. Each is one atomic change
 * written to the mailbox's own security log with who did it, so the person sees it on their
 * activity page; none needs the mailbox's password.
 */
import { err, ok, type Result } from '../shared/result';
import { keyedHash } from './keyed-hash';
import { revokeAllClientPasswords } from './client-password-record';
import type { CoreContext } from './context';
import { normalizeAccessPass, normalizeAddress, type MailboxRecord } from './mailbox';
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

// ---------------------------------------------------------------------------------------------
// Temporary access pass

/** As Microsoft 365's: from 10 minutes to 30 days, one hour unless the help desk says otherwise. */
export const accessPassRules = { minMs: 10 * 60_000, maxMs: 30 * 86_400_000, defaultMs: 3_600_000 } as const;

/** Crockford's base32 without I, L, O and U: nothing a person reading it aloud can confuse. */
const passAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function accessPassHash(core: CoreContext, pass: string): string {
  return keyedHash(core.keys.mac, 'access-pass', normalizeAccessPass(pass));
}

export interface AccessPassRequest {
  readonly address: string;
  readonly by: string;
  readonly device: string;
  readonly validMs: number;
}

/**
 * Issues a one-time pass (16 characters, 80 bits) that signs the mailbox in once in place of its
 * second factor, so a person who lost their phone can get in and bind a new one without the
 * help desk removing the factors they still have. A new pass replaces an earlier one. The pass
 * is shown once, to the operator; only its keyed hash is kept.
 */
export async function issueAccessPass(core: CoreContext, request: AccessPassRequest): Promise<Result<{ mailbox: string; pass: string; expiresAt: number }>> {
  if (!Number.isInteger(request.validMs) || request.validMs < accessPassRules.minMs || request.validMs > accessPassRules.maxMs) return err('invalid-request');
  const address = normalizeAddress(request.address);
  const bytes = core.random.bytes(16);
  const pass = Array.from(bytes, (byte) => passAlphabet[byte % 32]).join('');
  const now = core.clock.now();
  const expiresAt = now + request.validMs;
  const mailboxes = core.store.collection<MailboxRecord>('mailboxes');
  return core.store.atomically(async () => {
    const mailbox = await mailboxes.get(address);
    if (!mailbox) return err('mailbox-unknown');
    await mailboxes.replace({ ...mailbox, accessPass: { hash: accessPassHash(core, pass), issuedAt: now, expiresAt, issuedBy: request.by } });
    await core.activity.record({
      mailbox: address,
      kind: 'helpdesk-action',
      device: request.device,
      detail: { action: 'issue-access-pass', by: request.by, expiresAt },
    });
    return ok({ mailbox: address, pass: pass.match(/.{4}/g)!.join('-'), expiresAt });
  });
}
