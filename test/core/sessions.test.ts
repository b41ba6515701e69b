// Covers electron/core/sessions.ts: the two session keepers, and what the store-kept one shares
// between processes. Runs on the embedded store, and on PostgreSQL under vitest.postgres.config.ts.
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { createCoreContext, type CoreContext, type CorePorts } from '../../electron/core/context';
import { testScrypt } from '../factories/scrypt';
import { keyedHash } from '../../electron/core/keyed-hash';
import { MemorySessions, StoredSessions } from '../../electron/core/sessions';
import { authStatus, signIn, signOut, verifySignInCode } from '../../electron/core/sign-in';
import { testCall } from '../factories/call';
import { testCore, type TestCore } from '../factories/core';
import { createMailbox, defaultTestPassword as password } from '../factories/mailbox';

const address = 'zhang.wei@cstnet.cn';
const totpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const hourMs = 3_600_000;

function totpCode(now: number): string {
  return new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: now });
}

/** Two cores on one store with the same key: two server processes of one organisation. */
async function twoProcesses(lifetimeMs = 12 * hourMs): Promise<{ t: TestCore; a: CoreContext; b: CoreContext }> {
  const t = await testCore();
  const ports: CorePorts = { ...t.core };
  const stored = (p: CorePorts) => new StoredSessions(p.store, p.keys.mac, p.clock, { sessionLifetimeMs: lifetimeMs });
  const a = createCoreContext(ports, { scrypt: testScrypt, sessions: stored });
  const b = createCoreContext(ports, { scrypt: testScrypt, sessions: stored });
  await createMailbox(a, { address, totp: totpSecret });
  return { t, a, b };
}

describe('StoredSessions: one organisation, several processes', () => {
  it('finishes on one process a sign-in whose password another process checked, and both see the session', async () => {
    const { t, a, b } = await twoProcesses();
    const call = testCall({ connection: 'browser-token-1' });
    expect(await signIn(a, call, { address, password })).toMatchObject({ ok: true, data: { status: 'code-required' } });
    expect(await authStatus(b, call)).toMatchObject({ status: 'code-required', mailbox: address });
    expect(await verifySignInCode(b, call, { code: totpCode(t.clock.now()), method: 'totp', trustDevice: false })).toMatchObject({ ok: true });
    expect(await authStatus(a, call)).toMatchObject({ status: 'signed-in', mailbox: address });
    await signOut(b, call);
    expect(await authStatus(a, call)).toEqual({ status: 'signed-out' });
  });

  it('locks an address with no mailbox after five failures spread over both processes', async () => {
    const { a, b } = await twoProcesses();
    const nobody = 'no.such.person@cstnet.cn';
    for (let i = 0; i < 4; i += 1)
      expect(await signIn(i % 2 ? a : b, testCall({ connection: `g${i}` }), { address: nobody, password: 'guess' })).toEqual({
        ok: false,
        code: 'sign-in-failed',
      });
    expect(await signIn(a, testCall({ connection: 'g4' }), { address: nobody, password: 'guess' })).toMatchObject({ ok: false, code: 'mailbox-locked' });
    // The other process refuses too, as it would for a real mailbox.
    expect(await signIn(b, testCall({ connection: 'g5' }), { address: nobody, password: 'guess' })).toMatchObject({ ok: false, code: 'mailbox-locked' });
  });

  it('keeps only a keyed hash of the connection id, never the id a browser holds', async () => {
    const { t, a } = await twoProcesses();
    await a.sessions.start(testCall({ connection: 'bearer-secret-value' }), { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    const rows = await t.store.collection('sessions').find({});
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('bearer-secret-value');
  });

  it('ends a session at its lifetime, and drops the rows of connections that never came back', async () => {
    const { t, a } = await twoProcesses(2 * hourMs);
    const old = testCall({ connection: 'old' });
    await a.sessions.start(old, { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    t.clock.advance(2 * hourMs - 1);
    expect(await a.sessions.current(old)).toMatchObject({ mailbox: address });
    t.clock.advance(1);
    expect(await a.sessions.current(old)).toBeNull();
    await a.sessions.start(testCall({ connection: 'new' }), { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    expect(await t.store.collection('sessions').count({})).toBe(1);
  });

  it('signs a mailbox out on every connection and process, and leaves other mailboxes alone', async () => {
    const { t, a, b } = await twoProcesses();
    const now = t.clock.now();
    const [one, two, other] = ['c1', 'c2', 'c3'].map((connection) => testCall({ connection }));
    await a.sessions.start(one!, { mailbox: address, signedInAt: now, passwordCheckedAt: now });
    await b.sessions.start(two!, { mailbox: address, signedInAt: now, passwordCheckedAt: now });
    await b.sessions.start(other!, { mailbox: 'li.na@cstnet.cn', signedInAt: now, passwordCheckedAt: now });
    await a.sessions.endAllFor(address);
    expect(await b.sessions.current(one!)).toBeNull();
    expect(await a.sessions.current(two!)).toBeNull();
    expect(await a.sessions.current(other!)).toMatchObject({ mailbox: 'li.na@cstnet.cn' });
  });
});

describe('MemorySessions: a desktop', () => {
  it('keeps nothing in the store, so quitting the app signs out', async () => {
    const t = await testCore();
    const core = createCoreContext({ ...t.core }, { scrypt: testScrypt });
    expect(core.sessions).toBeInstanceOf(MemorySessions);
    await createMailbox(core, { address });
    expect(await signIn(core, testCall(), { address, password })).toMatchObject({ ok: true, data: { status: 'signed-in' } });
    expect(await t.store.collection('sessions').count({})).toBe(0);
  });
});

describe.each([
  ['MemorySessions (a desktop)', () => new MemorySessions()],
  ['StoredSessions (an organisation)', null],
] as const)('%s: the list of signed-in sessions', (_name, memory) => {
  async function keeper() {
    const t = await testCore();
    const sessions = memory ? memory() : new StoredSessions(t.core.store, t.core.keys.mac, t.core.clock, { sessionLifetimeMs: 12 * hourMs });
    return { t, sessions };
  }
  const laptop = testCall({ connection: 'laptop', device: { label: 'macOS · MBP', client: 'Safari 18', address: '203.0.113.7' } });
  const office = testCall({ connection: 'office', device: { label: 'Windows · LAB-PC-07', client: 'Mailwarden 1.0' } });
  const theirs = testCall({ connection: 'theirs' });

  it("lists the mailbox's sessions oldest first, each with its device and which one asked, and nobody else's", async () => {
    const { t, sessions } = await keeper();
    await sessions.start(office, { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    t.clock.advance(60_000);
    await sessions.start(laptop, { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    await sessions.start(theirs, { mailbox: 'li.na@cstnet.cn', signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    const listed = await sessions.list(laptop, address);
    expect(listed.map(({ session, current }) => [session.device.client, session.device.address, current])).toEqual([
      ['Mailwarden 1.0', undefined, false],
      ['Safari 18', '203.0.113.7', true],
    ]);
    // Ids name sessions, not connections: nothing a browser holds appears in them.
    expect(new Set(listed.map(({ session }) => session.id)).size).toBe(2);
    expect(JSON.stringify(listed)).not.toContain('laptop');
  });

  it('ends one session by its id, only for its own mailbox', async () => {
    const { t, sessions } = await keeper();
    await sessions.start(office, { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    await sessions.start(laptop, { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    const officeId = (await sessions.current(office))!.id;
    expect(await sessions.endById(laptop, 'li.na@cstnet.cn', officeId)).toBeNull();
    expect(await sessions.current(office)).not.toBeNull();
    expect(await sessions.endById(laptop, address, officeId)).toMatchObject({ current: false, session: { device: { client: 'Mailwarden 1.0' } } });
    expect(await sessions.current(office)).toBeNull();
    expect(await sessions.current(laptop)).not.toBeNull();
    expect(await sessions.endById(laptop, address, officeId)).toBeNull();
  });

  it('signs out every other session of the mailbox and keeps the one that asked', async () => {
    const { t, sessions } = await keeper();
    for (const call of [office, laptop]) await sessions.start(call, { mailbox: address, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    await sessions.start(theirs, { mailbox: 'li.na@cstnet.cn', signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    expect(await sessions.endAllFor(address, laptop)).toBe(1);
    expect(await sessions.current(office)).toBeNull();
    expect(await sessions.current(laptop)).toMatchObject({ mailbox: address });
    expect(await sessions.current(theirs)).toMatchObject({ mailbox: 'li.na@cstnet.cn' });
    expect(await sessions.endAllFor(address, laptop)).toBe(0);
    expect(await sessions.endAllFor(address)).toBe(1);
    expect(await sessions.current(laptop)).toBeNull();
  });

  it('holds several mailboxes on one connection, one active; ending one elsewhere leaves the others, with none active if it was (docs/rules.md §7.4)', async () => {
    const { t, sessions } = await keeper();
    const at = () => ({ signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    await sessions.start(laptop, { mailbox: address, ...at() });
    t.clock.advance(1_000);
    await sessions.start(laptop, { mailbox: 'li.na@cstnet.cn', ...at() });
    t.clock.advance(1_000);
    await sessions.start(laptop, { mailbox: 'office@cstnet.cn', ...at() });
    const mailboxesOf = async () => {
      const here = await sessions.here(laptop);
      return [here.sessions.map((s) => s.mailbox), here.active];
    };
    expect(await mailboxesOf()).toEqual([[address, 'li.na@cstnet.cn', 'office@cstnet.cn'], 'office@cstnet.cn']);
    expect(await sessions.activate(laptop, 'nobody@cstnet.cn')).toBe(false);
    expect(await sessions.activate(office, address)).toBe(false);
    expect(await sessions.activate(laptop, address)).toBe(true);
    await sessions.update(laptop, { passwordCheckedAt: 42 });
    expect((await sessions.here(laptop)).sessions.map((s) => s.passwordCheckedAt === 42)).toEqual([true, false, false]);

    // Ending the active one here: the first signed in of the rest becomes active.
    await sessions.end(laptop);
    expect(await mailboxesOf()).toEqual([['li.na@cstnet.cn', 'office@cstnet.cn'], 'li.na@cstnet.cn']);
    // Ended elsewhere while active: the others stay, and none answers for it.
    expect(await sessions.endAllFor('li.na@cstnet.cn')).toBe(1);
    expect(await mailboxesOf()).toEqual([['office@cstnet.cn'], null]);
    expect(await sessions.current(laptop)).toBeNull();
    // Starting one again on the connection puts it in place of its own, not beside it.
    await sessions.start(laptop, { mailbox: 'office@cstnet.cn', ...at() });
    expect(await mailboxesOf()).toEqual([['office@cstnet.cn'], 'office@cstnet.cn']);
    await sessions.endHere(laptop);
    expect(await mailboxesOf()).toEqual([[], null]);
  });
});

describe('StoredSessions: several mailboxes on one connection', () => {
  it('names every row by keyed hashes alone, and a row left by the previous version reads as signed out', async () => {
    const { t, a } = await twoProcesses();
    const call = testCall({ connection: 'bearer-secret-value' });
    for (const mailbox of [address, 'li.na@cstnet.cn']) await a.sessions.start(call, { mailbox, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now() });
    const rows = await t.store.collection('sessions').find({});
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows.map((row) => row._id))).not.toMatch(/bearer|zhang|li\.na/);

    // One row per connection, as the version before kept it: not a session here now, but still
    // ended when its mailbox is signed out everywhere.
    const old = testCall({ connection: 'old-token' });
    const session = (await a.sessions.current(call))!;
    const legacy = {
      _id: keyedHash(t.core.keys.mac, 'connection', old.connection),
      mailbox: address,
      session,
      challenge: null,
      expiresAt: t.clock.now() + hourMs,
    };
    await t.store.collection<typeof legacy>('sessions').insert(legacy);
    expect(await a.sessions.current(old)).toBeNull();
    expect(await a.sessions.challenge(old)).toBeNull();
    expect(await a.sessions.endAllFor(address)).toBe(2);
  });
});
