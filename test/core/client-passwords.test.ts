// Covers electron/core/client-passwords.ts (and the record helpers in client-password-record.ts).
import { describe, expect, it, vi } from 'vitest';
import type { ClientPasswordRecord } from '../../electron/core/client-password-record';
import {
  clientPasswordAlphabet,
  clientPasswordLength,
  clientPasswordNameMax,
  createClientPassword,
  generateClientPassword,
  groupClientPassword,
  looksLikeClientPassword,
  normalizeClientPassword,
  unusedFlagDays,
} from '../../electron/core/client-passwords';
import type { CoreContext } from '../../electron/core/context';
import { verifyMailLogin } from '../../electron/core/mail-login';
import { defaultPolicy } from '../../electron/core/policy';
import { StorageError, type Random } from '../../electron/core/ports';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, signIn } from '../factories/mailbox';
import { coreDispatcher } from '../factories/dispatch';

const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';
const dayMs = 86_400_000;

function dispatcherFor(core: CoreContext) {
  const dispatch = coreDispatcher(core);
  return (channel: string, request: unknown, call = testCall()) => dispatch(channel, request, call);
}

/** Alice, with a phone bound, signed in on the default test call; Bob with an authenticator. */
async function setup(options: Parameters<typeof testCore>[0] = {}) {
  const t = await testCore(options);
  await createMailbox(t.core, { address: alice, phone: '+8613912345678' });
  await createMailbox(t.core, { address: bob, totp: 'JBSWY3DPEHPK3PXP' });
  const call = testCall();
  await signIn(t.core, call, alice);
  const bobCall = testCall({ connection: 'bob-connection' });
  await signIn(t.core, bobCall, bob);
  return { ...t, call, bobCall, dispatch: dispatcherFor(t.core) };
}

type Created = { id: string; name: string; password: string; grouped: string; scopes: string[]; expiresAt: number | null; createdAt: number };

async function create(dispatch: ReturnType<typeof dispatcherFor>, request: Record<string, unknown>, call = testCall()): Promise<Created> {
  const result = await dispatch('client-passwords:create', request, call);
  if (!result.ok) throw new Error(`create failed: ${result.code}`);
  return result.data as Created;
}

function stored(core: CoreContext) {
  return core.store.collection<ClientPasswordRecord>('clientPasswords');
}

async function events(core: CoreContext, mailbox = alice) {
  return (await core.activity.list(mailbox, { limit: 200 }))!.events;
}

describe('the generated password', () => {
  it('draws 16 characters from an unambiguous lowercase alphabet of 32, which is 80 bits', () => {
    expect(clientPasswordLength).toBe(16);
    expect(new Set(clientPasswordAlphabet).size).toBe(clientPasswordAlphabet.length);
    expect(clientPasswordAlphabet.length).toBeGreaterThanOrEqual(32);
    expect(clientPasswordLength * Math.log2(clientPasswordAlphabet.length)).toBeGreaterThanOrEqual(80);
    expect(clientPasswordAlphabet).toMatch(/^[a-z2-9]+$/);
    // Nothing a person can confuse when reading it off one screen and typing it into another.
    for (const ambiguous of ['l', 'o', '0', '1']) expect(clientPasswordAlphabet).not.toContain(ambiguous);
  });

  it('takes each character from random.int over the whole alphabet (no modulo bias)', () => {
    const draws: number[] = [];
    const random: Random = {
      bytes: () => {
        throw new Error('bytes would invite a modulo');
      },
      int: (max) => {
        draws.push(max);
        return draws.length - 1;
      },
    };
    expect(generateClientPassword(random)).toBe(clientPasswordAlphabet.slice(0, 16));
    expect(draws).toEqual(Array(16).fill(clientPasswordAlphabet.length));
  });

  it('is grouped in fours for reading and accepted back with any spaces and case', () => {
    expect(groupClientPassword('abcdefghijkmnpqr')).toBe('abcd efgh ijkm npqr');
    expect(normalizeClientPassword('ABCD efgh IJKM npqr')).toBe('abcdefghijkmnpqr');
    expect(normalizeClientPassword(' abcd\u3000efgh\tijkm npqr ')).toBe('abcdefghijkmnpqr');
    expect(looksLikeClientPassword('abcdefghijkmnpqr')).toBe(true);
    expect(looksLikeClientPassword('abcdefghijkmnpq')).toBe(false);
    expect(looksLikeClientPassword('abcdefghijkmnpqrs')).toBe(false);
    expect(looksLikeClientPassword('abcdefghijklmnop')).toBe(false);
  });
});

describe('client-passwords:create', () => {
  it('returns the password once, grouped, and keeps only a salted hash and a keyed lookup', async () => {
    const { core, dispatch, call } = await setup();
    const created = await create(dispatch, { name: 'Foxmail 办公室' }, call);
    expect(created.password).toMatch(new RegExp(`^[${clientPasswordAlphabet}]{16}$`));
    expect(created.grouped).toBe(groupClientPassword(created.password));
    expect(created).toMatchObject({ name: 'Foxmail 办公室', scopes: ['imap', 'smtp', 'pop3'], expiresAt: null, createdAt: core.clock.now() });

    const [record] = await stored(core).find({});
    expect(record).toMatchObject({ mailbox: alice, name: 'Foxmail 办公室', lastUsedAt: null, appliedTo: [] });
    expect(record!.hash).toMatch(/^scrypt\$/);
    expect(await core.hasher.verify(created.password, record!.hash)).toBe(true);
    expect(JSON.stringify(record)).not.toContain(created.password);

    const listed = await dispatch('client-passwords:list', {}, call);
    expect(listed).toMatchObject({ ok: true, data: { limit: 20 } });
    const text = JSON.stringify(listed);
    expect(text).not.toContain(created.password);
    expect(text).not.toContain(record!.hash);
    expect(text).not.toContain(record!.lookup);
  });

  it('logs the creation by name and device, never the password', async () => {
    const { core, dispatch, call } = await setup();
    const created = await create(dispatch, { name: 'Foxmail', scopes: ['imap'], expiresInDays: 30 }, call);
    const [event] = await events(core);
    expect(event).toMatchObject({
      kind: 'client-password-created',
      outcome: 'success',
      device: 'Linux · test-host / Chrome 156',
      detail: { name: 'Foxmail', scopes: 'imap', expiresAt: created.expiresAt! },
    });
    expect(JSON.stringify(event)).not.toContain(created.password);
  });

  it('is refused while the mailbox has no second factor', async () => {
    const { core, dispatch } = await setup();
    await createMailbox(core, { address: 'carol@cstnet.cn' });
    const carol = testCall({ connection: 'carol' });
    await signIn(core, carol, 'carol@cstnet.cn');
    expect(await dispatch('client-passwords:create', { name: 'Foxmail' }, carol)).toEqual({ ok: false, code: 'two-factor-not-enabled' });
    expect(await stored(core).count({})).toBe(0);
  });

  it('works with an authenticator as the only factor', async () => {
    const { dispatch, bobCall } = await setup();
    expect(await dispatch('client-passwords:create', { name: 'Thunderbird' }, bobCall)).toMatchObject({ ok: true });
  });

  it('trims the name and takes 1 to 32 characters, counted as a person counts them', async () => {
    const { dispatch, call } = await setup();
    expect(clientPasswordNameMax).toBe(32);
    expect((await create(dispatch, { name: '  Foxmail  ' }, call)).name).toBe('Foxmail');
    expect((await create(dispatch, { name: 'a'.repeat(32) }, call)).name).toBe('a'.repeat(32));
    expect((await create(dispatch, { name: '邮'.repeat(32) }, call)).name).toBe('邮'.repeat(32));
    // 32 emoji are 64 UTF-16 units: still 32 characters.
    expect((await create(dispatch, { name: '📧'.repeat(32) }, call)).name).toBe('📧'.repeat(32));
    expect(await dispatch('client-passwords:create', { name: 'b'.repeat(33) }, call)).toEqual({ ok: false, code: 'name-invalid' });
    expect(await dispatch('client-passwords:create', { name: '' }, call)).toEqual({ ok: false, code: 'name-invalid' });
    expect(await dispatch('client-passwords:create', { name: '   ' }, call)).toEqual({ ok: false, code: 'name-invalid' });
  });

  it('refuses control characters, line breaks and bidi overrides in the name', async () => {
    const { dispatch, call } = await setup();
    for (const name of ['Fox\u0007mail', 'Fox\nmail', 'Fox\u2028mail', 'Fox\u202Eliamx', 'Fox\u2066mail']) {
      expect(await dispatch('client-passwords:create', { name }, call), JSON.stringify(name)).toEqual({ ok: false, code: 'name-invalid' });
    }
  });

  it('refuses a name the mailbox already uses, whatever its case', async () => {
    const { dispatch, call, bobCall } = await setup();
    await create(dispatch, { name: 'Foxmail' }, call);
    expect(await dispatch('client-passwords:create', { name: ' FOXMAIL ' }, call)).toEqual({ ok: false, code: 'name-taken' });
    // Names are per mailbox: Bob may use the same one.
    expect(await dispatch('client-passwords:create', { name: 'Foxmail' }, bobCall)).toMatchObject({ ok: true });
  });

  it('allows 20 per mailbox by default and refuses the 21st', async () => {
    const { dispatch, call, bobCall } = await setup();
    expect(defaultPolicy.clientPasswordLimit).toBe(20);
    for (let i = 1; i <= 20; i += 1) await create(dispatch, { name: `client ${i}` }, call);
    expect(await dispatch('client-passwords:create', { name: 'client 21' }, call)).toEqual({ ok: false, code: 'limit-reached' });
    expect(await dispatch('client-passwords:create', { name: 'client 1' }, bobCall)).toMatchObject({ ok: true });
  });

  it('follows the limit the policy sets', async () => {
    const { dispatch, call } = await setup({ policy: { clientPasswordLimit: 2 } });
    await create(dispatch, { name: 'one' }, call);
    await create(dispatch, { name: 'two' }, call);
    expect(await dispatch('client-passwords:create', { name: 'three' }, call)).toEqual({ ok: false, code: 'limit-reached' });
    expect(await dispatch('client-passwords:list', {}, call)).toMatchObject({ ok: true, data: { limit: 2 } });
  });

  it('keeps the name and limit rules when two windows create at the same moment', async () => {
    const { core, dispatch, call } = await setup({ policy: { clientPasswordLimit: 1 } });
    const results = await Promise.all([
      dispatch('client-passwords:create', { name: 'Foxmail' }, call),
      dispatch('client-passwords:create', { name: 'Outlook' }, call),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, code: 'limit-reached' }]);
    expect(await stored(core).count({ mailbox: alice })).toBe(1);
  });

  it('limits a password to the protocols asked for, in a fixed order, and to all by default', async () => {
    const { dispatch, call } = await setup();
    expect((await create(dispatch, { name: 'all' }, call)).scopes).toEqual(['imap', 'smtp', 'pop3']);
    expect((await create(dispatch, { name: 'send', scopes: ['smtp', 'imap', 'smtp'] }, call)).scopes).toEqual(['imap', 'smtp']);
    expect(await dispatch('client-passwords:create', { name: 'none', scopes: [] }, call)).toMatchObject({
      ok: false,
      code: 'invalid-request',
      fields: ['scopes'],
    });
    expect(await dispatch('client-passwords:create', { name: 'ftp', scopes: ['ftp'] }, call)).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it('sets an expiry of 1 to 365 days', async () => {
    const { core, dispatch, call } = await setup();
    const now = core.clock.now();
    expect((await create(dispatch, { name: 'day', expiresInDays: 1 }, call)).expiresAt).toBe(now + dayMs);
    expect((await create(dispatch, { name: 'year', expiresInDays: 365 }, call)).expiresAt).toBe(now + 365 * dayMs);
    for (const expiresInDays of [0, 366, 1.5, -1]) {
      expect(await dispatch('client-passwords:create', { name: `x${expiresInDays}`, expiresInDays }, call)).toMatchObject({
        ok: false,
        code: 'invalid-request',
        fields: ['expiresInDays'],
      });
    }
  });

  it('refuses unknown fields and over-long names at the schema', async () => {
    const { dispatch, call } = await setup();
    expect(await dispatch('client-passwords:create', { name: 'Foxmail', password: 'mine' }, call)).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('client-passwords:create', { name: 'x'.repeat(129) }, call)).toMatchObject({ ok: false, code: 'invalid-request', fields: ['name'] });
  });

  it('leaves nothing behind when the activity log cannot be written', async () => {
    const { core, dispatch, call } = await setup();
    vi.spyOn(core.activity, 'record').mockRejectedValueOnce(new StorageError('disk full'));
    expect(await dispatch('client-passwords:create', { name: 'Foxmail' }, call)).toEqual({ ok: false, code: 'storage-failed' });
    expect(await stored(core).count({})).toBe(0);
  });

  it('hashes outside the store lock and checks the rules again inside it', async () => {
    const { core, call } = await setup({ policy: { clientPasswordLimit: 1 } });
    // The first request passes the early check; while it hashes, another fills the last slot.
    const hash = core.hasher.hash.bind(core.hasher);
    vi.spyOn(core.hasher, 'hash').mockImplementationOnce(async (secret) => {
      await stored(core).insert({
        _id: 'other',
        mailbox: alice,
        name: 'Other',
        hash: 'scrypt$x',
        lookup: 'x',
        scopes: ['imap'],
        createdAt: 0,
        expiresAt: null,
        lastUsedAt: null,
        lastUsedFrom: null,
        appliedTo: [],
      });
      return hash(secret);
    });
    expect(await createClientPassword(core, alice, call, { name: 'Foxmail' })).toEqual({ ok: false, code: 'limit-reached' });
  });
});

describe('client-passwords:list', () => {
  it('shows name, times, scopes, expiry and where it was applied, newest first', async () => {
    const { core, clock, dispatch, call } = await setup();
    const first = await create(dispatch, { name: 'Foxmail', scopes: ['imap', 'smtp'] }, call);
    clock.advanceMinutes(1);
    const second = await create(dispatch, { name: 'iPhone', expiresInDays: 7 }, call);
    await verifyMailLogin(core, { address: alice, secret: first.password, protocol: 'imap', clientAddress: '203.0.113.5' });
    const listed = await dispatch('client-passwords:list', {}, call);
    expect(listed).toEqual({
      ok: true,
      data: {
        limit: 20,
        defaultExpiryDays: null,
        passwords: [
          {
            id: second.id,
            name: 'iPhone',
            createdAt: second.createdAt,
            lastUsedAt: null,
            lastUsedFrom: null,
            scopes: ['imap', 'smtp', 'pop3'],
            expiresAt: second.createdAt + 7 * dayMs,
            expired: false,
            appliedTo: [],
            unusedFor90Days: false,
          },
          {
            id: first.id,
            name: 'Foxmail',
            createdAt: first.createdAt,
            lastUsedAt: clock.now(),
            lastUsedFrom: '203.0.113.5',
            scopes: ['imap', 'smtp'],
            expiresAt: null,
            expired: false,
            appliedTo: [],
            unusedFor90Days: false,
          },
        ],
      },
    });
  });

  it('shows only the signed-in mailbox’s passwords', async () => {
    const { dispatch, call, bobCall } = await setup();
    await create(dispatch, { name: 'Foxmail' }, call);
    expect(await dispatch('client-passwords:list', {}, bobCall)).toEqual({ ok: true, data: { limit: 20, defaultExpiryDays: null, passwords: [] } });
  });

  it('marks a password expired from its expiry on', async () => {
    const { clock, dispatch, call } = await setup();
    await create(dispatch, { name: 'Foxmail', expiresInDays: 1 }, call);
    clock.advance(dayMs - 1);
    expect(await dispatch('client-passwords:list', {}, call)).toMatchObject({ data: { passwords: [{ expired: false }] } });
    clock.advance(1);
    expect(await dispatch('client-passwords:list', {}, call)).toMatchObject({ data: { passwords: [{ expired: true }] } });
  });

  it('flags a password unused for 90 days, counting from creation until its first use', async () => {
    const { core, clock, dispatch, call } = await setup();
    expect(unusedFlagDays).toBe(90);
    const created = await create(dispatch, { name: 'Foxmail' }, call);
    const flag = async () =>
      ((await dispatch('client-passwords:list', {}, call)) as { data: { passwords: { unusedFor90Days: boolean }[] } }).data.passwords[0]!.unusedFor90Days;
    clock.advance(90 * dayMs - 1);
    expect(await flag()).toBe(false);
    clock.advance(1);
    expect(await flag()).toBe(true);
    await verifyMailLogin(core, { address: alice, secret: created.password, protocol: 'smtp', clientAddress: '203.0.113.5' });
    expect(await flag()).toBe(false);
    clock.advance(90 * dayMs - 1);
    expect(await flag()).toBe(false);
    clock.advance(1);
    expect(await flag()).toBe(true);
  });
});

describe('client-passwords:revoke', () => {
  it('removes the password so the client stops working at once, and logs it', async () => {
    const { core, dispatch, call } = await setup();
    const created = await create(dispatch, { name: 'Foxmail' }, call);
    const login = () => verifyMailLogin(core, { address: alice, secret: created.password, protocol: 'imap', clientAddress: '203.0.113.5' });
    expect(await login()).toMatchObject({ ok: true });
    expect(await dispatch('client-passwords:revoke', { id: created.id }, call)).toEqual({ ok: true, data: {} });
    expect(await login()).toEqual({ ok: false, reason: 'wrong' });
    expect(await dispatch('client-passwords:list', {}, call)).toMatchObject({ data: { passwords: [] } });
    expect((await events(core)).find((e) => e.kind === 'client-password-revoked')).toMatchObject({
      detail: { name: 'Foxmail' },
      device: 'Linux · test-host / Chrome 156',
    });
  });

  it('cannot touch another mailbox’s password, and says only that it was not found', async () => {
    const { core, dispatch, call, bobCall } = await setup();
    const created = await create(dispatch, { name: 'Foxmail' }, call);
    expect(await dispatch('client-passwords:revoke', { id: created.id }, bobCall)).toEqual({ ok: false, code: 'not-found' });
    expect(await stored(core).count({ _id: created.id })).toBe(1);
    expect(await dispatch('client-passwords:revoke', { id: 'no-such-id' }, call)).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('client-passwords:revoke', { id: '' }, call)).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it('keeps the password when the log cannot be written', async () => {
    const { core, dispatch, call } = await setup();
    const created = await create(dispatch, { name: 'Foxmail' }, call);
    vi.spyOn(core.activity, 'record').mockRejectedValueOnce(new StorageError('disk full'));
    expect(await dispatch('client-passwords:revoke', { id: created.id }, call)).toEqual({ ok: false, code: 'storage-failed' });
    expect(await stored(core).count({ _id: created.id })).toBe(1);
  });
});

describe('client-passwords:mark-applied', () => {
  it('records each place once, in order', async () => {
    const { dispatch, call } = await setup();
    const created = await create(dispatch, { name: 'Foxmail' }, call);
    expect(await dispatch('client-passwords:mark-applied', { id: created.id, target: 'foxmail' }, call)).toMatchObject({
      ok: true,
      data: { appliedTo: ['foxmail'] },
    });
    await dispatch('client-passwords:mark-applied', { id: created.id, target: 'keychain' }, call);
    expect(await dispatch('client-passwords:mark-applied', { id: created.id, target: 'foxmail' }, call)).toMatchObject({
      ok: true,
      data: { appliedTo: ['foxmail', 'keychain'] },
    });
    for (const target of ['iphone-profile', 'android-card', 'manual']) {
      expect(await dispatch('client-passwords:mark-applied', { id: created.id, target }, call)).toMatchObject({ ok: true });
    }
    expect(await dispatch('client-passwords:list', {}, call)).toMatchObject({
      data: { passwords: [{ appliedTo: ['foxmail', 'keychain', 'iphone-profile', 'android-card', 'manual'] }] },
    });
  });

  it('refuses unknown places and other mailboxes’ passwords', async () => {
    const { dispatch, call, bobCall } = await setup();
    const created = await create(dispatch, { name: 'Foxmail' }, call);
    expect(await dispatch('client-passwords:mark-applied', { id: created.id, target: 'outlook' }, call)).toMatchObject({
      ok: false,
      code: 'invalid-request',
      fields: ['target'],
    });
    expect(await dispatch('client-passwords:mark-applied', { id: created.id, target: 'foxmail' }, bobCall)).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('client-passwords:list', {}, call)).toMatchObject({ data: { passwords: [{ appliedTo: [] }] } });
  });
});

describe('signed-in only', () => {
  it.each([
    ['client-passwords:list', {}],
    ['client-passwords:create', { name: 'Foxmail' }],
    ['client-passwords:revoke', { id: 'x' }],
    ['client-passwords:mark-applied', { id: 'x', target: 'manual' }],
  ])('%s needs a session', async (channel, request) => {
    const { dispatch } = await setup();
    expect(await dispatch(channel, request, testCall({ connection: 'nobody' }))).toEqual({ ok: false, code: 'not-signed-in' });
  });

  it('is closed to a session that must still bind a second factor', async () => {
    const { core, dispatch } = await setup({ policy: { enforceTwoFactor: true } });
    await createMailbox(core, { address: 'carol@cstnet.cn' });
    const carol = testCall({ connection: 'carol' });
    await core.sessions.start(carol, {
      mailbox: 'carol@cstnet.cn',
      signedInAt: core.clock.now(),
      passwordCheckedAt: core.clock.now(),
      enrollmentRequired: true,
    });
    expect(await dispatch('client-passwords:list', {}, carol)).toEqual({ ok: false, code: 'two-factor-required' });
  });
});
