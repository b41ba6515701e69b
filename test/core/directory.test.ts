// Covers electron/core/directory.ts
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import {
  demoAccounts,
  demoMailboxes,
  demoTotpSecret,
  hasAnyMailbox,
  isValidAddress,
  passwordRuleViolation,
  registerMailbox,
  seedDemo,
} from '../../electron/core/directory';
import { createHandlers } from '../../electron/core/handlers';
import type { MailboxRecord } from '../../electron/core/mailbox';
import type { ActivityRecord } from '../../electron/core/activity';
import { silentLogger } from '../../electron/core/ports';
import { contract } from '../../electron/shared/contract';
import { MemorySettingsStore } from '../factories/settings';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { createMailbox } from '../factories/mailbox';
import { fakeMailClientPorts } from '../factories/mail-clients';

const device = 'Linux · test-host / Chrome 156';
const goodPassword = 'a good long passphrase';

function mailboxesOf(core: Awaited<ReturnType<typeof testCore>>['core']) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

async function dispatcherFor(demo: boolean, policy: NonNullable<Parameters<typeof testCore>[0]>['policy'] = {}) {
  const t = await testCore({ policy });
  const handlers = createHandlers({
    mailClients: fakeMailClientPorts(),
    environment: testEnvironment({ demo }),
    settingsStore: new MemorySettingsStore(),
    logger: silentLogger,
    core: t.core,
  });
  const dispatch = createDispatcher(handlers, silentLogger);
  return { ...t, dispatch: (channel: string, request: unknown) => dispatch(channel, request, testCall()) };
}

describe('a fresh install', () => {
  it('has no mailboxes, and the directory channel says so', async () => {
    const { core, dispatch } = await dispatcherFor(false);
    expect(await hasAnyMailbox(core)).toBe(false);
    const result = await dispatch('auth:directory', {});
    expect(result).toEqual({ ok: true, data: { hasMailboxes: false, registration: true, demo: false, demoAccounts: [], trustedDeviceDays: 7 } });
    expect(v.is(contract['auth:directory'].response, (result as { data: unknown }).data)).toBe(true);
  });
});

describe('the trust-this-device days on the sign-in screen', () => {
  it.each([
    [14, 14],
    [30, 30],
    // A policy file outside 1–30 is held to the bounds trust actually lasts.
    [90, 30],
    [0, 1],
  ])('policy %i days shows %i', async (days, shown) => {
    const { dispatch } = await dispatcherFor(false, { trustedDeviceDays: days });
    const result = await dispatch('auth:directory', {});
    expect(result).toMatchObject({ ok: true, data: { trustedDeviceDays: shown } });
    expect(v.is(contract['auth:directory'].response, (result as { data: unknown }).data)).toBe(true);
  });
});

describe('address syntax', () => {
  it.each(['zhang.wei@cstnet.cn', 'a@b.cn', "o'brien+tag@mail.example.org", 'x_y-z@sub.domain.co', 'user@example.xn--fiqs8s'])('accepts %s', (address) => {
    expect(isValidAddress(address)).toBe(true);
  });

  it.each([
    'plain',
    '@cstnet.cn',
    'user@',
    'user@cn',
    'a..b@x.cn',
    '.a@x.cn',
    'a.@x.cn',
    'a@-x.cn',
    'a@x-.cn',
    'a@x.c',
    'a@x.c1',
    'a b@x.cn',
    'a@b@x.cn',
    'a@x..cn',
  ])('refuses %s', (address) => {
    expect(isValidAddress(address)).toBe(false);
  });

  it('allows 254 characters in all and 64 before the @, and no more', () => {
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.cn`; // 194 characters
    const at254 = `${'l'.repeat(254 - 1 - domain.length)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(isValidAddress(at254)).toBe(true);
    expect(isValidAddress(`l${at254}`)).toBe(false);
    expect(isValidAddress(`${'l'.repeat(64)}@x.cn`)).toBe(true);
    expect(isValidAddress(`${'l'.repeat(65)}@x.cn`)).toBe(false);
  });
});

describe('password rules', () => {
  it('needs at least 10 characters: 9 is too short, 10 is enough', () => {
    expect(passwordRuleViolation('123456789', 'a@b.cn')).toBe('password-too-short');
    expect(passwordRuleViolation('1234567890', 'a@b.cn')).toBeNull();
  });

  it('allows at most 128 characters: 128 is fine, 129 is too long', () => {
    expect(passwordRuleViolation('x'.repeat(128), 'a@b.cn')).toBeNull();
    expect(passwordRuleViolation('x'.repeat(129), 'a@b.cn')).toBe('password-too-long');
  });

  it('counts characters as a person does, not UTF-16 units', () => {
    expect(passwordRuleViolation('邮件安全助手密码十个', 'a@b.cn')).toBeNull();
    // Nine emoji are 18 UTF-16 units but nine characters.
    expect(passwordRuleViolation('🔒'.repeat(9), 'a@b.cn')).toBe('password-too-short');
  });

  it('refuses the address itself, in any case', () => {
    expect(passwordRuleViolation('Zhang.Wei@CSTNET.cn', 'zhang.wei@cstnet.cn')).toBe('password-same-as-address');
  });
});

describe('registerMailbox', () => {
  it('stores a normalised mailbox with a scrypt hash and logs it', async () => {
    const { core, clock } = await testCore();
    const result = await registerMailbox(core, { address: '  Zhang.Wei@CSTNET.cn ', password: goodPassword, confirmation: goodPassword }, device);
    expect(result.ok).toBe(true);
    const stored = await mailboxesOf(core).get('zhang.wei@cstnet.cn');
    expect(stored).toMatchObject({
      _id: 'zhang.wei@cstnet.cn',
      address: 'zhang.wei@cstnet.cn',
      displayName: 'zhang.wei',
      createdAt: clock.now(),
      passwordChangedAt: clock.now(),
      failedSignIns: [],
      lockedUntil: null,
      phone: null,
      totp: null,
      backupCodes: [],
    });
    expect(stored!.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(stored)).not.toContain(goodPassword);
    expect(await core.hasher.verify(goodPassword, stored!.passwordHash)).toBe(true);
    const events = await core.store.collection<ActivityRecord>('activity').find({ mailbox: 'zhang.wei@cstnet.cn' });
    expect(events).toMatchObject([{ kind: 'mailbox-registered', outcome: 'success', device, detail: { source: 'register' } }]);
    expect(await hasAnyMailbox(core)).toBe(true);
  });

  it('keeps a display name given, trimmed', async () => {
    const { core } = await testCore();
    await registerMailbox(core, { address: 'li.na@cstnet.cn', password: goodPassword, confirmation: goodPassword, displayName: '  李娜 ' }, device);
    expect((await mailboxesOf(core).get('li.na@cstnet.cn'))?.displayName).toBe('李娜');
  });

  it.each([
    [{ address: 'not-an-address' }, 'invalid-address', 'address'],
    [{ password: 'short', confirmation: 'short' }, 'password-too-short', 'password'],
    [{ password: 'x'.repeat(129), confirmation: 'x'.repeat(129) }, 'password-too-long', 'password'],
    [{ password: 'new@cstnet.cn', confirmation: 'new@cstnet.cn' }, 'password-same-as-address', 'password'],
    [{ confirmation: 'a good long passphrasE' }, 'passwords-differ', 'confirmation'],
  ])('refuses %o with %s and writes nothing', async (change, code, field) => {
    const { core } = await testCore();
    const result = await registerMailbox(core, { address: 'new@cstnet.cn', password: goodPassword, confirmation: goodPassword, ...change }, device);
    expect(result).toEqual({ ok: false, code, fields: [field] });
    expect(await hasAnyMailbox(core)).toBe(false);
    expect(await core.store.collection('activity').count({})).toBe(0);
  });

  it('refuses an address that is taken, whatever its case', async () => {
    const { core } = await testCore();
    await createMailbox(core, { address: 'taken@cstnet.cn' });
    const hash = vi.spyOn(core.hasher, 'hash');
    const result = await registerMailbox(core, { address: 'TAKEN@cstnet.cn', password: goodPassword, confirmation: goodPassword }, device);
    expect(result).toEqual({ ok: false, code: 'mailbox-exists', fields: ['address'] });
    // Refused before the expensive hash.
    expect(hash).not.toHaveBeenCalled();
  });

  it('refuses the second of two registrations of one address made at once', async () => {
    const { core } = await testCore();
    const request = { address: 'race@cstnet.cn', password: goodPassword, confirmation: goodPassword };
    const results = await Promise.all([registerMailbox(core, request, device), registerMailbox(core, request, device)]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: 'mailbox-exists' });
    expect(await mailboxesOf(core).count({})).toBe(1);
  });
});

describe('seedDemo', () => {
  it('creates the demo mailboxes: a phone, an authenticator, none, and a public mailbox sharing the phone', async () => {
    const { core } = await testCore();
    expect(await seedDemo(core)).toBe(4);
    const byAddress = new Map((await mailboxesOf(core).find({})).map((m) => [m.address, m]));
    expect(byAddress.get('zhang.wei@demo.mailwarden.cn')?.phone?.number).toBe('+8613912341234');
    expect(byAddress.get('li.na@demo.mailwarden.cn')?.totp?.secret).toBe(demoTotpSecret);
    expect(byAddress.get('wang.fang@demo.mailwarden.cn')).toMatchObject({ phone: null, totp: null });
    expect(byAddress.get('office@demo.mailwarden.cn')?.phone?.number).toBe('+8613912341234');
    for (const demo of demoMailboxes) expect(await core.hasher.verify(demo.password, byAddress.get(demo.address)!.passwordHash)).toBe(true);
  });

  it('seeds once: a second run, or a directory holding any demo mailbox, is left alone', async () => {
    const { core } = await testCore();
    await seedDemo(core);
    await mailboxesOf(core).replace({ ...(await mailboxesOf(core).get('wang.fang@demo.mailwarden.cn'))!, displayName: 'changed' });
    expect(await seedDemo(core)).toBe(0);
    expect(await mailboxesOf(core).count({})).toBe(4);
    expect((await mailboxesOf(core).get('wang.fang@demo.mailwarden.cn'))?.displayName).toBe('changed');

    const other = await testCore();
    await createMailbox(other.core, { address: 'office@demo.mailwarden.cn' });
    expect(await seedDemo(other.core)).toBe(0);
    expect(await mailboxesOf(other.core).count({})).toBe(1);
  });

  it('lists the demo accounts with their public passwords, until a password or seed is changed', async () => {
    const { core, clock } = await testCore();
    await seedDemo(core);
    const accounts = await demoAccounts(core);
    expect(accounts.map((a) => a.address)).toEqual(demoMailboxes.map((m) => m.address));
    expect(accounts[0]).toEqual({ address: 'zhang.wei@demo.mailwarden.cn', displayName: '张伟', methods: ['sms'], password: 'demo-zhang-2026' });
    expect(accounts[1]).toMatchObject({ methods: ['totp'], totpSecret: demoTotpSecret });

    clock.advanceMinutes(1);
    const li = (await mailboxesOf(core).get('li.na@demo.mailwarden.cn'))!;
    await mailboxesOf(core).replace({ ...li, passwordChangedAt: clock.now(), totp: { ...li.totp!, secret: 'ANEWSECRETNOTFORTHEPAGE234567ABC' } });
    const after = await demoAccounts(core);
    expect(after[1]).toEqual({ address: 'li.na@demo.mailwarden.cn', displayName: '李娜', methods: ['totp'] });
  });

  it('auth:directory lists the demo accounts only when demo mode is on', async () => {
    const on = await dispatcherFor(true);
    await seedDemo(on.core);
    const listed = await on.dispatch('auth:directory', {});
    expect(listed).toMatchObject({ ok: true, data: { hasMailboxes: true, demo: true } });
    const data = (listed as { data: { demoAccounts: unknown[] } }).data;
    expect(data.demoAccounts).toHaveLength(4);
    expect(v.is(contract['auth:directory'].response, data)).toBe(true);

    const off = await dispatcherFor(false);
    await seedDemo(off.core);
    expect(await off.dispatch('auth:directory', {})).toEqual({
      ok: true,
      data: { hasMailboxes: true, registration: true, demo: false, demoAccounts: [], trustedDeviceDays: 7 },
    });
  });
});
