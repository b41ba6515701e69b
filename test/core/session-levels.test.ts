// Covers electron/core/session-levels.ts: the session level each channel declares in the contract
// (electron/shared/channel.ts, docs/rules.md §3), applied in one place before the handler runs.
import { describe, expect, it, vi } from 'vitest';
import type { CallContext } from '../../electron/core/call';
import type { CoreContext } from '../../electron/core/context';
import type { Handler } from '../../electron/core/handler-types';
import { withSessionLevel, withSessionLevels } from '../../electron/core/session-levels';
import { channelNames, contract, type Channel } from '../../electron/shared/contract';
import { ok } from '../../electron/shared/result';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox } from '../factories/mailbox';
import { coreHandlers } from '../factories/dispatch';

const address = 'zhang.wei@cstnet.cn';

/** A core whose policy enforces 2FA, a mailbox without it, and three connections: signed out, restricted to enrolment, fully signed in. */
async function setup() {
  const t = await testCore({ policy: { enforceTwoFactor: true, twoFactorGraceDays: 0 } });
  await createMailbox(t.core, { address });
  const now = t.clock.now();
  const signedOut = testCall({ connection: 'signed-out' });
  const enrolment = testCall({ connection: 'enrolment' });
  const full = testCall({ connection: 'full' });
  await t.core.sessions.start(enrolment, { mailbox: address, signedInAt: now, passwordCheckedAt: now, enrollmentRequired: true });
  await t.core.sessions.start(full, { mailbox: address, signedInAt: now, passwordCheckedAt: now });
  return { ...t, calls: { signedOut, enrolment, full } };
}

/** A stand-in handler that answers with the mailbox of the session it was given, if any. */
function probe() {
  return vi.fn(async (_request: unknown, call: CallContext & { session?: { mailbox: string } }) => ok({ session: call.session?.mailbox ?? null }));
}

function levelled(core: CoreContext, channel: Channel, handler: ReturnType<typeof probe>) {
  return withSessionLevel(core, channel, handler as never) as unknown as (request: unknown, call: CallContext) => ReturnType<Handler<Channel>>;
}

describe('withSessionLevel', () => {
  // One channel of each level, as the contract declares them.
  const none: Channel = 'auth:status';
  const enrolment: Channel = 'two-factor:status';
  const full: Channel = 'devices:list';

  it('knows the levels of the channels it is tested with', () => {
    expect([contract[none].session, contract[enrolment].session, contract[full].session]).toEqual(['none', 'enrolment', 'full']);
  });

  it('refuses a signed-out call on every level but none, before the handler runs', async () => {
    const { core, calls } = await setup();
    const handlers = { none: probe(), enrolment: probe(), full: probe() };
    expect(await levelled(core, none, handlers.none)({}, calls.signedOut)).toEqual({ ok: true, data: { session: null } });
    expect(await levelled(core, enrolment, handlers.enrolment)({}, calls.signedOut)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(await levelled(core, full, handlers.full)({}, calls.signedOut)).toEqual({ ok: false, code: 'not-signed-in' });
    expect(handlers.enrolment).not.toHaveBeenCalled();
    expect(handlers.full).not.toHaveBeenCalled();
  });

  it('lets a session restricted to enrolment through an enrolment channel only', async () => {
    const { core, calls } = await setup();
    const handlers = { none: probe(), enrolment: probe(), full: probe() };
    expect(await levelled(core, none, handlers.none)({}, calls.enrolment)).toEqual({ ok: true, data: { session: null } });
    expect(await levelled(core, enrolment, handlers.enrolment)({}, calls.enrolment)).toEqual({ ok: true, data: { session: address } });
    expect(await levelled(core, full, handlers.full)({}, calls.enrolment)).toEqual({ ok: false, code: 'two-factor-required' });
    expect(handlers.full).not.toHaveBeenCalled();
  });

  it('hands a full session to every level, with the call as the bridge made it', async () => {
    const { core, calls } = await setup();
    const handler = probe();
    expect(await levelled(core, full, handler)({ x: 1 }, calls.full)).toEqual({ ok: true, data: { session: address } });
    const [request, call] = handler.mock.calls[0]!;
    expect(request).toEqual({ x: 1 });
    expect(call).toMatchObject({ connection: 'full', device: calls.full.device, trust: calls.full.trust, session: { mailbox: address } });
    expect(await levelled(core, enrolment, probe())({}, calls.full)).toEqual({ ok: true, data: { session: address } });
  });

  it('frees a restricted session once the mailbox has a method, as requireSession does', async () => {
    const { core, calls, setPolicy } = await setup();
    setPolicy({ enforceTwoFactor: false });
    expect(await levelled(core, full, probe())({}, calls.enrolment)).toEqual({ ok: true, data: { session: address } });
    expect((await core.sessions.current(calls.enrolment))?.enrollmentRequired).toBe(false);
  });

  it('wraps a whole set, channel by channel', async () => {
    const { core, calls } = await setup();
    const handlers = withSessionLevels(core, { [none]: probe(), [full]: probe() } as never) as Record<
      string,
      (request: unknown, call: CallContext) => Promise<unknown>
    >;
    expect(Object.keys(handlers).sort()).toEqual([none, full].sort());
    expect(await handlers[none]!({}, calls.signedOut)).toMatchObject({ ok: true });
    expect(await handlers[full]!({}, calls.signedOut)).toEqual({ ok: false, code: 'not-signed-in' });
  });
});

describe("the core's handlers keep each channel's declared level", () => {
  async function wired() {
    const t = await setup();
    const handlers = coreHandlers(t.core);
    // Straight to the handler, past the dispatcher's validation: the level comes before anything the request says.
    const call = async (channel: Channel, on: CallContext): Promise<unknown> => {
      try {
        return await (handlers[channel] as (request: unknown, call: CallContext) => Promise<unknown>)({}, on);
      } catch (cause) {
        // The handler ran on a request the dispatcher would have refused: the level let it through.
        return { threw: String(cause) };
      }
    };
    return { ...t, call };
  }
  const levelOf = (level: string) => channelNames.filter((channel) => contract[channel].session === level);

  // The mail-client channels are among them: their authority keeps the level the contract declares.
  it.each([...levelOf('enrolment'), ...levelOf('full')])('%s refuses a signed-out call', async (channel) => {
    const { call, calls } = await wired();
    expect(await call(channel, calls.signedOut)).toEqual({ ok: false, code: 'not-signed-in' });
  });

  it.each(levelOf('full'))('%s refuses a session restricted to enrolment', async (channel) => {
    const { call, calls } = await wired();
    expect(await call(channel, calls.enrolment)).toEqual({ ok: false, code: 'two-factor-required' });
  });

  it.each(levelOf('enrolment'))('%s lets a session restricted to enrolment in', async (channel) => {
    const { call, calls } = await wired();
    expect(await call(channel, calls.enrolment)).not.toMatchObject({ ok: false, code: expect.stringMatching(/^(not-signed-in|two-factor-required)$/) });
  });
});
