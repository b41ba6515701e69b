// Covers electron/core/mail-login.ts.
import { describe, expect, it, vi } from 'vitest';
import type { ClientPasswordRecord } from '../../electron/core/client-password-record';
import { createClientPassword, groupClientPassword } from '../../electron/core/client-passwords';
import type { CoreContext } from '../../electron/core/context';
import { mailLoginEventWindowMs, mailSecretMaxLength, verifyMailLogin, type MailLoginRequest } from '../../electron/core/mail-login';
import type { MailboxRecord } from '../../electron/core/mailbox';
import type { RequestOf } from '../../electron/shared/contract';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, defaultTestPassword } from '../factories/mailbox';

const alice = 'alice@cstnet.cn';
const dayMs = 86_400_000;

async function setup(options: { phone?: boolean } = {}) {
  const t = await testCore();
  await createMailbox(t.core, { address: alice, ...(options.phone === false ? {} : { phone: '+8613912345678' }) });
  const login = (change: Partial<MailLoginRequest> = {}) =>
    verifyMailLogin(t.core, { address: alice, secret: defaultTestPassword, protocol: 'imap', clientAddress: '203.0.113.5', ...change });
  return { ...t, login };
}

async function newPassword(core: CoreContext, request: RequestOf<'client-passwords:create'> = { name: 'Foxmail' }, mailbox = alice) {
  const created = await createClientPassword(core, mailbox, testCall(), request);
  if (!created.ok) throw new Error(created.code);
  return created.data;
}

async function kinds(core: CoreContext, kind: 'client-password-used' | 'client-password-rejected', mailbox = alice) {
  return (await core.activity.list(mailbox, { kind, limit: 200 }))!.events;
}

describe('the main password', () => {
  it('opens the mailbox while it has no second factor', async () => {
    const { login } = await setup({ phone: false });
    expect(await login()).toEqual({ ok: true, via: 'main-password' });
    expect(await login({ secret: 'not the password' })).toEqual({ ok: false, reason: 'wrong' });
  });

  it('is refused with its own reason once 2FA is on, and only when it is right', async () => {
    const { core, login } = await setup();
    expect(await login()).toEqual({ ok: false, reason: 'main-password-with-2fa' });
    expect(await login({ secret: 'not the password', clientAddress: '198.51.100.7' })).toEqual({ ok: false, reason: 'wrong' });
    const rejected = await kinds(core, 'client-password-rejected');
    expect(rejected.map((e) => [e.device, e.outcome, e.detail.reason])).toEqual([
      ['IMAP from 198.51.100.7', 'failure', 'wrong'],
      ['IMAP from 203.0.113.5', 'failure', 'main-password-with-2fa'],
    ]);
    expect(JSON.stringify(rejected)).not.toContain(defaultTestPassword);
  });

  it('is refused with an authenticator as the only factor too', async () => {
    const { core } = await testCore();
    await createMailbox(core, { address: alice, totp: 'JBSWY3DPEHPK3PXP' });
    expect(await verifyMailLogin(core, { address: alice, secret: defaultTestPassword, protocol: 'smtp', clientAddress: '203.0.113.5' })).toEqual({
      ok: false,
      reason: 'main-password-with-2fa',
    });
  });

  it('still works when it happens to look like a client password', async () => {
    const { core } = await testCore();
    await createMailbox(core, { address: alice, password: 'abcdefghijkmnpqr' });
    expect(await verifyMailLogin(core, { address: alice, secret: 'abcdefghijkmnpqr', protocol: 'imap', clientAddress: '203.0.113.5' })).toEqual({
      ok: true,
      via: 'main-password',
    });
  });
});

describe('a client password', () => {
  it('opens the mailbox with 2FA on, records where from, and logs the use', async () => {
    const { core, clock, login } = await setup();
    const created = await newPassword(core);
    clock.advanceMinutes(5);
    expect(await login({ secret: created.password, protocol: 'smtp', clientAddress: '198.51.100.7' })).toEqual({
      ok: true,
      via: 'client-password',
      name: 'Foxmail',
    });
    const record = await core.store.collection<ClientPasswordRecord>('clientPasswords').get(created.id);
    expect(record).toMatchObject({ lastUsedAt: clock.now(), lastUsedFrom: '198.51.100.7' });
    const [used] = await kinds(core, 'client-password-used');
    expect(used).toMatchObject({ device: 'SMTP from 198.51.100.7', outcome: 'success', detail: { name: 'Foxmail', protocol: 'smtp' } });
    expect(JSON.stringify(used)).not.toContain(created.password);
  });

  it('is accepted with any spaces and case', async () => {
    const { core, login } = await setup();
    const { password } = await newPassword(core);
    for (const typed of [
      groupClientPassword(password),
      groupClientPassword(password).toUpperCase(),
      ` ${password.toUpperCase()} `,
      password.replace(/(.{2})/g, '$1 '),
    ]) {
      expect(await login({ secret: typed }), typed).toMatchObject({ ok: true, via: 'client-password' });
    }
    expect(await login({ secret: `${password}x` })).toEqual({ ok: false, reason: 'wrong' });
  });

  it('works only in its scope', async () => {
    const { core, login } = await setup();
    const { password } = await newPassword(core, { name: 'Send only', scopes: ['smtp'] });
    expect(await login({ secret: password, protocol: 'smtp' })).toMatchObject({ ok: true });
    expect(await login({ secret: password, protocol: 'imap' })).toEqual({ ok: false, reason: 'out-of-scope' });
    expect(await login({ secret: password, protocol: 'pop3' })).toEqual({ ok: false, reason: 'out-of-scope' });
    expect((await kinds(core, 'client-password-rejected'))[0]).toMatchObject({ detail: { reason: 'out-of-scope', name: 'Send only' } });
  });

  it('works until its expiry and not from then on', async () => {
    const { core, clock, login } = await setup();
    const { password } = await newPassword(core, { name: 'Temp', expiresInDays: 1 });
    clock.advance(dayMs - 1);
    expect(await login({ secret: password })).toMatchObject({ ok: true });
    clock.advance(1);
    expect(await login({ secret: password })).toEqual({ ok: false, reason: 'expired' });
  });

  it('opens only its own mailbox', async () => {
    const { core, login } = await setup();
    await createMailbox(core, { address: 'bob@cstnet.cn', phone: '+8613912345679' });
    const bobs = await newPassword(core, { name: 'Foxmail' }, 'bob@cstnet.cn');
    expect(await login({ secret: bobs.password })).toEqual({ ok: false, reason: 'wrong' });
  });

  it('stops at once when revoked, even while its hash is being checked', async () => {
    const { core, login } = await setup();
    const { password } = await newPassword(core);
    const verify = core.hasher.verify.bind(core.hasher);
    vi.spyOn(core.hasher, 'verify').mockImplementationOnce(async (secret, hash) => {
      const matches = await verify(secret, hash);
      await core.store.collection<ClientPasswordRecord>('clientPasswords').remove({});
      return matches;
    });
    expect(await login({ secret: password })).toEqual({ ok: false, reason: 'wrong' });
    expect(await kinds(core, 'client-password-used')).toEqual([]);
  });
});

describe('a crowd of logins at once', () => {
  // Seen through `serve`: three right and three wrong logins from different clients at the same
  // moment left the store answering nothing, and every later login failed until a restart.
  it('answers every one of three right and three wrong logins, and the next one too', async () => {
    const { core, login } = await setup();
    const { password } = await newPassword(core);
    // Every hash check of the crowd finishes at the same moment, as they would on a busy server.
    const verify = core.hasher.verify.bind(core.hasher);
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    let waiting = 0;
    vi.spyOn(core.hasher, 'verify').mockImplementation(async (secret, hash) => {
      const matches = await verify(secret, hash);
      if (++waiting === 6) release();
      await together;
      return matches;
    });
    const crowd = [1, 2, 3].flatMap((n) => [
      login({ secret: password, clientAddress: `203.0.113.${n}` }),
      login({ secret: `wrong-${n}`, clientAddress: `198.51.100.${n}` }),
    ]);
    const answers = await Promise.all(crowd);
    expect(answers.map((a) => a.ok)).toEqual([true, false, true, false, true, false]);
    expect(await login({ secret: password, clientAddress: '192.0.2.1' })).toMatchObject({ ok: true });
    expect((await kinds(core, 'client-password-used')).map((e) => e.device).sort()).toEqual([
      'IMAP from 192.0.2.1',
      'IMAP from 203.0.113.1',
      'IMAP from 203.0.113.2',
      'IMAP from 203.0.113.3',
    ]);
    expect((await kinds(core, 'client-password-rejected')).map((e) => e.device).sort()).toEqual([
      'IMAP from 198.51.100.1',
      'IMAP from 198.51.100.2',
      'IMAP from 198.51.100.3',
    ]);
  });
});

describe('refusals before any password is checked', () => {
  it('answers unknown for an address with no mailbox, after spending the same hash', async () => {
    const { core, login } = await setup();
    const verify = vi.spyOn(core.hasher, 'verify');
    expect(await login({ address: 'nobody@cstnet.cn' })).toEqual({ ok: false, reason: 'unknown' });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(await core.activity.list('nobody@cstnet.cn')).toEqual({ events: [], nextCursor: null });
  });

  it('respects the sign-in lock, even for a right client password, until it ends', async () => {
    const { core, clock, login } = await setup();
    const { password } = await newPassword(core);
    const mailboxes = core.store.collection<MailboxRecord>('mailboxes');
    const record = (await mailboxes.get(alice))!;
    await mailboxes.replace({ ...record, lockedUntil: clock.now() + 15 * 60_000 });
    const verify = vi.spyOn(core.hasher, 'verify');
    expect(await login({ secret: password })).toEqual({ ok: false, reason: 'locked' });
    expect(verify).not.toHaveBeenCalled();
    clock.advance(15 * 60_000 - 1);
    expect(await login({ secret: password })).toEqual({ ok: false, reason: 'locked' });
    clock.advance(1);
    expect(await login({ secret: password })).toMatchObject({ ok: true });
  });

  it('does not hash a secret longer than 1024 characters', async () => {
    const { core, login } = await setup({ phone: false });
    expect(mailSecretMaxLength).toBe(1024);
    const verify = vi.spyOn(core.hasher, 'verify');
    expect(await login({ secret: 'x'.repeat(1025) })).toEqual({ ok: false, reason: 'wrong' });
    expect(verify).not.toHaveBeenCalled();
    expect(await login({ secret: 'x'.repeat(1024) })).toEqual({ ok: false, reason: 'wrong' });
    expect(verify).toHaveBeenCalled();
  });

  it('keeps a long client address out of the log', async () => {
    const { core, login } = await setup();
    await login({ secret: 'wrong', clientAddress: `203.0.113.5${'9'.repeat(500)}` });
    const [event] = await kinds(core, 'client-password-rejected');
    expect(event!.device.length).toBe('IMAP from '.length + 64);
  });
});

describe('how often a mail client’s logins are logged', () => {
  it('logs one use per password, client and hour, and keeps last-used current every time', async () => {
    const { core, clock, login } = await setup();
    expect(mailLoginEventWindowMs).toBe(60 * 60 * 1000);
    const foxmail = await newPassword(core, { name: 'Foxmail' });
    const phone = await newPassword(core, { name: 'iPhone' });
    await login({ secret: foxmail.password });
    clock.advance(mailLoginEventWindowMs - 1);
    await login({ secret: foxmail.password });
    expect(await kinds(core, 'client-password-used')).toHaveLength(1);
    expect(await core.store.collection<ClientPasswordRecord>('clientPasswords').get(foxmail.id)).toMatchObject({ lastUsedAt: clock.now() });
    // Another password, another address or another protocol is another event.
    await login({ secret: phone.password });
    await login({ secret: foxmail.password, clientAddress: '198.51.100.7' });
    await login({ secret: foxmail.password, protocol: 'smtp' });
    expect(await kinds(core, 'client-password-used')).toHaveLength(4);
    clock.advance(1);
    await login({ secret: foxmail.password });
    expect(await kinds(core, 'client-password-used')).toHaveLength(5);
  });

  it('logs one refusal per reason, client and hour', async () => {
    const { core, clock, login } = await setup();
    await login({ secret: 'wrong one' });
    await login({ secret: 'wrong two' });
    await login();
    expect((await kinds(core, 'client-password-rejected')).map((e) => e.detail.reason)).toEqual(['main-password-with-2fa', 'wrong']);
    clock.advance(mailLoginEventWindowMs);
    await login({ secret: 'wrong three' });
    expect(await kinds(core, 'client-password-rejected')).toHaveLength(3);
  });
});

describe('the cache of recent successful checks', () => {
  it('skips scrypt for a client that logs in again with the same client password, for 15 minutes', async () => {
    const { core, clock, login } = await setup();
    const { password } = await newPassword(core);
    const verify = vi.spyOn(core.hasher, 'verify');
    expect(await login({ secret: password })).toMatchObject({ ok: true, via: 'client-password' });
    expect(verify).toHaveBeenCalledTimes(1);
    clock.advanceMinutes(14);
    expect(await login({ secret: password })).toMatchObject({ ok: true });
    expect(verify).toHaveBeenCalledTimes(1);
    clock.advanceMinutes(16);
    expect(await login({ secret: password })).toMatchObject({ ok: true });
    expect(verify).toHaveBeenCalledTimes(2);
    // The cache holds a keyed hash, never the password.
    expect(core.verified.size).toBe(1);
  });

  it('never caches a failure: each wrong secret pays the whole check', async () => {
    const { core, login } = await setup();
    const { password } = await newPassword(core);
    const wrong = password.slice(0, -1) + (password.endsWith('a') ? 'b' : 'a');
    const verify = vi.spyOn(core.hasher, 'verify');
    for (let i = 0; i < 3; i += 1) expect(await login({ secret: wrong })).toMatchObject({ ok: false });
    expect(verify.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(core.verified.size).toBe(0);
  });

  it('refuses at once after a revoke, a scope change or an expiry, though the check was cached a moment before', async () => {
    const { core, clock, login } = await setup();
    const first = await newPassword(core, { name: 'Revoked' });
    expect(await login({ secret: first.password })).toMatchObject({ ok: true });
    await core.store.collection<ClientPasswordRecord>('clientPasswords').remove({ _id: first.id });
    expect(await login({ secret: first.password })).toEqual({ ok: false, reason: 'wrong' });

    const second = await newPassword(core, { name: 'Narrowed' });
    expect(await login({ secret: second.password })).toMatchObject({ ok: true });
    const passwords = core.store.collection<ClientPasswordRecord>('clientPasswords');
    await passwords.replace({ ...(await passwords.get(second.id))!, scopes: ['smtp'] });
    expect(await login({ secret: second.password })).toEqual({ ok: false, reason: 'out-of-scope' });

    const third = await newPassword(core, { name: 'Short-lived', expiresInDays: 1 });
    expect(await login({ secret: third.password })).toMatchObject({ ok: true });
    clock.advance(dayMs);
    expect(await login({ secret: third.password })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a cached main password once 2FA is on, and an old one once it is changed', async () => {
    const { core, login } = await setup({ phone: false });
    expect(await login()).toEqual({ ok: true, via: 'main-password' });
    const mailboxes = core.store.collection<MailboxRecord>('mailboxes');
    await mailboxes.replace({ ...(await mailboxes.get(alice))!, phone: { number: '+8613912345678', boundAt: 0 } });
    expect(await login()).toEqual({ ok: false, reason: 'main-password-with-2fa' });
    await mailboxes.replace({ ...(await mailboxes.get(alice))!, phone: null, passwordHash: await core.hasher.hash('a new main password') });
    expect(await login()).toEqual({ ok: false, reason: 'wrong' });
    expect(await login({ secret: 'a new main password' })).toEqual({ ok: true, via: 'main-password' });
  });
});
