// Covers electron/core/sessions.ts: the two session keepers, and what the store-kept one shares
// between processes. Runs on the embedded store, and on PostgreSQL under vitest.postgres.config.ts.
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { createCoreContext, type CoreContext, type CorePorts } from '../../electron/core/context';
import { testScrypt } from '../../electron/core/password-hash';
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
    for (let i = 0; i < 4; i += 1) expect(await signIn(i % 2 ? a : b, testCall({ connection: `g${i}` }), { address: nobody, password: 'guess' })).toEqual({ ok: false, code: 'sign-in-failed' });
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
