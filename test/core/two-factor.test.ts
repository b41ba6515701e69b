// Covers electron/core/two-factor.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import * as v from 'valibot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import type { CallContext } from '../../electron/core/call';
import { createCoreContext, type CoreContext } from '../../electron/core/context';
import { owaspScrypt, PasswordHasher } from '../../electron/core/password-hash';
import { createDispatcher } from '../../electron/core/dispatch';
import type { MailboxRecord } from '../../electron/core/mailbox';
import type { Policy } from '../../electron/core/policy';
import { silentLogger, StorageError } from '../../electron/core/ports';
import type { TrustedDeviceRecord } from '../../electron/core/trusted-devices';
import { countPasswordFailure, lockoutRule } from '../../electron/core/lockout';
import { backupCodeRules, totpRules, useBackupCode, verifyTotp } from '../../electron/core/two-factor';
import { OutboxSmsGateway } from '../../electron/platform/sms/outbox';
import { cryptoRandom } from '../../electron/platform/system';
import { contract, isChannel } from '../../electron/shared/contract';
import { testCall } from '../factories/call';
import { testCore, type TestCore } from '../factories/core';
import { createMailbox, defaultTestPassword, signIn } from '../factories/mailbox';
import { coreHandlers } from '../factories/dispatch';

const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';
const phone = '+8613912341234';
const otherPhone = '+8613812345678';
const minute = 60_000;
const device = 'Linux · test-host / Chrome 156';

type Setup = TestCore & {
  readonly call: CallContext;
  /** Through the dispatcher, as a bridge would: schema first, then the handler. */
  dispatch(
    channel: string,
    request?: unknown,
    call?: CallContext,
  ): Promise<{ ok: boolean; code?: string; data?: any; retryAfter?: number; fields?: readonly string[] }>;
};

async function setup(options: { policy?: Partial<Policy>; core?: (core: CoreContext) => CoreContext } = {}): Promise<Setup> {
  const t = await testCore(options.policy ? { policy: options.policy } : {});
  const core = options.core ? options.core(t.core) : t.core;
  const handlers = coreHandlers(core);
  const dispatcher = createDispatcher(handlers, silentLogger);
  const call = testCall();
  return {
    ...t,
    core,
    call,
    dispatch: async (channel, request = {}, who = call) => {
      const result = await dispatcher(channel, request, who);
      // Every answer must be what the contract promises the renderer.
      if (result.ok && isChannel(channel)) expect(v.is(contract[channel].response, result.data), `${channel} response`).toBe(true);
      if (!result.ok && isChannel(channel) && result.code !== 'invalid-request' && result.code !== 'storage-failed') {
        expect(contract[channel].errors as readonly string[], `${channel} declares ${result.code}`).toContain(result.code);
      }
      return result as never;
    },
  };
}

/** A mailbox with a live session on the setup's connection. */
async function signedIn(t: Setup, options: { address?: string; phone?: string; totp?: string; call?: CallContext } = {}): Promise<MailboxRecord> {
  const address = options.address ?? alice;
  const record = await createMailbox(t.core, { address, ...(options.phone ? { phone: options.phone } : {}), ...(options.totp ? { totp: options.totp } : {}) });
  await signIn(t.core, options.call ?? t.call, address);
  return record;
}

async function mailbox(t: TestCore, address = alice): Promise<MailboxRecord> {
  const record = await t.store.collection<MailboxRecord>('mailboxes').get(address);
  if (!record) throw new Error(`no mailbox ${address}`);
  return record;
}

async function events(t: TestCore, kind: string): Promise<ActivityRecord[]> {
  return await t.store.collection<ActivityRecord>('activity').find({ kind }, { sort: { at: 1 } });
}

async function trustDevice(t: TestCore, address = alice): Promise<void> {
  const now = t.clock.now();
  await t.store.collection<TrustedDeviceRecord>('trustedDevices').insert({
    _id: Buffer.from(cryptoRandom.bytes(16)).toString('base64url'),
    mailbox: address,
    tokenHash: 'hash',
    label: 'Windows · PC',
    client: 'Edge 130',
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + 7 * 24 * 60 * minute,
  });
}

async function trustedCount(t: TestCore, address = alice): Promise<number> {
  return t.store.collection<TrustedDeviceRecord>('trustedDevices').count({ mailbox: address });
}

async function bindPhone(t: Setup, number = phone, call = t.call): Promise<void> {
  expect(await t.dispatch('two-factor:start-phone-binding', { phone: number }, call)).toMatchObject({ ok: true });
  expect(await t.dispatch('two-factor:confirm-phone-binding', { code: t.sms.lastCode(number) }, call)).toMatchObject({ ok: true });
}

function totpCode(secret: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp });
}

async function enrolTotp(t: Setup): Promise<string> {
  const started = await t.dispatch('two-factor:start-totp');
  expect(started).toMatchObject({ ok: true });
  const secret = started.data.secret as string;
  expect(await t.dispatch('two-factor:confirm-totp', { code: totpCode(secret, t.clock.now()) })).toMatchObject({ ok: true });
  return secret;
}

/** The first base32 seed the generator could make: used where a test needs a known seed. */
const knownSeed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const channels = [
  ['two-factor:status', {}],
  ['two-factor:start-phone-binding', { phone }],
  ['two-factor:confirm-phone-binding', { code: '123456' }],
  ['two-factor:start-phone-change', { phone }],
  ['two-factor:confirm-phone-change', { code: '123456' }],
  ['two-factor:unbind-phone', {}],
  ['two-factor:recheck-password', { password: 'x' }],
  ['two-factor:start-totp', {}],
  ['two-factor:confirm-totp', { code: '123456' }],
  ['two-factor:remove-totp', {}],
  ['two-factor:generate-backup-codes', {}],
  ['two-factor:set-preferred-method', { method: 'totp' }],
  ['two-factor:outbox', {}],
] as const;

describe('every two-factor channel', () => {
  it.each(channels)('%s refuses a call that is not signed in', async (channel, request) => {
    const t = await setup();
    await createMailbox(t.core, { address: alice });
    expect(await t.dispatch(channel, request)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(t.sms.sent).toEqual([]);
  });

  it.each(channels)('%s refuses unknown fields', async (channel, request) => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch(channel, { ...request, mailbox: bob })).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it('refuses a session whose mailbox no longer exists', async () => {
    const t = await setup();
    await signedIn(t);
    await t.store.collection<MailboxRecord>('mailboxes').remove({ _id: alice });
    expect(await t.dispatch('two-factor:status')).toEqual({ ok: false, code: 'not-signed-in' });
  });
});

describe('two-factor:status', () => {
  it('describes a mailbox without 2FA under the default policy', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:status')).toEqual({
      ok: true,
      data: {
        methods: [],
        phone: null,
        totp: null,
        backupCodes: { left: 0, total: 0 },
        enforced: false,
        allowedMethods: ['sms', 'totp'],
        canUnbind: true,
        passwordRecheckNeeded: false,
        preferredMethod: 'sms',
        pendingPhone: null,
      },
    });
  });

  it('shows the masked phone, never the number, and what policy enforces', async () => {
    const t = await setup({ policy: { enforceTwoFactor: true, allowedMethods: ['sms'] } });
    await signedIn(t, { phone });
    const status = await t.dispatch('two-factor:status');
    expect(status.data).toMatchObject({ methods: ['sms'], phone: { masked: '139****1234' }, enforced: true, allowedMethods: ['sms'], canUnbind: false });
    expect(JSON.stringify(status)).not.toContain('13912341234');
  });

  it('says when a change will ask for the password again', async () => {
    const t = await setup();
    await signedIn(t);
    t.clock.advance(10 * minute + 1);
    expect((await t.dispatch('two-factor:status')).data.passwordRecheckNeeded).toBe(true);
  });
});

describe('binding a phone', () => {
  it('sends a code to the normalised number and binds it with that code', async () => {
    const t = await setup();
    await signedIn(t);
    await trustDevice(t);
    const now = t.clock.now();
    const started = await t.dispatch('two-factor:start-phone-binding', { phone: '139-1234-1234' });
    expect(started).toEqual({
      ok: true,
      data: { masked: '139****1234', expiresAt: now + 5 * minute, resendAt: now + minute, windowEndsAt: now + 5 * minute },
    });
    expect(t.sms.sent.map((m) => m.phone)).toEqual([phone]);
    expect((await t.dispatch('two-factor:status')).data.pendingPhone).toEqual({
      masked: '139****1234',
      expiresAt: now + 5 * minute,
      windowEndsAt: now + 5 * minute,
      resendAt: now + minute,
    });

    t.clock.advanceMinutes(2);
    const confirmed = await t.dispatch('two-factor:confirm-phone-binding', { code: t.sms.lastCode() });
    expect(confirmed).toMatchObject({ ok: true, data: { methods: ['sms'], phone: { masked: '139****1234', boundAt: t.clock.now() }, pendingPhone: null } });
    expect((await mailbox(t)).phone).toEqual({ number: phone, boundAt: t.clock.now() });
    expect(await trustedCount(t)).toBe(0);
    const [bound] = await events(t, 'phone-bound');
    expect(bound).toMatchObject({ mailbox: alice, outcome: 'success', device, detail: { phone: '139****1234' } });
  });

  it('refuses a number that is not a mobile, sending nothing', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:start-phone-binding', { phone: '010-62565656' })).toEqual({ ok: false, code: 'phone-invalid' });
    expect(t.sms.sent).toEqual([]);
  });

  it('refuses over-long input at the schema', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:start-phone-binding', { phone: '1'.repeat(33) })).toEqual({ ok: false, code: 'invalid-request', fields: ['phone'] });
    expect(await t.dispatch('two-factor:start-phone-binding', { phone: 13912341234 })).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it.each(['12345', '1234567', '12345a', ' 123456', '１２３４５６'])('refuses the code %j at the schema', async (code) => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code })).toEqual({ ok: false, code: 'invalid-request', fields: ['code'] });
  });

  it('keeps one phone per mailbox: binding again is refused, change is the way', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    expect(await t.dispatch('two-factor:start-phone-binding', { phone: otherPhone })).toEqual({ ok: false, code: 'phone-already-bound' });
    expect(t.sms.sent).toEqual([]);
  });

  it('refuses to confirm when a phone was bound meanwhile', async () => {
    const t = await setup();
    await signedIn(t);
    await t.dispatch('two-factor:start-phone-binding', { phone: otherPhone });
    const code = t.sms.lastCode();
    await t.store.collection<MailboxRecord>('mailboxes').replace({ ...(await mailbox(t)), phone: { number: phone, boundAt: 1 } });
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code })).toEqual({ ok: false, code: 'phone-already-bound' });
    expect((await mailbox(t)).phone?.number).toBe(phone);
  });

  it('lets several mailboxes bind the same phone', async () => {
    const t = await setup();
    const bobCall = testCall({ connection: 'bob-window' });
    await signedIn(t);
    await signedIn(t, { address: bob, call: bobCall });
    await bindPhone(t, phone);
    t.clock.advanceSeconds(60);
    await bindPhone(t, phone, bobCall);
    expect((await mailbox(t, alice)).phone?.number).toBe(phone);
    expect((await mailbox(t, bob)).phone?.number).toBe(phone);
  });

  it('does not bind with a wrong code, and the 5th wrong code ends it', async () => {
    const t = await setup();
    await signedIn(t);
    await t.dispatch('two-factor:start-phone-binding', { phone });
    const wrong = t.sms.lastCode() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i += 1)
      expect(await t.dispatch('two-factor:confirm-phone-binding', { code: wrong })).toEqual({ ok: false, code: 'code-invalid', triesLeft: 4 - i });
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code: wrong })).toEqual({ ok: false, code: 'code-attempts-exceeded' });
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code: t.sms.lastCode() })).toEqual({ ok: false, code: 'code-attempts-exceeded' });
    expect((await mailbox(t)).phone).toBeNull();
    expect(await events(t, 'code-rejected')).toHaveLength(5);
  });

  it('restarts after the 5-minute window: the code has expired', async () => {
    const t = await setup();
    await signedIn(t);
    await t.dispatch('two-factor:start-phone-binding', { phone });
    t.clock.advanceMinutes(5);
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code: t.sms.lastCode() })).toEqual({ ok: false, code: 'code-expired' });
    expect((await mailbox(t)).phone).toBeNull();
  });

  it('refuses a confirmation with no code sent', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code: '123456' })).toEqual({ ok: false, code: 'code-not-sent' });
  });

  it('passes on the resend and quota refusals with their wait', async () => {
    const t = await setup();
    await signedIn(t);
    await t.dispatch('two-factor:start-phone-binding', { phone });
    t.clock.advanceSeconds(15);
    expect(await t.dispatch('two-factor:start-phone-binding', { phone })).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 45 });
  });

  it('reports a failed delivery and binds nothing', async () => {
    const t = await setup();
    await signedIn(t);
    t.sms.failing = true;
    expect(await t.dispatch('two-factor:start-phone-binding', { phone })).toEqual({ ok: false, code: 'sms-delivery-failed' });
    expect((await t.dispatch('two-factor:status')).data.pendingPhone).toBeNull();
  });

  it('is refused where policy does not allow SMS', async () => {
    const t = await setup({ policy: { allowedMethods: ['totp'] } });
    await signedIn(t);
    expect(await t.dispatch('two-factor:start-phone-binding', { phone })).toEqual({ ok: false, code: 'method-not-allowed' });
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code: '123456' })).toEqual({ ok: false, code: 'method-not-allowed' });
  });

  it('is allowed beside an authenticator, after a fresh password check', async () => {
    const t = await setup();
    await signedIn(t, { totp: knownSeed });
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:start-phone-binding', { phone })).toEqual({ ok: false, code: 'password-recheck-required' });
    expect(await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword })).toMatchObject({ ok: true });
    await bindPhone(t);
    expect((await t.dispatch('two-factor:status')).data.methods).toEqual(['sms', 'totp']);
  });

  it('asks for the password again at confirmation if it went stale meanwhile', async () => {
    const t = await setup();
    await signedIn(t, { totp: knownSeed });
    await t.dispatch('two-factor:start-phone-binding', { phone });
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code: t.sms.lastCode() })).toEqual({ ok: false, code: 'password-recheck-required' });
  });

  it('needs no password re-check for the first method', async () => {
    const t = await setup();
    await signedIn(t);
    t.clock.advanceMinutes(30);
    await bindPhone(t);
  });

  it('leaves everything as it was when a write fails half-way', async () => {
    const t = await setup();
    await signedIn(t);
    await trustDevice(t);
    await t.dispatch('two-factor:start-phone-binding', { phone });
    const code = t.sms.lastCode();
    const record = vi.spyOn(t.core.activity, 'record').mockRejectedValueOnce(new StorageError('disk full'));
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code })).toEqual({ ok: false, code: 'storage-failed' });
    expect(record).toHaveBeenCalledOnce();
    expect((await mailbox(t)).phone).toBeNull();
    expect(await trustedCount(t)).toBe(1);
    // The code was not spent either: the whole unit was undone.
    expect(await t.dispatch('two-factor:confirm-phone-binding', { code })).toMatchObject({ ok: true });
  });
});

describe('changing the phone', () => {
  it('verifies the new number with a code, then replaces the old one', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    await trustDevice(t);
    expect(await t.dispatch('two-factor:start-phone-change', { phone: '138 1234 5678' })).toMatchObject({ ok: true, data: { masked: '138****5678' } });
    expect(t.sms.sent.map((m) => m.phone)).toEqual([otherPhone]);
    expect(await t.dispatch('two-factor:confirm-phone-change', { code: t.sms.lastCode() })).toMatchObject({
      ok: true,
      data: { phone: { masked: '138****5678' } },
    });
    expect((await mailbox(t)).phone?.number).toBe(otherPhone);
    expect(await trustedCount(t)).toBe(0);
    const [changed] = await events(t, 'phone-changed');
    expect(changed).toMatchObject({ device, detail: { from: '139****1234', to: '138****5678' } });
  });

  it('keeps the old phone while the new code is wrong', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    await t.dispatch('two-factor:start-phone-change', { phone: otherPhone });
    const wrong = t.sms.lastCode() === '000000' ? '111111' : '000000';
    expect(await t.dispatch('two-factor:confirm-phone-change', { code: wrong })).toEqual({ ok: false, code: 'code-invalid', triesLeft: 4 });
    expect((await mailbox(t)).phone?.number).toBe(phone);
  });

  it('refuses the number already bound, however it is written', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    expect(await t.dispatch('two-factor:start-phone-change', { phone: '0086 139 1234 1234' })).toEqual({ ok: false, code: 'phone-unchanged' });
    expect(await t.dispatch('two-factor:start-phone-change', { phone: 'not a phone' })).toEqual({ ok: false, code: 'phone-invalid' });
    expect(t.sms.sent).toEqual([]);
  });

  it('needs a bound phone', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:start-phone-change', { phone: otherPhone })).toEqual({ ok: false, code: 'phone-not-bound' });
    expect(await t.dispatch('two-factor:confirm-phone-change', { code: '123456' })).toEqual({ ok: false, code: 'phone-not-bound' });
  });

  it('is refused where policy does not allow SMS', async () => {
    const t = await setup({ policy: { allowedMethods: ['totp'] } });
    await signedIn(t, { phone });
    expect(await t.dispatch('two-factor:start-phone-change', { phone: otherPhone })).toEqual({ ok: false, code: 'method-not-allowed' });
    expect(await t.dispatch('two-factor:confirm-phone-change', { code: '123456' })).toEqual({ ok: false, code: 'method-not-allowed' });
  });

  it('goes ahead with a password checked exactly 10 minutes ago', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    t.clock.advanceMinutes(10);
    expect(await t.dispatch('two-factor:start-phone-change', { phone: otherPhone })).toMatchObject({ ok: true });
    expect(await t.dispatch('two-factor:confirm-phone-change', { code: t.sms.lastCode() })).toMatchObject({ ok: true });
  });

  it('asks for the password again once the last check is older than 10 minutes', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:start-phone-change', { phone: otherPhone })).toEqual({ ok: false, code: 'password-recheck-required' });
    expect(t.sms.sent).toEqual([]);
    expect(await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword })).toMatchObject({ ok: true });
    expect(await t.dispatch('two-factor:start-phone-change', { phone: otherPhone })).toMatchObject({ ok: true });
  });

  it('asks again at confirmation if the check went stale after the code was sent', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    t.clock.advanceMinutes(9);
    await t.dispatch('two-factor:start-phone-change', { phone: otherPhone });
    t.clock.advanceMinutes(2);
    expect(await t.dispatch('two-factor:confirm-phone-change', { code: t.sms.lastCode() })).toEqual({ ok: false, code: 'password-recheck-required' });
    expect((await mailbox(t)).phone?.number).toBe(phone);
  });
});

describe('unbinding the phone', () => {
  it('removes it, its backup codes with it when it was the last method, and every trusted device', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    await trustDevice(t);
    expect(await t.dispatch('two-factor:generate-backup-codes')).toMatchObject({ ok: true });
    const result = await t.dispatch('two-factor:unbind-phone');
    expect(result).toMatchObject({ ok: true, data: { methods: [], phone: null, backupCodes: { left: 0, total: 0 } } });
    expect((await mailbox(t)).backupCodes).toEqual([]);
    expect(await trustedCount(t)).toBe(0);
    const [unbound] = await events(t, 'phone-unbound');
    expect(unbound).toMatchObject({ device, detail: { phone: '139****1234' } });
  });

  it('keeps the backup codes while another method remains', async () => {
    const t = await setup();
    await signedIn(t, { phone, totp: knownSeed });
    await t.dispatch('two-factor:generate-backup-codes');
    expect(await t.dispatch('two-factor:unbind-phone')).toMatchObject({ ok: true, data: { methods: ['totp'], backupCodes: { left: 10 } } });
  });

  it('needs a bound phone', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:unbind-phone')).toEqual({ ok: false, code: 'phone-not-bound' });
  });

  it('needs a password checked within 10 minutes', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:unbind-phone')).toEqual({ ok: false, code: 'password-recheck-required' });
    expect((await mailbox(t)).phone?.number).toBe(phone);
  });

  it('is refused while policy enforces 2FA and no other method would remain', async () => {
    const t = await setup({ policy: { enforceTwoFactor: true } });
    await signedIn(t, { phone });
    await trustDevice(t);
    expect(await t.dispatch('two-factor:unbind-phone')).toEqual({ ok: false, code: 'enforcement-requires-method' });
    expect((await mailbox(t)).phone?.number).toBe(phone);
    expect(await trustedCount(t)).toBe(1);
  });

  it('is allowed under enforcement when an authenticator remains', async () => {
    const t = await setup({ policy: { enforceTwoFactor: true } });
    await signedIn(t, { phone, totp: knownSeed });
    expect((await t.dispatch('two-factor:status')).data.canUnbind).toBe(true);
    expect(await t.dispatch('two-factor:unbind-phone')).toMatchObject({ ok: true, data: { methods: ['totp'], canUnbind: false } });
  });
});

describe('two-factor:recheck-password', () => {
  it('accepts the main password and restarts the 10 minutes', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    t.clock.advanceMinutes(30);
    const now = t.clock.now();
    expect(await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword })).toEqual({ ok: true, data: { passwordCheckedAt: now } });
    expect((await t.core.sessions.current(t.call))?.passwordCheckedAt).toBe(now);
    expect((await t.dispatch('two-factor:status')).data.passwordRecheckNeeded).toBe(false);
  });

  it('refuses a wrong password and counts it toward the lockout', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:recheck-password', { password: 'wrong password' })).toEqual({ ok: false, code: 'password-incorrect' });
    expect((await mailbox(t)).failedSignIns).toEqual([t.clock.now()]);
    const [failed] = await events(t, 'sign-in-failed');
    expect(failed).toMatchObject({ outcome: 'failure', device, detail: { step: 'password-recheck' } });
    expect(JSON.stringify(failed)).not.toContain('wrong password');
  });

  it('locks the mailbox for 15 minutes at the 5th wrong password within 15 minutes, not the 4th', async () => {
    expect(lockoutRule).toEqual({ failures: 5, windowMs: 15 * minute, lockMs: 15 * minute });
    const t = await setup();
    await signedIn(t);
    for (let i = 0; i < 4; i += 1) {
      expect(await t.dispatch('two-factor:recheck-password', { password: 'wrong' })).toEqual({ ok: false, code: 'password-incorrect' });
      t.clock.advanceMinutes(3);
    }
    expect(await t.dispatch('two-factor:recheck-password', { password: 'wrong' })).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 15 * 60 });
    expect(await events(t, 'mailbox-locked')).toHaveLength(1);
    t.clock.advanceMinutes(10);
    expect(await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword })).toEqual({
      ok: false,
      code: 'mailbox-locked',
      retryAfter: 5 * 60,
    });
    t.clock.advanceMinutes(5);
    expect(await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword })).toMatchObject({ ok: true });
  });

  it('forgets failures older than 15 minutes', async () => {
    const t = await setup();
    await signedIn(t);
    for (let i = 0; i < 4; i += 1) await t.dispatch('two-factor:recheck-password', { password: 'wrong' });
    t.clock.advanceMinutes(15);
    expect(await t.dispatch('two-factor:recheck-password', { password: 'wrong' })).toEqual({ ok: false, code: 'password-incorrect' });
    expect((await mailbox(t)).failedSignIns).toHaveLength(1);
  });

  it('clears the failures once the password is right', async () => {
    const t = await setup();
    await signedIn(t);
    await t.dispatch('two-factor:recheck-password', { password: 'wrong' });
    await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword });
    expect((await mailbox(t)).failedSignIns).toEqual([]);
  });

  it('refuses an empty or over-long password at the schema', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:recheck-password', { password: '' })).toEqual({ ok: false, code: 'invalid-request', fields: ['password'] });
    expect(await t.dispatch('two-factor:recheck-password', { password: 'x'.repeat(1025) })).toEqual({
      ok: false,
      code: 'invalid-request',
      fields: ['password'],
    });
  });

  it('countPasswordFailure locks on the 5th failure and records it', async () => {
    const t = await setup();
    const record = await createMailbox(t.core, { address: alice, overrides: { failedSignIns: [1, 2, 3, 4].map((n) => t.clock.now() - n * minute) } });
    const result = await t.core.store.atomically(() => countPasswordFailure(t.core, record, testCall().device));
    expect(result).toEqual({ lockedUntil: t.clock.now() + 15 * minute });
    expect(await mailbox(t)).toMatchObject({ failedSignIns: [], lockedUntil: t.clock.now() + 15 * minute });
  });
});

describe('authenticator app (TOTP)', () => {
  it('starts with an otpauth URI, the seed and a QR code, kept pending until confirmed', async () => {
    const t = await setup();
    await signedIn(t);
    const started = await t.dispatch('two-factor:start-totp');
    expect(started.ok).toBe(true);
    const { uri, secret, qrSvg } = started.data as { uri: string; secret: string; qrSvg: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Issued by the mail system, not by the app: the entry reads "mail.cstnet.cn (alice@…)".
    expect(uri.startsWith(`otpauth://totp/mail.cstnet.cn:${encodeURIComponent(alice)}?`)).toBe(true);
    const url = new URL(uri);
    expect(url.searchParams.get('issuer')).toBe('mail.cstnet.cn');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(qrSvg).toMatch(/^<svg[^>]*viewBox/);
    expect((await mailbox(t)).totpPending).toEqual({ secret, createdAt: t.clock.now() });
    expect((await t.dispatch('two-factor:status')).data.methods).toEqual([]);
  });

  it('names the entry as policy says (totpIssuer), with Chinese intact', async () => {
    const t = await setup({ policy: { totpIssuer: '院邮件系统' } });
    await signedIn(t);
    const { uri } = (await t.dispatch('two-factor:start-totp')).data as { uri: string };
    expect(uri.startsWith(`otpauth://totp/${encodeURIComponent('院邮件系统')}:${encodeURIComponent(alice)}?`)).toBe(true);
    expect(new URL(uri).searchParams.get('issuer')).toBe('院邮件系统');
  });

  it('takes the seed from the core CSPRNG', async () => {
    const t = await setup({ core: (core) => ({ ...core, random: { bytes: (n) => new Uint8Array(n), int: core.random.int } }) });
    await signedIn(t);
    expect(totpRules.secretBytes).toBe(20);
    expect((await t.dispatch('two-factor:start-totp')).data.secret).toBe('A'.repeat(32));
  });

  it('is enabled by a current code, revoking trusted devices', async () => {
    const t = await setup();
    await signedIn(t);
    await trustDevice(t);
    const secret = await enrolTotp(t);
    const record = await mailbox(t);
    expect(record.totp).toEqual({ secret, confirmedAt: t.clock.now(), lastStep: Math.floor(t.clock.now() / 30_000) });
    expect(record.totpPending).toBeNull();
    expect(await trustedCount(t)).toBe(0);
    expect(await events(t, 'totp-enrolled')).toHaveLength(1);
    expect((await t.dispatch('two-factor:status')).data).toMatchObject({ methods: ['totp'], totp: { enrolledAt: t.clock.now() } });
  });

  it.each([
    [-30_000, true],
    [30_000, true],
    [-60_000, false],
    [60_000, false],
  ])('accepts a code %i ms off: %s (one step either side)', async (offset, accepted) => {
    expect(totpRules.window).toBe(1);
    const t = await setup();
    await signedIn(t);
    const secret = (await t.dispatch('two-factor:start-totp')).data.secret as string;
    const code = totpCode(secret, t.clock.now() + offset);
    // A code that happens to equal the current one proves nothing about the window.
    if (code === totpCode(secret, t.clock.now())) return;
    const result = await t.dispatch('two-factor:confirm-totp', { code });
    expect(result.ok).toBe(accepted);
    if (!accepted) expect(result).toEqual({ ok: false, code: 'code-invalid' });
  });

  it('needs a started enrolment, and only one authenticator', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:confirm-totp', { code: '123456' })).toEqual({ ok: false, code: 'totp-not-started' });
    await enrolTotp(t);
    expect(await t.dispatch('two-factor:start-totp')).toEqual({ ok: false, code: 'totp-already-enabled' });
    expect(await t.dispatch('two-factor:confirm-totp', { code: '123456' })).toEqual({ ok: false, code: 'totp-already-enabled' });
  });

  it('is refused where policy does not allow it', async () => {
    const t = await setup({ policy: { allowedMethods: ['sms'] } });
    await signedIn(t);
    expect(await t.dispatch('two-factor:start-totp')).toEqual({ ok: false, code: 'method-not-allowed' });
    expect(await t.dispatch('two-factor:confirm-totp', { code: '123456' })).toEqual({ ok: false, code: 'method-not-allowed' });
  });

  it('beside a bound phone, needs a fresh password check', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:start-totp')).toEqual({ ok: false, code: 'password-recheck-required' });
    await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword });
    const secret = (await t.dispatch('two-factor:start-totp')).data.secret as string;
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:confirm-totp', { code: totpCode(secret, t.clock.now()) })).toEqual({ ok: false, code: 'password-recheck-required' });
  });

  it('a new start replaces an unconfirmed seed', async () => {
    const t = await setup();
    await signedIn(t);
    const first = (await t.dispatch('two-factor:start-totp')).data.secret as string;
    const second = (await t.dispatch('two-factor:start-totp')).data.secret as string;
    expect(second).not.toBe(first);
    const code = totpCode(first, t.clock.now());
    if (code !== totpCode(second, t.clock.now())) expect(await t.dispatch('two-factor:confirm-totp', { code })).toEqual({ ok: false, code: 'code-invalid' });
  });
});

describe('verifyTotp', () => {
  it('refuses the code that confirmed the enrolment, and any code of that step or before', async () => {
    const t = await setup();
    await signedIn(t);
    const secret = await enrolTotp(t);
    const enrolled = t.clock.now();
    expect(await verifyTotp(t.core, alice, totpCode(secret, enrolled))).toEqual({ ok: false, code: 'code-reused' });
    t.clock.advanceSeconds(30);
    expect(await verifyTotp(t.core, alice, totpCode(secret, enrolled))).toEqual({ ok: false, code: 'code-reused' });
    expect(await verifyTotp(t.core, alice, totpCode(secret, t.clock.now()))).toEqual({ ok: true, data: null });
    expect(await verifyTotp(t.core, alice, totpCode(secret, t.clock.now()))).toEqual({ ok: false, code: 'code-reused' });
  });

  it('accepts the next step early, then nothing up to it', async () => {
    const t = await setup();
    await createMailbox(t.core, { address: alice, totp: knownSeed });
    const now = t.clock.now();
    expect(await verifyTotp(t.core, alice, totpCode(knownSeed, now + 30_000))).toMatchObject({ ok: true });
    const current = totpCode(knownSeed, now);
    if (current !== totpCode(knownSeed, now + 30_000)) expect(await verifyTotp(t.core, alice, current)).toEqual({ ok: false, code: 'code-reused' });
    expect((await mailbox(t)).totp?.lastStep).toBe(Math.floor(now / 30_000) + 1);
  });

  it('refuses a wrong code, and a mailbox without an authenticator', async () => {
    const t = await setup();
    await createMailbox(t.core, { address: alice, totp: knownSeed });
    await createMailbox(t.core, { address: bob });
    const now = t.clock.now();
    const valid = new Set([-30_000, 0, 30_000].map((d) => totpCode(knownSeed, now + d)));
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => !valid.has(c))!;
    expect(await verifyTotp(t.core, alice, wrong)).toEqual({ ok: false, code: 'code-invalid' });
    expect(await verifyTotp(t.core, bob, totpCode(knownSeed, now))).toEqual({ ok: false, code: 'totp-not-enabled' });
    expect(await verifyTotp(t.core, 'nobody@cstnet.cn', '123456')).toEqual({ ok: false, code: 'totp-not-enabled' });
  });
});

describe('removing the authenticator', () => {
  it('removes it after a fresh password check, revoking trusted devices', async () => {
    const t = await setup();
    await signedIn(t, { totp: knownSeed });
    await trustDevice(t);
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:remove-totp')).toEqual({ ok: false, code: 'password-recheck-required' });
    await t.dispatch('two-factor:recheck-password', { password: defaultTestPassword });
    expect(await t.dispatch('two-factor:remove-totp')).toMatchObject({ ok: true, data: { methods: [], totp: null } });
    expect(await trustedCount(t)).toBe(0);
    expect(await events(t, 'totp-removed')).toHaveLength(1);
  });

  it('needs an authenticator', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:remove-totp')).toEqual({ ok: false, code: 'totp-not-enabled' });
  });

  it('is refused while policy enforces 2FA and it is the only method', async () => {
    const t = await setup({ policy: { enforceTwoFactor: true } });
    await signedIn(t, { totp: knownSeed });
    expect(await t.dispatch('two-factor:remove-totp')).toEqual({ ok: false, code: 'enforcement-requires-method' });
    expect((await mailbox(t)).totp).not.toBeNull();
  });
});

describe('backup codes', () => {
  it('generates 10 single-use codes, shown once and stored only as salted hashes', async () => {
    expect(backupCodeRules.count).toBe(10);
    const t = await setup();
    await signedIn(t, { phone });
    const result = await t.dispatch('two-factor:generate-backup-codes');
    const codes = result.data.codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[abcdefghjkmnpqrstuvwxyz23456789]{4}-[abcdefghjkmnpqrstuvwxyz23456789]{4}$/);
    const stored = (await mailbox(t)).backupCodes;
    expect(stored).toHaveLength(10);
    for (const entry of stored) expect(entry.hash).toMatch(/^scrypt\$/);
    const storedText = JSON.stringify(stored);
    for (const code of codes) expect(storedText).not.toContain(code.replace('-', ''));
    expect((await t.dispatch('two-factor:status')).data.backupCodes).toEqual({ left: 10, total: 10 });
    const [generated] = await events(t, 'backup-codes-generated');
    expect(generated).toMatchObject({ device, detail: { count: 10 } });
    expect(JSON.stringify(generated)).not.toContain(codes[0]!.replace('-', ''));
  });

  it('needs 2FA on', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:generate-backup-codes')).toEqual({ ok: false, code: 'two-factor-not-enabled' });
  });

  it('hashes codes at the look-up secret cost (scrypt 2^14) where passwords get 2^17, as the app composes its core', async () => {
    const t = await setup();
    const core = createCoreContext({
      store: t.store,
      clock: t.clock,
      random: cryptoRandom,
      sms: t.sms,
      keys: { mac: cryptoRandom.bytes(32) },
      logger: silentLogger,
      policy: () => t.core.policy(),
    });
    expect(core.hasher.cost).toEqual(owaspScrypt);
    expect(core.codeHasher.cost).toEqual({ N: 2 ** 14, r: 8, p: 1 });
    expect(await core.codeHasher.hash('abcdefgh')).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  it('still accepts a code made before, at another cost: each hash says its own', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    const older = new PasswordHasher(cryptoRandom, { N: 2 ** 11, r: 8, p: 1 });
    await t.store
      .collection<MailboxRecord>('mailboxes')
      .replace({ ...(await mailbox(t)), backupCodes: [{ hash: await older.hash('abcdefgh'), usedAt: null }] });
    expect(await useBackupCode(t.core, alice, 'abcd-efgh', testCall().device)).toEqual({ ok: true, data: { left: 0 } });
  });

  it('needs a password checked within 10 minutes', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    t.clock.advance(10 * minute + 1);
    expect(await t.dispatch('two-factor:generate-backup-codes')).toEqual({ ok: false, code: 'password-recheck-required' });
    expect((await mailbox(t)).backupCodes).toEqual([]);
  });

  it('are spent one at a time, whatever the case, spaces or dashes', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    const [first, second] = (await t.dispatch('two-factor:generate-backup-codes')).data.codes as string[];
    const typed = ` ${first!.toUpperCase().replace('-', ' - ')} `;
    expect(await useBackupCode(t.core, alice, typed, testCall().device)).toEqual({ ok: true, data: { left: 9 } });
    expect(await useBackupCode(t.core, alice, first!, testCall().device)).toEqual({ ok: false, code: 'code-used' });
    expect(await useBackupCode(t.core, alice, second!.replace('-', ''), testCall().device)).toEqual({ ok: true, data: { left: 8 } });
    const used = await events(t, 'backup-code-used');
    expect(used.map((e) => e.detail.left)).toEqual(expect.arrayContaining([9, 8]));
    expect(used[0]).toMatchObject({ mailbox: alice, device });
    expect((await t.dispatch('two-factor:status')).data.backupCodes).toEqual({ left: 8, total: 10 });
  });

  it('refuses a code that is not one of them, or not even shaped like one', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    const codes = (await t.dispatch('two-factor:generate-backup-codes')).data.codes as string[];
    const verify = vi.spyOn(t.core.hasher, 'verify');
    expect(await useBackupCode(t.core, alice, 'abcd-efgi', testCall().device)).toEqual({ ok: false, code: 'code-invalid' });
    expect(await useBackupCode(t.core, alice, 'abcd-efg', testCall().device)).toEqual({ ok: false, code: 'code-invalid' });
    expect(verify).not.toHaveBeenCalled();
    const unknown = ['aaaa-aaaa', 'bbbb-bbbb'].find((c) => !codes.includes(c))!;
    expect(await useBackupCode(t.core, alice, unknown, testCall().device)).toEqual({ ok: false, code: 'code-invalid' });
    expect(await useBackupCode(t.core, bob, codes[0]!, testCall().device)).toEqual({ ok: false, code: 'code-invalid' });
  });

  it('a new set replaces the old one', async () => {
    const t = await setup();
    await signedIn(t, { phone });
    const old = (await t.dispatch('two-factor:generate-backup-codes')).data.codes as string[];
    const fresh = (await t.dispatch('two-factor:generate-backup-codes')).data.codes as string[];
    if (!fresh.includes(old[0]!)) expect(await useBackupCode(t.core, alice, old[0]!, testCall().device)).toEqual({ ok: false, code: 'code-invalid' });
    expect(await useBackupCode(t.core, alice, fresh[0]!, testCall().device)).toMatchObject({ ok: true, data: { left: 9 } });
  });
});

describe('two-factor:outbox', () => {
  let dataDir: string | undefined;
  afterEach(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it("shows the signed-in mailbox's test deliveries, newest first, and no one else's", async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mailwarden-outbox-'));
    const sealer = { seal: (text: string) => Buffer.from(text).toString('base64'), open: (line: string) => Buffer.from(line, 'base64').toString() };
    const dir = dataDir;
    const t = await setup({ core: (core) => ({ ...core, sms: new OutboxSmsGateway(dir, sealer, core.clock) }) });
    const bobCall = testCall({ connection: 'bob-window' });
    await signedIn(t);
    await signedIn(t, { address: bob, call: bobCall });
    await t.dispatch('two-factor:start-phone-binding', { phone });
    t.clock.advanceSeconds(60);
    await t.dispatch('two-factor:start-phone-binding', { phone });
    t.clock.advanceSeconds(60);
    await t.dispatch('two-factor:start-phone-binding', { phone: otherPhone }, bobCall);

    const outbox = await t.dispatch('two-factor:outbox');
    expect(outbox.data.gateway).toBe('outbox');
    expect(outbox.data.messages).toHaveLength(2);
    const [newest, oldest] = outbox.data.messages as { at: number; masked: string; text: string }[];
    expect(newest!.at).toBeGreaterThan(oldest!.at);
    expect(newest).toMatchObject({ masked: '139****1234', text: expect.stringMatching(/^【邮件安全助手】验证码 \d{6}/) });
    expect(JSON.stringify(outbox)).not.toContain('13912341234');
    expect((await t.dispatch('two-factor:outbox', {}, bobCall)).data.messages).toHaveLength(1);
  });

  it('has nothing to show for a real gateway', async () => {
    const t = await setup({ core: (core) => ({ ...core, sms: { kind: 'webhook' as const, send: async () => undefined } }) });
    await signedIn(t);
    expect(await t.dispatch('two-factor:outbox')).toEqual({ ok: true, data: { gateway: 'webhook', messages: [] } });
  });
});

describe('two-factor:set-preferred-method', () => {
  it('makes the authenticator the method a sign-in asks for first, and back', async () => {
    const t = await setup();
    await signedIn(t);
    await createMailboxFactors(t);
    expect((await t.dispatch('two-factor:status')).data).toMatchObject({ preferredMethod: 'sms' });
    expect(await t.dispatch('two-factor:set-preferred-method', { method: 'totp' })).toMatchObject({ ok: true, data: { preferredMethod: 'totp' } });
    expect((await mailbox(t)).preferredMethod).toBe('totp');
    expect(await t.dispatch('two-factor:set-preferred-method', { method: 'sms' })).toMatchObject({ ok: true, data: { preferredMethod: 'sms' } });
  });

  it('refuses a method the mailbox does not have, and changes nothing', async () => {
    const t = await setup();
    await signedIn(t);
    expect(await t.dispatch('two-factor:set-preferred-method', { method: 'totp' })).toEqual({ ok: false, code: 'method-unavailable' });
    expect((await mailbox(t)).preferredMethod).toBeUndefined();
  });

  it('says SMS once the authenticator it preferred is removed', async () => {
    const t = await setup();
    await signedIn(t);
    await createMailboxFactors(t);
    await t.dispatch('two-factor:set-preferred-method', { method: 'totp' });
    await t.store.collection<MailboxRecord>('mailboxes').replace({ ...(await mailbox(t)), totp: null });
    expect((await t.dispatch('two-factor:status')).data).toMatchObject({ preferredMethod: 'sms' });
  });
});

/** Binds a phone and an authenticator to the signed-in test mailbox directly in the store. */
async function createMailboxFactors(t: Setup): Promise<void> {
  const record = await mailbox(t);
  await t.store
    .collection<MailboxRecord>('mailboxes')
    .replace({ ...record, phone: { number: phone, boundAt: 0 }, totp: { secret: knownSeed, confirmedAt: 0, lastStep: 0 } });
}
