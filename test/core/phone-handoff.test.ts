// Covers electron/core/phone-handoff.ts: a phone fetches its profile once, by QR (docs/rules.md §8.9).
import { describe, expect, it } from 'vitest';
import type { CoreContext } from '../../electron/core/context';
import { phoneHandoffPath, phoneHandoffRule, takePhoneHandoff } from '../../electron/core/phone-handoff';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, signIn } from '../factories/mailbox';
import { coreDispatcher } from '../factories/dispatch';

const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';
const base = new URL('https://mailwarden.cstnet.cn/');
const phone = { label: 'iOS 18', client: 'Safari 18', address: '203.0.113.9' };

/** `handoffBase` null: a desktop's own store, which no phone can reach. */
function dispatcherFor(core: CoreContext, handoffBase: URL | null) {
  const dispatch = coreDispatcher(core, handoffBase ? { phoneHandoffBase: () => handoffBase } : {});
  return (channel: string, request: unknown, call = testCall()) => dispatch(channel, request, call);
}

type Created = { id: string; name: string; password: string; grouped: string };
type Handoff = { url: string; qrSvg: string; expiresAt: number };

async function setup(options: Parameters<typeof testCore>[0] = {}, handoffBase: URL | null = base) {
  const t = await testCore(options);
  await createMailbox(t.core, { address: alice, phone: '+8613912345678' });
  await createMailbox(t.core, { address: bob, phone: '+8613912345678' });
  const call = testCall();
  await signIn(t.core, call, alice);
  const bobCall = testCall({ connection: 'bob-connection' });
  await signIn(t.core, bobCall, bob);
  const dispatch = dispatcherFor(t.core, handoffBase);
  const created = await dispatch('client-passwords:create', { name: 'iPhone' }, call);
  if (!created.ok) throw new Error(created.code);
  return { ...t, call, bobCall, dispatch, password: created.data as Created };
}

function tokenOf(url: string): string {
  return new URL(url).pathname.slice(phoneHandoffPath.length);
}

async function offer(t: Awaited<ReturnType<typeof setup>>, password = t.password.grouped): Promise<Handoff> {
  const result = await t.dispatch('phone-handoff:create', { id: t.password.id, password }, t.call);
  if (!result.ok) throw new Error(result.code);
  return result.data as Handoff;
}

describe('a phone profile handed over by QR', () => {
  it('is fetched once from the link, with the password and the servers in it', async () => {
    const t = await setup();
    const handoff = await offer(t);
    expect(handoff.url.startsWith(`https://mailwarden.cstnet.cn${phoneHandoffPath}`)).toBe(true);
    expect(handoff.expiresAt).toBe(t.clock.now() + phoneHandoffRule.lifetimeMs);
    expect(handoff.qrSvg).toMatch(/^<svg/);

    const profile = await takePhoneHandoff(t.core, tokenOf(handoff.url), phone);
    expect(profile?.fileName).toBe('alice@cstnet.cn.mobileconfig');
    expect(profile?.body).toContain(`<string>${t.password.password}</string>`);
    expect(profile?.body).toContain('<string>alice@cstnet.cn</string>');
    // A second fetch (another phone, a reload, someone who saw the screen) finds nothing.
    expect(await takePhoneHandoff(t.core, tokenOf(handoff.url), phone)).toBeNull();
  });

  it('is marked as used in the phone and logged, with the phone that fetched it', async () => {
    const t = await setup();
    await takePhoneHandoff(t.core, tokenOf((await offer(t)).url), phone);
    const listed = await t.dispatch('client-passwords:list', {}, t.call);
    expect(listed.ok && (listed.data as { passwords: { appliedTo: string[] }[] }).passwords[0]!.appliedTo).toEqual(['iphone-profile']);
    const log = await t.dispatch('activity:list', {}, t.call);
    const events = log.ok ? (log.data as { events: { kind: string; device: string; detail: Record<string, string> }[] }).events : [];
    expect(events.filter((e) => e.kind.startsWith('phone-profile')).map((e) => [e.kind, e.detail['name']])).toEqual([
      ['phone-profile-fetched', 'iPhone'],
      ['phone-profile-offered', 'iPhone'],
    ]);
    expect(events.find((e) => e.kind === 'phone-profile-fetched')?.device).toBe('iOS 18 / Safari 18 (203.0.113.9)');
  });

  it('is handed over once when two fetches race (two server processes)', async () => {
    const t = await setup();
    const token = tokenOf((await offer(t)).url);
    const both = await Promise.all([takePhoneHandoff(t.core, token, phone), takePhoneHandoff(t.core, token, phone)]);
    expect(both.filter((profile) => profile !== null)).toHaveLength(1);
  });

  it('stops working once the QR is hidden', async () => {
    const t = await setup();
    const handoff = await offer(t);
    expect(await t.dispatch('phone-handoff:cancel', {}, t.call)).toEqual({ ok: true, data: {} });
    expect(await takePhoneHandoff(t.core, tokenOf(handoff.url), phone)).toBeNull();
  });

  it('is not ended by another mailbox hiding its own QR', async () => {
    const t = await setup();
    const handoff = await offer(t);
    expect((await t.dispatch('phone-handoff:cancel', {}, t.bobCall)).ok).toBe(true);
    expect(await takePhoneHandoff(t.core, tokenOf(handoff.url), phone)).not.toBeNull();
  });

  it('stops working after ten minutes', async () => {
    const t = await setup();
    const handoff = await offer(t);
    t.clock.advance(phoneHandoffRule.lifetimeMs);
    expect(await takePhoneHandoff(t.core, tokenOf(handoff.url), phone)).toBeNull();
  });

  it('works until the last moment of its ten minutes', async () => {
    const t = await setup();
    const handoff = await offer(t);
    t.clock.advance(phoneHandoffRule.lifetimeMs - 1);
    expect(await takePhoneHandoff(t.core, tokenOf(handoff.url), phone)).not.toBeNull();
  });

  it('keeps one link per mailbox: a new QR ends the one shown before', async () => {
    const t = await setup();
    const first = await offer(t);
    const second = await offer(t);
    expect(second.url).not.toBe(first.url);
    expect(await takePhoneHandoff(t.core, tokenOf(first.url), phone)).toBeNull();
    expect(await takePhoneHandoff(t.core, tokenOf(second.url), phone)).not.toBeNull();
  });

  it('is not handed over once its client password is revoked', async () => {
    const t = await setup();
    const handoff = await offer(t);
    expect((await t.dispatch('client-passwords:revoke', { id: t.password.id }, t.call)).ok).toBe(true);
    expect(await takePhoneHandoff(t.core, tokenOf(handoff.url), phone)).toBeNull();
  });

  it('keeps neither the password nor the token in the store', async () => {
    const t = await setup();
    const handoff = await offer(t);
    const kept = await t.store.collection('phoneHandoffs').find({});
    expect(kept).toHaveLength(1);
    const text = JSON.stringify(kept);
    expect(text).not.toContain(t.password.password);
    expect(text).not.toContain(tokenOf(handoff.url));
    expect(text).not.toContain('alice@cstnet.cn.mobileconfig');
  });

  it('answers a made-up, malformed or another mailbox’s token with nothing', async () => {
    const t = await setup();
    await offer(t);
    expect(await takePhoneHandoff(t.core, 'A'.repeat(43), phone)).toBeNull();
    expect(await takePhoneHandoff(t.core, '../../etc/passwd', phone)).toBeNull();
    expect(await takePhoneHandoff(t.core, '', phone)).toBeNull();
  });
});

describe('refusals', () => {
  it('refuses a wrong password and keeps no link', async () => {
    const t = await setup();
    const result = await t.dispatch('phone-handoff:create', { id: t.password.id, password: 'abcd efgh ijkm npqr' }, t.call);
    expect(result).toMatchObject({ ok: false, code: 'password-mismatch' });
    expect(await t.store.collection('phoneHandoffs').count({})).toBe(0);
  });

  it('refuses another mailbox’s client password as not found', async () => {
    const t = await setup();
    const result = await t.dispatch('phone-handoff:create', { id: t.password.id, password: t.password.password }, t.bobCall);
    expect(result).toMatchObject({ ok: false, code: 'not-found' });
  });

  it('is not offered where no phone can reach the backend (a desktop’s own store)', async () => {
    const t = await setup({}, null);
    expect(await t.dispatch('phone-handoff:create', { id: t.password.id, password: t.password.password }, t.call)).toMatchObject({
      ok: false,
      code: 'phone-handoff-unavailable',
    });
    expect(await t.dispatch('phone-handoff:cancel', {}, t.call)).toMatchObject({ ok: false, code: 'phone-handoff-unavailable' });
    const settings = await t.dispatch('mail-clients:settings', {}, t.call);
    expect(settings.ok && (settings.data as { offered: { phoneHandoff: boolean } }).offered.phoneHandoff).toBe(false);
  });

  it('is offered on the organisation server', async () => {
    const t = await setup();
    const settings = await t.dispatch('mail-clients:settings', {}, t.call);
    expect(settings.ok && (settings.data as { offered: { phoneHandoff: boolean } }).offered.phoneHandoff).toBe(true);
  });

  it('needs a full session', async () => {
    const t = await setup();
    const stranger = testCall({ connection: 'nobody' });
    expect(await t.dispatch('phone-handoff:create', { id: t.password.id, password: t.password.password }, stranger)).toMatchObject({
      ok: false,
      code: 'not-signed-in',
    });
  });
});
