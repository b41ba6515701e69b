/**
 * The second step of signing in (docs/rules.md §3.3): the challenge a connection holds after the
 * right password on an untrusted device, which second factors it offers and in what order, the
 * SMS code it sends, and checking the code entered against the chosen factor.
 *
 * A challenge is kept per connection by the session keeper (sessions.ts): in memory on a desktop,
 * where it is worth nothing after the app quits; in the store when several processes serve one
 * organisation, where the code may reach another process than the password did.
 */
import type { SecondFactor, SignInOutcome } from '../shared/channels/auth';
import { toHalfWidth } from '../shared/half-width';
import { err, ok, type Result } from '../shared/result';
import type { CallContext } from './call';
import { pendingCode, sendCode, verifyCode } from './codes';
import type { CoreContext } from './context';
import { randomId } from './ids';
import { keyedHashMatches } from './keyed-hash';
import { liveAccessPass, maskPhone, normalizeAccessPass, type MailboxRecord } from './mailbox';
import type { PendingSignIn } from './sessions';
import { useBackupCode, verifyTotp } from './two-factor';

/** How long a half-finished sign-in waits for its code before the password must be entered again. */
const pendingSignInMs = 10 * 60_000;

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

/**
 * The mailbox's second factors, the one the page opens on first: the person's chosen default
 * (`preferredMethod`, else SMS), except that when no text could be sent (`smsBlocked`: a limit,
 * the resend wait, a failed delivery) a method that works now comes before SMS, as Google and
 * Microsoft offer the authenticator when a text cannot go.
 */
export function secondFactorsOf(mailbox: MailboxRecord, now: number, smsBlocked = false): SecondFactor[] {
  const has: Record<SecondFactor, boolean> = {
    sms: mailbox.phone !== null,
    totp: mailbox.totp !== null,
    backup: mailbox.backupCodes.some((c) => c.usedAt === null),
    'access-pass': liveAccessPass(mailbox, now) !== null,
  };
  let order: SecondFactor[] = mailbox.preferredMethod === 'totp' ? ['totp', 'sms', 'backup', 'access-pass'] : ['sms', 'totp', 'backup', 'access-pass'];
  if (smsBlocked) order = [...order.filter((m) => m !== 'sms'), 'sms'];
  return order.filter((m) => has[m]);
}

/** The help desk's temporary access pass: right, unexpired and not yet used, it is used up now. */
async function useAccessPass(core: CoreContext, address: string, entered: string): Promise<Result<unknown>> {
  return core.store.atomically(async () => {
    const mailbox = await mailboxes(core).get(address);
    const pass = mailbox ? liveAccessPass(mailbox, core.clock.now()) : null;
    if (!mailbox || !pass) return err('code-expired');
    if (!keyedHashMatches(core.keys.mac, 'access-pass', normalizeAccessPass(entered), pass.hash)) return err('code-invalid');
    await mailboxes(core).replace({ ...mailbox, accessPass: null });
    return ok({});
  });
}

/** A code entered for the challenge, the factor it answers, and whether to trust this device. */
export interface VerifyRequest {
  readonly code: string;
  readonly method: SecondFactor;
  readonly trustDevice: boolean;
}

/** Checks the code entered against the chosen factor; a backup code or a pass is used up when right. */
export async function checkSecondFactor(core: CoreContext, call: CallContext, address: string, request: VerifyRequest): Promise<Result<unknown>> {
  switch (request.method) {
    case 'sms':
      return verifyCode(core, { mailbox: address, purpose: 'sign-in', code: toHalfWidth(request.code).replace(/[\s-]/g, ''), device: call.device });
    case 'totp':
      return verifyTotp(core, address, toHalfWidth(request.code).replace(/[\s-]/g, ''));
    case 'backup':
      return useBackupCode(core, address, request.code, call.device);
    case 'access-pass':
      return useAccessPass(core, address, request.code);
  }
}

/** What the page is told about a waiting challenge. */
export function codeRequired(pending: PendingSignIn, resendAt: number | undefined): SignInOutcome & { status: 'code-required' } {
  return {
    status: 'code-required',
    mailbox: pending.mailbox,
    methods: [...pending.methods],
    ...(pending.maskedPhone !== undefined ? { maskedPhone: pending.maskedPhone } : {}),
    ...(resendAt !== undefined ? { resendAt } : {}),
    ...(pending.smsError !== undefined ? { smsError: pending.smsError } : {}),
    ...(pending.codeSentAt !== undefined ? { codeSentAt: pending.codeSentAt } : {}),
    trustDevice: pending.trustDevice,
    expiresAt: pending.expiresAt,
  };
}

/**
 * Sends the sign-in code by SMS; a refusal (too soon, quota, delivery) is reported, not fatal.
 * Too soon means a sign-in code went out under a minute ago (an earlier attempt): that code
 * still signs in, so the challenge says when it was sent instead of that none was.
 */
async function sendSignInCode(core: CoreContext, call: CallContext, mailbox: string, phone: string) {
  const sent = await sendCode(core, { mailbox, phone, purpose: 'sign-in', device: call.device });
  if (sent.ok) return { resendAt: sent.data.resendAt, smsError: undefined, codeSentAt: undefined };
  const resendAt = sent.retryAfter !== undefined ? core.clock.now() + sent.retryAfter * 1000 : undefined;
  if (sent.code === 'send-too-soon') {
    const earlier = await pendingCode(core, mailbox, 'sign-in');
    if (earlier && earlier.phone === phone) return { resendAt: earlier.resendAt, smsError: undefined, codeSentAt: earlier.sentAt };
  }
  return { resendAt, smsError: sent.code, codeSentAt: undefined };
}

/**
 * Starts this connection's challenge after the right password: a code goes to the phone, if the
 * mailbox has one, and the page is told which factors it may answer with.
 */
export async function startChallenge(core: CoreContext, call: CallContext, mailbox: MailboxRecord, trustDevice: boolean): Promise<SignInOutcome> {
  const now = core.clock.now();
  const sms = mailbox.phone ? await sendSignInCode(core, call, mailbox.address, mailbox.phone.number) : null;
  const pending: PendingSignIn = {
    id: randomId(core.random),
    mailbox: mailbox.address,
    methods: secondFactorsOf(mailbox, now, sms?.smsError !== undefined),
    passwordCheckedAt: now,
    passwordChangedAt: mailbox.passwordChangedAt,
    trustDevice,
    expiresAt: now + pendingSignInMs,
    ...(mailbox.phone ? { maskedPhone: maskPhone(mailbox.phone.number) } : {}),
    ...(sms?.smsError !== undefined ? { smsError: sms.smsError } : {}),
    ...(sms?.codeSentAt !== undefined ? { codeSentAt: sms.codeSentAt } : {}),
  };
  await setPending(core, call, pending);
  return codeRequired(pending, sms?.resendAt);
}

/**
 * Starts or ends this connection's challenge. The session keeper also tells the local test outbox
 * (the "phone" in embedded mode) which mailbox the connection is proving, so it can show it the
 * code it was just sent.
 */
export async function setPending(core: CoreContext, call: CallContext, challenge: PendingSignIn | null): Promise<void> {
  await core.sessions.setChallenge(call, challenge);
}

/** The challenge of this connection, if it is still good. */
export async function livePending(core: CoreContext, call: CallContext): Promise<PendingSignIn | null> {
  const current = await core.sessions.challenge(call);
  if (!current) return null;
  if (current.expiresAt <= core.clock.now()) {
    await setPending(core, call, null);
    return null;
  }
  return current;
}

/** The challenge's mailbox as it is now, or null when the challenge no longer stands. */
export async function challengedMailbox(core: CoreContext, call: CallContext, pending: PendingSignIn): Promise<MailboxRecord | null> {
  const mailbox = await mailboxes(core).get(pending.mailbox);
  if (mailbox && mailbox.passwordChangedAt === pending.passwordChangedAt) return mailbox;
  await setPending(core, call, null);
  return null;
}

/** Another SMS code for the challenge of this connection, under the usual resend rules. */
export async function resendSignInCode(core: CoreContext, call: CallContext): Promise<Result<{ maskedPhone: string; resendAt: number; expiresAt: number }>> {
  const pending = await livePending(core, call);
  if (!pending) return err('sign-in-expired');
  const mailbox = await challengedMailbox(core, call, pending);
  if (!mailbox) return err('sign-in-expired');
  if (!mailbox.phone) return err('method-unavailable');
  const sent = await sendCode(core, { mailbox: mailbox.address, phone: mailbox.phone.number, purpose: 'sign-in', device: call.device });
  if (!sent.ok) return sent;
  await setPending(core, call, { ...pending, smsError: undefined, codeSentAt: undefined });
  return ok({ maskedPhone: maskPhone(mailbox.phone.number), resendAt: sent.data.resendAt, expiresAt: sent.data.expiresAt });
}
