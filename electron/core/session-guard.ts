/**
 * The session a channel needs (docs/rules.md §3): whether a call is signed in, and whether its session
 * is restricted to binding a method because policy enforces 2FA and the mailbox has none (or its
 * grace period ran out). Asked for each channel's declared level by session-levels.ts, and by the
 * mail-client authority for its own; signing in itself lives in sign-in.ts.
 */
import { err, ok, type Result } from '../shared/result';
import type { CallContext } from './call';
import type { CoreContext } from './context';
import { hasTwoFactor, type MailboxRecord } from './mailbox';
import type { Session } from './sessions';

const dayMs = 24 * 60 * 60 * 1000;

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

/** What policy asks of a mailbox now: nothing, 2FA within a grace period, or 2FA before anything else. */
export type TwoFactorRequirement = { readonly kind: 'none' } | { readonly kind: 'grace'; readonly endsAt: number } | { readonly kind: 'forced' };

/**
 * The grace period counts from the mailbox's first sign-in under the requirement
 * (`twoFactorRequiredSince`), so each person gets the same number of days whenever they first
 * meet the rule; a mailbox not yet recorded is treated as starting now.
 */
export function twoFactorRequirement(core: CoreContext, mailbox: MailboxRecord): TwoFactorRequirement {
  const policy = core.policy();
  if (!policy.enforceTwoFactor || hasTwoFactor(mailbox)) return { kind: 'none' };
  if (policy.twoFactorGraceDays === 0) return { kind: 'forced' };
  const now = core.clock.now();
  const endsAt = (mailbox.twoFactorRequiredSince ?? now) + policy.twoFactorGraceDays * dayMs;
  return now < endsAt ? { kind: 'grace', endsAt } : { kind: 'forced' };
}

export function enrollmentStillRequired(core: CoreContext, mailbox: MailboxRecord | null): boolean {
  return mailbox !== null && twoFactorRequirement(core, mailbox).kind === 'forced';
}

/**
 * The signed-in session of a call, for every channel that needs one. A session restricted to
 * enrolment passes only where `allowEnrollment` is set (level `enrolment`); it is freed as
 * soon as the mailbox has a method, or policy stops enforcing 2FA.
 */
export async function requireSession(core: CoreContext, call: CallContext, options: { allowEnrollment: boolean }): Promise<Result<Session>> {
  let session = await core.sessions.current(call);
  if (!session) return err('not-signed-in');
  // The grace period ran out during this session: from now on it is restricted like any other.
  if (!session.enrollmentRequired && session.twoFactorGraceEndsAt !== undefined && core.clock.now() >= session.twoFactorGraceEndsAt) {
    const required = enrollmentStillRequired(core, await mailboxes(core).get(session.mailbox));
    await core.sessions.update(call, { enrollmentRequired: required, twoFactorGraceEndsAt: undefined });
    session = { ...session, enrollmentRequired: required, twoFactorGraceEndsAt: undefined };
  }
  if (!session.enrollmentRequired || options.allowEnrollment) return ok(session);
  if (enrollmentStillRequired(core, await mailboxes(core).get(session.mailbox))) return err('two-factor-required');
  await core.sessions.update(call, { enrollmentRequired: false });
  return ok({ ...session, enrollmentRequired: false });
}
