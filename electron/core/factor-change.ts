/**
 * How a second factor of a signed-in mailbox changes (docs/rules.md §4.4, §4.6): who is asking,
 * the checks a change must pass, the change itself in one `store.atomically` on the record as it
 * is then (the mailbox record, the revocation of its trusted devices and the activity event land
 * together or not at all), and the status the page is shown after it. two-factor.ts and
 * phone-binding.ts make their changes through it.
 */
import type { TwoFactorStatus } from '../shared/channels/two-factor';
import { err, ok, type Err, type Result } from '../shared/result';
import { deviceName, type CallContext } from './call';
import { pendingCode } from './codes';
import type { CoreContext } from './context';
import type { SignedInCall } from './handler-types';
import { hasTwoFactor, maskPhone, twoFactorMethods, type MailboxRecord } from './mailbox';
import type { ActivityKind } from './activity';
import type { TwoFactorMethod } from './policy';
import { passwordRecheckMs, type Session } from './sessions';
import { revokeAllTrustedDevices } from './trusted-devices';

export function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

export interface SignedIn {
  readonly session: Session;
  readonly mailbox: MailboxRecord;
}

/** The session comes from the channels' level (`enrolment`, session-levels.ts); the mailbox is read here. */
export async function signedIn(core: CoreContext, call: SignedInCall): Promise<Result<SignedIn>> {
  const mailbox = await mailboxes(core).get(call.session.mailbox);
  // A mailbox removed under a live session is no longer anyone's to change.
  if (!mailbox) return err('not-signed-in');
  return ok({ session: call.session, mailbox });
}

/** Re-read inside `store.atomically`, so the change is made to the record as it is now. */
export async function current(core: CoreContext, address: string): Promise<Result<MailboxRecord>> {
  const mailbox = await mailboxes(core).get(address);
  return mailbox ? ok(mailbox) : err('not-signed-in');
}

/** Someone at an unlocked screen must not change how the mailbox is protected without its password. */
export function recheckNeeded(core: CoreContext, session: Session): boolean {
  return core.clock.now() - session.passwordCheckedAt > passwordRecheckMs;
}

/** What a change asks before it starts: that policy allows the method, that the password was re-checked lately. */
export interface ChangeChecks {
  readonly method?: TwoFactorMethod;
  readonly recheck?: boolean;
}

/** The first of the checks that fails, as its error; null when all pass. */
export function failedCheck(core: CoreContext, session: Session, checks: ChangeChecks): Err | null {
  if (checks.method && !core.policy().allowedMethods.includes(checks.method)) return err('method-not-allowed');
  if (checks.recheck && recheckNeeded(core, session)) return err('password-recheck-required');
  return null;
}

const alreadyThere = { sms: 'phone-already-bound', totp: 'totp-already-enabled' } as const;

/**
 * Adding `method` to the mailbox: refused when it has it already (one phone per mailbox; a new
 * number goes through change). Adding a factor to a mailbox that already has one changes its
 * protection, so it asks for the same password re-check as a change.
 */
export function refusedAddition(core: CoreContext, session: Session, mailbox: MailboxRecord, method: TwoFactorMethod): Err | null {
  if (method === 'sms' ? mailbox.phone : mailbox.totp) return err(alreadyThere[method]);
  if (hasTwoFactor(mailbox) && recheckNeeded(core, session)) return err('password-recheck-required');
  return null;
}

/** The session and its mailbox, when policy allows `method` and the mailbox may start adding it. */
export async function startingAddition(core: CoreContext, call: SignedInCall, method: TwoFactorMethod): Promise<Result<SignedIn>> {
  const who = await signedIn(core, call);
  if (!who.ok) return who;
  const { session, mailbox } = who.data;
  return failedCheck(core, session, { method }) ?? refusedAddition(core, session, mailbox, method) ?? who;
}

/** Under an enforcing policy the last method stays: removing it would leave the mailbox bare. */
function mayRemoveAMethod(core: CoreContext, mailbox: MailboxRecord): boolean {
  return !core.policy().enforceTwoFactor || twoFactorMethods(mailbox).length > 1;
}

/**
 * Takes a method off the record, or refuses while it is the last one under an enforcing policy.
 * Backup codes stand in for a method; once no method is left they would be a way around nothing, so they go too.
 */
export function withoutMethod(
  core: CoreContext,
  mailbox: MailboxRecord,
  change: Partial<Pick<MailboxRecord, 'phone' | 'totp' | 'totpPending'>>,
): Result<MailboxRecord> {
  if (!mayRemoveAMethod(core, mailbox)) return err('enforcement-requires-method');
  const next = { ...mailbox, ...change };
  return ok(hasTwoFactor(next) ? next : { ...next, backupCodes: [] });
}

/**
 * A factor was bound, changed or removed: save it, end every trust granted under the old
 * factors (ASVS 2.5.5) and log it, in the caller's `atomically`. One place, so no path forgets.
 */
export async function saveFactorChange(
  core: CoreContext,
  call: CallContext,
  next: MailboxRecord,
  kind: ActivityKind,
  detail?: Readonly<Record<string, string | number>>,
): Promise<void> {
  await mailboxes(core).replace(next);
  await revokeAllTrustedDevices(core, next.address);
  await core.activity.record({ mailbox: next.address, kind, device: deviceName(call.device), ...(detail ? { detail } : {}) });
}

export async function twoFactorStatus(core: CoreContext, session: Session, mailbox: MailboxRecord): Promise<TwoFactorStatus> {
  const policy = core.policy();
  const pending = await pendingCode(core, mailbox.address, 'bind-phone');
  return {
    methods: twoFactorMethods(mailbox),
    phone: mailbox.phone ? { masked: maskPhone(mailbox.phone.number), boundAt: mailbox.phone.boundAt } : null,
    totp: mailbox.totp ? { enrolledAt: mailbox.totp.confirmedAt } : null,
    backupCodes: { left: mailbox.backupCodes.filter((c) => c.usedAt === null).length, total: mailbox.backupCodes.length },
    enforced: policy.enforceTwoFactor,
    allowedMethods: [...policy.allowedMethods],
    canUnbind: mayRemoveAMethod(core, mailbox),
    passwordRecheckNeeded: recheckNeeded(core, session),
    preferredMethod: mailbox.preferredMethod === 'totp' && mailbox.totp ? 'totp' : 'sms',
    pendingPhone: pending
      ? { masked: maskPhone(pending.phone), expiresAt: pending.expiresAt, windowEndsAt: pending.windowEndsAt, resendAt: pending.resendAt }
      : null,
  };
}

/**
 * One change of a method: the checks on the session, then `change` on the record as it is now,
 * inside `store.atomically`; the answer is the status after it (or the change's refusal).
 */
export async function changeMethod(
  core: CoreContext,
  call: SignedInCall,
  checks: ChangeChecks,
  change: (fresh: MailboxRecord, session: Session) => Promise<Result<MailboxRecord>>,
): Promise<Result<TwoFactorStatus>> {
  const who = await signedIn(core, call);
  if (!who.ok) return who;
  const { session, mailbox } = who.data;
  const failed = failedCheck(core, session, checks);
  if (failed) return failed;
  const result = await core.store.atomically(async (): Promise<Result<MailboxRecord>> => {
    const fresh = await current(core, mailbox.address);
    return fresh.ok ? change(fresh.data, session) : fresh;
  });
  return result.ok ? ok(await twoFactorStatus(core, session, result.data)) : result;
}
