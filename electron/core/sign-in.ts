/**
 * Signing in (docs/rules.md §3): address and password, the lockout after repeated failures, the
 * second-factor challenge unless this device and client is trusted, and the restricted session
 * that only allows binding a method when policy enforces 2FA and the mailbox has none. The
 * challenge itself (its factors, the SMS code, checking the answer) is sign-in-challenge.ts.
 */
import type { AuthStatus, SecondFactor, SessionStarted, SignInOutcome } from '../shared/channels/auth';
import { err, ok, type Err, type Result } from '../shared/result';
import { deviceName, type CallContext } from './call';
import { pendingCode } from './codes';
import type { CoreContext } from './context';
import { demoAccounts, hasAnyMailbox, isValidAddress, registerMailbox, type Registration } from './directory';
import type { HandlersOf } from './handler-types';
import { keyedHash } from './keyed-hash';
import { policySourcesOf, policyToValues } from './policy';
import { policyPaths } from '../shared/policy-schema';
import { randomId } from './ids';
import { hasTwoFactor, normalizeAddress, type MailboxRecord } from './mailbox';
import type { FailureMemory } from './sessions';
import {
  challengedMailbox,
  checkSecondFactor,
  codeRequired,
  livePending,
  resendSignInCode,
  secondFactorsOf,
  setPending,
  startChallenge,
  type VerifyRequest,
} from './sign-in-challenge';
import { passesAsTrusted, trustedDeviceDays, trustThisDevice } from './trusted-devices';
import { lockedErr, lockoutRule, oneAttemptAtATime, recordFailedAttempt } from './lockout';
import { enrollmentStillRequired, requireSession, twoFactorRequirement } from './session-guard';
import { activateNextIfNoneActive, mayAdd, signedInHere, switchTo, switcherRules } from './switcher';

class SignInState {
  /** The hash an unknown address is checked against, so it costs what a real one does. */
  dummyHash: Promise<string> | undefined;
}

const states = new WeakMap<CoreContext, SignInState>();

function stateOf(core: CoreContext): SignInState {
  let state = states.get(core);
  if (!state) {
    state = new SignInState();
    states.set(core, state);
  }
  return state;
}

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

/**
 * Spends the same scrypt work on an address that has no mailbox and keeps the same lockout for
 * it, so neither the answer nor its timing tells whether the address exists.
 */
async function failUnknownAddress(core: CoreContext, address: string, password: string): Promise<Err> {
  const state = stateOf(core);
  const now = core.clock.now();
  const memory = await core.sessions.unknownFailures(address);
  const locked = lockedErr(memory?.lockedUntil ?? null, now);
  if (locked) return locked;
  state.dummyHash ??= core.hasher.hash(randomId(core.random));
  await core.hasher.verify(password, await state.dummyHash);
  const failures = [...(memory?.failedSignIns ?? []).filter((at) => at > now - lockoutRule.windowMs), now];
  const next: FailureMemory =
    failures.length < lockoutRule.failures ? { failedSignIns: failures, lockedUntil: null } : { failedSignIns: [], lockedUntil: now + lockoutRule.lockMs };
  await core.sessions.setUnknownFailures(address, next, now - Math.max(lockoutRule.windowMs, lockoutRule.lockMs));
  return lockedErr(next.lockedUntil, now) ?? err('sign-in-failed');
}

function graceEndsAt(core: CoreContext, mailbox: MailboxRecord): { twoFactorGraceEndsAt?: number } {
  const requirement = twoFactorRequirement(core, mailbox);
  return requirement.kind === 'grace' ? { twoFactorGraceEndsAt: requirement.endsAt } : {};
}

/**
 * What the organisation set (docs/rules.md §11 "policy applied"): each key its policy set, with level
 * and value, hashed with the backend's key (webhook headers may hold credentials). Null when the
 * organisation set nothing.
 */
function organisationPolicy(core: CoreContext): { readonly fingerprint: string; readonly enforced: number; readonly recommended: number } | null {
  const sources = policySourcesOf(core);
  const values = policyToValues(core.policy());
  const set = policyPaths.filter((path) => sources[path].source === 'enforced' || sources[path].source === 'recommended');
  if (set.length === 0) return null;
  const canonical = JSON.stringify(set.map((path) => [path, sources[path].source, values[path]]));
  return {
    fingerprint: keyedHash(core.keys.mac, 'policy-applied', canonical),
    enforced: set.filter((path) => sources[path].source === 'enforced').length,
    recommended: set.filter((path) => sources[path].source === 'recommended').length,
  };
}

interface Completion {
  readonly method: 'password' | 'trusted-device' | SecondFactor;
  readonly trustDevice: boolean;
  readonly passwordCheckedAt: number;
}

/**
 * Finishes a sign-in: the failures are forgiven, the event written and (after a second factor
 * only) this device trusted, in one unit; then the session starts on this connection.
 */
async function completeSignIn(core: CoreContext, call: CallContext, mailbox: MailboxRecord, completion: Completion): Promise<Result<SessionStarted>> {
  // Asked before the password too; asked again for what may have been added here meanwhile.
  const addable = await mayAdd(core, call, mailbox.address);
  if (!addable.ok) return addable;
  const enrollmentRequired = enrollmentStillRequired(core, mailbox);
  const grace = graceEndsAt(core, mailbox);
  // The first sign-in under the 2FA requirement starts this mailbox's grace period.
  const startsGrace = core.policy().enforceTwoFactor && !hasTwoFactor(mailbox) && mailbox.twoFactorRequiredSince === undefined;
  const organisation = organisationPolicy(core);
  await core.store.atomically(async () => {
    const fresh = await mailboxes(core).get(mailbox.address);
    const policyChanged = fresh !== null && organisation !== null && fresh.policyFingerprint !== organisation.fingerprint;
    if (fresh && (fresh.failedSignIns.length > 0 || fresh.lockedUntil !== null || startsGrace || policyChanged)) {
      await mailboxes(core).replace({
        ...fresh,
        failedSignIns: [],
        lockedUntil: null,
        ...(startsGrace && fresh.twoFactorRequiredSince === undefined ? { twoFactorRequiredSince: core.clock.now() } : {}),
        ...(policyChanged ? { policyFingerprint: organisation.fingerprint } : {}),
      });
    }
    if (policyChanged) {
      // The rules this person works under changed (or apply for the first time): said in their log.
      await core.activity.record({
        mailbox: mailbox.address,
        kind: 'policy-applied',
        device: deviceName(call.device),
        detail: { enforced: organisation.enforced, recommended: organisation.recommended },
      });
    }
    await core.activity.record({
      mailbox: mailbox.address,
      kind: 'sign-in',
      device: deviceName(call.device),
      detail: { method: completion.method, ...(enrollmentRequired ? { restricted: 'enrollment-required' } : {}) },
    });
    if (completion.trustDevice) await trustThisDevice(core, call, mailbox.address);
  });
  await setPending(core, call, null);
  const now = core.clock.now();
  await core.sessions.start(call, { mailbox: mailbox.address, signedInAt: now, passwordCheckedAt: completion.passwordCheckedAt, enrollmentRequired, ...grace });
  const who = { mailbox: mailbox.address, displayName: mailbox.displayName };
  return ok(enrollmentRequired ? { status: 'enrollment-required', ...who } : { status: 'signed-in', ...who, ...grace });
}

/** The password was right: a trusted device goes straight in, otherwise the challenge starts. */
async function afterPassword(core: CoreContext, call: CallContext, mailbox: MailboxRecord, trustDevice: boolean): Promise<Result<SignInOutcome>> {
  const now = core.clock.now();
  if (!hasTwoFactor(mailbox)) return completeSignIn(core, call, mailbox, { method: 'password', trustDevice: false, passwordCheckedAt: now });
  if (await passesAsTrusted(core, call, mailbox.address)) {
    return completeSignIn(core, call, mailbox, { method: 'trusted-device', trustDevice: false, passwordCheckedAt: now });
  }
  // The failures are kept until the second factor is also right: otherwise a correct password
  // would reset the count and let authenticator codes be guessed without end.
  return ok(await startChallenge(core, call, mailbox, trustDevice));
}

/** @internal */
export interface SignInRequest {
  readonly address: string;
  readonly password: string;
  readonly trustDevice?: boolean | undefined;
}

/**
 * Step one: address and password. Wrong address and wrong password answer alike.
 * @internal
 */
export async function signIn(core: CoreContext, call: CallContext, request: SignInRequest): Promise<Result<SignInOutcome>> {
  const address = normalizeAddress(request.address);
  // Joins the address's queue at once (before any await), so attempts take their turns in the
  // order they came.
  return oneAttemptAtATime(core, address, async () => {
    // A mailbox this window already holds, or one too many (docs/rules.md §7.4): refused before the
    // password is checked, so the refusal neither costs an attempt nor ends a challenge.
    const addable = await mayAdd(core, call, address);
    if (!addable.ok) return addable;
    // A new attempt on this connection drops any challenge left from an earlier one.
    await setPending(core, call, null);
    const mailbox = isValidAddress(address) ? await mailboxes(core).get(address) : null;
    if (!mailbox) return failUnknownAddress(core, address, request.password);
    // A locked mailbox refuses even the right password: the lock is what stops the guessing.
    const locked = lockedErr(mailbox.lockedUntil, core.clock.now());
    if (locked) return locked;
    if (!(await core.hasher.verify(request.password, mailbox.passwordHash))) {
      return recordFailedAttempt(core, call, address, err('sign-in-failed'), { step: 'password' });
    }
    return afterPassword(core, call, mailbox, request.trustDevice ?? false);
  });
}

/**
 * Step two: the code (SMS, authenticator or backup) completes the sign-in.
 * @internal
 */
export async function verifySignInCode(core: CoreContext, call: CallContext, request: VerifyRequest): Promise<Result<SessionStarted>> {
  const pending = await livePending(core, call);
  if (!pending) return err('sign-in-expired');
  return oneAttemptAtATime(core, pending.mailbox, async () => {
    // A sign-out or a new attempt while this one waited its turn ends this challenge.
    if ((await livePending(core, call))?.id !== pending.id) return err('sign-in-expired');
    const mailbox = await challengedMailbox(core, call, pending);
    if (!mailbox) return err('sign-in-expired');
    const locked = lockedErr(mailbox.lockedUntil, core.clock.now());
    if (locked) return locked;
    if (!secondFactorsOf(mailbox, core.clock.now()).includes(request.method)) return err('method-unavailable');
    const checked = await checkSecondFactor(core, call, mailbox.address, request);
    if (!checked.ok) {
      // An SMS code already ends after 5 wrong entries and at most 10 are sent a day; an
      // authenticator or backup code has no such bound, so its wrong entries count toward the lockout.
      if (request.method === 'sms' || checked.code !== 'code-invalid') return checked;
      const failure = await recordFailedAttempt(core, call, mailbox.address, checked, { step: request.method });
      if (failure.code === 'mailbox-locked') await setPending(core, call, null);
      return failure;
    }
    // A pass is for one sign-in: it never makes a device trusted for days to come.
    const trustDevice = request.method === 'access-pass' ? false : request.trustDevice;
    return completeSignIn(core, call, mailbox, { method: request.method, trustDevice, passwordCheckedAt: pending.passwordCheckedAt });
  });
}

/**
 * Who is signed in on this connection, or which challenge is waiting.
 * @internal
 */
export async function authStatus(core: CoreContext, call: CallContext): Promise<AuthStatus> {
  await activateNextIfNoneActive(core, call);
  const session = await core.sessions.current(call);
  if (session) {
    const mailbox = await mailboxes(core).get(session.mailbox);
    if (!mailbox) {
      // Removed from the directory: signed out, and the next mailbox here (if any) is shown.
      await core.sessions.end(call);
      return authStatus(core, call);
    }
    const restricted = (await requireSession(core, call, { allowEnrollment: false })).ok === false;
    const who = { mailbox: mailbox.address, displayName: mailbox.displayName };
    return restricted ? { status: 'enrollment-required', ...who } : { status: 'signed-in', ...who, ...graceEndsAt(core, mailbox) };
  }
  const pending = await livePending(core, call);
  if (!pending) return { status: 'signed-out' };
  const code = pending.maskedPhone !== undefined ? await pendingCode(core, pending.mailbox, 'sign-in') : null;
  return codeRequired(pending, code?.resendAt);
}

/**
 * Signs out the active mailbox; another signed in here becomes active (docs/rules.md §7.4).
 * @internal
 */
export async function signOut(core: CoreContext, call: CallContext): Promise<void> {
  await setPending(core, call, null);
  await core.sessions.end(call);
}

/** Makes another mailbox signed in here the active one, and says where that leaves this window. */
async function switchMailbox(core: CoreContext, call: CallContext, address: string): Promise<Result<SessionStarted>> {
  const switched = await switchTo(core, call, normalizeAddress(address));
  if (!switched.ok) return switched;
  const status = await authStatus(core, call);
  return status.status === 'signed-in' || status.status === 'enrollment-required' ? ok(status) : err('mailbox-not-signed-in');
}

/** Registers a mailbox on this computer and signs in to it, as a new account does anywhere. */
async function registerAndSignIn(core: CoreContext, call: CallContext, registration: Registration): Promise<Result<SessionStarted>> {
  // Checked before the mailbox is made, so a refusal leaves nothing behind.
  const addable = await mayAdd(core, call, normalizeAddress(registration.address));
  if (!addable.ok) return addable;
  const registered = await registerMailbox(core, registration, deviceName(call.device));
  if (!registered.ok) return registered;
  return completeSignIn(core, call, registered.data, { method: 'password', trustDevice: false, passwordCheckedAt: core.clock.now() });
}

export function createAuthHandlers(core: CoreContext, options: { demo: boolean; registration?: boolean }): HandlersOf<'auth'> {
  const registration = options.registration ?? true;
  return {
    'auth:directory': async () =>
      ok({
        hasMailboxes: await hasAnyMailbox(core),
        registration,
        demo: options.demo,
        demoAccounts: options.demo ? await demoAccounts(core) : [],
        trustedDeviceDays: trustedDeviceDays(core),
      }),
    'auth:register': async (request, call) => (registration ? registerAndSignIn(core, call, request) : err('registration-closed')),
    'auth:sign-in': async (request, call) => signIn(core, call, request),
    'auth:verify-code': async (request, call) => verifySignInCode(core, call, request),
    'auth:resend-code': async (_request, call) => resendSignInCode(core, call),
    'auth:status': async (_request, call) => ok(await authStatus(core, call)),
    'auth:sign-out': async (_request, call) => {
      await signOut(core, call);
      return ok({});
    },
    'auth:mailboxes': async (_request, call) => ok({ mailboxes: await signedInHere(core, call), limit: switcherRules.mailboxesPerWindow }),
    'auth:switch': async (request, call) => switchMailbox(core, call, request.mailbox),
    'auth:sign-out-all': async (_request, call) => {
      await setPending(core, call, null);
      await core.sessions.endHere(call);
      return ok({});
    },
    'auth:cancel-sign-in': async (_request, call) => {
      await setPending(core, call, null);
      return ok({});
    },
  };
}
