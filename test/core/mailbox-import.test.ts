// Covers electron/core/mailbox-import.ts: the IT import of mailboxes from JSON or CSV, all or nothing.
import { describe, expect, it, vi } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import { hasAnyMailbox, importHashConcurrency, listMailboxes } from '../../electron/core/directory';
import type { MailboxRecord } from '../../electron/core/mailbox';
import { importMailboxes, parseCsv, parseMailboxCsv, parseMailboxJson } from '../../electron/core/mailbox-import';
import { testCore } from '../factories/core';
import { createMailbox } from '../factories/mailbox';

const device = 'Linux · test-host / Chrome 156';

function mailboxesOf(core: Awaited<ReturnType<typeof testCore>>['core']) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and numbers records by their first line', () => {
    const text =
      '\uFEFFaddress,password,displayName\r\n"a@x.cn","pass,word ""1""","Line one\nline two"\r\nb@x.cn,plain-password-2,\n\nc@x.cn,third-password,Wang';
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
    expect(
      parseMailboxJson('[{"address":"a@x.cn","password":"secret-password-1","displayName":"A"},{"address":"b@x.cn","password":"secret-password-2"}]'),
    ).toEqual({
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
    const outcome = await importMailboxes(core, { rows, problems: [] }, 'test', {
      concurrency: 3,
      onProgress: ({ hashed, total }) => seen.push(hashed * 10 + total),
    });
    expect(outcome.ok).toBe(true);
    expect(seen).toEqual([16, 26, 36, 46, 56, 66]);
    expect(most).toBe(3);
  });

  it('imports every row of a good file, normalised, and logs each', async () => {
    const { core } = await testCore();
    const outcome = await importMailboxes(
      core,
      parseMailboxCsv('address,password,displayName\nA@X.cn,secret-password-1,Alpha\nb@x.cn,secret-password-2,'),
      device,
    );
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
    const outcome = await importMailboxes(
      core,
      parseMailboxJson('[{"address":"early@x.cn","password":"secret-password-1"},{"address":"late@x.cn","password":"secret-password-2"}]'),
      device,
    );
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
