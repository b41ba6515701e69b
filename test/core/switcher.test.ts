// Covers electron/core/switcher.ts: several mailboxes signed in in one window (docs/rules.md §7.4),
// through the dispatcher as a page calls it, with both session keepers (a desktop's memory, and
// the store an organisation's processes share).
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/call';
import { createCoreContext, type CoreContext, type CorePorts } from '../../electron/core/context';
import type { Policy } from '../../electron/core/policy';
import { StoredSessions } from '../../electron/core/sessions';
import { switcherRules } from '../../electron/core/switcher';
import { contract, type Channel } from '../../electron/shared/contract';
import { testCall } from '../factories/call';
import { testCore, type TestCore } from '../factories/core';
import { createMailbox, defaultTestPassword as password } from '../factories/mailbox';
import { testScrypt } from '../factories/scrypt';
import { coreDispatcher } from '../factories/dispatch';

const zhang = 'zhang.wei@cstnet.cn';
const office = 'office@cstnet.cn';
/** One phone serves both mailboxes (docs/rules.md §4.3). */
const phone = '+8613912345678';

type Keeper = 'memory' | 'stored';

async function wired(keeper: Keeper, policy: Partial<Policy> = {}) {
  const t: TestCore = await testCore({ policy });
  // The store-kept sessions as the organisation server keeps them, on this test's store.
  const core: CoreContext =
    keeper === 'stored'
      ? createCoreContext({ ...t.core } as CorePorts, {
          scrypt: testScrypt,
          sessions: (p: CorePorts) => new StoredSessions(p.store, p.keys.mac, p.clock, { sessionLifetimeMs: 12 * 3_600_000 }),
        })
      : t.core;
  const dispatcher = coreDispatcher(core);
  const call = testCall({ connection: 'window-1' });
  const dispatch = async (channel: Channel, request: unknown = {}, on: CallContext = call) => {
    const result = await dispatcher(channel, request, on);
    if (result.ok) expect(v.is(contract[channel].response, result.data), `${channel} response`).toBe(true);
    return result;
  };
  await createMailbox(core, { address: zhang, displayName: '张伟', phone });
  await createMailbox(core, { address: office, displayName: '办公室', phone });
  /** Password, then the SMS code the shared phone got: the ordinary sign-in, on `on`'s window. */
  const signInWithCode = async (address: string, on: CallContext = call) => {
    t.clock.advanceSeconds(1);
    expect(await dispatch('auth:sign-in', { address, password }, on)).toMatchObject({
      ok: true,
      data: { status: 'code-required', maskedPhone: '139****5678' },
    });
    return dispatch('auth:verify-code', { code: t.sms.lastCode(phone), method: 'sms', trustDevice: false }, on);
  };
  const mailboxesHere = async (on: CallContext = call) => {
    const listed = await dispatch('auth:mailboxes', {}, on);
    if (!listed.ok) throw new Error(listed.code);
    return (listed.data as { mailboxes: { mailbox: string; active: boolean }[] }).mailboxes.map((m) => `${m.mailbox}${m.active ? ' (active)' : ''}`);
  };
  const clientPasswordNames = async (on: CallContext = call) => {
    const listed = await dispatch('client-passwords:list', {}, on);
    return listed.ok ? (listed.data as { passwords: { name: string }[] }).passwords.map((p) => p.name) : listed;
  };
  return { ...t, core, call, dispatch, signInWithCode, mailboxesHere, clientPasswordNames };
}

describe.each<Keeper>(['memory', 'stored'])('several mailboxes in one window (%s sessions)', (keeper) => {
  it('lists mailboxes signed in within one millisecond in the order they were signed in', async () => {
    const { core, clock, mailboxesHere, call } = await wired(keeper);
    const others = ['a.li', 'b.wang', 'c.zhao'].map((name) => `${name}@cstnet.cn`);
    for (const address of others) await createMailbox(core, { address });
    // Any order but alphabetical or by hash: the store may hand rows back by either.
    const order = [office, others[2]!, zhang, others[0]!, others[1]!];
    for (const mailbox of order) await core.sessions.start(call, { mailbox, signedInAt: clock.now(), passwordCheckedAt: clock.now() });
    expect(await mailboxesHere()).toEqual([...order.slice(0, -1), `${order.at(-1)} (active)`]);
  });

  it('adds a second mailbox on the same phone without signing out the first, and every channel acts for the active one', async () => {
    const { dispatch, signInWithCode, mailboxesHere, clientPasswordNames } = await wired(keeper);
    expect(await signInWithCode(zhang)).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: zhang } });
    expect(await dispatch('client-passwords:create', { name: 'Foxmail 张伟' })).toMatchObject({ ok: true });

    // "Add another mailbox": the same sign-in, the same code to the same phone.
    expect(await signInWithCode(office)).toEqual({ ok: true, data: { status: 'signed-in', mailbox: office, displayName: '办公室' } });
    expect(await mailboxesHere()).toEqual([zhang, `${office} (active)`]);
    expect(await dispatch('auth:status')).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: office } });
    expect(await clientPasswordNames()).toEqual([]);
    expect(await dispatch('client-passwords:create', { name: 'Outlook 办公室' })).toMatchObject({ ok: true });
    expect(await clientPasswordNames()).toEqual(['Outlook 办公室']);

    expect(await dispatch('auth:switch', { mailbox: zhang })).toEqual({ ok: true, data: { status: 'signed-in', mailbox: zhang, displayName: '张伟' } });
    expect(await mailboxesHere()).toEqual([`${zhang} (active)`, office]);
    expect(await clientPasswordNames()).toEqual(['Foxmail 张伟']);
    // The devices page lists this window's session of the active mailbox only.
    expect(await dispatch('devices:sessions')).toMatchObject({ ok: true, data: { sessions: [{ current: true }] } });
  });

  it('keeps every rule of sign-in for the added mailbox: the lockout locks it and leaves the signed-in one alone', async () => {
    const { dispatch, signInWithCode, mailboxesHere } = await wired(keeper);
    await signInWithCode(zhang);
    for (let i = 0; i < 4; i += 1)
      expect(await dispatch('auth:sign-in', { address: office, password: 'not the password' })).toEqual({ ok: false, code: 'sign-in-failed' });
    expect(await dispatch('auth:sign-in', { address: office, password: 'not the password' })).toMatchObject({ ok: false, code: 'mailbox-locked' });
    expect(await dispatch('auth:sign-in', { address: office, password })).toMatchObject({ ok: false, code: 'mailbox-locked' });
    expect(await mailboxesHere()).toEqual([`${zhang} (active)`]);
    expect(await dispatch('auth:status')).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: zhang } });
  });

  it('refuses to add a mailbox already signed in here, before the password, and leaves a challenge under way as it was', async () => {
    const { core, dispatch, signInWithCode, mailboxesHere } = await wired(keeper);
    await signInWithCode(zhang);
    expect(await dispatch('auth:sign-in', { address: office, password })).toMatchObject({ ok: true, data: { status: 'code-required' } });
    expect(await dispatch('auth:sign-in', { address: 'Zhang.Wei@CSTNET.cn', password: 'not even the password' })).toEqual({
      ok: false,
      code: 'mailbox-already-signed-in',
    });
    // No failed attempt was counted, and the other mailbox's challenge still stands.
    expect((await core.store.collection<{ _id: string; failedSignIns: number[] }>('mailboxes').get(zhang))?.failedSignIns).toEqual([]);
    expect(await dispatch('auth:resend-code')).not.toMatchObject({ code: 'sign-in-expired' });
    expect(await mailboxesHere()).toEqual([`${zhang} (active)`]);
  });

  it(`refuses a mailbox beyond ${switcherRules.mailboxesPerWindow} in one window, by sign-in and by registration, and adds nothing`, async () => {
    const { core, dispatch, mailboxesHere } = await wired(keeper);
    const addresses = Array.from({ length: switcherRules.mailboxesPerWindow + 1 }, (_, i) => `person${i}@cstnet.cn`);
    for (const address of addresses) await createMailbox(core, { address });
    for (const address of addresses.slice(0, -1))
      expect(await dispatch('auth:sign-in', { address, password })).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    expect(await dispatch('auth:sign-in', { address: addresses.at(-1), password })).toEqual({ ok: false, code: 'mailbox-limit-reached' });
    expect(await dispatch('auth:register', { address: 'new.person@cstnet.cn', password, confirmation: password })).toEqual({
      ok: false,
      code: 'mailbox-limit-reached',
    });
    expect(await core.store.collection('mailboxes').get('new.person@cstnet.cn')).toBeNull();
    expect(await mailboxesHere()).toHaveLength(switcherRules.mailboxesPerWindow);
    expect(await dispatch('auth:mailboxes')).toMatchObject({ ok: true, data: { limit: switcherRules.mailboxesPerWindow } });
    // Another window is another count.
    expect(await dispatch('auth:sign-in', { address: addresses.at(-1), password }, testCall({ connection: 'window-2' }))).toMatchObject({ ok: true });
  });

  it('refuses to switch to a mailbox not signed in here, and changes nothing', async () => {
    const { dispatch, signInWithCode, mailboxesHere } = await wired(keeper);
    await signInWithCode(zhang);
    // Signed in on another window only: that does not make it this window's.
    await signInWithCode(office, testCall({ connection: 'window-2' }));
    expect(await dispatch('auth:switch', { mailbox: office })).toEqual({ ok: false, code: 'mailbox-not-signed-in' });
    expect(await dispatch('auth:switch', { mailbox: 'nobody@cstnet.cn' })).toEqual({ ok: false, code: 'mailbox-not-signed-in' });
    expect(await mailboxesHere()).toEqual([`${zhang} (active)`]);
  });

  it('signs out the active mailbox only; the other stays signed in and becomes active; "sign out of all" ends both', async () => {
    const { dispatch, signInWithCode, mailboxesHere, clientPasswordNames } = await wired(keeper);
    await signInWithCode(zhang);
    await signInWithCode(office);
    expect(await dispatch('auth:sign-out')).toEqual({ ok: true, data: {} });
    expect(await mailboxesHere()).toEqual([`${zhang} (active)`]);
    expect(await dispatch('auth:status')).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: zhang } });
    expect(await clientPasswordNames()).toEqual([]);

    await signInWithCode(office);
    expect(await dispatch('auth:sign-out-all')).toEqual({ ok: true, data: {} });
    expect(await mailboxesHere()).toEqual([]);
    expect(await dispatch('auth:status')).toEqual({ ok: true, data: { status: 'signed-out' } });
    expect(await clientPasswordNames()).toEqual({ ok: false, code: 'not-signed-in' });
  });

  it('cancels an added sign-in half-way and keeps the mailbox signed in', async () => {
    const { dispatch, signInWithCode, mailboxesHere } = await wired(keeper);
    await signInWithCode(zhang);
    expect(await dispatch('auth:sign-in', { address: office, password })).toMatchObject({ ok: true, data: { status: 'code-required' } });
    expect(await dispatch('auth:cancel-sign-in')).toEqual({ ok: true, data: {} });
    expect(await dispatch('auth:verify-code', { code: '123456', method: 'sms', trustDevice: false })).toEqual({ ok: false, code: 'sign-in-expired' });
    expect(await mailboxesHere()).toEqual([`${zhang} (active)`]);
  });

  it('shows the added mailbox its own sign-in code in the test outbox, and the signed-in one its own', async () => {
    const { dispatch, signInWithCode, sms } = await wired(keeper);
    await signInWithCode(zhang);
    await dispatch('auth:sign-in', { address: office, password });
    const forSignIn = await dispatch('two-factor:outbox', { signIn: true });
    expect(forSignIn).toMatchObject({ ok: true, data: { messages: [{ text: expect.stringContaining(sms.lastCode(phone)) }] } });
    expect(sms.sent.at(-1)?.mailbox).toBe(office);
    const forSession = await dispatch('two-factor:outbox', {});
    expect(forSession.ok && (forSession.data as { messages: { text: string }[] }).messages.every((m) => !m.text.includes(sms.lastCode(phone)))).toBe(true);
  });

  it('drops only the mailbox whose session ended elsewhere; if it was the active one, nothing answers for the other until the window asks', async () => {
    const { dispatch, signInWithCode, mailboxesHere, clientPasswordNames } = await wired(keeper);
    await signInWithCode(zhang);
    await dispatch('client-passwords:create', { name: 'Foxmail 张伟' });
    await signInWithCode(office);
    await dispatch('auth:switch', { mailbox: zhang });

    // Zhang Wei signs out every other session from another window.
    const elsewhere = testCall({ connection: 'window-2' });
    await signInWithCode(zhang, elsewhere);
    expect(await dispatch('devices:sign-out-others', {}, elsewhere)).toMatchObject({ ok: true });

    // This window's page was Zhang Wei's: it gets no answer for the office mailbox instead.
    expect(await clientPasswordNames()).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await mailboxesHere()).toEqual([office]);
    // Asked who is signed in, the window is told the office mailbox is now the active one.
    expect(await dispatch('auth:status')).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: office } });
    expect(await mailboxesHere()).toEqual([`${office} (active)`]);
    expect(await clientPasswordNames()).toEqual([]);
    expect(await dispatch('auth:switch', { mailbox: zhang })).toEqual({ ok: false, code: 'mailbox-not-signed-in' });
  });

  it("keeps each session's own restriction: one that must bind a method first sits beside a full one", async () => {
    const { core, dispatch, signInWithCode, clientPasswordNames } = await wired(keeper, { enforceTwoFactor: true, twoFactorGraceDays: 0 });
    await createMailbox(core, { address: 'new.hire@cstnet.cn' });
    await signInWithCode(zhang);
    expect(await dispatch('auth:sign-in', { address: 'new.hire@cstnet.cn', password })).toMatchObject({ ok: true, data: { status: 'enrollment-required' } });
    expect(await clientPasswordNames()).toEqual({ ok: false, code: 'two-factor-required' });
    expect(await dispatch('two-factor:status')).toMatchObject({ ok: true });
    // Switching is not binding a method, yet it is allowed: it leaves the restricted mailbox.
    expect(await dispatch('auth:switch', { mailbox: zhang })).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: zhang } });
    expect(await clientPasswordNames()).toEqual([]);
    expect(await dispatch('auth:switch', { mailbox: 'new.hire@cstnet.cn' })).toMatchObject({ ok: true, data: { status: 'enrollment-required' } });
  });

  it('drops a mailbox whose password changed elsewhere from every window, and only that one', async () => {
    const { dispatch, signInWithCode, mailboxesHere } = await wired(keeper);
    await signInWithCode(zhang);
    await signInWithCode(office);
    const elsewhere = testCall({ connection: 'window-2' });
    await signInWithCode(office, elsewhere);
    expect(
      await dispatch('account:change-password', { current: password, next: 'a new password 2026', confirmation: 'a new password 2026' }, elsewhere),
    ).toMatchObject({ ok: true });
    expect(await mailboxesHere()).toEqual([zhang]);
    expect(await dispatch('auth:status')).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: zhang } });
    // The window that changed it stays signed in with the new one.
    expect(await mailboxesHere(elsewhere)).toEqual([`${office} (active)`]);
  });

  it('keeps a mailbox whose password was changed in this window signed in here, in its place in the list', async () => {
    const { dispatch, signInWithCode, mailboxesHere } = await wired(keeper);
    await signInWithCode(zhang);
    await signInWithCode(office);
    await dispatch('auth:switch', { mailbox: zhang });
    expect(await dispatch('account:change-password', { current: password, next: 'a new password 2026', confirmation: 'a new password 2026' })).toMatchObject({
      ok: true,
    });
    expect(await mailboxesHere()).toEqual([`${zhang} (active)`, office]);
  });
});
