// Covers electron/core/helpdesk.ts on either store (npm test runs the core's suites on both):
// the help desk's actions change exactly what they say, at once and all or nothing, and each is
// in the mailbox's own security log with who did it.
import { describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import type { ClientPasswordRecord } from '../../electron/core/client-password-record';
import { helpdeskAct, type HelpdeskAction } from '../../electron/core/helpdesk';
import type { MailboxRecord } from '../../electron/core/mailbox';
import type { TrustedDeviceRecord } from '../../electron/core/trusted-devices';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, signIn } from '../factories/mailbox';

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
      overrides: { backupCodes: [{ hash: 'x', usedAt: null }, { hash: 'y', usedAt: now }], failedSignIns: [now - 1000, now - 500], lockedUntil: now + 15 * 60_000 },
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
  const count = async (name: 'trustedDevices' | 'clientPasswords', address: string) => (await t.core.store.collection<{ _id: string; mailbox: string }>(name).find({ mailbox: address })).length;
  const act = (action: HelpdeskAction, address = alice) => helpdeskAct(t.core, { action, address, by: 'wang.it', device: 'Windows · HELPDESK-01 / mailwarden CLI' });
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
    expect(events.map((event) => event.detail)).toEqual(expect.arrayContaining([{ action: 'unlock', by: 'wang.it' }, { action: 'revoke-devices', by: 'wang.it' }]));
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
