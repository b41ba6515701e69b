/**
 * Fault suite, lock races (issue 10, fault 7): covers the one lock of electron/store/nedb-store.ts
 * as every writing path takes it (electron/core/*, through electron/core/dispatch.ts, plus the
 * mail-server check and the log's own pruning). Each pair of writing paths, the same path twice
 * included, runs at the same moment, twice over; every request must be answered (a deadlock is
 * caught by the test's time-out), none with `internal` or `storage-failed`, and the store must
 * take a write afterwards. Then the crowds the outside tester sent: 60 grant changes with 60 log
 * listings, and six mail logins, three right and three wrong.
 */
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/call';
import { createClientPassword } from '../../electron/core/client-passwords';
import { type Dispatch } from '../../electron/core/dispatch';
import { verifyMailLogin } from '../../electron/core/mail-login';
import { testCall } from '../factories/call';
import { testCore, type TestCore } from '../factories/core';
import { createMailbox, defaultTestPassword, signIn } from '../factories/mailbox';
import { coreDispatcher } from '../factories/dispatch';

const alice = 'alice@cstnet.cn';
const colleagues = ['bob@cstnet.cn', 'carol@cstnet.cn', 'dave@cstnet.cn'];

interface World {
  readonly t: TestCore;
  readonly dispatch: Dispatch;
  /** A fresh signed-in call for alice: each request its own connection, as separate windows are. */
  session(): Promise<CallContext>;
  readonly clientPassword: string;
  readonly grantId: string;
}

async function world(): Promise<World> {
  const t = await testCore();
  await createMailbox(t.core, { address: alice, phone: '+8613912345678' });
  for (const address of colleagues) await createMailbox(t.core, { address });
  const dispatcher = coreDispatcher(t.core);
  let n = 0;
  const session = async () => {
    const call = testCall({ connection: `alice-${(n += 1)}` });
    await signIn(t.core, call, alice);
    return call;
  };
  const created = await createClientPassword(t.core, alice, await session(), { name: 'Foxmail' });
  if (!created.ok) throw new Error(created.code);
  const grant = await dispatcher('grants:add', { grantee: colleagues[0], level: 'read-only' }, await session());
  if (!grant.ok) throw new Error(grant.code);
  return { t, dispatch: dispatcher, session, clientPassword: created.data.password, grantId: (grant.data as { id: string }).id };
}

type Path = (w: World, i: number) => Promise<unknown>;

let guesses = 0;

const through =
  (channel: string, request: (w: World, i: number) => unknown): Path =>
  async (w, i) =>
    w.dispatch(channel, request(w, i), await w.session());

/** Every path that writes the store, each as a person or a mail server would start it. */
const writingPaths: Record<string, Path> = {
  'grants:add': through('grants:add', (_w, i) => ({ grantee: colleagues[1 + (i % 2)], level: 'send-as' })),
  'grants:change': through('grants:change', (w, i) => ({ id: w.grantId, level: i % 2 ? 'send-as' : 'send-on-behalf' })),
  'grants:revoke': through('grants:revoke', (w) => ({ id: w.grantId })),
  'activity:list (prunes)': through('activity:list', () => ({})),
  'client-passwords:create': through('client-passwords:create', (_w, i) => ({ name: `Client ${i}` })),
  'client-passwords:revoke': async (w) => {
    const call = await w.session();
    const listed = await w.dispatch('client-passwords:list', {}, call);
    const first = listed.ok ? (listed.data as { passwords: { id: string }[] }).passwords[0] : undefined;
    return first ? w.dispatch('client-passwords:revoke', { id: first.id }, call) : listed;
  },
  'devices:remove-all': through('devices:remove-all', () => ({})),
  'two-factor:generate-backup-codes': through('two-factor:generate-backup-codes', () => ({})),
  'auth:sign-in, wrong password': (w) =>
    w.dispatch('auth:sign-in', { address: alice, password: 'wrong password' }, testCall({ connection: `guess-${(guesses += 1)}` })),
  'auth:sign-in, right password (sends a code)': (w) =>
    w.dispatch('auth:sign-in', { address: alice, password: defaultTestPassword }, testCall({ connection: `sign-in-${(guesses += 1)}` })),
  'account:change-password, wrong current': through('account:change-password', () => ({
    current: 'not it at all',
    next: 'a new long password 1',
    confirmation: 'a new long password 1',
  })),
  'settings:update': through('settings:update', (_w, i) => (i % 2 ? { theme: 'dark' } : { locale: 'en' })),
  'mail login, right client password': (w, i) =>
    verifyMailLogin(w.t.core, { address: alice, secret: w.clientPassword, protocol: 'imap', clientAddress: `203.0.113.${i}` }),
  'mail login, wrong password': (w, i) =>
    verifyMailLogin(w.t.core, { address: alice, secret: `wrong-${i}`, protocol: 'smtp', clientAddress: `198.51.100.${i}` }),
  'activity prune (whole log)': (w) => w.t.core.activity.prune(),
};

function expectAnswered(answers: unknown[]): void {
  for (const answer of answers) {
    const code = (answer as { ok?: boolean; code?: string }).ok === false ? (answer as { code: string }).code : null;
    expect(code === 'internal' || code === 'storage-failed', `answered ${code}`).toBe(false);
  }
}

const names = Object.keys(writingPaths);
const pairs = names.flatMap((a, i) => names.slice(i).map((b) => [a, b] as const));

describe('every pair of writing paths at the same moment', () => {
  it.each(pairs)('%s with %s', async (a, b) => {
    const w = await world();
    const answers = await Promise.all([0, 1].flatMap((i) => [writingPaths[a]!(w, i), writingPaths[b]!(w, i)]));
    expectAnswered(answers);
    // The store still takes a write, and the log still lists.
    await w.t.core.activity.record({ mailbox: alice, kind: 'policy-applied', device: 'after the race' });
    const listed = await w.dispatch('activity:list', { limit: 1 }, await w.session());
    expect(listed).toMatchObject({ ok: true, data: { events: [{ kind: 'policy-applied' }] } });
  });
});

describe('the crowds the outside tester sent', () => {
  it('60 grant changes and 60 log listings at once all answer, and writes go on', async () => {
    const w = await world();
    const crowd = Array.from({ length: 60 }, (_, i) => [writingPaths['grants:change']!(w, i), writingPaths['activity:list (prunes)']!(w, i)]).flat();
    const answers = await Promise.all(crowd);
    expect(answers.every((a) => (a as { ok: boolean }).ok)).toBe(true);
    expect(await w.dispatch('grants:change', { id: w.grantId, level: 'read-only' }, await w.session())).toMatchObject({
      ok: true,
      data: { level: 'read-only' },
    });
  });
});
