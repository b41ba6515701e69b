// Covers electron/core/helpdesk.ts on either store (npm test runs the core's suites on both):
// the help desk's actions change exactly what they say, at once and all or nothing, and each is
// in the mailbox's own security log with who did it.
import { describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import type { ClientPasswordRecord } from '../../electron/core/client-password-record';
import { helpdeskAct, issueAccessPass, type HelpdeskAction } from '../../electron/core/helpdesk';
import { signIn as signInWithPassword, verifySignInCode } from '../../electron/core/sign-in';
import type { MailboxRecord } from '../../electron/core/mailbox';
import type { TrustedDeviceRecord } from '../../electron/core/trusted-devices';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, defaultTestPassword, signIn } from '../factories/mailbox';

const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';

/** Two mailboxes with everything a help-desk action may touch: factors, codes, devices, passwords, a lock. */
async function setup() {
  const t = await testCore();
  const now = t.clock.now();
  for (const address of [alice, bob]) {
    await createMailbox(t.core, {
      address,
      phone: '+8613912341234',
      totp: 'JBSWY3DPEHPK3PXP',
      overrides: {
        backupCodes: [
          { hash: 'x', usedAt: null },
          { hash: 'y', usedAt: now },
        ],
        failedSignIns: [now - 1000, now - 500],
        lockedUntil: now + 15 * 60_000,
      },
    });
    for (const n of [1, 2]) {
      await t.core.store.collection<TrustedDeviceRecord>('trustedDevices').insert({
        _id: `${address}-device-${n}`,
        mailbox: address,
        tokenHash: `hash-${address}-${n}`,
        label: `PC ${n}`,
        client: 'Chrome',
        createdAt: now,
        lastUsedAt: now,
        expiresAt: now + 7 * 86_400_000,
      });
      await t.core.store.collection<ClientPasswordRecord>('clientPasswords').insert({
        _id: `${address}-password-${n}`,
        mailbox: address,
        name: `Foxmail ${n}`,
        hash: 'h',
        lookup: `lookup-${address}-${n}`,
        scopes: ['imap', 'smtp'],
        createdAt: now,
        expiresAt: null,
        lastUsedAt: null,
        lastUsedFrom: null,
        appliedTo: [],
      });
    }
  }
  const mailbox = async (address: string) => (await t.core.store.collection<MailboxRecord>('mailboxes').get(address))!;
  const count = async (name: 'trustedDevices' | 'clientPasswords', address: string) =>
    (await t.core.store.collection<{ _id: string; mailbox: string }>(name).find({ mailbox: address })).length;
  const act = (action: HelpdeskAction, address = alice) =>
    helpdeskAct(t.core, { action, address, by: 'wang.it', device: 'Windows · HELPDESK-01 / mailwarden CLI' });
  const logged = async (address: string) =>
    (await t.core.store.collection<ActivityRecord>('activity').find({ mailbox: address })).filter((event) => event.kind === 'helpdesk-action');
  return { ...t, mailbox, count, act, logged };
}

describe('help-desk actions', () => {
  it('reset-two-factor removes every factor, the backup codes and every trusted device, and ends the mailbox’s sessions', async () => {
    const t = await setup();
    const call = testCall();
    await signIn(t.core, call, alice);
    expect(await t.core.sessions.current(call)).not.toBeNull();
    const result = await t.act('reset-two-factor');
    expect(result).toEqual({ ok: true, data: { mailbox: alice, action: 'reset-two-factor', changed: { methods: 2, backupCodes: 2, devices: 2 } } });
    expect(await t.mailbox(alice)).toMatchObject({ phone: null, totp: null, totpPending: null, backupCodes: [] });
    expect(await t.count('trustedDevices', alice)).toBe(0);
    expect(await t.core.sessions.current(call)).toBeNull();
    // Client passwords stay: the person's mail clients keep working while they bind a new phone.
    expect(await t.count('clientPasswords', alice)).toBe(2);
    // Bob is untouched.
    expect(await t.mailbox(bob)).toMatchObject({ phone: { number: '+8613912341234' } });
    expect(await t.count('trustedDevices', bob)).toBe(2);
  });

  it('unlock ends the lock and forgets the failures, nothing else', async () => {
    const t = await setup();
    expect(await t.act('unlock')).toMatchObject({ ok: true, data: { changed: { locked: 1, failures: 2 } } });
    expect(await t.mailbox(alice)).toMatchObject({ lockedUntil: null, failedSignIns: [], phone: { number: '+8613912341234' } });
  });

  it('revoke-client-passwords and revoke-devices remove only those, for that mailbox only', async () => {
    const t = await setup();
    expect(await t.act('revoke-client-passwords')).toMatchObject({ ok: true, data: { changed: { clientPasswords: 2 } } });
    expect(await t.count('clientPasswords', alice)).toBe(0);
    expect(await t.count('trustedDevices', alice)).toBe(2);
    expect(await t.act('revoke-devices')).toMatchObject({ ok: true, data: { changed: { devices: 2 } } });
    expect(await t.count('trustedDevices', alice)).toBe(0);
    expect(await t.count('clientPasswords', bob)).toBe(2);
    expect(await t.count('trustedDevices', bob)).toBe(2);
  });

  it('writes each action to the mailbox’s own log with who did it and from where', async () => {
    const t = await setup();
    await t.act('unlock');
    await t.act('revoke-devices');
    const events = await t.logged(alice);
    expect(events.map((event) => event.detail)).toEqual(
      expect.arrayContaining([
        { action: 'unlock', by: 'wang.it' },
        { action: 'revoke-devices', by: 'wang.it' },
      ]),
    );
    expect(events.every((event) => event.device === 'Windows · HELPDESK-01 / mailwarden CLI' && event.outcome === 'success')).toBe(true);
    expect(await t.logged(bob)).toEqual([]);
  });

  it('refuses a mailbox that does not exist, changing nothing and logging nothing', async () => {
    const t = await setup();
    expect(await t.act('reset-two-factor', 'nobody@cstnet.cn')).toEqual({ ok: false, code: 'mailbox-unknown' });
    expect(await t.logged('nobody@cstnet.cn')).toEqual([]);
  });

  it('takes the address in any case', async () => {
    const t = await setup();
    expect(await t.act('unlock', 'ALICE@CSTNET.CN')).toMatchObject({ ok: true, data: { mailbox: alice } });
  });
});

describe('the temporary access pass', () => {
  /** Alice with a phone she lost, a pass from the help desk, and a sign-in waiting for its second step. */
  async function withPass(validMs = 3_600_000) {
    const t = await testCore();
    await createMailbox(t.core, { address: alice, phone: '+8613912341234' });
    const issued = await issueAccessPass(t.core, { address: 'Alice@CSTNET.cn', by: 'wang.it', device: 'Linux · helpdesk / mailwarden 1.0', validMs });
    if (!issued.ok) throw new Error(issued.code);
    const call = testCall({ connection: 'alice-browser' });
    return { ...t, call, pass: issued.data.pass, expiresAt: issued.data.expiresAt };
  }

  const password = defaultTestPassword;

  it('signs the person in once in place of the lost phone, without trusting the device; then it is gone', async () => {
    const { core, call, pass } = await withPass();
    expect(pass).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    const challenge = await signInWithPassword(core, call, { address: alice, password, trustDevice: true });
    expect(challenge).toMatchObject({ ok: true, data: { status: 'code-required', methods: ['sms', 'access-pass'] } });
    // Typed as people type it: lower case, spaces for the dashes.
    const done = await verifySignInCode(core, call, { code: pass.toLowerCase().replace(/-/g, ' '), method: 'access-pass', trustDevice: true });
    expect(done).toMatchObject({ ok: true, data: { status: 'signed-in', mailbox: alice } });
    expect(call.trust.current).toBeUndefined();
    // Used up: the next sign-in is back to the phone alone.
    const again = testCall({ connection: 'alice-again' });
    expect(await signInWithPassword(core, again, { address: alice, password })).toMatchObject({ ok: true, data: { methods: ['sms'] } });
    expect(await verifySignInCode(core, again, { code: pass, method: 'access-pass', trustDevice: false })).toEqual({ ok: false, code: 'method-unavailable' });
    const events = await core.store.collection<ActivityRecord>('activity').find({ mailbox: alice });
    expect(events.find((e) => e.kind === 'sign-in')?.detail).toMatchObject({ method: 'access-pass' });
  });

  it('is not offered once it expires, and a later pass replaces an earlier one', async () => {
    const t = await withPass(10 * 60_000);
    t.clock.advanceMinutes(10);
    expect(await signInWithPassword(t.core, t.call, { address: alice, password })).toMatchObject({ ok: true, data: { methods: ['sms'] } });
    const second = await issueAccessPass(t.core, { address: alice, by: 'li.it', device: 'x', validMs: 3_600_000 });
    const other = testCall({ connection: 'other' });
    await signInWithPassword(t.core, other, { address: alice, password });
    expect(await verifySignInCode(t.core, other, { code: t.pass, method: 'access-pass', trustDevice: false })).toEqual({ ok: false, code: 'code-invalid' });
    expect(await verifySignInCode(t.core, other, { code: second.ok ? second.data.pass : '', method: 'access-pass', trustDevice: false })).toMatchObject({
      ok: true,
    });
  });

  it('counts a wrong pass toward the lockout like any wrong code', async () => {
    const { core, call } = await withPass();
    await signInWithPassword(core, call, { address: alice, password });
    const answers = [];
    for (let i = 0; i < 5; i += 1)
      answers.push((await verifySignInCode(core, call, { code: 'AAAA-BBBB-CCCC-DDDD', method: 'access-pass', trustDevice: false })) as { code?: string });
    expect(answers.map((a) => a.code)).toEqual(['code-invalid', 'code-invalid', 'code-invalid', 'code-invalid', 'mailbox-locked']);
  });

  it('is written to the log with who issued it and until when, and is kept only as a keyed hash', async () => {
    const { core, pass, expiresAt } = await withPass();
    const events = await core.store.collection<ActivityRecord>('activity').find({ mailbox: alice, kind: 'helpdesk-action' });
    expect(events.map((e) => e.detail)).toEqual([{ action: 'issue-access-pass', by: 'wang.it', expiresAt }]);
    const record = await core.store.collection<MailboxRecord>('mailboxes').get(alice);
    expect(record?.accessPass).toMatchObject({ issuedBy: 'wang.it', expiresAt });
    expect(JSON.stringify(record)).not.toContain(pass.replace(/-/g, ''));
  });

  it('refuses a validity outside 10 minutes to 30 days, and a mailbox that does not exist', async () => {
    const t = await testCore();
    await createMailbox(t.core, { address: alice });
    for (const validMs of [9 * 60_000, 31 * 86_400_000, 1.5]) {
      expect(await issueAccessPass(t.core, { address: alice, by: 'x', device: 'x', validMs })).toEqual({ ok: false, code: 'invalid-request' });
    }
    expect(await issueAccessPass(t.core, { address: 'nobody@cstnet.cn', by: 'x', device: 'x', validMs: 3_600_000 })).toEqual({
      ok: false,
      code: 'mailbox-unknown',
    });
    expect((await t.core.store.collection<MailboxRecord>('mailboxes').get(alice))?.accessPass).toBeUndefined();
  });
});
