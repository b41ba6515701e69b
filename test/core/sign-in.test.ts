// Covers electron/core/sign-in.ts
import { Secret, TOTP } from 'otpauth';
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import type { ActivityRecord, ActivityKind } from '../../electron/core/activity';
import type { CallContext } from '../../electron/core/call';
import { sendCode } from '../../electron/core/codes';
import type { CoreContext } from '../../electron/core/context';
import { createDispatcher } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import type { MailboxRecord } from '../../electron/core/mailbox';
import type { Policy } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import { authStatus, signIn, signOut, verifySignInCode } from '../../electron/core/sign-in';
import { resendSignInCode } from '../../electron/core/sign-in-challenge';
import { requireSession } from '../../electron/core/session-guard';
import type { TrustedDeviceRecord } from '../../electron/core/trusted-devices';
import { contract, type Channel } from '../../electron/shared/contract';
import { policyPaths } from '../../electron/shared/policy-schema';
import { MemorySettingsStore } from '../factories/settings';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { createMailbox, defaultTestPassword as password } from '../factories/mailbox';
import { fakeMailClientPorts } from '../factories/mail-clients';
import { coreDispatcher } from '../factories/dispatch';

const address = 'zhang.wei@cstnet.cn';
const phone = '+8613912345678';
const totpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function setup(policy: Partial<Policy> = {}) {
  const t = await testCore({ policy });
  return { ...t, call: testCall() };
}

function totpCode(clockNow: number, secret = totpSecret): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: clockNow });
}

/** A code the authenticator would not show now (nor a step either side). */
function wrongTotp(clockNow: number): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => totpCode(clockNow + d)));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

async function events(core: CoreContext, kind?: ActivityKind): Promise<ActivityRecord[]> {
  return core.store.collection<ActivityRecord>('activity').find({ mailbox: address, ...(kind ? { kind } : {}) }, { sort: { at: 1 } });
}

async function mailbox(core: CoreContext): Promise<MailboxRecord> {
  return (await core.store.collection<MailboxRecord>('mailboxes').get(address))!;
}

async function failTimes(core: CoreContext, call: CallContext, times: number, who = address) {
  const results = [];
  for (let i = 0; i < times; i += 1) results.push(await signIn(core, call, { address: who, password: 'wrong password!' }));
  return results;
}

describe('signing in with the password', () => {
  it('signs a mailbox without 2FA straight in and starts the session with the password just checked', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, displayName: '张伟' });
    expect(await signIn(core, call, { address: ' Zhang.Wei@CSTNET.cn', password })).toEqual({
      ok: true,
      data: { status: 'signed-in', mailbox: address, displayName: '张伟' },
    });
    expect(await core.sessions.current(call)).toEqual({
      mailbox: address,
      signedInAt: clock.now(),
      passwordCheckedAt: clock.now(),
      enrollmentRequired: false,
      id: expect.any(String),
      device: call.device,
    });
    expect(await events(core)).toMatchObject([
      { kind: 'sign-in', outcome: 'success', device: 'Linux · test-host / Chrome 156', detail: { method: 'password' } },
    ]);
  });

  it('answers a wrong password and an unknown address alike, and logs the wrong password', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address });
    const wrongPassword = await signIn(core, call, { address, password: 'not the password' });
    const unknown = await signIn(core, call, { address: 'nobody@cstnet.cn', password });
    const malformed = await signIn(core, call, { address: 'not an address', password });
    expect(wrongPassword).toEqual({ ok: false, code: 'sign-in-failed' });
    expect(unknown).toEqual(wrongPassword);
    expect(malformed).toEqual(wrongPassword);
    expect(await core.sessions.current(call)).toBeNull();
    const failed = await events(core, 'sign-in-failed');
    expect(failed).toMatchObject([{ outcome: 'failure', detail: { step: 'password' } }]);
    expect(JSON.stringify(failed)).not.toContain('not the password');
  });

  it('spends the same scrypt work on an unknown address as on a real one', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address });
    const verify = vi.spyOn(core.hasher, 'verify');
    await signIn(core, call, { address: 'nobody@cstnet.cn', password });
    await signIn(core, call, { address, password: 'not the password' });
    expect(verify).toHaveBeenCalledTimes(2);
    const [unknownHash, realHash] = verify.mock.calls.map((c) => c[1]);
    // Same algorithm and cost parameters: only the salt and key differ.
    expect(unknownHash!.split('$').slice(0, 4)).toEqual(realHash!.split('$').slice(0, 4));
  });
});

describe('lockout: 5 failures within 15 minutes lock the mailbox for 15 minutes', () => {
  it('lets the right password in after 4 failures', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address });
    expect((await failTimes(core, call, 4)).map((r) => !r.ok && r.code)).toEqual(Array(4).fill('sign-in-failed'));
    expect((await signIn(core, call, { address, password })).ok).toBe(true);
  });

  it('locks on the 5th failure, refuses even the right password with the time left, and opens after 15 minutes', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address });
    const results = await failTimes(core, call, 5);
    expect(results[3]).toEqual({ ok: false, code: 'sign-in-failed' });
    expect(results[4]).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 900 });
    expect((await mailbox(core)).lockedUntil).toBe(clock.now() + 15 * 60_000);
    expect((await events(core, 'mailbox-locked')).length).toBe(1);
    expect((await events(core, 'sign-in-failed')).length).toBe(5);

    clock.advanceMinutes(5);
    expect(await signIn(core, call, { address, password })).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 600 });
    clock.advanceSeconds(10 * 60 - 1);
    expect(await signIn(core, call, { address, password })).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 1 });
    clock.advanceSeconds(1);
    expect(await signIn(core, call, { address, password })).toMatchObject({ ok: true, data: { status: 'signed-in' } });
  });

  it('counts only failures inside the 15-minute window', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address });
    await failTimes(core, call, 4);
    clock.advanceMinutes(15);
    expect(await failTimes(core, call, 1)).toEqual([{ ok: false, code: 'sign-in-failed' }]);
    expect((await mailbox(core)).lockedUntil).toBeNull();
  });

  it('forgets the failures after a successful sign-in', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address });
    await failTimes(core, call, 4);
    await signIn(core, call, { address, password });
    expect((await mailbox(core)).failedSignIns).toEqual([]);
    // Signed out first: a window already signed in to the mailbox is refused before the password.
    await signOut(core, call);
    expect((await failTimes(core, call, 4)).every((r) => !r.ok && r.code === 'sign-in-failed')).toBe(true);
  });

  it('locks an unknown address the same way, so the lock does not reveal which addresses exist', async () => {
    const { core, call, clock } = await setup();
    const results = await failTimes(core, call, 5, 'nobody@cstnet.cn');
    expect(results.map((r) => !r.ok && r.code)).toEqual(['sign-in-failed', 'sign-in-failed', 'sign-in-failed', 'sign-in-failed', 'mailbox-locked']);
    expect(results[4]).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 900 });
    clock.advanceMinutes(15);
    expect(await signIn(core, call, { address: 'nobody@cstnet.cn', password })).toEqual({ ok: false, code: 'sign-in-failed' });
  });

  it('cannot be outrun by guesses sent all at once', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address });
    const results = await Promise.all(Array.from({ length: 12 }, () => signIn(core, call, { address, password: 'parallel guess' })));
    expect(results.filter((r) => !r.ok && r.code === 'sign-in-failed')).toHaveLength(4);
    expect(results.filter((r) => !r.ok && r.code === 'mailbox-locked')).toHaveLength(8);
    expect((await events(core, 'sign-in-failed')).length).toBe(5);
  });
});

describe('the 2FA challenge', () => {
  it('sends a code to the bound phone and signs in with it', async () => {
    const { core, call, clock, sms } = await setup();
    await createMailbox(core, { address, phone });
    const started = await signIn(core, call, { address, password });
    expect(started).toEqual({
      ok: true,
      data: {
        status: 'code-required',
        mailbox: address,
        methods: ['sms'],
        maskedPhone: '139****5678',
        resendAt: clock.now() + 60_000,
        trustDevice: false,
        expiresAt: clock.now() + 10 * 60_000,
      },
    });
    expect(sms.sent).toMatchObject([{ phone, mailbox: address }]);
    // Nothing is signed in before the code.
    expect(await core.sessions.current(call)).toBeNull();
    expect(await authStatus(core, call)).toMatchObject({ status: 'code-required', maskedPhone: '139****5678' });

    clock.advanceSeconds(30);
    const verified = await verifySignInCode(core, call, { code: sms.lastCode(phone), method: 'sms', trustDevice: false });
    expect(verified).toEqual({ ok: true, data: { status: 'signed-in', mailbox: address, displayName: 'zhang.wei' } });
    // The re-check clock starts when the password was entered, not when the code was.
    expect((await core.sessions.current(call))?.passwordCheckedAt).toBe(clock.now() - 30_000);
    expect(call.trust.current).toBeUndefined();
    expect((await events(core, 'sign-in')).map((e) => e.detail)).toEqual([{ method: 'sms' }]);
  });

  it('accepts an authenticator code and lists every method the mailbox has', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, phone, totp: totpSecret, overrides: { backupCodes: [{ hash: await core.hasher.hash('abcdefgh'), usedAt: null }] } });
    const started = await signIn(core, call, { address, password });
    expect(started).toMatchObject({ ok: true, data: { methods: ['sms', 'totp', 'backup'] } });
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toMatchObject({
      ok: true,
      data: { status: 'signed-in' },
    });
  });

  it('opens on the method the person chose as their default', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address, phone, totp: totpSecret, overrides: { preferredMethod: 'totp' } });
    expect(await signIn(core, call, { address, password })).toMatchObject({ ok: true, data: { methods: ['totp', 'sms'] } });
  });

  it('offers the methods that work now before SMS when no text can be sent, and says until when', async () => {
    const { core, call, clock, sms } = await setup();
    await createMailbox(core, { address, phone, totp: totpSecret, overrides: { backupCodes: [{ hash: await core.hasher.hash('abcdefgh'), usedAt: null }] } });
    // Five texts in the hour: the sixth sign-in cannot get one.
    for (let i = 0; i < 5; i += 1) {
      await signIn(core, call, { address, password });
      await verifySignInCode(core, call, { code: sms.lastCode(phone), method: 'sms', trustDevice: false });
      await signOut(core, call);
      clock.advanceMinutes(1);
    }
    const blocked = await signIn(core, call, { address, password });
    expect(blocked).toMatchObject({ ok: true, data: { smsError: 'send-limit-reached', methods: ['totp', 'backup', 'sms'] } });
    expect(blocked.ok && blocked.data.status === 'code-required' && blocked.data.resendAt! > clock.now() + 50 * 60_000).toBe(true);
  });

  it('accepts a backup code once', async () => {
    const { core, call } = await setup();
    await createMailbox(core, {
      address,
      totp: totpSecret,
      overrides: {
        backupCodes: [
          { hash: await core.hasher.hash('abcdefgh'), usedAt: null },
          { hash: await core.hasher.hash('hjkmnpqr'), usedAt: null },
        ],
      },
    });
    await signIn(core, call, { address, password });
    expect(await verifySignInCode(core, call, { code: 'ABCD-EFGH', method: 'backup', trustDevice: false })).toMatchObject({ ok: true });
    await signOut(core, call);
    await signIn(core, call, { address, password });
    expect(await verifySignInCode(core, call, { code: 'abcd-efgh', method: 'backup', trustDevice: false })).toEqual({ ok: false, code: 'code-used' });
  });

  it('offers no SMS where no phone is bound, and no backup codes once all are used', async () => {
    const { core, call, sms } = await setup();
    await createMailbox(core, { address, totp: totpSecret, overrides: { backupCodes: [{ hash: await core.hasher.hash('abcdefgh'), usedAt: 1 }] } });
    expect(await signIn(core, call, { address, password })).toMatchObject({ ok: true, data: { status: 'code-required', methods: ['totp'] } });
    expect(sms.sent).toEqual([]);
    expect(await verifySignInCode(core, call, { code: '123456', method: 'sms', trustDevice: false })).toEqual({ ok: false, code: 'method-unavailable' });
    expect(await verifySignInCode(core, call, { code: 'abcdefgh', method: 'backup', trustDevice: false })).toEqual({ ok: false, code: 'method-unavailable' });
    expect(await resendSignInCode(core, call)).toEqual({ ok: false, code: 'method-unavailable' });
  });

  it('refuses a code with no challenge on this connection', async () => {
    const { core, call, sms } = await setup();
    await createMailbox(core, { address, phone });
    expect(await verifySignInCode(core, call, { code: '123456', method: 'sms', trustDevice: false })).toEqual({ ok: false, code: 'sign-in-expired' });
    await signIn(core, call, { address, password });
    const other = testCall({ connection: 'another-window' });
    expect(await verifySignInCode(core, other, { code: sms.lastCode(), method: 'sms', trustDevice: false })).toEqual({ ok: false, code: 'sign-in-expired' });
    expect(await core.sessions.current(other)).toBeNull();
  });

  it('lets a challenge wait 10 minutes and no longer', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, totp: totpSecret });
    await signIn(core, call, { address, password });
    clock.advance(10 * 60_000 - 1);
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toMatchObject({ ok: true });

    await signOut(core, call);
    clock.advanceMinutes(1);
    await signIn(core, call, { address, password });
    clock.advance(10 * 60_000);
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toEqual({
      ok: false,
      code: 'sign-in-expired',
    });
    expect(await authStatus(core, call)).toEqual({ status: 'signed-out' });
  });

  it('voids a challenge when the password changes meanwhile', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, totp: totpSecret });
    await signIn(core, call, { address, password });
    clock.advanceSeconds(5);
    await core.store.collection<MailboxRecord>('mailboxes').replace({ ...(await mailbox(core)), passwordChangedAt: clock.now() });
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toEqual({
      ok: false,
      code: 'sign-in-expired',
    });
  });

  it('passes the SMS code refusals through without counting them toward the lockout', async () => {
    const { core, call, sms } = await setup();
    await createMailbox(core, { address, phone });
    await signIn(core, call, { address, password });
    const right = sms.lastCode(phone);
    const wrong = right === '000000' ? '111111' : '000000';
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await verifySignInCode(core, call, { code: wrong, method: 'sms', trustDevice: false }));
    expect(results.map((r) => !r.ok && r.code)).toEqual(['code-invalid', 'code-invalid', 'code-invalid', 'code-invalid', 'code-attempts-exceeded']);
    // The 5th wrong entry ended that code (codes.ts); the mailbox itself is not locked.
    expect(await verifySignInCode(core, call, { code: right, method: 'sms', trustDevice: false })).toEqual({ ok: false, code: 'code-attempts-exceeded' });
    expect((await mailbox(core)).lockedUntil).toBeNull();
    expect((await mailbox(core)).failedSignIns).toEqual([]);
    expect(await events(core, 'sign-in-failed')).toEqual([]);
  });

  it('counts wrong authenticator codes toward the lockout: the 5th locks and ends the challenge', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, totp: totpSecret });
    await signIn(core, call, { address, password });
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await verifySignInCode(core, call, { code: wrongTotp(clock.now()), method: 'totp', trustDevice: false }));
    expect(results.slice(0, 4).map((r) => !r.ok && r.code)).toEqual(Array(4).fill('code-invalid'));
    expect(results[4]).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 900 });
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toEqual({
      ok: false,
      code: 'sign-in-expired',
    });
    expect((await events(core, 'sign-in-failed')).map((e) => e.detail)).toEqual(Array(5).fill({ step: 'totp' }));
  });

  it('keeps the password failures while the code is outstanding, so a right password cannot reset the count', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, totp: totpSecret });
    await failTimes(core, call, 3);
    await signIn(core, call, { address, password });
    expect((await mailbox(core)).failedSignIns).toHaveLength(3);
    await verifySignInCode(core, call, { code: wrongTotp(clock.now()), method: 'totp', trustDevice: false });
    expect(await verifySignInCode(core, call, { code: wrongTotp(clock.now()), method: 'totp', trustDevice: false })).toMatchObject({ code: 'mailbox-locked' });
  });

  it('refuses a code while the mailbox is locked', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, totp: totpSecret });
    await signIn(core, call, { address, password });
    await core.store.collection<MailboxRecord>('mailboxes').replace({ ...(await mailbox(core)), lockedUntil: clock.now() + 60_000 });
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toEqual({
      ok: false,
      code: 'mailbox-locked',
      retryAfter: 60,
    });
  });

  it('still challenges when the SMS cannot be sent, saying why, and a resend later works', async () => {
    const { core, call, clock, sms } = await setup();
    await createMailbox(core, { address, phone });
    sms.failing = true;
    const started = await signIn(core, call, { address, password });
    expect(started).toMatchObject({ ok: true, data: { status: 'code-required', smsError: 'sms-delivery-failed' } });
    expect((started as { data: object }).data).not.toHaveProperty('resendAt');
    sms.failing = false;
    const resent = await resendSignInCode(core, call);
    expect(resent).toEqual({ ok: true, data: { maskedPhone: '139****5678', resendAt: clock.now() + 60_000, expiresAt: clock.now() + 5 * 60_000 } });
    expect(await authStatus(core, call)).not.toHaveProperty('smsError');
    expect(await verifySignInCode(core, call, { code: sms.lastCode(phone), method: 'sms', trustDevice: false })).toMatchObject({ ok: true });
  });

  it('resends only after 60 seconds, and a newer code replaces the older', async () => {
    const { core, call, clock, sms } = await setup();
    await createMailbox(core, { address, phone });
    await signIn(core, call, { address, password });
    const first = sms.lastCode(phone);
    clock.advanceSeconds(59);
    expect(await resendSignInCode(core, call)).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 1 });
    clock.advanceSeconds(1);
    expect(await resendSignInCode(core, call)).toMatchObject({ ok: true });
    expect(sms.sent).toHaveLength(2);
    const second = sms.lastCode(phone);
    if (first !== second) {
      expect(await verifySignInCode(core, call, { code: first, method: 'sms', trustDevice: false })).toEqual({ ok: false, code: 'code-invalid', triesLeft: 4 });
    }
    expect(await verifySignInCode(core, call, { code: second, method: 'sms', trustDevice: false })).toMatchObject({ ok: true });
  });

  it('reports a resend with no challenge as expired', async () => {
    const { core, call } = await setup();
    expect(await resendSignInCode(core, call)).toEqual({ ok: false, code: 'sign-in-expired' });
  });

  it('a second attempt within a minute sends no second code but says when the earlier one was sent, and it still works', async () => {
    const { core, call, clock, sms } = await setup();
    await createMailbox(core, { address, phone });
    await signIn(core, call, { address, password });
    const sentAt = clock.now();
    const code = sms.lastCode(phone);
    const texts = sms.sent.length;
    clock.advanceSeconds(20);
    const again = await signIn(core, call, { address, password });
    expect(again).toMatchObject({ ok: true, data: { status: 'code-required', codeSentAt: sentAt, resendAt: clock.now() + 40_000 } });
    expect(again.ok && again.data).not.toHaveProperty('smsError');
    expect(sms.sent.length).toBe(texts);
    expect(await verifySignInCode(core, call, { code, method: 'sms', trustDevice: false })).toMatchObject({ ok: true });
  });

  it('sends a sign-in code a moment after a binding code: a different code, not a resend', async () => {
    const { core, call, sms } = await setup();
    await createMailbox(core, { address });
    // The binding's code went to the phone seconds ago (the mailbox then has the phone bound).
    await sendCodeFor(core, 'bind-phone');
    await core.store.collection<MailboxRecord>('mailboxes').replace({ ...(await mailbox(core)), phone: { number: phone, boundAt: 0 } });
    const texts = sms.sent.length;
    const started = await signIn(core, call, { address, password });
    expect(started).toMatchObject({ ok: true, data: { status: 'code-required' } });
    expect(started.ok && started.data).not.toHaveProperty('smsError');
    expect(started.ok && started.data).not.toHaveProperty('codeSentAt');
    expect(sms.sent.length).toBe(texts + 1);
    expect(await verifySignInCode(core, call, { code: sms.lastCode(phone), method: 'sms', trustDevice: false })).toMatchObject({ ok: true });
  });

  it('sends a new code to a second sign-in right after a first one used its code: not a resend', async () => {
    const { core, call, clock, sms } = await setup();
    await createMailbox(core, { address, phone });
    await signIn(core, call, { address, password });
    await verifySignInCode(core, call, { code: sms.lastCode(phone), method: 'sms', trustDevice: false });
    await signOut(core, call);
    clock.advanceSeconds(20);
    const texts = sms.sent.length;
    const again = await signIn(core, call, { address, password });
    expect(again.ok && again.data).not.toHaveProperty('smsError');
    expect(sms.sent.length).toBe(texts + 1);
    expect(await verifySignInCode(core, call, { code: sms.lastCode(phone), method: 'sms', trustDevice: false })).toMatchObject({ ok: true });
  });
});

/** A code of `purpose` sent to the test phone for the test mailbox, as the binding step sends one. */
async function sendCodeFor(core: CoreContext, purpose: 'bind-phone' | 'sign-in') {
  const sent = await sendCode(core, { mailbox: address, phone, purpose, device: testCall().device });
  expect(sent.ok).toBe(true);
}

describe('trusting this device', () => {
  async function signInTrusted(policy: Partial<Policy> = {}) {
    const t = await setup(policy);
    await createMailbox(t.core, { address, phone });
    await signIn(t.core, t.call, { address, password, trustDevice: true });
    const verified = await verifySignInCode(t.core, t.call, { code: t.sms.lastCode(phone), method: 'sms', trustDevice: true });
    expect(verified.ok).toBe(true);
    await signOut(t.core, t.call);
    return t;
  }

  it('is off unless asked for, and the choice made with the password comes back with the challenge', async () => {
    const { core, call, sms } = await setup();
    await createMailbox(core, { address, phone });
    expect(await signIn(core, call, { address, password, trustDevice: true })).toMatchObject({ data: { trustDevice: true } });
    await verifySignInCode(core, call, { code: sms.lastCode(phone), method: 'sms', trustDevice: false });
    expect(call.trust.current).toBeUndefined();
    expect(await core.store.collection('trustedDevices').count({})).toBe(0);
  });

  it('gives the client a 256-bit token that never appears in a response, and stores only its keyed hash', async () => {
    const { core, call, clock } = await signInTrusted();
    expect(call.trust.current).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [record] = await core.store.collection<TrustedDeviceRecord>('trustedDevices').find({});
    expect(record).toMatchObject({
      mailbox: address,
      label: 'Linux · test-host',
      client: 'Chrome 156',
      createdAt: clock.now(),
      expiresAt: clock.now() + 7 * 86_400_000,
    });
    expect(JSON.stringify(record)).not.toContain(call.trust.current!);
    expect((await events(core, 'device-trusted')).length).toBe(1);
  });

  it('spares the code on the next sign-in for 7 days, not sliding, and asks again after', async () => {
    const { core, call, clock, sms } = await signInTrusted();
    const sent = sms.sent.length;
    clock.advanceDays(6);
    expect(await signIn(core, call, { address, password })).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    expect(sms.sent).toHaveLength(sent);
    const [record] = await core.store.collection<TrustedDeviceRecord>('trustedDevices').find({});
    expect(record!.lastUsedAt).toBe(clock.now());
    expect((await events(core, 'sign-in')).at(-1)?.detail).toEqual({ method: 'trusted-device' });
    await signOut(core, call);
    // Using it on day 6 did not move the end: it still ends 7 days after it was created.
    clock.advance(86_400_000 - 1);
    expect(await signIn(core, call, { address, password })).toMatchObject({ data: { status: 'signed-in' } });
    await signOut(core, call);
    clock.advance(1);
    expect(await signIn(core, call, { address, password })).toMatchObject({ data: { status: 'code-required' } });
  });

  it('still needs the password', async () => {
    const { core, call } = await signInTrusted();
    expect(await signIn(core, call, { address, password: 'wrong password!' })).toEqual({ ok: false, code: 'sign-in-failed' });
  });

  it('is for one mailbox: another mailbox on the same client still gets a code', async () => {
    const { core, call } = await signInTrusted();
    await createMailbox(core, { address: 'li.na@cstnet.cn', phone: '+8613800001111' });
    expect(await signIn(core, call, { address: 'li.na@cstnet.cn', password })).toMatchObject({ data: { status: 'code-required' } });
    // The token still belongs to the first mailbox, so the client keeps it.
    expect(call.trust.current).toBeDefined();
  });

  it('is for one client: another client on the same computer gets a code', async () => {
    const { core } = await signInTrusted();
    const otherClient = testCall({ connection: 'firefox', device: { label: 'Linux · test-host', client: 'Firefox 140' } });
    expect(await signIn(core, otherClient, { address, password })).toMatchObject({ data: { status: 'code-required' } });
  });

  it('forgets a token that matches nothing any more', async () => {
    const { core, call } = await signInTrusted();
    await core.store.collection('trustedDevices').remove({});
    expect(await signIn(core, call, { address, password })).toMatchObject({ data: { status: 'code-required' } });
    expect(call.trust.current).toBeUndefined();
  });

  it.each([
    [30, 30],
    [1, 1],
    [14, 14],
    [0, 1],
    [45, 30],
  ])('lasts the policy’s %i days (held to 1–30: %i)', async (days, expected) => {
    const { core } = await signInTrusted({ trustedDeviceDays: days });
    const [record] = await core.store.collection<TrustedDeviceRecord>('trustedDevices').find({});
    expect(record!.expiresAt - record!.createdAt).toBe(expected * 86_400_000);
  });
});

describe('enforced 2FA', () => {
  it('signs a mailbox without a method into a session that only the binding channels accept', async () => {
    const { core, call } = await setup({ enforceTwoFactor: true });
    await createMailbox(core, { address });
    expect(await signIn(core, call, { address, password })).toEqual({
      ok: true,
      data: { status: 'enrollment-required', mailbox: address, displayName: 'zhang.wei' },
    });
    expect((await core.sessions.current(call))?.enrollmentRequired).toBe(true);
    expect(await requireSession(core, call, { allowEnrollment: false })).toEqual({ ok: false, code: 'two-factor-required' });
    expect(await requireSession(core, call, { allowEnrollment: true })).toMatchObject({ ok: true, data: { mailbox: address } });
    expect(await authStatus(core, call)).toMatchObject({ status: 'enrollment-required' });
    expect((await events(core, 'sign-in'))[0]?.detail).toEqual({ method: 'password', restricted: 'enrollment-required' });
  });

  it('frees the session as soon as a method is bound', async () => {
    const { core, call, clock } = await setup({ enforceTwoFactor: true });
    await createMailbox(core, { address });
    await signIn(core, call, { address, password });
    await core.store.collection<MailboxRecord>('mailboxes').replace({ ...(await mailbox(core)), phone: { number: phone, boundAt: clock.now() } });
    expect(await requireSession(core, call, { allowEnrollment: false })).toMatchObject({ ok: true, data: { enrollmentRequired: false } });
    expect((await core.sessions.current(call))?.enrollmentRequired).toBe(false);
    expect(await authStatus(core, call)).toMatchObject({ status: 'signed-in' });
  });

  it('frees the session when policy stops enforcing', async () => {
    const { core, call, setPolicy } = await setup({ enforceTwoFactor: true });
    await createMailbox(core, { address });
    await signIn(core, call, { address, password });
    setPolicy({ enforceTwoFactor: false });
    expect((await requireSession(core, call, { allowEnrollment: false })).ok).toBe(true);
  });

  it('does not restrict a mailbox that has a method', async () => {
    const { core, call, clock } = await setup({ enforceTwoFactor: true });
    await createMailbox(core, { address, totp: totpSecret });
    await signIn(core, call, { address, password });
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toMatchObject({
      data: { status: 'signed-in' },
    });
  });
});

describe('enforced 2FA with a grace period', () => {
  const dayMs = 86_400_000;

  it('lets a mailbox without 2FA in during the grace period, with the day it ends', async () => {
    const { core, call, clock } = await setup({ enforceTwoFactor: true, twoFactorGraceDays: 14 });
    await createMailbox(core, { address });
    const start = clock.now();
    expect(await signIn(core, call, { address, password })).toEqual({
      ok: true,
      data: { status: 'signed-in', mailbox: address, displayName: 'zhang.wei', twoFactorGraceEndsAt: start + 14 * dayMs },
    });
    expect((await mailbox(core)).twoFactorRequiredSince).toBe(start);
    expect((await requireSession(core, call, { allowEnrollment: false })).ok).toBe(true);
    expect(await authStatus(core, call)).toMatchObject({ status: 'signed-in', twoFactorGraceEndsAt: start + 14 * dayMs });
    expect((await events(core, 'sign-in'))[0]?.detail).toEqual({ method: 'password' });
  });

  it('counts from the first sign-in under the rule, not from each one', async () => {
    const { core, call, clock } = await setup({ enforceTwoFactor: true, twoFactorGraceDays: 14 });
    await createMailbox(core, { address });
    const start = clock.now();
    await signIn(core, call, { address, password });
    await signOut(core, call);
    clock.advanceDays(10);
    expect(await signIn(core, call, { address, password })).toMatchObject({ data: { status: 'signed-in', twoFactorGraceEndsAt: start + 14 * dayMs } });
    expect((await mailbox(core)).twoFactorRequiredSince).toBe(start);
  });

  it('forces enrolment at the next sign-in once the grace period is over', async () => {
    const { core, call, clock } = await setup({ enforceTwoFactor: true, twoFactorGraceDays: 14 });
    await createMailbox(core, { address });
    await signIn(core, call, { address, password });
    await signOut(core, call);
    clock.advanceDays(14);
    expect(await signIn(core, call, { address, password })).toMatchObject({ data: { status: 'enrollment-required' } });
    expect(await requireSession(core, call, { allowEnrollment: false })).toEqual({ ok: false, code: 'two-factor-required' });
  });

  it('restricts a session that is open when the grace period ends', async () => {
    const { core, call, clock } = await setup({ enforceTwoFactor: true, twoFactorGraceDays: 1 });
    await createMailbox(core, { address });
    await signIn(core, call, { address, password });
    clock.advance(dayMs - 1);
    expect((await requireSession(core, call, { allowEnrollment: false })).ok).toBe(true);
    clock.advance(1);
    expect(await requireSession(core, call, { allowEnrollment: false })).toEqual({ ok: false, code: 'two-factor-required' });
    expect(await authStatus(core, call)).toMatchObject({ status: 'enrollment-required' });
  });

  it('gives no grace with 0 days, and none is needed once a method is bound', async () => {
    const { core, call, clock } = await setup({ enforceTwoFactor: true, twoFactorGraceDays: 0 });
    await createMailbox(core, { address });
    expect(await signIn(core, call, { address, password })).toMatchObject({ data: { status: 'enrollment-required' } });
    await signOut(core, call);
    await core.store
      .collection<MailboxRecord>('mailboxes')
      .replace({ ...(await mailbox(core)), totp: { secret: totpSecret, confirmedAt: clock.now(), lastStep: 0 } });
    await signIn(core, call, { address, password });
    const done = await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false });
    expect(done).toMatchObject({ data: { status: 'signed-in' } });
    expect(done.ok && 'twoFactorGraceEndsAt' in done.data).toBe(false);
  });

  it('starts no grace period while policy does not enforce 2FA', async () => {
    const { core, call } = await setup({ enforceTwoFactor: false, twoFactorGraceDays: 14 });
    await createMailbox(core, { address });
    expect(await signIn(core, call, { address, password })).toEqual({ ok: true, data: { status: 'signed-in', mailbox: address, displayName: 'zhang.wei' } });
    expect((await mailbox(core)).twoFactorRequiredSince).toBeUndefined();
  });
});

describe('status and sign-out', () => {
  it('says who is signed in, and nobody after signing out', async () => {
    const { core, call } = await setup();
    expect(await requireSession(core, call, { allowEnrollment: true })).toEqual({ ok: false, code: 'not-signed-in' });
    await createMailbox(core, { address, displayName: '张伟' });
    await signIn(core, call, { address, password });
    expect(await authStatus(core, call)).toEqual({ status: 'signed-in', mailbox: address, displayName: '张伟' });
    await signOut(core, call);
    expect(await authStatus(core, call)).toEqual({ status: 'signed-out' });
    expect(await core.sessions.current(call)).toBeNull();
  });

  it('drops a half-finished sign-in on sign-out', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, totp: totpSecret });
    await signIn(core, call, { address, password });
    await signOut(core, call);
    expect(await verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false })).toEqual({
      ok: false,
      code: 'sign-in-expired',
    });
  });

  it('does not complete a challenge that was signed out of while its code was being checked', async () => {
    const { core, call, clock } = await setup();
    await createMailbox(core, { address, totp: totpSecret });
    await signIn(core, call, { address, password });
    // A slow sign-in attempt on the same address holds the queue (its password check waits for
    // the gate) while the code waits its turn.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const verify = core.hasher.verify.bind(core.hasher);
    vi.spyOn(core.hasher, 'verify').mockImplementationOnce(async (...args) => {
      await gate;
      return verify(...args);
    });
    const slow = signIn(core, testCall({ connection: 'other' }), { address, password: 'wrong password!' });
    const verifying = verifySignInCode(core, call, { code: totpCode(clock.now()), method: 'totp', trustDevice: false });
    await signOut(core, call);
    open();
    await slow;
    expect(await verifying).toEqual({ ok: false, code: 'sign-in-expired' });
    expect(await core.sessions.current(call)).toBeNull();
  });

  it('keeps sessions apart per connection', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address });
    await signIn(core, call, { address, password });
    expect(await authStatus(core, testCall({ connection: 'window:2' }))).toEqual({ status: 'signed-out' });
  });
});

describe('through the dispatcher', () => {
  async function wired(policy: Partial<Policy> = {}, backend: 'embedded' | 'organisation' = 'embedded') {
    const t = await testCore({ policy });
    const handlers = createHandlers({
      mailClients: fakeMailClientPorts(),
      environment: { ...testEnvironment(), backend },
      settingsStore: new MemorySettingsStore(),
      logger: silentLogger,
      core: t.core,
    });
    const dispatcher = createDispatcher(handlers, silentLogger);
    const call = testCall();
    const dispatch = async (channel: Channel, request: unknown, on: CallContext = call) => {
      const result = await dispatcher(channel, request, on);
      // Every answer matches the contract's response schema.
      if (result.ok) expect(v.is(contract[channel].response, result.data), `${channel} response`).toBe(true);
      return result;
    };
    return { ...t, call, dispatch };
  }

  it('registers, signs out, signs in with a code and trusts the device', async () => {
    const { core, call, sms, dispatch } = await wired();
    expect(await dispatch('auth:register', { address: 'New@CSTNET.cn', password, confirmation: password, displayName: '新用户' })).toEqual({
      ok: true,
      data: { status: 'signed-in', mailbox: 'new@cstnet.cn', displayName: '新用户' },
    });
    expect(await dispatch('auth:directory', {})).toMatchObject({ ok: true, data: { hasMailboxes: true } });
    expect(await dispatch('auth:sign-out', {})).toEqual({ ok: true, data: {} });
    expect(await dispatch('auth:status', {})).toEqual({ ok: true, data: { status: 'signed-out' } });

    const now = core.clock.now();
    await core.store
      .collection<MailboxRecord>('mailboxes')
      .replace({ ...(await core.store.collection<MailboxRecord>('mailboxes').get('new@cstnet.cn'))!, phone: { number: phone, boundAt: now } });
    expect(await dispatch('auth:sign-in', { address: 'new@cstnet.cn', password })).toMatchObject({
      ok: true,
      data: { status: 'code-required', maskedPhone: '139****5678' },
    });
    expect(await dispatch('auth:status', {})).toMatchObject({ ok: true, data: { status: 'code-required' } });
    const verified = await dispatch('auth:verify-code', { code: sms.lastCode(phone), method: 'sms', trustDevice: true });
    expect(verified).toEqual({ ok: true, data: { status: 'signed-in', mailbox: 'new@cstnet.cn', displayName: '新用户' } });
    expect(JSON.stringify(verified)).not.toContain(call.trust.current!);
    expect(await dispatch('auth:status', {})).toMatchObject({ ok: true, data: { status: 'signed-in' } });
  });

  it("refuses registration on the organisation's backend, and the directory says so: its mailboxes come from IT", async () => {
    const { core, dispatch } = await wired({}, 'organisation');
    expect(await dispatch('auth:directory', {})).toMatchObject({ ok: true, data: { hasMailboxes: false, registration: false } });
    expect(await dispatch('auth:register', { address: 'new@cstnet.cn', password, confirmation: password })).toEqual({ ok: false, code: 'registration-closed' });
    expect(await core.store.collection<MailboxRecord>('mailboxes').find({})).toEqual([]);
    expect(await dispatch('auth:status', {})).toEqual({ ok: true, data: { status: 'signed-out' } });
  });

  it('registers into an enrolment-only session when policy enforces 2FA', async () => {
    const { dispatch } = await wired({ enforceTwoFactor: true });
    expect(await dispatch('auth:register', { address: 'new@cstnet.cn', password, confirmation: password })).toMatchObject({
      ok: true,
      data: { status: 'enrollment-required' },
    });
    expect(await dispatch('devices:list', {})).toEqual({ ok: false, code: 'two-factor-required' });
  });

  it('answers a register refusal with its code and field', async () => {
    const { dispatch } = await wired();
    expect(await dispatch('auth:register', { address: 'new@cstnet.cn', password: 'short', confirmation: 'short' })).toEqual({
      ok: false,
      code: 'password-too-short',
      fields: ['password'],
    });
    expect(await dispatch('auth:register', { address: 'new@cstnet.cn', password, confirmation: `${password}!` })).toEqual({
      ok: false,
      code: 'passwords-differ',
      fields: ['confirmation'],
    });
  });

  it('refuses malformed requests before they reach the sign-in', async () => {
    const { core, dispatch } = await wired();
    const verify = vi.spyOn(core.hasher, 'verify');
    expect(await dispatch('auth:sign-in', { address, password, admin: true })).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('auth:sign-in', { address, password: 'x'.repeat(1025) })).toEqual({ ok: false, code: 'invalid-request', fields: ['password'] });
    expect(await dispatch('auth:sign-in', { address: 'a'.repeat(321), password })).toEqual({ ok: false, code: 'invalid-request', fields: ['address'] });
    expect(await dispatch('auth:sign-in', { address, password, trustDevice: 'yes' })).toEqual({ ok: false, code: 'invalid-request', fields: ['trustDevice'] });
    expect(await dispatch('auth:verify-code', { code: '1'.repeat(33), method: 'sms', trustDevice: false })).toEqual({
      ok: false,
      code: 'invalid-request',
      fields: ['code'],
    });
    expect(await dispatch('auth:verify-code', { code: '123456', method: 'email', trustDevice: false })).toEqual({
      ok: false,
      code: 'invalid-request',
      fields: ['method'],
    });
    expect(await dispatch('auth:verify-code', { code: '123456', method: 'sms' })).toEqual({ ok: false, code: 'invalid-request', fields: ['trustDevice'] });
    expect(await dispatch('auth:register', { address, password, confirmation: password, displayName: 'n'.repeat(65) })).toEqual({
      ok: false,
      code: 'invalid-request',
      fields: ['displayName'],
    });
    expect(verify).not.toHaveBeenCalled();
  });

  it('resends through the channel', async () => {
    const { core, clock, dispatch, sms } = await wired();
    await createMailbox(core, { address, phone });
    await dispatch('auth:sign-in', { address, password });
    expect(await dispatch('auth:resend-code', {})).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 60 });
    clock.advanceSeconds(60);
    expect(await dispatch('auth:resend-code', {})).toMatchObject({ ok: true, data: { maskedPhone: '139****5678' } });
    expect(sms.sent).toHaveLength(2);
  });
});

describe('the local outbox during a sign-in challenge', () => {
  it('shows the code to the connection that gave the right password, and to no other', async () => {
    const { core, call } = await setup();
    await createMailbox(core, { address, phone });
    const stranger = testCall({ connection: 'stranger' });
    const dispatch = coreDispatcher(core);
    const outbox = (who: CallContext) => dispatch('two-factor:outbox', {}, who);

    expect(await outbox(call)).toEqual({ ok: false, code: 'not-signed-in' });
    await signIn(core, call, { address, password: 'not the password' });
    expect(await outbox(call)).toEqual({ ok: false, code: 'not-signed-in' });

    expect(await signIn(core, call, { address, password })).toMatchObject({ ok: true, data: { status: 'code-required' } });
    const seen = await outbox(call);
    expect(seen).toMatchObject({ ok: true, data: { messages: [{ masked: '139****5678' }] } });
    expect(await outbox(stranger)).toEqual({ ok: false, code: 'not-signed-in' });

    await signOut(core, call);
    expect(await outbox(call)).toEqual({ ok: false, code: 'not-signed-in' });
  });
});

describe("the organisation's policy applied (docs/rules.md §11)", () => {
  type Sources = ReturnType<NonNullable<CoreContext['policySources']>>;
  /** Every key a default except those named, which the organisation set at the given level. */
  function sourcesWith(set: Partial<Record<string, 'enforced' | 'recommended'>>): Sources {
    return Object.fromEntries(
      policyPaths.map((path) => [path, set[path] ? { source: set[path], origin: 'etc-file' } : { source: 'default' }]),
    ) as unknown as Sources;
  }

  async function underPolicy(sources: () => Sources, policy: () => Partial<Policy>) {
    const t = await setup();
    const base = t.core.policy();
    const core: CoreContext = { ...t.core, policy: () => ({ ...base, ...policy() }), policySources: sources };
    await createMailbox(core, { address });
    return { ...t, core };
  }

  it('is written at the first sign-in under a policy, once, with how many keys it enforces and recommends', async () => {
    const { core } = await underPolicy(
      () => sourcesWith({ trustedDeviceDays: 'enforced', clientPasswordLimit: 'enforced', 'mailServer.imap.host': 'recommended' }),
      () => ({ trustedDeviceDays: 14 }),
    );
    await signIn(core, testCall(), { address, password });
    await signIn(core, testCall({ connection: 'again' }), { address, password });
    const applied = await events(core, 'policy-applied');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ outcome: 'success', detail: { enforced: 2, recommended: 1 } });
  });

  it('is written again when the organisation changes a value or a level, not otherwise', async () => {
    let days = 14;
    let level: 'enforced' | 'recommended' = 'enforced';
    const { core } = await underPolicy(
      () => sourcesWith({ trustedDeviceDays: 'enforced', 'mailServer.imap.host': level }),
      () => ({ trustedDeviceDays: days }),
    );
    // Each on its own window: one window holds a mailbox once.
    await signIn(core, testCall({ connection: 'w1' }), { address, password });
    days = 21;
    await signIn(core, testCall({ connection: 'w2' }), { address, password });
    level = 'recommended';
    await signIn(core, testCall({ connection: 'w3' }), { address, password });
    await signIn(core, testCall({ connection: 'w4' }), { address, password });
    expect(await events(core, 'policy-applied')).toHaveLength(3);
  });

  it('is not written when the organisation set nothing, and keeps no fingerprint then', async () => {
    const { core } = await underPolicy(
      () => sourcesWith({}),
      () => ({}),
    );
    await signIn(core, testCall(), { address, password });
    expect(await events(core, 'policy-applied')).toHaveLength(0);
    expect((await mailbox(core)).policyFingerprint).toBeUndefined();
  });

  it('keeps only a keyed hash of what was applied, never the values (a webhook header may be a credential)', async () => {
    const { core } = await underPolicy(
      () => sourcesWith({ 'sms.kind': 'enforced', 'sms.webhook.headers': 'enforced', 'sms.webhook.url': 'enforced', 'sms.webhook.bodyTemplate': 'enforced' }),
      () => ({
        sms: { kind: 'webhook', url: 'https://sms.example.cn/send', headers: { Authorization: 'Bearer sk-live-123' }, bodyTemplate: '{}', timeoutMs: 5000 },
      }),
    );
    await signIn(core, testCall(), { address, password });
    const stored = JSON.stringify(await mailbox(core)) + JSON.stringify(await events(core, 'policy-applied'));
    expect((await mailbox(core)).policyFingerprint).toMatch(/^[A-Za-z0-9_+/=-]{20,}$/);
    expect(stored).not.toContain('sk-live-123');
    expect(stored).not.toContain('sms.example.cn');
  });
});
