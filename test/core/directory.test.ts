// Covers electron/core/directory.ts
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import {
  demoAccounts,
  demoMailboxes,
  demoTotpSecret,
  hasAnyMailbox,
  importHashConcurrency,
  importMailboxes,
  isValidAddress,
  listMailboxes,
  parseCsv,
  parseMailboxCsv,
  parseMailboxJson,
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
  const handlers = createHandlers({ mailClients: fakeMailClientPorts(), environment: testEnvironment({ demo }), settingsStore: new MemorySettingsStore(), logger: silentLogger, core: t.core });
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

  it.each(['plain', '@cstnet.cn', 'user@', 'user@cn', 'a..b@x.cn', '.a@x.cn', 'a.@x.cn', 'a@-x.cn', 'a@x-.cn', 'a@x.c', 'a@x.c1', 'a b@x.cn', 'a@b@x.cn', 'a@x..cn'])(
    'refuses %s',
    (address) => {
      expect(isValidAddress(address)).toBe(false);
    },
  );

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

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and numbers records by their first line', () => {
    const text = '\uFEFFaddress,password,displayName\r\n"a@x.cn","pass,word ""1""","Line one\nline two"\r\nb@x.cn,plain-password-2,\n\nc@x.cn,third-password,Wang';
    const parsed = parseCsv(text);
    expect(parsed).toEqual({
      records: [
        { line: 1, fields: ['address', 'password', 'displayName'] },
        { line: 2, fields: ['a@x.cn', 'pass,word "1"', 'Line one\nline two'] },
        { line: 4, fields: ['b@x.cn', 'plain-password-2', ''] },
        { line: 6, fields: ['c@x.cn', 'third-password', 'Wang'] },
      ],
    });
  });

  it('keeps an empty quoted field and a trailing line break', () => {
    expect(parseCsv('a,""\n')).toEqual({ records: [{ line: 1, fields: ['a', ''] }] });
    expect(parseCsv('""\n')).toEqual({ records: [{ line: 1, fields: [''] }] });
  });

  it.each([
    ['an unclosed quote, reported where it opened', 'h\nok\n"never closed\nmore', 3],
    ['a quote inside an unquoted field', 'h\nab"c', 2],
    ['text after a closing quote', 'h\n\n"ab"c', 3],
  ])('refuses %s', (_name, text, line) => {
    expect(parseCsv(text)).toEqual({ error: { line, code: 'csv-syntax' } });
  });
});

describe('parseMailboxCsv', () => {
  it('takes the columns in any order and any case, displayName optional', () => {
    expect(parseMailboxCsv('Password,ADDRESS\nsecret-password-1,a@x.cn\n')).toEqual({
      rows: [{ line: 2, address: 'a@x.cn', password: 'secret-password-1', displayName: undefined }],
      problems: [],
    });
  });

  it.each([
    ['no password column', 'address,displayName\na@x.cn,A', undefined],
    ['an unknown column', 'address,password,role\na@x.cn,p,admin', 'role'],
    ['a column twice', 'address,password,address\n', undefined],
  ])('refuses a header with %s', (_name, text, field) => {
    expect(parseMailboxCsv(text)).toEqual({ rows: [], problems: [{ line: 1, code: 'bad-header', ...(field ? { field } : {}) }] });
  });

  it('reports a row with the wrong number of fields by its line', () => {
    const parsed = parseMailboxCsv('address,password\na@x.cn,secret-password-1\nb@x.cn\nc@x.cn,secret-password-3,extra');
    expect(parsed.problems).toEqual([
      { line: 3, code: 'wrong-field-count' },
      { line: 4, code: 'wrong-field-count' },
    ]);
    expect(parsed.rows.map((r) => r.line)).toEqual([2]);
  });

  it('reports an empty file', () => {
    expect(parseMailboxCsv('')).toEqual({ rows: [], problems: [{ line: 0, code: 'no-rows' }] });
  });
});

describe('parseMailboxJson', () => {
  it('reads an array of mailboxes, numbering entries from 1', () => {
    expect(parseMailboxJson('[{"address":"a@x.cn","password":"secret-password-1","displayName":"A"},{"address":"b@x.cn","password":"secret-password-2"}]')).toEqual({
      rows: [
        { line: 1, address: 'a@x.cn', password: 'secret-password-1', displayName: 'A' },
        { line: 2, address: 'b@x.cn', password: 'secret-password-2', displayName: undefined },
      ],
      problems: [],
    });
  });

  it.each([
    ['not JSON', '{nope', [{ line: 0, code: 'not-json' }]],
    ['not an array', '{"address":"a@x.cn"}', [{ line: 0, code: 'not-an-array' }]],
    ['an entry that is not an object', '[1]', [{ line: 1, code: 'not-an-object' }]],
    ['a missing password', '[{"address":"a@x.cn"}]', [{ line: 1, code: 'missing-field', field: 'password' }]],
    ['a number for a name', '[{"address":"a@x.cn","password":"secret-password","displayName":7}]', [{ line: 1, code: 'missing-field', field: 'displayName' }]],
    ['an unknown field', '[{"address":"a@x.cn","password":"secret-password","admin":true}]', [{ line: 1, code: 'unknown-field', field: 'admin' }]],
  ])('reports %s', (_name, text, problems) => {
    expect(parseMailboxJson(text)).toEqual({ rows: [], problems });
  });
});

describe('importMailboxes', () => {
  it('tells how many passwords are hashed as it goes, and hashes several at once', async () => {
    const { core } = await testCore();
    const rows = Array.from({ length: 6 }, (_, n) => ({ line: n + 2, address: `user${n}@cstnet.cn`, password: `password-number-${n}` }));
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    const hash = core.hasher.hash.bind(core.hasher);
    core.hasher.hash = async (secret: string) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        return await hash(secret);
      } finally {
        inFlight -= 1;
      }
    };
    const outcome = await importMailboxes(core, { rows, problems: [] }, 'test', { concurrency: 3, onProgress: ({ hashed, total }) => seen.push(hashed * 10 + total) });
    expect(outcome.ok).toBe(true);
    expect(seen).toEqual([16, 26, 36, 46, 56, 66]);
    expect(most).toBe(3);
  });

  it('imports every row of a good file, normalised, and logs each', async () => {
    const { core } = await testCore();
    const outcome = await importMailboxes(core, parseMailboxCsv('address,password,displayName\nA@X.cn,secret-password-1,Alpha\nb@x.cn,secret-password-2,'), device);
    expect(outcome).toEqual({ ok: true, imported: ['a@x.cn', 'b@x.cn'] });
    expect(await listMailboxes(core)).toMatchObject([
      { address: 'a@x.cn', displayName: 'Alpha', methods: [] },
      { address: 'b@x.cn', displayName: 'b', methods: [] },
    ]);
    const a = await mailboxesOf(core).get('a@x.cn');
    expect(await core.hasher.verify('secret-password-1', a!.passwordHash)).toBe(true);
    expect(await core.store.collection<ActivityRecord>('activity').find({ kind: 'mailbox-registered' })).toHaveLength(2);
  });

  it('writes nothing when any row is bad, and reports every bad row by line', async () => {
    const { core } = await testCore();
    await createMailbox(core, { address: 'exists@x.cn' });
    const csv = [
      'address,password,displayName',
      'good1@x.cn,secret-password-1,',
      'not-an-address,secret-password-2,',
      'good2@x.cn,short,',
      'GOOD1@x.cn,secret-password-4,',
      'exists@x.cn,secret-password-5,',
      'selfaddress@x.cn,SelfAddress@X.cn,',
      `long@x.cn,secret-password-7,${'名'.repeat(65)}`,
      'good3@x.cn,secret-password-8,',
    ].join('\n');
    const outcome = await importMailboxes(core, parseMailboxCsv(csv), device);
    expect(outcome).toEqual({
      ok: false,
      problems: [
        { line: 3, code: 'invalid-address', field: 'address' },
        { line: 4, code: 'password-too-short', field: 'password' },
        { line: 5, code: 'duplicate-address', field: 'address' },
        { line: 6, code: 'mailbox-exists', field: 'address' },
        { line: 7, code: 'password-same-as-address', field: 'password' },
        { line: 8, code: 'display-name-too-long', field: 'displayName' },
      ],
    });
    expect((await listMailboxes(core)).map((m) => m.address)).toEqual(['exists@x.cn']);
    expect(await core.store.collection('activity').count({})).toBe(0);
  });

  it('carries the parser problems through and imports nothing', async () => {
    const { core } = await testCore();
    const outcome = await importMailboxes(core, parseMailboxCsv('address,password\na@x.cn,secret-password-1\nb@x.cn'), device);
    expect(outcome).toEqual({ ok: false, problems: [{ line: 3, code: 'wrong-field-count' }] });
    expect(await hasAnyMailbox(core)).toBe(false);
  });

  it('refuses a file with no mailboxes in it', async () => {
    const { core } = await testCore();
    expect(await importMailboxes(core, parseMailboxCsv('address,password\n'), device)).toEqual({ ok: false, problems: [{ line: 0, code: 'no-rows' }] });
    expect(await importMailboxes(core, parseMailboxJson('[]'), device)).toEqual({ ok: false, problems: [{ line: 0, code: 'no-rows' }] });
  });

  it('catches a mailbox registered while the file was being hashed', async () => {
    const { core } = await testCore();
    const hash = core.hasher.hash.bind(core.hasher);
    let registered = false;
    vi.spyOn(core.hasher, 'hash').mockImplementation(async (secret) => {
      if (!registered) {
        registered = true;
        await createMailbox(core, { address: 'late@x.cn' });
      }
      return hash(secret);
    });
    const outcome = await importMailboxes(core, parseMailboxJson('[{"address":"early@x.cn","password":"secret-password-1"},{"address":"late@x.cn","password":"secret-password-2"}]'), device);
    expect(outcome).toEqual({ ok: false, problems: [{ line: 2, code: 'mailbox-exists', field: 'address' }] });
    expect((await listMailboxes(core)).map((m) => m.address)).toEqual(['late@x.cn']);
  });

  it(`hashes at most ${importHashConcurrency} passwords at once`, async () => {
    expect(importHashConcurrency).toBe(4);
    const { core } = await testCore();
    const hash = core.hasher.hash.bind(core.hasher);
    let running = 0;
    let most = 0;
    vi.spyOn(core.hasher, 'hash').mockImplementation(async (secret) => {
      running += 1;
      most = Math.max(most, running);
      try {
        return await hash(secret);
      } finally {
        running -= 1;
      }
    });
    const rows = Array.from({ length: 12 }, (_, i) => `m${i}@x.cn,secret-password-${i}`).join('\n');
    expect((await importMailboxes(core, parseMailboxCsv(`address,password\n${rows}`), device)).ok).toBe(true);
    expect(most).toBe(4);
  });

  it('imports 1,000 mailboxes from a CSV and lists them', async () => {
    const { core } = await testCore();
    const rows = Array.from({ length: 1000 }, (_, i) => `user${String(i).padStart(4, '0')}@bulk.example.cn,"pass,word-${i}",User ${i}`);
    const outcome = await importMailboxes(core, parseMailboxCsv(`address,password,displayName\n${rows.join('\r\n')}\r\n`), device);
    expect(outcome.ok && outcome.imported.length).toBe(1000);
    const listed = await listMailboxes(core);
    expect(listed).toHaveLength(1000);
    expect(listed[0]).toMatchObject({ address: 'user0000@bulk.example.cn', displayName: 'User 0', methods: [] });
    expect(listed[999]).toMatchObject({ address: 'user0999@bulk.example.cn', displayName: 'User 999' });
    const last = await mailboxesOf(core).get('user0999@bulk.example.cn');
    expect(await core.hasher.verify('pass,word-999', last!.passwordHash)).toBe(true);
  }, 60_000);
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
    expect(await off.dispatch('auth:directory', {})).toEqual({ ok: true, data: { hasMailboxes: true, registration: true, demo: false, demoAccounts: [], trustedDeviceDays: 7 } });
  });
});
