// Covers electron/core/trusted-devices.ts
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import type { CallContext } from '../../electron/core/call';
import type { CoreContext } from '../../electron/core/context';
import { createDispatcher } from '../../electron/core/dispatch';
import { keyedHash } from '../../electron/core/keyed-hash';
import { silentLogger } from '../../electron/core/ports';
import { signIn as passwordSignIn, verifySignInCode } from '../../electron/core/sign-in';
import {
  listTrustedDevices,
  passesAsTrusted,
  removeAllTrustedDevices,
  removeTrustedDevice,
  revokeAllTrustedDevices,
  trustThisDevice,
  type TrustedDeviceRecord,
} from '../../electron/core/trusted-devices';
import { contract, type Channel } from '../../electron/shared/contract';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox, defaultTestPassword, signIn } from '../factories/mailbox';
import { coreHandlers } from '../factories/dispatch';

const address = 'zhang.wei@cstnet.cn';
const other = 'li.na@cstnet.cn';
const day = 86_400_000;

function devicesOf(core: CoreContext) {
  return core.store.collection<TrustedDeviceRecord>('trustedDevices');
}

/** A second client on the same computer: its own connection and its own token slot. */
function clientCall(client: string, connection = client): ReturnType<typeof testCall> {
  return testCall({ connection, device: { label: 'Windows · LAB-PC-07', client } });
}

async function trust(core: CoreContext, call: CallContext, mailbox = address) {
  return core.store.atomically(() => trustThisDevice(core, call, mailbox));
}

describe('trustThisDevice', () => {
  it('hands the client a fresh 256-bit token and keeps only its keyed hash', async () => {
    const { core, clock } = await testCore();
    const call = testCall();
    const record = await trust(core, call);
    const token = call.trust.current!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(record).toMatchObject({
      mailbox: address,
      tokenHash: keyedHash(core.keys.mac, 'trust-token', token),
      label: 'Linux · test-host',
      client: 'Chrome 156',
      createdAt: clock.now(),
      lastUsedAt: clock.now(),
      expiresAt: clock.now() + 7 * day,
    });
    expect(JSON.stringify(await devicesOf(core).find({}))).not.toContain(token);
    const [event] = await core.store.collection<ActivityRecord>('activity').find({ kind: 'device-trusted' });
    expect(event).toMatchObject({ mailbox: address, device: 'Linux · test-host / Chrome 156' });
    expect(JSON.stringify(event)).not.toContain(token);
  });

  it('gives each trust a different token', async () => {
    const { core } = await testCore();
    const a = testCall();
    const b = clientCall('Edge 130');
    await trust(core, a);
    await trust(core, b);
    expect(a.trust.current).not.toBe(b.trust.current);
  });

  it('replaces the same client’s earlier trust for the mailbox instead of adding another', async () => {
    const { core } = await testCore();
    const call = testCall();
    await trust(core, call);
    const first = call.trust.current;
    await trust(core, call);
    expect(call.trust.current).not.toBe(first);
    expect(await devicesOf(core).count({ mailbox: address })).toBe(1);
  });

  it('leaves nothing behind, the client slot included, when the surrounding unit fails', async () => {
    const { core } = await testCore();
    const call = testCall();
    await expect(
      core.store.atomically(async () => {
        await trustThisDevice(core, call, address);
        throw new Error('a later write failed');
      }),
    ).rejects.toThrow('a later write failed');
    expect(await devicesOf(core).count({})).toBe(0);
    expect(await core.store.collection('activity').count({})).toBe(0);
    // The slot is written last, inside the unit; the token it got matches nothing and is dropped at next use.
    expect(await passesAsTrusted(core, call, address)).toBe(false);
    expect(call.trust.current).toBeUndefined();
  });
});

describe('passesAsTrusted', () => {
  it('passes the trusted client for 7 days and records its use', async () => {
    const { core, clock } = await testCore();
    const call = testCall();
    const record = await trust(core, call);
    clock.advance(7 * day - 1);
    expect(await passesAsTrusted(core, call, address)).toBe(true);
    expect((await devicesOf(core).get(record._id))?.lastUsedAt).toBe(clock.now());
    clock.advance(1);
    expect(await passesAsTrusted(core, call, address)).toBe(false);
  });

  it('passes nothing for a client without a token, another mailbox or another client', async () => {
    const { core } = await testCore();
    const call = testCall();
    expect(await passesAsTrusted(core, call, address)).toBe(false);
    await trust(core, call);
    expect(await passesAsTrusted(core, call, other)).toBe(false);
    expect(await passesAsTrusted(core, clientCall('Firefox 128'), address)).toBe(false);
    expect(call.trust.current).toBeDefined();
  });

  it('drops a token that matches no record at all', async () => {
    const { core } = await testCore();
    const call = testCall();
    call.trust.current = 'made-up-token-that-was-never-issued-by-us-0';
    expect(await passesAsTrusted(core, call, address)).toBe(false);
    expect(call.trust.current).toBeUndefined();
  });
});

describe('listing', () => {
  it('lists the mailbox’s devices newest first, marks this one, and drops the expired', async () => {
    const { core, clock } = await testCore();
    const chrome = testCall();
    const edge = clientCall('Edge 130');
    const firefox = clientCall('Firefox 128');
    await trust(core, firefox);
    clock.advanceDays(2);
    await trust(core, chrome);
    clock.advanceDays(1);
    await trust(core, edge);
    await trust(core, clientCall('Safari 17'), other);

    const listed = await listTrustedDevices(core, chrome, address);
    expect(listed.map((d) => [d.client, d.current])).toEqual([
      ['Edge 130', false],
      ['Chrome 156', true],
      ['Firefox 128', false],
    ]);
    expect(listed[1]).toEqual({
      id: expect.any(String),
      label: 'Linux · test-host',
      client: 'Chrome 156',
      createdAt: clock.now() - day,
      lastUsedAt: clock.now() - day,
      expiresAt: clock.now() - day + 7 * day,
      current: true,
    });

    // Firefox was trusted 7 days before this moment: it trusts nothing any more and is gone.
    clock.advanceDays(4);
    expect((await listTrustedDevices(core, chrome, address)).map((d) => d.client)).toEqual(['Edge 130', 'Chrome 156']);
    expect(await devicesOf(core).count({ mailbox: address })).toBe(2);
  });
});

describe('removing trust', () => {
  it('removes one of the mailbox’s devices; its next sign-in asks for a code', async () => {
    const { core, sms } = await testCore();
    await createMailbox(core, { address, phone: '+8613912345678' });
    const laptop = clientCall('Edge 130');
    await trust(core, laptop);
    const here = testCall();
    const [record] = await devicesOf(core).find({});

    expect(await removeTrustedDevice(core, here, address, record!._id)).toEqual({ ok: true, data: { current: false } });
    expect(await devicesOf(core).count({})).toBe(0);
    expect(await core.store.collection<ActivityRecord>('activity').find({ kind: 'device-removed' })).toMatchObject([
      { mailbox: address, detail: { label: 'Windows · LAB-PC-07', client: 'Edge 130' } },
    ]);
    expect(await passwordSignIn(core, laptop, { address, password: defaultTestPassword })).toMatchObject({ ok: true, data: { status: 'code-required' } });
    expect(sms.sent).toHaveLength(1);
  });

  it('clears this client’s token when it removes its own trust', async () => {
    const { core } = await testCore();
    const call = testCall();
    const record = await trust(core, call);
    expect(await removeTrustedDevice(core, call, address, record._id)).toEqual({ ok: true, data: { current: true } });
    expect(call.trust.current).toBeUndefined();
  });

  it('answers another mailbox’s device and an unknown id alike, and removes nothing', async () => {
    const { core } = await testCore();
    const theirs = await trust(core, clientCall('Safari 17'), other);
    const call = testCall();
    expect(await removeTrustedDevice(core, call, address, theirs._id)).toEqual({ ok: false, code: 'device-not-found' });
    expect(await removeTrustedDevice(core, call, address, 'no-such-device')).toEqual({ ok: false, code: 'device-not-found' });
    expect(await devicesOf(core).get(theirs._id)).not.toBeNull();
    expect(await core.store.collection('activity').count({ kind: 'device-removed' })).toBe(0);
  });

  it('removes all of the mailbox’s devices and no other mailbox’s', async () => {
    const { core } = await testCore();
    const call = testCall();
    await trust(core, call);
    await trust(core, clientCall('Edge 130'));
    await trust(core, clientCall('Safari 17'), other);
    expect(await removeAllTrustedDevices(core, call, address)).toBe(2);
    expect(call.trust.current).toBeUndefined();
    expect(await devicesOf(core).count({ mailbox: address })).toBe(0);
    expect(await devicesOf(core).count({ mailbox: other })).toBe(1);
    expect(await core.store.collection<ActivityRecord>('activity').find({ kind: 'device-removed' })).toMatchObject([{ detail: { count: 2 } }]);
  });

  it('keeps this client’s token when removing all leaves its trust for another mailbox', async () => {
    const { core } = await testCore();
    const call = testCall();
    await trust(core, call, other);
    await trust(core, clientCall('Edge 130'));
    expect(await removeAllTrustedDevices(core, call, address)).toBe(1);
    expect(call.trust.current).toBeDefined();
    expect(await passesAsTrusted(core, call, other)).toBe(true);
  });

  it('revokeAllTrustedDevices removes a mailbox’s devices for the other services', async () => {
    const { core } = await testCore();
    await trust(core, testCall());
    await trust(core, clientCall('Safari 17'), other);
    expect(await core.store.atomically(() => revokeAllTrustedDevices(core, address))).toBe(1);
    expect(await devicesOf(core).count({})).toBe(1);
  });
});

describe('the devices channels', () => {
  async function wired() {
    const t = await testCore();
    const handlers = coreHandlers(t.core);
    const dispatcher = createDispatcher(handlers, silentLogger);
    const dispatch = async (channel: Channel, request: unknown, call: CallContext) => {
      const result = await dispatcher(channel, request, call);
      if (result.ok) expect(v.is(contract[channel].response, result.data), `${channel} response`).toBe(true);
      return result;
    };
    return { ...t, dispatch };
  }

  it('need a signed-in session', async () => {
    const { dispatch } = await wired();
    const call = testCall();
    expect(await dispatch('devices:list', {}, call)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('devices:remove', { id: 'x' }, call)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('devices:remove-all', {}, call)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('devices:sessions', {}, call)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('devices:sign-out-session', { id: 'x' }, call)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('devices:sign-out-others', {}, call)).toEqual({ ok: false, code: 'not-signed-in' });
  });

  it('are closed to a session that must enrol first', async () => {
    const { core, dispatch, setPolicy } = await wired();
    setPolicy({ enforceTwoFactor: true });
    await createMailbox(core, { address });
    const call = testCall();
    await passwordSignIn(core, call, { address, password: defaultTestPassword });
    expect(await dispatch('devices:list', {}, call)).toEqual({ ok: false, code: 'two-factor-required' });
    expect(await dispatch('devices:remove-all', {}, call)).toEqual({ ok: false, code: 'two-factor-required' });
    expect(await dispatch('devices:sessions', {}, call)).toEqual({ ok: false, code: 'two-factor-required' });
    expect(await dispatch('devices:sign-out-others', {}, call)).toEqual({ ok: false, code: 'two-factor-required' });
  });

  it('list and remove after a trusted sign-in', async () => {
    const { core, sms, dispatch } = await wired();
    await createMailbox(core, { address, phone: '+8613912345678' });
    const call = testCall();
    await passwordSignIn(core, call, { address, password: defaultTestPassword });
    await verifySignInCode(core, call, { code: sms.lastCode(), method: 'sms', trustDevice: true });

    const listed = await dispatch('devices:list', {}, call);
    expect(listed).toMatchObject({ ok: true, data: { devices: [{ client: 'Chrome 156', current: true }] } });
    expect(JSON.stringify(listed)).not.toContain(call.trust.current!);
    const id = (listed as { data: { devices: { id: string }[] } }).data.devices[0]!.id;
    expect(await dispatch('devices:remove', { id }, call)).toEqual({ ok: true, data: { current: true } });
    expect(await dispatch('devices:remove', { id }, call)).toEqual({ ok: false, code: 'device-not-found' });
    expect(await dispatch('devices:remove-all', {}, call)).toEqual({ ok: true, data: { removed: 0 } });
  });

  it('list where the mailbox is signed in, and sign one session out: it then asks for a sign-in, and the log says so', async () => {
    const { core, dispatch } = await wired();
    await createMailbox(core, { address });
    await createMailbox(core, { address: other });
    const here = clientCall('Chrome 156', 'here');
    const there = testCall({ connection: 'there', device: { label: 'Windows · HOME-PC', client: 'Firefox 128', address: '198.51.100.4' } });
    const someoneElse = clientCall('Edge 131', 'someone-else');
    await signIn(core, here, address);
    await signIn(core, there, address);
    await signIn(core, someoneElse, other);

    const listed = await dispatch('devices:sessions', {}, here);
    expect(listed).toMatchObject({
      ok: true,
      data: {
        sessions: [
          { label: 'Windows · LAB-PC-07', client: 'Chrome 156', current: true },
          { label: 'Windows · HOME-PC', client: 'Firefox 128', address: '198.51.100.4', current: false },
        ],
      },
    });
    const [mine, theirs] = (listed as { data: { sessions: { id: string }[] } }).data.sessions;
    const othersId = ((await dispatch('devices:sessions', {}, someoneElse)) as { data: { sessions: { id: string }[] } }).data.sessions[0]!.id;
    // Another mailbox's session is not found, and stays signed in.
    expect(await dispatch('devices:sign-out-session', { id: othersId }, here)).toEqual({ ok: false, code: 'not-found' });
    expect(await dispatch('devices:sessions', {}, someoneElse)).toMatchObject({ ok: true });

    expect(await dispatch('devices:sign-out-session', { id: theirs!.id }, here)).toEqual({ ok: true, data: { current: false } });
    expect(await dispatch('devices:list', {}, there)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await dispatch('devices:sign-out-session', { id: theirs!.id }, here)).toEqual({ ok: false, code: 'not-found' });
    expect(await core.store.collection<ActivityRecord>('activity').find({ kind: 'sessions-ended' })).toMatchObject([
      { mailbox: address, device: 'Windows · LAB-PC-07 / Chrome 156', detail: { label: 'Windows · HOME-PC', client: 'Firefox 128', address: '198.51.100.4' } },
    ]);

    // Its own session, too: the answer says so, and this connection is then signed out.
    expect(await dispatch('devices:sign-out-session', { id: mine!.id }, here)).toEqual({ ok: true, data: { current: true } });
    expect(await dispatch('devices:sessions', {}, here)).toEqual({ ok: false, code: 'not-signed-in' });
  });

  it('sign out every other session and keep this one; a trusted device stays trusted', async () => {
    const { core, sms, dispatch } = await wired();
    await createMailbox(core, { address, phone: '+8613912345678' });
    const trusted = clientCall('Firefox 128', 'trusted');
    await passwordSignIn(core, trusted, { address, password: defaultTestPassword });
    await verifySignInCode(core, trusted, { code: sms.lastCode(), method: 'sms', trustDevice: true });
    const here = clientCall('Chrome 156', 'here');
    await signIn(core, here, address);
    await signIn(core, clientCall('Edge 131', 'third'), address);

    expect(await dispatch('devices:sign-out-others', {}, here)).toEqual({ ok: true, data: { ended: 2 } });
    expect(await dispatch('devices:sessions', {}, here)).toMatchObject({ ok: true, data: { sessions: [{ client: 'Chrome 156', current: true }] } });
    expect(await dispatch('devices:sessions', {}, trusted)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await devicesOf(core).count({ mailbox: address })).toBe(1);
    expect(await core.store.collection<ActivityRecord>('activity').find({ kind: 'sessions-ended' })).toMatchObject([{ detail: { count: 2 } }]);
    // Nothing left to end: nothing logged.
    expect(await dispatch('devices:sign-out-others', {}, here)).toEqual({ ok: true, data: { ended: 0 } });
    expect(await core.store.collection('activity').count({ kind: 'sessions-ended' })).toBe(1);
  });

  it('refuse a malformed id', async () => {
    const { core, dispatch } = await wired();
    await createMailbox(core, { address });
    const call = testCall();
    await signIn(core, call, address);
    expect(await dispatch('devices:remove', { id: 'x'.repeat(65) }, call)).toEqual({ ok: false, code: 'invalid-request', fields: ['id'] });
    expect(await dispatch('devices:remove', { id: '' }, call)).toEqual({ ok: false, code: 'invalid-request', fields: ['id'] });
    expect(await dispatch('devices:remove', {}, call)).toEqual({ ok: false, code: 'invalid-request', fields: ['id'] });
    expect(await dispatch('devices:remove-all', { all: true }, call)).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('devices:sign-out-session', { id: 'x'.repeat(65) }, call)).toEqual({ ok: false, code: 'invalid-request', fields: ['id'] });
    expect(await dispatch('devices:sign-out-others', { everywhere: true }, call)).toMatchObject({ ok: false, code: 'invalid-request' });
  });
});
