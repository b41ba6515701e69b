// Covers electron/core/grants.ts and the rules it enforces from electron/shared/grant-rules.ts.
import { describe, expect, it, vi } from 'vitest';
import type { CoreContext } from '../../electron/core/context';
import { addMonths } from '../../electron/shared/grant-rules';
import { grantEndRange, lapseDevice, type GrantRecord } from '../../electron/core/grants';
import { StorageError } from '../../electron/core/ports';
import { grantActions, grantLevels, may, messageHeaders, type GrantAction, type GrantLevel } from '../../electron/shared/grant-rules';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, signIn } from '../factories/mailbox';
import { grantStanding } from '../factories/grants';
import { coreDispatcher } from '../factories/dispatch';

const owner = 'public@cstnet.cn';
const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';
const dayMs = 86_400_000;

async function setup() {
  const t = await testCore();
  await createMailbox(t.core, { address: owner, displayName: '办公室公共邮箱', phone: '+8613912345678' });
  await createMailbox(t.core, { address: alice, displayName: 'Alice Wang' });
  await createMailbox(t.core, { address: bob, displayName: 'Bob Li' });
  const calls = { owner: testCall({ connection: 'owner' }), alice: testCall({ connection: 'alice' }), bob: testCall({ connection: 'bob' }) };
  await signIn(t.core, calls.owner, owner);
  await signIn(t.core, calls.alice, alice);
  await signIn(t.core, calls.bob, bob);
  const dispatcher = coreDispatcher(t.core);
  const dispatch = (channel: string, request: unknown, call = calls.owner) => dispatcher(channel, request, call);
  const add = async (request: Record<string, unknown>) => {
    const result = await dispatch('grants:add', request);
    if (!result.ok) throw new Error(result.code);
    return result.data as { id: string; endsAt: number | null };
  };
  return { ...t, calls, dispatch, add };
}

function stored(core: CoreContext) {
  return core.store.collection<GrantRecord>('grants');
}

async function kinds(core: CoreContext, mailbox: string) {
  return (await core.activity.list(mailbox, { limit: 200 }))!.events.filter((e) => e.kind.startsWith('grant-'));
}

describe('may(level, action): the table of docs/rules.md §9', () => {
  const table: Record<GrantAction, Record<GrantLevel, boolean>> = {
    view: { 'read-only': true, 'send-on-behalf': true, 'send-as': true },
    'change-unread': { 'read-only': false, 'send-on-behalf': false, 'send-as': true },
    delete: { 'read-only': false, 'send-on-behalf': false, 'send-as': true },
    compose: { 'read-only': false, 'send-on-behalf': true, 'send-as': true },
  };
  const cells = grantActions.flatMap((action) => grantLevels.map((level) => [action, level, table[action][level]] as const));

  it('has three levels and four actions: twelve cells', () => {
    expect(cells).toHaveLength(12);
  });

  it.each(cells)('%s at %s → %s', (action, level, allowed) => {
    expect(may(level, action)).toBe(allowed);
  });
});

describe('messageHeaders(level, owner, grantee)', () => {
  it('sends on behalf as From: owner, Sender: grantee (shown as 代发)', () => {
    expect(messageHeaders('send-on-behalf', owner, alice)).toEqual({ from: owner, sender: alice });
  });

  it('sends as the owner directly, with no Sender', () => {
    expect(messageHeaders('send-as', owner, alice)).toEqual({ from: owner, sender: null });
  });

  it('refuses to build headers for read-only, which cannot send', () => {
    expect(messageHeaders('read-only', owner, alice)).toBeNull();
  });
});

describe('grants:add', () => {
  it('grants a level to an existing mailbox and shows it on both sides', async () => {
    const { core, dispatch, calls } = await setup();
    const added = await dispatch('grants:add', { grantee: ' Alice@CSTNET.cn ', level: 'send-on-behalf' });
    expect(added).toEqual({
      ok: true,
      data: {
        id: expect.any(String),
        grantee: alice,
        granteeName: 'Alice Wang',
        level: 'send-on-behalf',
        createdAt: core.clock.now(),
        changedAt: core.clock.now(),
        endsAt: null,
      },
    });
    expect(await dispatch('grants:list-given', {})).toEqual({ ok: true, data: { grants: [(added as { data: unknown }).data] } });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toEqual({
      ok: true,
      data: { mailboxes: [{ id: expect.any(String), owner, ownerName: '办公室公共邮箱', level: 'send-on-behalf', endsAt: null, isNew: true }] },
    });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.bob)).toEqual({ ok: true, data: { mailboxes: [] } });
  });

  it('logs the grant on the owner’s and on the grantee’s activity', async () => {
    const { core, add } = await setup();
    await add({ grantee: alice, level: 'read-only' });
    const device = 'Linux · test-host / Chrome 156';
    expect(await kinds(core, owner)).toMatchObject([{ kind: 'grant-added', device, detail: { grantee: alice, level: 'read-only' } }]);
    expect(await kinds(core, alice)).toMatchObject([{ kind: 'grant-added', device, detail: { owner, level: 'read-only' } }]);
  });

  it('refuses a grantee that does not exist', async () => {
    const { core, dispatch } = await setup();
    expect(await dispatch('grants:add', { grantee: 'nobody@cstnet.cn', level: 'read-only' })).toEqual({ ok: false, code: 'mailbox-unknown' });
    expect(await stored(core).count({})).toBe(0);
  });

  it('refuses the owner itself, however it is spelled', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('grants:add', { grantee: 'PUBLIC@cstnet.cn', level: 'send-as' })).toEqual({ ok: false, code: 'grant-self' });
  });

  it('refuses a second grant to the same mailbox: a new level is a change', async () => {
    const { core, dispatch, calls, add } = await setup();
    await add({ grantee: alice, level: 'read-only' });
    expect(await dispatch('grants:add', { grantee: alice, level: 'send-as' })).toEqual({ ok: false, code: 'grant-exists' });
    expect(await stored(core).find({})).toMatchObject([{ level: 'read-only' }]);
    // The pair is directed: Alice may still share her own mailbox with the owner.
    expect(await dispatch('grants:add', { grantee: owner, level: 'read-only' }, calls.alice)).toMatchObject({ ok: true });
  });

  it('takes an end date from 1 day to 6 months ahead', async () => {
    const { core, dispatch } = await setup();
    const now = core.clock.now();
    expect(grantEndRange).toEqual({ minDays: 1, maxMonths: 6 });
    const at = (endsAt: number, grantee = alice) => dispatch('grants:add', { grantee, level: 'read-only', endsAt });
    expect(await at(now + dayMs - 1)).toEqual({ ok: false, code: 'end-date-invalid' });
    expect(await at(now - dayMs)).toEqual({ ok: false, code: 'end-date-invalid' });
    // The test clock stands at 23 November 2026: six months on is 23 May 2027, same time of day.
    expect(addMonths(now, 6)).toBe(Date.UTC(2027, 4, 23, 9, 0, 0));
    expect(await at(addMonths(now, 6) + 1)).toEqual({ ok: false, code: 'end-date-invalid' });
    expect(await at(now + dayMs)).toMatchObject({ ok: true, data: { endsAt: now + dayMs } });
    expect(await at(addMonths(now, 6), bob)).toMatchObject({ ok: true, data: { endsAt: addMonths(now, 6) } });
  });

  it('refuses malformed requests at the schema', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('grants:add', { grantee: alice, level: 'owner' })).toMatchObject({ ok: false, code: 'invalid-request', fields: ['level'] });
    expect(await dispatch('grants:add', { grantee: 'a'.repeat(255), level: 'read-only' })).toMatchObject({
      ok: false,
      code: 'invalid-request',
      fields: ['grantee'],
    });
    expect(await dispatch('grants:add', { grantee: alice, level: 'read-only', endsAt: 1.5 })).toMatchObject({
      ok: false,
      code: 'invalid-request',
      fields: ['endsAt'],
    });
    expect(await dispatch('grants:add', { grantee: alice, level: 'read-only', owner: bob })).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it('leaves no grant behind when the grantee’s log cannot be written', async () => {
    const { core, dispatch } = await setup();
    const record = core.activity.record.bind(core.activity);
    vi.spyOn(core.activity, 'record').mockImplementationOnce(record).mockRejectedValueOnce(new StorageError('disk full'));
    expect(await dispatch('grants:add', { grantee: alice, level: 'read-only' })).toEqual({ ok: false, code: 'storage-failed' });
    expect(await stored(core).count({})).toBe(0);
    expect(await kinds(core, owner)).toEqual([]);
  });
});

describe('end dates', () => {
  it('keeps the same day of the month, or the month’s last day when it is shorter', () => {
    expect(addMonths(Date.UTC(2026, 7, 31, 12), 6)).toBe(Date.UTC(2027, 1, 28, 12));
    expect(addMonths(Date.UTC(2027, 7, 31, 12), 6)).toBe(Date.UTC(2028, 1, 29, 12));
    expect(addMonths(Date.UTC(2026, 0, 15), 6)).toBe(Date.UTC(2026, 6, 15));
  });

  it('lapses a grant at its end: no longer listed, honoured, changed or revoked; logged as ended', async () => {
    const { core, clock, dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'send-as', endsAt: clock.now() + dayMs });
    clock.advance(dayMs - 1);
    expect(await grantStanding(core, owner, alice, 'view')).toEqual({ ok: true, data: { level: 'send-as' } });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toMatchObject({ data: { mailboxes: [{ owner }] } });
    clock.advance(1);
    expect(await grantStanding(core, owner, alice, 'view')).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:change', { id: grant.id, level: 'read-only' })).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:revoke', { id: grant.id })).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toEqual({ ok: true, data: { mailboxes: [] } });
    expect(await dispatch('grants:list-given', {})).toEqual({ ok: true, data: { grants: [] } });
    expect(await stored(core).count({})).toBe(0);
    const ended = (await kinds(core, owner)).filter((e) => e.kind === 'grant-removed');
    expect(ended).toMatchObject([{ device: lapseDevice, detail: { grantee: alice, reason: 'lapsed' } }]);
    expect((await kinds(core, alice)).filter((e) => e.kind === 'grant-removed')).toHaveLength(1);
  });

  it('lets the owner grant the same mailbox again once the old grant has lapsed', async () => {
    const { clock, dispatch, add } = await setup();
    await add({ grantee: alice, level: 'read-only', endsAt: clock.now() + dayMs });
    clock.advanceDays(1);
    expect(await dispatch('grants:add', { grantee: alice, level: 'send-as' })).toMatchObject({ ok: true, data: { level: 'send-as' } });
  });
});

describe('grants:change', () => {
  it('changes the level and logs old and new on both sides', async () => {
    const { core, clock, dispatch, add } = await setup();
    const grant = await add({ grantee: alice, level: 'read-only' });
    clock.advanceMinutes(1);
    expect(await dispatch('grants:change', { id: grant.id, level: 'send-as' })).toMatchObject({ ok: true, data: { level: 'send-as', changedAt: clock.now() } });
    expect(await grantStanding(core, owner, alice, 'delete')).toEqual({ ok: true, data: { level: 'send-as' } });
    expect((await kinds(core, owner))[0]).toMatchObject({ kind: 'grant-changed', detail: { grantee: alice, level: 'send-as', previousLevel: 'read-only' } });
    expect((await kinds(core, alice))[0]).toMatchObject({ kind: 'grant-changed', detail: { owner, level: 'send-as', previousLevel: 'read-only' } });
  });

  it('keeps the end date when none is given, removes it with null, and checks a new one', async () => {
    const { clock, dispatch, add } = await setup();
    const endsAt = clock.now() + 30 * dayMs;
    const grant = await add({ grantee: alice, level: 'read-only', endsAt });
    expect(await dispatch('grants:change', { id: grant.id, level: 'send-on-behalf' })).toMatchObject({ data: { endsAt } });
    expect(await dispatch('grants:change', { id: grant.id, level: 'send-on-behalf', endsAt: clock.now() + 1000 })).toEqual({
      ok: false,
      code: 'end-date-invalid',
    });
    expect(await dispatch('grants:change', { id: grant.id, level: 'send-on-behalf', endsAt: addMonths(clock.now(), 6) })).toMatchObject({
      data: { endsAt: addMonths(clock.now(), 6) },
    });
    expect(await dispatch('grants:change', { id: grant.id, level: 'send-on-behalf', endsAt: null })).toMatchObject({ data: { endsAt: null } });
  });

  it('writes and logs nothing when nothing changes', async () => {
    const { core, dispatch, add } = await setup();
    const grant = await add({ grantee: alice, level: 'read-only' });
    expect(await dispatch('grants:change', { id: grant.id, level: 'read-only' })).toMatchObject({ ok: true, data: { level: 'read-only' } });
    expect((await kinds(core, owner)).map((e) => e.kind)).toEqual(['grant-added']);
  });

  it('is the owner’s alone: the grantee and others get not-found', async () => {
    const { core, dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'read-only' });
    expect(await dispatch('grants:change', { id: grant.id, level: 'send-as' }, calls.alice)).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:change', { id: grant.id, level: 'send-as' }, calls.bob)).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:change', { id: 'nope', level: 'send-as' })).toEqual({ ok: false, code: 'not-found' });
    expect(await stored(core).find({})).toMatchObject([{ level: 'read-only' }]);
  });
});

describe('grants:revoke', () => {
  it('ends the grant at once and logs it on both sides', async () => {
    const { core, dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'send-as' });
    expect(await dispatch('grants:revoke', { id: grant.id })).toEqual({ ok: true, data: {} });
    expect(await grantStanding(core, owner, alice, 'view')).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toEqual({ ok: true, data: { mailboxes: [] } });
    expect((await kinds(core, owner))[0]).toMatchObject({ kind: 'grant-removed', detail: { grantee: alice, level: 'send-as' } });
    expect((await kinds(core, alice))[0]).toMatchObject({ kind: 'grant-removed', detail: { owner } });
  });

  it('is the owner’s alone', async () => {
    const { core, dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'send-as' });
    expect(await dispatch('grants:revoke', { id: grant.id }, calls.alice)).toEqual({ ok: false, code: 'not-found' });
    expect(await stored(core).count({})).toBe(1);
  });
});

describe('the grantee is told, and can decline', () => {
  it('lists a new share as new until the grantee has seen it', async () => {
    const { dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'read-only' });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toMatchObject({ ok: true, data: { mailboxes: [{ id: grant.id, isNew: true }] } });
    // Only the grantee can mark it seen.
    expect(await dispatch('grants:acknowledge', { ids: [grant.id] }, calls.bob)).toEqual({ ok: true, data: {} });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toMatchObject({ ok: true, data: { mailboxes: [{ isNew: true }] } });
    expect(await dispatch('grants:acknowledge', { ids: [grant.id] }, calls.alice)).toEqual({ ok: true, data: {} });
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toMatchObject({ ok: true, data: { mailboxes: [{ isNew: false }] } });
  });

  it('takes a grant made before this existed as seen', async () => {
    const { core, dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'read-only' });
    const { seenAt: _, ...older } = (await stored(core).get(grant.id))!;
    await stored(core).replace(older as GrantRecord);
    expect(await dispatch('grants:list-shared-with-me', {}, calls.alice)).toMatchObject({ ok: true, data: { mailboxes: [{ isNew: false }] } });
  });

  it('lets the grantee end a share: gone for both, off the mail server, and logged as declined on both sides', async () => {
    const { core, dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'send-as' });
    expect(await dispatch('grants:decline', { id: grant.id }, calls.alice)).toEqual({ ok: true, data: {} });
    expect(await grantStanding(core, owner, alice, 'view')).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:list-given', {})).toEqual({ ok: true, data: { grants: [] } });
    // No right is wanted on the mail server any more (never applied here, so nothing is left to undo).
    expect(await core.store.collection<{ _id: string; wanted: string }>('mailAcls').find({ wanted: { $ne: '' } })).toEqual([]);
    expect((await kinds(core, owner))[0]).toMatchObject({ kind: 'grant-removed', detail: { grantee: alice, reason: 'declined' } });
    expect((await kinds(core, alice))[0]).toMatchObject({ kind: 'grant-removed', detail: { owner, reason: 'declined' } });
  });

  it('is the grantee’s alone: the owner and anyone else get not-found, and nothing changes', async () => {
    const { core, dispatch, calls, add } = await setup();
    const grant = await add({ grantee: alice, level: 'send-as' });
    expect(await dispatch('grants:decline', { id: grant.id })).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('grants:decline', { id: grant.id }, calls.bob)).toEqual({ ok: false, code: 'not-found' });
    expect(await stored(core).count({})).toBe(1);
  });
});

describe('grantStanding', () => {
  it.each(grantLevels)('answers each action as the table says for %s', async (level) => {
    const { core, add } = await setup();
    await add({ grantee: alice, level });
    for (const action of grantActions) {
      expect(await grantStanding(core, owner, alice, action)).toEqual(
        may(level, action) ? { ok: true, data: { level } } : { ok: false, code: 'grant-forbidden' },
      );
    }
    // A grant runs one way only.
    expect(await grantStanding(core, alice, owner, 'view')).toEqual({ ok: false, code: 'not-found' });
    expect(await grantStanding(core, owner, bob, 'view')).toEqual({ ok: false, code: 'not-found' });
  });
});

describe('signed-in only', () => {
  it.each([
    ['grants:list-given', {}],
    ['grants:list-shared-with-me', {}],
    ['grants:add', { grantee: alice, level: 'read-only' }],
    ['grants:change', { id: 'x', level: 'read-only' }],
    ['grants:revoke', { id: 'x' }],
    ['grants:decline', { id: 'x' }],
    ['grants:acknowledge', { ids: ['x'] }],
  ])('%s needs a session', async (channel, request) => {
    const { dispatch } = await setup();
    expect(await dispatch(channel, request, testCall({ connection: 'nobody' }))).toEqual({ ok: false, code: 'not-signed-in' });
  });
});
