/**
 * Two-factor methods of a signed-in mailbox (docs/rules.md §4): the channels' handlers, an
 * authenticator app (TOTP, RFC 6238), single-use backup codes, the preferred method and the
 * password re-check that guards changes; the phone's binding is in phone-binding.ts, and how any
 * change is made in factor-change.ts. Sign-in uses `verifyCode` (codes.ts), `verifyTotp` and
 * `useBackupCode` from here.
 */
import { Secret, TOTP } from 'otpauth';
import type { TwoFactorStatus } from '../shared/channels/two-factor';
import { err, ok, type Result } from '../shared/result';
import { deviceName, type CallContext, type DeviceIdentity } from './call';
import { codeRules } from './codes';
import type { CoreContext } from './context';
import {
  changeMethod,
  current,
  failedCheck,
  mailboxes,
  refusedAddition,
  saveFactorChange,
  signedIn,
  startingAddition,
  twoFactorStatus,
  withoutMethod,
} from './factor-change';
import { countPasswordFailure, secondsUntil } from './lockout';
import type { LevelledHandlersOf, SignedInCall } from './handler-types';
import { hasTwoFactor, maskPhone, twoFactorMethods, type BackupCode, type MailboxRecord } from './mailbox';
import { confirmPhoneBinding, confirmPhoneChange, startPhoneBinding, startPhoneChange, unbindPhone } from './phone-binding';
import { qrSvg } from './qr-svg';

/** @internal */
export const totpRules = {
  algorithm: 'SHA1',
  digits: 6,
  period: 30,
  /** One step either side: a phone clock a little off still works; a wider window helps guessers. */
  window: 1,
  /** 160 bits, the HMAC-SHA-1 block the RFC 4226 recommends. */
  secretBytes: 20,
} as const;

/** @internal */
export const backupCodeRules = {
  count: 10,
  length: 8,
  /** No i, l, o, 0 or 1: nothing a person copying from paper can misread. 31 symbols, ~40 bits a code. */
  alphabet: 'abcdefghjkmnpqrstuvwxyz23456789',
} as const;

/**
 * The method a sign-in asks for first, when the mailbox has both (Google and Microsoft let a
 * person choose). Only a bound method can be chosen; the choice weakens nothing, so it needs no
 * password re-check, and the other methods stay one click away on the code page.
 */
function setPreferredMethod(core: CoreContext, call: SignedInCall, input: { method: 'sms' | 'totp' }): Promise<Result<TwoFactorStatus>> {
  return changeMethod(core, call, {}, async (fresh) => {
    if (!twoFactorMethods(fresh).includes(input.method)) return err('method-unavailable');
    const next: MailboxRecord = { ...fresh, preferredMethod: input.method };
    await mailboxes(core).replace(next);
    return ok(next);
  });
}

// ---------------------------------------------------------------------------------------------
// Password re-check

/** Asks for the main password again before a method changes; a wrong one counts like a wrong sign-in. */
async function recheckPassword(core: CoreContext, call: SignedInCall, password: string): Promise<Result<{ passwordCheckedAt: number }>> {
  const who = await signedIn(core, call);
  if (!who.ok) return who;
  const { mailbox } = who.data;
  const started = core.clock.now();
  if (mailbox.lockedUntil !== null && mailbox.lockedUntil > started) return err('mailbox-locked', { retryAfter: secondsUntil(mailbox.lockedUntil, started) });

  // scrypt runs outside the store lock; the outcome is written against the record as it is then.
  const matches = await core.hasher.verify(password, mailbox.passwordHash);
  return core.store.atomically(async () => {
    const fresh = await current(core, mailbox.address);
    if (!fresh.ok) return fresh;
    const now = core.clock.now();
    if (matches) {
      if (fresh.data.failedSignIns.length > 0) await mailboxes(core).replace({ ...fresh.data, failedSignIns: [] });
      await core.sessions.update(call, { passwordCheckedAt: now });
      return ok({ passwordCheckedAt: now });
    }
    await core.activity.record({
      mailbox: mailbox.address,
      kind: 'sign-in-failed',
      outcome: 'failure',
      device: deviceName(call.device),
      detail: { step: 'password-recheck' },
    });
    const { lockedUntil } = await countPasswordFailure(core, fresh.data, call.device);
    return lockedUntil === null ? err('password-incorrect') : err('mailbox-locked', { retryAfter: secondsUntil(lockedUntil, now) });
  });
}

// ---------------------------------------------------------------------------------------------
// Authenticator app (TOTP)

/**
 * `issuer`: the mail system's name as policy gives it (policy `totpIssuer`), never the app's; it
 * matters only for the enrolment URI, not for checking a code.
 */
function totpFor(address: string, secret: Secret, issuer = ''): TOTP {
  return new TOTP({
    issuer,
    label: address,
    algorithm: totpRules.algorithm,
    digits: totpRules.digits,
    period: totpRules.period,
    secret,
  });
}

/** The time step a code belongs to, within ±1 step of now, or null when it matches none. */
function matchingStep(address: string, secretBase32: string, code: string, now: number): number | null {
  const totp = totpFor(address, Secret.fromBase32(secretBase32));
  const delta = totp.validate({ token: code, timestamp: now, window: totpRules.window });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}

interface TotpEnrolmentView {
  readonly uri: string;
  readonly secret: string;
  readonly qrSvg: string;
}

/** A fresh seed, kept as pending until a code from the app proves it was copied right. */
async function startTotp(core: CoreContext, call: SignedInCall): Promise<Result<TotpEnrolmentView>> {
  const who = await startingAddition(core, call, 'totp');
  if (!who.ok) return who;
  const { mailbox } = who.data;
  // The seed comes from the core's CSPRNG (copied to an exactly sized buffer), not otpauth's own source.
  const secret = new Secret({ buffer: core.random.bytes(totpRules.secretBytes).slice().buffer });
  const uri = totpFor(mailbox.address, secret, core.policy().totpIssuer).toString();
  const result = await core.store.atomically(async (): Promise<Result<null>> => {
    const fresh = await current(core, mailbox.address);
    if (!fresh.ok) return fresh;
    if (fresh.data.totp) return err('totp-already-enabled');
    await mailboxes(core).replace({ ...fresh.data, totpPending: { secret: secret.base32, createdAt: core.clock.now() } });
    return ok(null);
  });
  if (!result.ok) return result;
  return ok({ uri, secret: secret.base32, qrSvg: qrSvg(uri) });
}

function confirmTotp(core: CoreContext, call: SignedInCall, input: { code: string }): Promise<Result<TwoFactorStatus>> {
  return changeMethod(core, call, { method: 'totp' }, async (fresh, session) => {
    if (fresh.totp) return err('totp-already-enabled');
    const pending = fresh.totpPending;
    if (!pending) return err('totp-not-started');
    const refused = refusedAddition(core, session, fresh, 'totp');
    if (refused) return refused;
    const now = core.clock.now();
    const step = matchingStep(fresh.address, pending.secret, input.code, now);
    if (step === null) return err('code-invalid');
    // The code that proved the enrolment is spent: it cannot then sign anyone in.
    const next: MailboxRecord = { ...fresh, totp: { secret: pending.secret, confirmedAt: now, lastStep: step }, totpPending: null };
    await saveFactorChange(core, call, next, 'totp-enrolled');
    return ok(next);
  });
}

function removeTotp(core: CoreContext, call: SignedInCall): Promise<Result<TwoFactorStatus>> {
  return changeMethod(core, call, { recheck: true }, async (fresh) => {
    if (!fresh.totp) return err('totp-not-enabled');
    const next = withoutMethod(core, fresh, { totp: null, totpPending: null });
    if (!next.ok) return next;
    await saveFactorChange(core, call, next.data, 'totp-removed');
    return next;
  });
}

/**
 * Checks an authenticator code at sign-in and spends its time step: a code whose step is not
 * after the last accepted one is refused (`code-used`), so an overheard code cannot be replayed
 * within its 90-second window.
 */
export function verifyTotp(core: CoreContext, address: string, code: string): Promise<Result<null>> {
  return core.store.atomically(async () => {
    const mailbox = await mailboxes(core).get(address);
    if (!mailbox?.totp) return err('totp-not-enabled');
    const step = matchingStep(mailbox.address, mailbox.totp.secret, code, core.clock.now());
    if (step === null) return err('code-invalid');
    if (step <= mailbox.totp.lastStep) return err('code-reused');
    await mailboxes(core).replace({ ...mailbox, totp: { ...mailbox.totp, lastStep: step } });
    return ok(null);
  });
}

// ---------------------------------------------------------------------------------------------
// Backup codes

/** `abcd-efgh` as shown; lower case without separators as hashed. */
function normalizeBackupCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  if (compact.length !== backupCodeRules.length) return null;
  return [...compact].every((c) => backupCodeRules.alphabet.includes(c)) ? compact : null;
}

function newBackupCode(core: CoreContext): string {
  const { alphabet, length } = backupCodeRules;
  let code = '';
  for (let i = 0; i < length; i += 1) code += alphabet[core.random.int(alphabet.length)];
  return code;
}

/** Ten new codes, shown this once; any earlier set stops working. */
async function generateBackupCodes(core: CoreContext, call: SignedInCall): Promise<Result<{ codes: string[] }>> {
  const who = await signedIn(core, call);
  if (!who.ok) return who;
  const { session, mailbox } = who.data;
  if (!hasTwoFactor(mailbox)) return err('two-factor-not-enabled');
  const failed = failedCheck(core, session, { recheck: true });
  if (failed) return failed;
  const codes = Array.from({ length: backupCodeRules.count }, () => newBackupCode(core));
  const stored: BackupCode[] = [];
  for (const code of codes) stored.push({ hash: await core.codeHasher.hash(code), usedAt: null });
  const result = await core.store.atomically(async (): Promise<Result<null>> => {
    const fresh = await current(core, mailbox.address);
    if (!fresh.ok) return fresh;
    if (!hasTwoFactor(fresh.data)) return err('two-factor-not-enabled');
    await mailboxes(core).replace({ ...fresh.data, backupCodes: stored });
    await core.activity.record({
      mailbox: mailbox.address,
      kind: 'backup-codes-generated',
      device: deviceName(call.device),
      detail: { count: backupCodeRules.count },
    });
    return ok(null);
  });
  if (!result.ok) return result;
  return ok({ codes: codes.map((c) => `${c.slice(0, 4)}-${c.slice(4)}`) });
}

/**
 * Spends one backup code at sign-in (case, spaces and dashes do not matter). The hashes are
 * checked outside the store lock (scrypt is slow); the match is then re-checked inside it, so
 * two sign-ins at once cannot both spend one code. Returns how many are left.
 */
export async function useBackupCode(core: CoreContext, address: string, code: string, device: DeviceIdentity): Promise<Result<{ left: number }>> {
  const normalized = normalizeBackupCode(code);
  if (normalized === null) return err('code-invalid');
  const mailbox = await mailboxes(core).get(address);
  if (!mailbox) return err('code-invalid');
  let match: BackupCode | undefined;
  for (const candidate of mailbox.backupCodes) {
    // Each hash says its own cost: codes made before at the password cost still open.
    if (await core.codeHasher.verify(normalized, candidate.hash)) {
      match = candidate;
      break;
    }
  }
  if (!match) return err('code-invalid');
  if (match.usedAt !== null) return err('code-used');
  const spent = match;
  return core.store.atomically(async (): Promise<Result<{ left: number }>> => {
    const fresh = await mailboxes(core).get(address);
    const index = fresh?.backupCodes.findIndex((c) => c.hash === spent.hash) ?? -1;
    if (!fresh || index < 0) return err('code-invalid');
    if (fresh.backupCodes[index]!.usedAt !== null) return err('code-used');
    const backupCodes = fresh.backupCodes.map((c, at) => (at === index ? { ...c, usedAt: core.clock.now() } : c));
    const left = backupCodes.filter((c) => c.usedAt === null).length;
    await mailboxes(core).replace({ ...fresh, backupCodes });
    await core.activity.record({ mailbox: address, kind: 'backup-code-used', device: deviceName(device), detail: { left } });
    return ok({ left });
  });
}

// ---------------------------------------------------------------------------------------------
// Test outbox

interface OutboxView {
  readonly gateway: 'outbox' | 'webhook' | 'aliyun' | 'tencent';
  readonly messages: { at: number; masked: string; text: string; expiresAt: number }[];
}

/**
 * Test deliveries of the local outbox for the mailbox this connection is signed in to, or is
 * signing in to after the right password: the one place a code reaches the page, because in
 * embedded mode the outbox is the phone.
 */
async function readOutbox(core: CoreContext, call: CallContext, signIn: boolean): Promise<Result<OutboxView>> {
  const session = (await core.sessions.current(call))?.mailbox;
  const challenge = (await core.sessions.challenge(call))?.mailbox;
  // While another mailbox is added, the sign-in's phone is the one asked about; otherwise the session's.
  const mailbox = signIn ? (challenge ?? session) : (session ?? challenge);
  if (!mailbox) return err('not-signed-in');
  const deliveries = core.sms.read ? await core.sms.read(mailbox) : [];
  // A message an older version kept says nothing of its code's end: a code lives 5 minutes at most.
  const messages = deliveries.map((d) => ({ at: d.at, masked: maskPhone(d.phone), text: d.text, expiresAt: d.expiresAt ?? d.at + codeRules.lifetimeMs }));
  return ok({ gateway: core.sms.kind, messages });
}

// ---------------------------------------------------------------------------------------------
// Handlers

export function createTwoFactorHandlers(core: CoreContext): LevelledHandlersOf<'two-factor'> {
  return {
    'two-factor:status': async (_request, call) => {
      const who = await signedIn(core, call);
      return who.ok ? ok(await twoFactorStatus(core, who.data.session, who.data.mailbox)) : who;
    },
    'two-factor:start-phone-binding': (request, call) => startPhoneBinding(core, call, request),
    'two-factor:confirm-phone-binding': (request, call) => confirmPhoneBinding(core, call, request),
    'two-factor:start-phone-change': (request, call) => startPhoneChange(core, call, request),
    'two-factor:confirm-phone-change': (request, call) => confirmPhoneChange(core, call, request),
    'two-factor:unbind-phone': (_request, call) => unbindPhone(core, call),
    'two-factor:recheck-password': (request, call) => recheckPassword(core, call, request.password),
    'two-factor:start-totp': (_request, call) => startTotp(core, call),
    'two-factor:confirm-totp': (request, call) => confirmTotp(core, call, request),
    'two-factor:remove-totp': (_request, call) => removeTotp(core, call),
    'two-factor:set-preferred-method': (request, call) => setPreferredMethod(core, call, request),
    'two-factor:generate-backup-codes': (_request, call) => generateBackupCodes(core, call),
    'two-factor:outbox': (request, call) => readOutbox(core, call, request.signIn ?? false),
  };
}
