/**
 * The phone as a second factor (docs/rules.md §4.3, §4.4): binding one, changing its number and
 * unbinding it. A number is bound only by the code sent to it (codes.ts); one phone per mailbox.
 */
import type { TwoFactorStatus } from '../shared/channels/two-factor';
import { err, ok, type Result } from '../shared/result';
import type { CallContext } from './call';
import { redeemCode, sendCode, type SentCode } from './codes';
import type { CoreContext } from './context';
import { changeMethod, failedCheck, recheckNeeded, refusedAddition, saveFactorChange, signedIn, startingAddition, withoutMethod } from './factor-change';
import type { SignedInCall } from './handler-types';
import { maskPhone, type MailboxRecord } from './mailbox';
import { normalizePhone } from './phone';

interface CodeSentView extends SentCode {
  readonly masked: string;
}

async function sendPhoneCode(core: CoreContext, call: CallContext, mailbox: MailboxRecord, phone: string): Promise<Result<CodeSentView>> {
  const sent = await sendCode(core, { mailbox: mailbox.address, phone, purpose: 'bind-phone', device: call.device });
  return sent.ok ? ok({ masked: maskPhone(phone), ...sent.data }) : sent;
}

/** The code sent to a new number, redeemed: the record with that number bound from now. */
async function withCodedPhone(
  core: CoreContext,
  call: CallContext,
  mailbox: MailboxRecord,
  code: string,
): Promise<Result<{ next: MailboxRecord; number: string }>> {
  const redeemed = await redeemCode(core, { mailbox: mailbox.address, purpose: 'bind-phone', code, device: call.device });
  if (!redeemed.ok) return redeemed;
  const number = redeemed.data.phone;
  return ok({ next: { ...mailbox, phone: { number, boundAt: core.clock.now() } }, number });
}

/** Step 2 of the guide: the number is checked and a code sent to it. */
export async function startPhoneBinding(core: CoreContext, call: SignedInCall, input: { phone: string }): Promise<Result<CodeSentView>> {
  const who = await startingAddition(core, call, 'sms');
  if (!who.ok) return who;
  const phone = normalizePhone(input.phone);
  if (!phone.ok) return phone;
  return sendPhoneCode(core, call, who.data.mailbox, phone.data);
}

/** Step 3: the code binds the phone it was sent to. */
export function confirmPhoneBinding(core: CoreContext, call: SignedInCall, input: { code: string }): Promise<Result<TwoFactorStatus>> {
  return changeMethod(core, call, { method: 'sms' }, async (fresh, session) => {
    const refused = refusedAddition(core, session, fresh, 'sms');
    if (refused) return refused;
    const bound = await withCodedPhone(core, call, fresh, input.code);
    if (!bound.ok) return bound;
    await saveFactorChange(core, call, bound.data.next, 'phone-bound', { phone: maskPhone(bound.data.number) });
    return ok(bound.data.next);
  });
}

/** A new number for a bound mailbox: the password (if not re-checked lately), then a code to the new number. */
export async function startPhoneChange(core: CoreContext, call: SignedInCall, input: { phone: string }): Promise<Result<CodeSentView>> {
  const who = await signedIn(core, call);
  if (!who.ok) return who;
  const { session, mailbox } = who.data;
  const failed = failedCheck(core, session, { method: 'sms' });
  if (failed) return failed;
  if (!mailbox.phone) return err('phone-not-bound');
  if (recheckNeeded(core, session)) return err('password-recheck-required');
  const phone = normalizePhone(input.phone);
  if (!phone.ok) return phone;
  if (phone.data === mailbox.phone.number) return err('phone-unchanged');
  return sendPhoneCode(core, call, mailbox, phone.data);
}

export function confirmPhoneChange(core: CoreContext, call: SignedInCall, input: { code: string }): Promise<Result<TwoFactorStatus>> {
  return changeMethod(core, call, { method: 'sms', recheck: true }, async (fresh) => {
    const before = fresh.phone;
    if (!before) return err('phone-not-bound');
    const changed = await withCodedPhone(core, call, fresh, input.code);
    if (!changed.ok) return changed;
    await saveFactorChange(core, call, changed.data.next, 'phone-changed', { from: maskPhone(before.number), to: maskPhone(changed.data.number) });
    return ok(changed.data.next);
  });
}

export function unbindPhone(core: CoreContext, call: SignedInCall): Promise<Result<TwoFactorStatus>> {
  return changeMethod(core, call, { recheck: true }, async (fresh) => {
    const before = fresh.phone;
    if (!before) return err('phone-not-bound');
    const next = withoutMethod(core, fresh, { phone: null });
    if (!next.ok) return next;
    await saveFactorChange(core, call, next.data, 'phone-unbound', { phone: maskPhone(before.number) });
    return next;
  });
}
