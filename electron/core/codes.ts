/**
 * SMS verification codes (docs/rules.md §4, §5): sending with the resend and quota rules, and checking
 * what the user typed. Used for binding or changing a phone and, by the sign-in flow, for the
 * second step of signing in.
 *
 * One record per mailbox and purpose holds the current code, so a newer code replaces (and so
 * invalidates) the one before. Every delivered SMS is also written to `smsSends`, which the
 * rolling per-phone and per-mailbox limits count.
 */
import { err, ok, type Result } from '../shared/result';
import { deviceName, type DeviceIdentity } from './call';
import { SmsDeliveryError, type CoreContext } from './context';
import { randomId } from './ids';
import { keyedHash, keyedHashMatches } from './keyed-hash';
import { maskPhone } from './mailbox';
import type { StoredRecord } from './store';

/** `bind-phone` covers binding a first phone and changing it; `sign-in` is the sign-in challenge. */
export type CodePurpose = 'bind-phone' | 'sign-in';

export const codeRules = {
  digits: 6,
  /** Binding: from the first code of an attempt. Sign-in: from each send. */
  lifetimeMs: 5 * 60_000,
  resendAfterMs: 60_000,
  maxWrongEntries: 5,
  limits: [
    { sends: 5, windowMs: 60 * 60_000 },
    { sends: 10, windowMs: 24 * 60 * 60_000 },
  ],
} as const;

const longestLimitMs = Math.max(...codeRules.limits.map((l) => l.windowMs));

/** @internal */
export interface CodeRecord extends StoredRecord {
  readonly mailbox: string;
  readonly purpose: CodePurpose;
  /** E.164: where this code went, and so the phone a binding confirms. */
  readonly phone: string;
  /** keyedHash(mac, `sms-code:<purpose>`, code): a stolen store without the key cannot be brute-forced offline. */
  readonly hash: string;
  readonly sentAt: number;
  /** When the attempt this code belongs to began: a resend does not move it. */
  readonly windowStartedAt: number;
  readonly expiresAt: number;
  readonly wrongEntries: number;
  readonly usedAt: number | null;
}

/** @internal */
export interface SmsSendRecord extends StoredRecord {
  readonly mailbox: string;
  readonly phone: string;
  readonly purpose: CodePurpose;
  readonly at: number;
}

export interface SentCode {
  /** When the code just sent stops working. */
  readonly expiresAt: number;
  /** The earliest time another code may be sent (the 60 s rule, or a send limit). */
  readonly resendAt: number;
  /** The end of the attempt: binding restarts after it; for sign-in it equals expiresAt. */
  readonly windowEndsAt: number;
}

export interface SendCodeInput {
  readonly mailbox: string;
  /** E.164 (see phone.ts). */
  readonly phone: string;
  readonly purpose: CodePurpose;
  readonly device: DeviceIdentity;
}

export interface VerifyCodeInput {
  readonly mailbox: string;
  readonly purpose: CodePurpose;
  readonly code: string;
  readonly device: DeviceIdentity;
}

function codes(core: CoreContext) {
  return core.store.collection<CodeRecord>('codes');
}

function sends(core: CoreContext) {
  return core.store.collection<SmsSendRecord>('smsSends');
}

function hashPurpose(purpose: CodePurpose): string {
  return `sms-code:${purpose}`;
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/** Six uniform digits from the CSPRNG; leading zeros are part of the code. */
function newCode(core: CoreContext): string {
  return core.random
    .int(10 ** codeRules.digits)
    .toString()
    .padStart(codeRules.digits, '0');
}

function validMinutes(validMs: number): number {
  return Math.max(1, Math.ceil(validMs / 60_000));
}

function smsText(code: string, validMs: number): string {
  const minutes = validMinutes(validMs);
  return `【邮件安全助手】验证码 ${code}，${minutes} 分钟内有效。Mailwarden code ${code}, valid for ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

type SendBlock = { readonly code: 'send-too-soon' | 'send-limit-reached'; readonly until: number };

/**
 * The latest of the 60 s rule and every rolling limit over one list of sends, oldest first. The
 * 60 s rule is the resend rule: it spaces codes of one purpose (`spacing` null: no code is
 * waiting to be resent). A code of another purpose right after (signing in a moment after
 * binding the phone), or after the last one was used (signing in again a moment after signing
 * out), is a new code the person needs and cannot get any other way; the hourly and daily limits
 * count every send all the same.
 */
function blocksOf(list: readonly SmsSendRecord[], now: number, spacing: CodePurpose | null): SendBlock[] {
  const blocks: SendBlock[] = [];
  const last = spacing === null ? undefined : list.filter((s) => s.purpose === spacing).at(-1);
  if (last && last.at + codeRules.resendAfterMs > now) blocks.push({ code: 'send-too-soon', until: last.at + codeRules.resendAfterMs });
  for (const limit of codeRules.limits) {
    const counted = list.filter((s) => s.at > now - limit.windowMs);
    // Sending becomes possible again when enough of the counted sends have left the window.
    const freeing = counted[counted.length - limit.sends];
    if (freeing) blocks.push({ code: 'send-limit-reached', until: freeing.at + limit.windowMs });
  }
  return blocks;
}

/**
 * What stands in the way of sending to this phone for this mailbox now, if anything: limits
 * count per phone (several mailboxes may share one) and per mailbox (one person trying many
 * numbers), across every purpose. The 60 s wait is a resend's, so it is the mailbox's own: the
 * code another mailbox on the same phone needs (adding it in the switcher, docs/rules.md §7.4)
 * goes at once, and still counts toward the phone's hourly and daily limits.
 */
async function sendBlock(core: CoreContext, mailbox: string, phone: string, now: number, spacing: CodePurpose | null): Promise<SendBlock | null> {
  const since = { $gt: now - longestLimitMs };
  const byPhone = await sends(core).find({ phone, at: since }, { sort: { at: 1 } });
  const byMailbox = await sends(core).find({ mailbox, at: since }, { sort: { at: 1 } });
  const blocks = [...blocksOf(byPhone, now, null), ...blocksOf(byMailbox, now, spacing)];
  return blocks.reduce<SendBlock | null>((latest, block) => (latest && latest.until >= block.until ? latest : block), null);
}

/**
 * Sends a new code by SMS. The send is reserved in the store first (so two requests at once
 * cannot both slip under a limit), then delivered outside the store's lock (a slow provider must
 * not hold every other write), and released again if delivery fails: a failed SMS consumes no
 * quota and leaves the previous code as it was.
 */
export async function sendCode(core: CoreContext, input: SendCodeInput): Promise<Result<SentCode>> {
  const { mailbox, phone, purpose, device } = input;
  const code = newCode(core);
  const reserved = await core.store.atomically(async () => {
    const now = core.clock.now();
    const previous = await codes(core).findOne({ mailbox, purpose });
    // Once the last code was used, the next one is not a resend: no 60 s wait for it.
    const block = await sendBlock(core, mailbox, phone, now, previous !== null && previous.usedAt !== null ? null : purpose);
    if (block) return err(block.code, { retryAfter: secondsUntil(block.until, now) });

    // A resend continues a binding attempt (same phone, window still open, not yet used); the
    // window never stretches, so a code sent at 4:30 is good for 30 seconds.
    const continues =
      purpose === 'bind-phone' &&
      previous !== null &&
      previous.phone === phone &&
      previous.usedAt === null &&
      now < previous.windowStartedAt + codeRules.lifetimeMs;
    const windowStartedAt = continues ? previous.windowStartedAt : now;
    const record: CodeRecord = {
      _id: previous?._id ?? randomId(core.random),
      mailbox,
      purpose,
      phone,
      hash: keyedHash(core.keys.mac, hashPurpose(purpose), code),
      sentAt: now,
      windowStartedAt,
      expiresAt: windowStartedAt + codeRules.lifetimeMs,
      wrongEntries: 0,
      usedAt: null,
    };
    if (previous) await codes(core).replace(record);
    else await codes(core).insert(record);
    const send: SmsSendRecord = { _id: randomId(core.random), mailbox, phone, purpose, at: now };
    await sends(core).insert(send);
    // Sends older than the longest window count for nothing any more.
    await sends(core).remove({ at: { $lte: now - longestLimitMs } });
    return ok({ previous, record, send });
  });
  if (!reserved.ok) return reserved;
  const { previous, record, send } = reserved.data;

  try {
    await core.sms.send({
      phone,
      mailbox,
      code,
      validMinutes: validMinutes(record.expiresAt - record.sentAt),
      expiresAt: record.expiresAt,
      text: smsText(code, record.expiresAt - record.sentAt),
    });
  } catch (cause) {
    await core.store.atomically(async () => {
      await sends(core).remove({ _id: send._id });
      if (previous) await codes(core).replace(previous);
      else await codes(core).remove({ _id: record._id });
      if (cause instanceof SmsDeliveryError) {
        await core.activity.record({
          mailbox,
          kind: 'code-send-failed',
          outcome: 'failure',
          device: deviceName(device),
          detail: { phone: maskPhone(phone), purpose, gateway: core.sms.kind },
        });
      }
    });
    if (!(cause instanceof SmsDeliveryError)) throw cause;
    // The gateway's message names the failure (status, timeout), never the text with the code.
    core.logger.warn('sms delivery failed', { gateway: core.sms.kind, reason: cause.message });
    return err('sms-delivery-failed');
  }

  await core.activity.record({
    mailbox,
    kind: 'code-sent',
    device: deviceName(device),
    detail: { phone: maskPhone(phone), purpose },
  });
  const next = await sendBlock(core, mailbox, phone, record.sentAt, purpose);
  return ok({
    expiresAt: record.expiresAt,
    resendAt: next?.until ?? record.sentAt,
    windowEndsAt: record.windowStartedAt + codeRules.lifetimeMs,
  });
}

/**
 * Checks a typed code and spends it. Call inside `store.atomically` (the caller's writes that
 * depend on the code, such as binding the phone, belong in the same unit); a refusal is a value,
 * so the counted wrong entry is kept. Returns the phone the code was sent to.
 */
export async function redeemCode(core: CoreContext, input: VerifyCodeInput): Promise<Result<{ phone: string }>> {
  const { mailbox, purpose, device } = input;
  const now = core.clock.now();
  const record = await codes(core).findOne({ mailbox, purpose });
  if (!record) return err('code-not-sent');
  if (record.usedAt !== null) return err('code-used');
  if (record.wrongEntries >= codeRules.maxWrongEntries) return err('code-attempts-exceeded');
  if (now >= record.expiresAt) return err('code-expired');

  if (keyedHashMatches(core.keys.mac, hashPurpose(purpose), input.code, record.hash)) {
    await codes(core).replace({ ...record, usedAt: now });
    return ok({ phone: record.phone });
  }

  const wrongEntries = record.wrongEntries + 1;
  await codes(core).replace({ ...record, wrongEntries });
  await core.activity.record({
    mailbox,
    kind: 'code-rejected',
    outcome: 'failure',
    device: deviceName(device),
    detail: { purpose, wrongEntries },
  });
  // The 5th wrong entry ends the code: one in a million per guess, five guesses per code.
  return wrongEntries >= codeRules.maxWrongEntries
    ? err('code-attempts-exceeded')
    : err('code-invalid', { triesLeft: codeRules.maxWrongEntries - wrongEntries });
}

/** Checks and spends a typed code on its own (the sign-in step). */
export function verifyCode(core: CoreContext, input: VerifyCodeInput): Promise<Result<{ phone: string }>> {
  return core.store.atomically(() => redeemCode(core, input));
}

export interface PendingCode {
  /** E.164 the code went to. */
  readonly phone: string;
  /** When it was sent. */
  readonly sentAt: number;
  readonly expiresAt: number;
  readonly windowEndsAt: number;
  readonly resendAt: number;
}

/** The code still waiting to be entered, for a page that reopens mid-flow; null when none can be. */
export async function pendingCode(core: CoreContext, mailbox: string, purpose: CodePurpose): Promise<PendingCode | null> {
  const now = core.clock.now();
  const record = await codes(core).findOne({ mailbox, purpose });
  if (!record || record.usedAt !== null || record.wrongEntries >= codeRules.maxWrongEntries || now >= record.expiresAt) return null;
  const block = await sendBlock(core, mailbox, record.phone, now, purpose);
  return {
    phone: record.phone,
    sentAt: record.sentAt,
    expiresAt: record.expiresAt,
    windowEndsAt: record.windowStartedAt + codeRules.lifetimeMs,
    resendAt: block?.until ?? now,
  };
}
