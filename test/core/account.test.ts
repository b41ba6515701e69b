// Covers electron/core/account.ts
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { passwordChangePreview } from '../../electron/core/account';
import type { ActivityRecord } from '../../electron/core/activity';
import type { CallContext } from '../../electron/core/call';
import type { ClientPasswordRecord } from '../../electron/core/client-password-record';
import type { CoreContext } from '../../electron/core/context';
import { createDispatcher } from '../../electron/core/dispatch';
import type { MailboxRecord } from '../../electron/core/mailbox';
import type { Policy } from '../../electron/core/policy';
import { silentLogger, StorageError } from '../../electron/core/ports';
import { signIn as passwordSignIn } from '../../electron/core/sign-in';
import { trustThisDevice, type TrustedDeviceRecord } from '../../electron/core/trusted-devices';
import { contract, type Channel, type RequestOf } from '../../electron/shared/contract';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, defaultTestPassword as current, signIn } from '../factories/mailbox';
import { coreHandlers } from '../factories/dispatch';

/** The password change as the channel runs it: its session level applied, then the core's rules. */
function changeMainPassword(core: CoreContext, call: CallContext, change: RequestOf<'account:change-password'>) {
  return coreHandlers(core)['account:change-password'](change, call);
}

const address = 'zhang.wei@cstnet.cn';
const next = 'a brand new passphrase';
const change = { current, next, confirmation: next };

async function clientPassword(core: CoreContext, name: string, createdAt: number, mailbox = address) {
  const record: ClientPasswordRecord = {
    _id: `${mailbox}:${name}`,
    mailbox,
    name,
    hash: 'scrypt$stand-in',
    lookup: `lookup-${mailbox}-${name}`,
    scopes: ['imap', 'smtp', 'pop3'],
    createdAt,
    expiresAt: null,
    lastUsedAt: null,
    lastUsedFrom: null,
    appliedTo: [],
  };
  await core.store.collection<ClientPasswordRecord>('clientPasswords').insert(record);
}

async function setup(policy: Partial<Policy> = {}) {
  const t = await testCore({ policy });
  await createMailbox(t.core, { address, phone: '+8613912345678' });
  const call = testCall();
  await signIn(t.core, call, address);
  await clientPassword(t.core, 'Foxmail 办公室', t.clock.now() - 2000);
  await clientPassword(t.core, 'iPhone', t.clock.now() - 1000);
  await clientPassword(t.core, 'Other person’s client', t.clock.now(), 'li.na@cstnet.cn');
  await t.core.store.atomically(() => trustThisDevice(t.core, call, address));
  await t.core.store.atomically(() =>
    trustThisDevice(t.core, testCall({ connection: 'edge', device: { label: 'Windows · PC', client: 'Edge 130' } }), address),
  );
  return { ...t, call };
}

async function mailboxOf(core: CoreContext): Promise<MailboxRecord> {
  return (await core.store.collection<MailboxRecord>('mailboxes').get(address))!;
}

describe('passwordChangePreview', () => {
  it('names the client passwords that would be revoked, oldest first, and counts the trusted devices', async () => {
    const { core } = await setup();
    expect(await passwordChangePreview(core, address)).toEqual({
      revokesClientPasswords: true,
      clientPasswords: ['Foxmail 办公室', 'iPhone'],
      trustedDevices: 2,
    });
  });

  it('names none when policy keeps client passwords', async () => {
    const { core } = await setup({ passwordChangeRevokesClientPasswords: false });
    expect(await passwordChangePreview(core, address)).toEqual({ revokesClientPasswords: false, clientPasswords: [], trustedDevices: 2 });
  });

  it('does not count devices whose trust has run out', async () => {
    const { core, clock } = await setup();
    clock.advanceDays(7);
    expect((await passwordChangePreview(core, address)).trustedDevices).toBe(0);
  });
});

describe('changeMainPassword', () => {
  it('sets the new password and revokes trusted devices and client passwords in one go', async () => {
    const { core, clock, call } = await setup();
    clock.advanceMinutes(20);
    expect(await changeMainPassword(core, call, change)).toEqual({
      ok: true,
      data: { revokedClientPasswords: ['Foxmail 办公室', 'iPhone'], revokedTrustedDevices: 2 },
    });
    const mailbox = await mailboxOf(core);
    expect(mailbox.passwordChangedAt).toBe(clock.now());
    expect(await core.hasher.verify(next, mailbox.passwordHash)).toBe(true);
    expect(await core.store.collection<TrustedDeviceRecord>('trustedDevices').count({ mailbox: address })).toBe(0);
    expect(await core.store.collection('clientPasswords').count({ mailbox: address })).toBe(0);
    expect(await core.store.collection('clientPasswords').count({ mailbox: 'li.na@cstnet.cn' })).toBe(1);
    const [event] = await core.store.collection<ActivityRecord>('activity').find({ kind: 'password-changed' });
    expect(event).toMatchObject({ mailbox: address, outcome: 'success', detail: { clientPasswordsRevoked: 2, trustedDevicesRevoked: 2 } });
    expect(JSON.stringify(event)).not.toContain(next);
    // This connection just proved the password.
    expect((await core.sessions.current(call))?.passwordCheckedAt).toBe(clock.now());
  });

  it('keeps the client passwords when policy says so, still revoking trusted devices', async () => {
    const { core, call } = await setup({ passwordChangeRevokesClientPasswords: false });
    expect(await changeMainPassword(core, call, change)).toEqual({ ok: true, data: { revokedClientPasswords: [], revokedTrustedDevices: 2 } });
    expect(await core.store.collection('clientPasswords').count({ mailbox: address })).toBe(2);
  });

  it('makes the old password fail and the new one work at sign-in, with a code again on the once-trusted device', async () => {
    const { core, call } = await setup();
    await changeMainPassword(core, call, change);
    const fresh = testCall({ connection: 'later' });
    fresh.trust.current = call.trust.current;
    expect(await passwordSignIn(core, fresh, { address, password: current })).toEqual({ ok: false, code: 'sign-in-failed' });
    expect(await passwordSignIn(core, fresh, { address, password: next })).toMatchObject({ ok: true, data: { status: 'code-required' } });
  });

  it('signs the mailbox out on every other connection', async () => {
    const { core, call } = await setup();
    const elsewhere = testCall({ connection: 'window:9' });
    await signIn(core, elsewhere, address);
    await changeMainPassword(core, call, change);
    expect(await core.sessions.current(elsewhere)).toBeNull();
    expect((await core.sessions.current(call))?.mailbox).toBe(address);
  });

  it('refuses a wrong current password, logs it and changes nothing', async () => {
    const { core, call } = await setup();
    const before = await mailboxOf(core);
    expect(await changeMainPassword(core, call, { ...change, current: 'not my password' })).toEqual({
      ok: false,
      code: 'password-incorrect',
      fields: ['current'],
    });
    expect((await mailboxOf(core)).passwordHash).toBe(before.passwordHash);
    expect((await mailboxOf(core)).failedSignIns).toHaveLength(1);
    expect(await core.store.collection<ActivityRecord>('activity').find({ kind: 'sign-in-failed' })).toMatchObject([
      { outcome: 'failure', detail: { step: 'password-change' } },
    ]);
    expect(await core.store.collection('trustedDevices').count({})).toBe(2);
  });

  it('counts wrong current passwords toward the lockout: the 5th locks the mailbox', async () => {
    const { core, call } = await setup();
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await changeMainPassword(core, call, { ...change, current: 'not my password' }));
    expect(results.slice(0, 4).every((r) => !r.ok && r.code === 'password-incorrect')).toBe(true);
    expect(results[4]).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 900 });
    expect(await changeMainPassword(core, call, change)).toEqual({ ok: false, code: 'mailbox-locked', retryAfter: 900 });
    expect(await passwordSignIn(core, testCall({ connection: 'other' }), { address, password: current })).toMatchObject({ ok: false, code: 'mailbox-locked' });
  });

  it.each([
    [{ next: 'too short', confirmation: 'too short' }, 'password-too-short', 'next'],
    [{ next: 'x'.repeat(129), confirmation: 'x'.repeat(129) }, 'password-too-long', 'next'],
    [{ next: 'Zhang.Wei@cstnet.cn', confirmation: 'Zhang.Wei@cstnet.cn' }, 'password-same-as-address', 'next'],
    [{ confirmation: 'a brand new passphrasE' }, 'passwords-differ', 'confirmation'],
    [{ next: current, confirmation: current }, 'password-unchanged', 'next'],
  ])('refuses %o with %s and revokes nothing', async (override, code, field) => {
    const { core, call } = await setup();
    const before = await mailboxOf(core);
    expect(await changeMainPassword(core, call, { ...change, ...override })).toEqual({ ok: false, code, fields: [field] });
    expect(await mailboxOf(core)).toEqual(before);
    expect(await core.store.collection('trustedDevices').count({})).toBe(2);
    expect(await core.store.collection('clientPasswords').count({ mailbox: address })).toBe(2);
  });

  it('needs a session that is not waiting for enrolment', async () => {
    const { core } = await setup();
    expect(await changeMainPassword(core, testCall({ connection: 'nobody' }), change)).toEqual({ ok: false, code: 'not-signed-in' });
    const restricted = testCall({ connection: 'restricted' });
    const t = await testCore({ policy: { enforceTwoFactor: true } });
    await createMailbox(t.core, { address });
    await passwordSignIn(t.core, restricted, { address, password: current });
    expect(await changeMainPassword(t.core, restricted, change)).toEqual({ ok: false, code: 'two-factor-required' });
  });
});

describe('the account channels', () => {
  async function wired() {
    const t = await setup();
    const handlers = coreHandlers(t.core);
    const dispatcher = createDispatcher(handlers, silentLogger);
    const dispatch = async (channel: Channel, request: unknown, on: CallContext = t.call) => {
      const result = await dispatcher(channel, request, on);
      if (result.ok) expect(v.is(contract[channel].response, result.data), `${channel} response`).toBe(true);
      return result;
    };
    return { ...t, dispatch };
  }

  it('preview, then change', async () => {
    const { dispatch } = await wired();
    expect(await dispatch('account:password-change-preview', {})).toEqual({
      ok: true,
      data: { revokesClientPasswords: true, clientPasswords: ['Foxmail 办公室', 'iPhone'], trustedDevices: 2 },
    });
    expect(await dispatch('account:change-password', change)).toEqual({
      ok: true,
      data: { revokedClientPasswords: ['Foxmail 办公室', 'iPhone'], revokedTrustedDevices: 2 },
    });
    expect(await dispatch('account:password-change-preview', {})).toEqual({
      ok: true,
      data: { revokesClientPasswords: true, clientPasswords: [], trustedDevices: 0 },
    });
  });

  it('refuse without a session and with a malformed request', async () => {
    const { dispatch } = await wired();
    const nobody = testCall({ connection: 'nobody' });
    expect(await dispatch('account:password-change-preview', {}, nobody)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('account:change-password', change, nobody)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('account:change-password', { current, next })).toEqual({ ok: false, code: 'invalid-request', fields: ['confirmation'] });
    expect(await dispatch('account:change-password', { ...change, next: 'x'.repeat(1025) })).toEqual({ ok: false, code: 'invalid-request', fields: ['next'] });
  });

  it('leave everything as it was when the store fails half-way', async () => {
    const { core, dispatch } = await wired();
    const before = await mailboxOf(core);
    vi.spyOn(core.store.collection('clientPasswords'), 'remove').mockRejectedValue(new StorageError('disk full'));
    expect(await dispatch('account:change-password', change)).toEqual({ ok: false, code: 'storage-failed' });
    expect(await mailboxOf(core)).toEqual(before);
    expect(await core.store.collection('trustedDevices').count({ mailbox: address })).toBe(2);
    expect(await core.store.collection('activity').count({ kind: 'password-changed' })).toBe(0);
  });
});
