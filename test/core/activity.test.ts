// Covers electron/core/activity.ts and electron/core/activity-handlers.ts.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { activityKinds, activityPageSize, activityRetention, type ActivityKind, type ActivityRecord } from '../../electron/core/activity';
import { createCoreContext, type CoreContext } from '../../electron/core/context';
import { testScrypt } from '../factories/scrypt';
import { defaultPolicy } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import type { CollectionName } from '../../electron/core/store';
import { cryptoRandom } from '../../electron/platform/system';
import { NedbStore } from '../../electron/store/nedb-store';
import { testCall } from '../factories/call';
import { FakeClock } from '../factories/clock';
import { RecordingSms, testCore } from '../factories/core';
import { createMailbox, signIn } from '../factories/mailbox';
import { removeFolder, tempFolder } from '../factories/store';
import { coreDispatcher } from '../factories/dispatch';

const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';
const device = 'Windows · LAB-PC-07 / Mailwarden 1.0';

async function setup() {
  const t = await testCore();
  await createMailbox(t.core, { address: alice });
  await createMailbox(t.core, { address: bob });
  const call = testCall();
  await signIn(t.core, call, alice);
  const dispatcher = coreDispatcher(t.core);
  const dispatch = (channel: string, request: unknown, c = call) => dispatcher(channel, request, c);
  const record = (kind: ActivityKind, mailbox = alice, detail: Record<string, string | number> = {}) =>
    t.core.activity.record({ mailbox, kind, device, detail });
  return { ...t, call, dispatch, record };
}

function events(core: CoreContext) {
  return core.store.collection<ActivityRecord>('activity');
}

/** Writes `count` events straight into the store, oldest first, one millisecond apart, ending before now. */
async function seed(core: CoreContext, mailbox: string, count: number): Promise<void> {
  const start = core.clock.now() - count;
  for (let i = 0; i < count; i += 1) {
    await events(core).insert({
      _id: `seed-${mailbox}-${String(i).padStart(6, '0')}`,
      mailbox,
      kind: 'sign-in',
      outcome: 'success',
      at: start + i,
      device,
      detail: {},
    });
  }
}

describe('ActivityLog.record', () => {
  it('stamps the event with the clock, a success by default, and what it was given', async () => {
    const { core, record } = await setup();
    const event = await record('device-trusted', alice, { client: 'Chrome 156' });
    expect(event).toEqual({
      _id: expect.any(String),
      mailbox: alice,
      kind: 'device-trusted',
      outcome: 'success',
      at: core.clock.now(),
      device,
      detail: { client: 'Chrome 156' },
    });
    expect((await core.activity.record({ mailbox: alice, kind: 'sign-in-failed', outcome: 'failure', device })).outcome).toBe('failure');
  });
});

describe('one lock for the whole store', () => {
  // A request that records inside its own block and one that records outside any block, at the
  // same moment, used to wait on each other for ever: the log's queue and the store's lock were
  // taken in opposite orders. Vitest's time-out is the bound: a deadlock fails the test.
  it('lets a record inside a block and one outside it finish together', async () => {
    const { core, record } = await setup();
    const outside = record('sign-in');
    const inside = core.store.atomically(() => record('device-trusted'));
    await Promise.all([outside, inside]);
    expect((await core.activity.list(alice))!.events.map((e) => e.kind)).toEqual(['device-trusted', 'sign-in']);
  });

  it('lets a prune and a record inside a block finish together', async () => {
    const { core, record } = await setup();
    const pruning = core.activity.prune();
    const inside = core.store.atomically(() => record('grant-added'));
    const listing = core.activity.list(alice);
    await Promise.all([pruning, inside, listing]);
    expect((await core.activity.list(alice))!.events.map((e) => e.kind)).toEqual(['grant-added']);
  });

  it('undoes the event with the rest of a block that fails, and counts right afterwards', async () => {
    const { core, record } = await setup();
    await expect(
      core.store.atomically(async () => {
        await record('grant-added');
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    await record('grant-removed');
    expect((await core.activity.list(alice))!.events.map((e) => e.kind)).toEqual(['grant-removed']);
  });
});

describe('activity:list', () => {
  it('lists the signed-in mailbox’s events newest first, with time, kind, outcome, device and detail', async () => {
    const { core, clock, dispatch, record } = await setup();
    await record('sign-in');
    clock.advanceMinutes(1);
    await record('client-password-created', alice, { name: 'Foxmail' });
    await record('grant-added', bob);
    const listed = await dispatch('activity:list', {});
    expect(listed).toEqual({
      ok: true,
      data: {
        events: [
          { id: expect.any(String), at: clock.now(), kind: 'client-password-created', outcome: 'success', device, detail: { name: 'Foxmail' } },
          { id: expect.any(String), at: clock.now() - 60_000, kind: 'sign-in', outcome: 'success', device, detail: {} },
        ],
        nextCursor: null,
      },
    });
    expect(await core.activity.list(bob)).toMatchObject({ events: [{ kind: 'grant-added' }] });
  });

  it('orders events of the same millisecond by when they were recorded', async () => {
    const { dispatch, record } = await setup();
    const kinds: ActivityKind[] = ['sign-in', 'device-trusted', 'code-sent', 'phone-bound', 'backup-codes-generated'];
    for (const kind of kinds) await record(kind);
    const listed = (await dispatch('activity:list', {})) as { data: { events: { kind: string }[] } };
    expect(listed.data.events.map((e) => e.kind)).toEqual([...kinds].reverse());
  });

  it('filters by kind', async () => {
    const { dispatch, record } = await setup();
    await record('sign-in');
    await record('sign-in-failed');
    await record('sign-in');
    const listed = (await dispatch('activity:list', { kind: 'sign-in-failed' })) as { data: { events: { kind: string }[] } };
    expect(listed.data.events.map((e) => e.kind)).toEqual(['sign-in-failed']);
  });

  it('pages with a cursor, never repeating or skipping an event, even inside one millisecond', async () => {
    const { clock, dispatch, record } = await setup();
    const recorded: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      recorded.push((await record('code-sent', alice, { n: i }))._id);
      if (i % 3 === 2) clock.advance(1);
    }
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = (await dispatch('activity:list', { limit: 2, ...(before ? { before } : {}) })) as {
        ok: true;
        data: { events: { id: string }[]; nextCursor: string | null };
      };
      seen.push(...result.data.events.map((e) => e.id));
      if (!result.data.nextCursor) break;
      before = result.data.nextCursor;
    }
    expect(seen).toEqual([...recorded].reverse());
  });

  it('returns 50 by default and at most 200', async () => {
    const { core, dispatch } = await setup();
    expect(activityPageSize).toEqual({ default: 50, max: 200 });
    await seed(core, alice, 201);
    const page = async (request: object) => ((await dispatch('activity:list', request)) as { data: { events: unknown[]; nextCursor: string | null } }).data;
    expect((await page({})).events).toHaveLength(50);
    expect((await page({ limit: 200 })).events).toHaveLength(200);
    expect((await page({ limit: 200 })).nextCursor).not.toBeNull();
    expect(await dispatch('activity:list', { limit: 201 })).toMatchObject({ ok: false, code: 'invalid-request', fields: ['limit'] });
    expect(await dispatch('activity:list', { limit: 0 })).toMatchObject({ ok: false, code: 'invalid-request', fields: ['limit'] });
    expect(await dispatch('activity:list', { limit: 2.5 })).toMatchObject({ ok: false, code: 'invalid-request', fields: ['limit'] });
  });

  it('refuses an unknown kind and a cursor it did not make', async () => {
    const { dispatch } = await setup();
    expect(activityKinds).toContain('sign-in');
    expect(await dispatch('activity:list', { kind: 'no-such-kind' })).toEqual({ ok: false, code: 'invalid-request', fields: ['kind'] });
    expect(await dispatch('activity:list', { kind: 'Sign In' })).toMatchObject({ ok: false, code: 'invalid-request', fields: ['kind'] });
    expect(await dispatch('activity:list', { before: 'yesterday' })).toEqual({ ok: false, code: 'invalid-request', fields: ['before'] });
    expect(await dispatch('activity:list', { before: 'x'.repeat(97) })).toMatchObject({ ok: false, code: 'invalid-request', fields: ['before'] });
    expect(await dispatch('activity:list', { mailbox: bob })).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it('needs a signed-in mailbox that is not held at the binding page', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('activity:list', {}, testCall({ connection: 'nobody' }))).toEqual({ ok: false, code: 'not-signed-in' });
    const t = await testCore({ policy: { enforceTwoFactor: true } });
    await createMailbox(t.core, { address: alice });
    const held = testCall({ connection: 'held' });
    await t.core.sessions.start(held, { mailbox: alice, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now(), enrollmentRequired: true });
    const dispatcher = coreDispatcher(t.core);
    expect(await dispatcher('activity:list', {}, held)).toEqual({ ok: false, code: 'two-factor-required' });
  });
});

describe('retention: 180 days or 10,000 events per mailbox, whichever is smaller', () => {
  it('keeps the 10,000th event and drops the oldest at the 10,001st', async () => {
    const { core, record } = await setup();
    expect(activityRetention.perMailbox).toBe(10_000);
    await seed(core, alice, 9_999);
    await seed(core, bob, 3);
    await record('sign-in');
    expect(await events(core).count({ mailbox: alice })).toBe(10_000);
    expect(await events(core).count({ _id: `seed-${alice}-000000` })).toBe(1);
    await record('sign-in');
    expect(await events(core).count({ mailbox: alice })).toBe(10_000);
    expect(await events(core).count({ _id: `seed-${alice}-000000` })).toBe(0);
    expect(await events(core).count({ _id: `seed-${alice}-000001` })).toBe(1);
    // Several at once still leave exactly the newest 10,000.
    await Promise.all([record('sign-in'), record('sign-in'), record('sign-in')]);
    expect(await events(core).count({ mailbox: alice })).toBe(10_000);
    expect(await events(core).count({ _id: { $in: [`seed-${alice}-000001`, `seed-${alice}-000002`, `seed-${alice}-000003`] } })).toBe(0);
    expect(await events(core).count({ _id: `seed-${alice}-000004` })).toBe(1);
    // Another mailbox's history is its own.
    expect(await events(core).count({ mailbox: bob })).toBe(3);
  });

  it('keeps an event 180 days old and removes it once it is older', async () => {
    const { core, clock, record } = await setup();
    expect(activityRetention.days).toBe(180);
    const old = await record('sign-in');
    clock.advanceDays(180);
    await record('code-sent');
    expect(await events(core).count({ _id: old._id })).toBe(1);
    clock.advance(1);
    await record('code-sent');
    expect(await events(core).count({ _id: old._id })).toBe(0);
    expect(await events(core).count({ mailbox: alice })).toBe(2);
  });

  it('never lists an event past 180 days, even before anything new is recorded', async () => {
    const { clock, dispatch, record } = await setup();
    await record('sign-in');
    clock.advanceDays(180);
    clock.advance(1);
    expect(await dispatch('activity:list', {})).toEqual({ ok: true, data: { events: [], nextCursor: null } });
  });

  it('prune applies the rule to one mailbox or to the whole log', async () => {
    const { core, clock, record } = await setup();
    await record('sign-in', alice);
    await record('sign-in', bob);
    await events(core).insert({ _id: 'stray', mailbox: 'gone@cstnet.cn', kind: 'sign-in', outcome: 'success', at: clock.now(), device, detail: {} });
    clock.advanceDays(181);
    await record('code-sent', alice);
    expect(await core.activity.prune(bob)).toBe(1);
    expect(await events(core).count({ mailbox: bob })).toBe(0);
    expect(await events(core).count({ _id: 'stray' })).toBe(1);
    expect(await core.activity.prune()).toBe(1);
    expect(await events(core).count({})).toBe(1);
    expect(await core.activity.prune()).toBe(0);
  });

  it('keeps counting correctly after a prune of its own', async () => {
    const { core, record } = await setup();
    await seed(core, alice, 10_000);
    await record('sign-in');
    await record('sign-in');
    expect(await events(core).count({ mailbox: alice })).toBe(10_000);
    expect(await events(core).count({ _id: { $in: [`seed-${alice}-000000`, `seed-${alice}-000001`] } })).toBe(0);
  });
});

describe('recordUnlessRecent', () => {
  it('records once per kind, outcome, device and chosen detail within the window', async () => {
    const { core, clock } = await setup();
    const event = { mailbox: alice, kind: 'client-password-rejected' as const, outcome: 'failure' as const, device: 'IMAP from 203.0.113.5' };
    expect(await core.activity.recordUnlessRecent({ ...event, detail: { reason: 'wrong' } }, 60_000, ['reason'])).toBe(true);
    expect(await core.activity.recordUnlessRecent({ ...event, detail: { reason: 'wrong' } }, 60_000, ['reason'])).toBe(false);
    expect(await core.activity.recordUnlessRecent({ ...event, detail: { reason: 'expired' } }, 60_000, ['reason'])).toBe(true);
    expect(await core.activity.recordUnlessRecent({ ...event, device: 'SMTP from 203.0.113.5', detail: { reason: 'wrong' } }, 60_000, ['reason'])).toBe(true);
    clock.advance(59_999);
    expect(await core.activity.recordUnlessRecent({ ...event, detail: { reason: 'wrong' } }, 60_000, ['reason'])).toBe(false);
    clock.advance(1);
    expect(await core.activity.recordUnlessRecent({ ...event, detail: { reason: 'wrong' } }, 60_000, ['reason'])).toBe(true);
  });
});

describe('loading', () => {
  let folder: string | undefined;
  afterEach(async () => {
    if (folder) await removeFolder(folder);
    folder = undefined;
  });

  it('does not open the activity datastore until the log is first used', async () => {
    folder = await tempFolder('activity');
    const store = await NedbStore.open({ dataDir: folder, lazy: ['activity'] });
    // nedb creates a collection's file when it loads it.
    const loaded = (name: CollectionName) => existsSync(store.fileOf(name)!);
    const core = createCoreContext(
      {
        store,
        clock: new FakeClock(),
        random: cryptoRandom,
        sms: new RecordingSms(),
        keys: { mac: cryptoRandom.bytes(32) },
        logger: silentLogger,
        policy: () => defaultPolicy,
      },
      { scrypt: testScrypt },
    );
    await createMailbox(core, { address: alice });
    expect(loaded('mailboxes')).toBe(true);
    expect(loaded('activity')).toBe(false);
    await core.activity.list(alice);
    expect(loaded('activity')).toBe(true);
    await store.close();
  });
});
