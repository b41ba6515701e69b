// Covers electron/core/codes.ts
import { describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../electron/core/activity';
import { codeRules, pendingCode, sendCode, verifyCode, type CodePurpose, type CodeRecord, type SmsSendRecord } from '../../electron/core/codes';
import type { CoreContext } from '../../electron/core/context';
import type { Logger, Random } from '../../electron/core/ports';
import { cryptoRandom } from '../../electron/platform/system';
import { testCall } from '../factories/call';
import { testCore, type TestCore } from '../factories/core';

const device = testCall().device;
const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';
const phone = '+8613912341234';
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** Draws the given integers for codes, in order; everything else stays cryptographic. */
function scriptedRandom(...ints: number[]): Random {
  return {
    bytes: cryptoRandom.bytes,
    int: (maxExclusive) => {
      expect(maxExclusive).toBe(1_000_000);
      const next = ints.shift();
      if (next === undefined) throw new Error('the test ran out of scripted codes');
      return next;
    },
  };
}

function send(core: CoreContext, over: Partial<{ mailbox: string; phone: string; purpose: CodePurpose }> = {}) {
  return sendCode(core, { mailbox: alice, phone, purpose: 'bind-phone', device, ...over });
}

function verify(core: CoreContext, code: string, over: Partial<{ mailbox: string; purpose: CodePurpose }> = {}) {
  return verifyCode(core, { mailbox: alice, purpose: 'bind-phone', code, device, ...over });
}

async function events(t: TestCore, kind?: string): Promise<ActivityRecord[]> {
  const all = await t.store.collection<ActivityRecord>('activity').find({}, { sort: { at: 1 } });
  return kind ? all.filter((e) => e.kind === kind) : all;
}

async function storedCount(t: TestCore): Promise<{ codes: number; sends: number }> {
  return {
    codes: await t.store.collection<CodeRecord>('codes').count({}),
    sends: await t.store.collection<SmsSendRecord>('smsSends').count({}),
  };
}

/** Sends at the given minutes from now (each at least a minute apart), all of which must succeed. */
async function sendAtMinutes(t: TestCore, minutes: number[], over: Parameters<typeof send>[1] = {}) {
  let at = 0;
  for (const m of minutes) {
    t.clock.advanceMinutes(m - at);
    at = m;
    expect(await send(t.core, over), `send at minute ${m}`).toMatchObject({ ok: true });
  }
}

describe('sending a code', () => {
  it('sends six digits in a bilingual text and keeps only a keyed hash', async () => {
    const t = await testCore();
    const now = t.clock.now();
    const result = await send(t.core);
    expect(result).toEqual({ ok: true, data: { expiresAt: now + 5 * minute, resendAt: now + minute, windowEndsAt: now + 5 * minute } });
    const [message] = t.sms.sent;
    const code = t.sms.lastCode();
    expect(message).toEqual({
      phone,
      mailbox: alice,
      // The code and its minutes apart too, for providers that fill an approved template.
      code,
      validMinutes: 5,
      expiresAt: t.clock.now() + 5 * minute,
      text: `【邮件安全助手】验证码 ${code}，5 分钟内有效。Mailwarden code ${code}, valid for 5 minutes.`,
    });
    const [record] = await t.store.collection<CodeRecord>('codes').find({});
    expect(JSON.stringify(record)).not.toContain(code);
    expect(record).toMatchObject({ mailbox: alice, phone, purpose: 'bind-phone', wrongEntries: 0, usedAt: null });
  });

  it('draws the code uniformly from 10^6 and keeps leading zeros', async () => {
    const t = await testCore();
    const core = { ...t.core, random: scriptedRandom(42) };
    await send(core);
    expect(t.sms.lastCode()).toBe('000042');
    expect(await verify(core, '000042')).toEqual({ ok: true, data: { phone } });
  });

  it('records code-sent with the masked phone and never the code', async () => {
    const t = await testCore();
    await send(t.core);
    const [event] = await events(t, 'code-sent');
    expect(event).toMatchObject({
      mailbox: alice,
      outcome: 'success',
      device: 'Linux · test-host / Chrome 156',
      detail: { phone: '139****1234', purpose: 'bind-phone' },
    });
    expect(JSON.stringify(await events(t))).not.toContain(t.sms.lastCode());
  });

  it('says how much of the binding window is left in a resend', async () => {
    const t = await testCore();
    await send(t.core);
    t.clock.advanceSeconds(3 * 60 + 30);
    await send(t.core);
    expect(t.sms.sent[1]!.text).toContain('2 分钟内有效');
    expect(t.sms.sent[1]!.text).toContain('valid for 2 minutes.');
    t.clock.advanceSeconds(60);
    await send(t.core);
    expect(t.sms.sent[2]!.text).toContain('valid for 1 minute.');
  });
});

describe('checking a code', () => {
  it('accepts the right code once, then says it was used', async () => {
    const t = await testCore();
    await send(t.core);
    const code = t.sms.lastCode();
    expect(await verify(t.core, code)).toEqual({ ok: true, data: { phone } });
    expect(await verify(t.core, code)).toEqual({ ok: false, code: 'code-used' });
  });

  it('refuses when no code was sent for that mailbox and purpose', async () => {
    const t = await testCore();
    expect(await verify(t.core, '123456')).toEqual({ ok: false, code: 'code-not-sent' });
    await send(t.core, { purpose: 'sign-in' });
    expect(await verify(t.core, t.sms.lastCode())).toEqual({ ok: false, code: 'code-not-sent' });
    expect(await verify(t.core, t.sms.lastCode(), { purpose: 'sign-in' })).toMatchObject({ ok: true });
  });

  it("does not accept another mailbox's code", async () => {
    const t = await testCore();
    const core = { ...t.core, random: scriptedRandom(111111, 222222) };
    await send(core, { mailbox: alice });
    t.clock.advanceSeconds(60);
    await send(core, { mailbox: bob });
    expect(await verify(core, '111111', { mailbox: bob })).toEqual({ ok: false, code: 'code-invalid', triesLeft: 4 });
    expect(await verify(core, '222222', { mailbox: bob })).toMatchObject({ ok: true });
  });

  it('is invalidated by a newer code', async () => {
    const t = await testCore();
    const core = { ...t.core, random: scriptedRandom(111111, 222222) };
    await send(core);
    t.clock.advanceSeconds(60);
    await send(core);
    expect(await verify(core, '111111')).toEqual({ ok: false, code: 'code-invalid', triesLeft: 4 });
    expect(await verify(core, '222222')).toMatchObject({ ok: true });
  });

  it('still accepts the right code after 4 wrong entries', async () => {
    const t = await testCore();
    const core = { ...t.core, random: scriptedRandom(111111) };
    await send(core);
    for (let i = 0; i < 4; i += 1) expect(await verify(core, '999999')).toEqual({ ok: false, code: 'code-invalid', triesLeft: 4 - i });
    expect(await verify(core, '111111')).toMatchObject({ ok: true });
  });

  it('is invalidated by the 5th wrong entry', async () => {
    expect(codeRules.maxWrongEntries).toBe(5);
    const t = await testCore();
    const core = { ...t.core, random: scriptedRandom(111111, 222222) };
    await send(core);
    for (let i = 0; i < 4; i += 1) expect(await verify(core, '999999')).toEqual({ ok: false, code: 'code-invalid', triesLeft: 4 - i });
    expect(await verify(core, '999999')).toEqual({ ok: false, code: 'code-attempts-exceeded' });
    expect(await verify(core, '111111')).toEqual({ ok: false, code: 'code-attempts-exceeded' });
    const rejected = await events(t, 'code-rejected');
    expect(rejected.map((e) => e.detail.wrongEntries).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(rejected.every((e) => e.outcome === 'failure')).toBe(true);
    // A new code starts a fresh count.
    t.clock.advanceSeconds(60);
    await send(core);
    expect(await verify(core, '222222')).toMatchObject({ ok: true });
  });

  it('never logs or records the code that was typed', async () => {
    const t = await testCore();
    const core = { ...t.core, random: scriptedRandom(111111) };
    await send(core);
    await verify(core, '987654');
    expect(JSON.stringify(await events(t))).not.toContain('987654');
  });
});

describe('the binding window', () => {
  it('lasts 5 minutes from the first code; a resend does not extend it', async () => {
    const t = await testCore();
    const start = t.clock.now();
    await send(t.core);
    t.clock.advanceMinutes(4);
    const resent = await send(t.core);
    expect(resent).toEqual({ ok: true, data: { expiresAt: start + 5 * minute, windowEndsAt: start + 5 * minute, resendAt: start + 5 * minute } });
    const code = t.sms.lastCode();
    t.clock.advanceSeconds(59);
    expect(await pendingCode(t.core, alice, 'bind-phone')).toMatchObject({ phone, windowEndsAt: start + 5 * minute });
    t.clock.advanceSeconds(1);
    expect(await verify(t.core, code)).toEqual({ ok: false, code: 'code-expired' });
    expect(await pendingCode(t.core, alice, 'bind-phone')).toBeNull();
  });

  it('accepts a resent code until the last second of the window', async () => {
    const t = await testCore();
    await send(t.core);
    t.clock.advanceMinutes(4);
    await send(t.core);
    t.clock.advanceSeconds(59);
    expect(await verify(t.core, t.sms.lastCode())).toMatchObject({ ok: true });
  });

  it('restarts with a new window once the old one has ended', async () => {
    const t = await testCore();
    await send(t.core);
    t.clock.advanceMinutes(5);
    const restart = t.clock.now();
    expect(await send(t.core)).toMatchObject({ ok: true, data: { windowEndsAt: restart + 5 * minute, expiresAt: restart + 5 * minute } });
    t.clock.advanceMinutes(4);
    expect(await verify(t.core, t.sms.lastCode())).toMatchObject({ ok: true });
  });

  it('starts a new window for a different number', async () => {
    const t = await testCore();
    await send(t.core);
    t.clock.advanceMinutes(3);
    const now = t.clock.now();
    expect(await send(t.core, { phone: '+8613812345678' })).toMatchObject({ ok: true, data: { windowEndsAt: now + 5 * minute } });
    expect(await verify(t.core, t.sms.lastCode())).toEqual({ ok: true, data: { phone: '+8613812345678' } });
  });

  it('starts a new window after the code was used', async () => {
    const t = await testCore();
    await send(t.core);
    await verify(t.core, t.sms.lastCode());
    t.clock.advanceMinutes(2);
    const now = t.clock.now();
    expect(await send(t.core)).toMatchObject({ ok: true, data: { windowEndsAt: now + 5 * minute } });
  });
});

describe('sign-in codes', () => {
  it('expire 5 minutes after each send', async () => {
    const t = await testCore();
    await send(t.core, { purpose: 'sign-in' });
    t.clock.advanceMinutes(2);
    const resent = t.clock.now();
    expect(await send(t.core, { purpose: 'sign-in' })).toMatchObject({ ok: true, data: { expiresAt: resent + 5 * minute, windowEndsAt: resent + 5 * minute } });
    const code = t.sms.lastCode();
    t.clock.advanceMinutes(5);
    expect(await verify(t.core, code, { purpose: 'sign-in' })).toEqual({ ok: false, code: 'code-expired' });
  });

  it('work until the last second of their 5 minutes', async () => {
    const t = await testCore();
    await send(t.core, { purpose: 'sign-in' });
    t.clock.advance(5 * minute - 1);
    expect(await verify(t.core, t.sms.lastCode(), { purpose: 'sign-in' })).toMatchObject({ ok: true });
  });
});

describe('resend and send limits', () => {
  it('allows a resend 60 s after the last send, not before', async () => {
    const t = await testCore();
    await send(t.core);
    t.clock.advanceSeconds(10);
    expect(await send(t.core)).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 50 });
    t.clock.advanceSeconds(49);
    expect(await send(t.core)).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 1 });
    t.clock.advanceSeconds(1);
    expect(await send(t.core)).toMatchObject({ ok: true });
    expect(t.sms.sent).toHaveLength(2);
  });

  it("keeps the 60 s wait to the mailbox's own resends: another mailbox on the same phone gets its code at once", async () => {
    const t = await testCore();
    await send(t.core, { mailbox: alice });
    t.clock.advanceSeconds(5);
    // Signing in to both mailboxes one after the other (the account switcher) is not a resend.
    expect(await send(t.core, { mailbox: bob })).toMatchObject({ ok: true });
    t.clock.advanceSeconds(5);
    expect(await send(t.core, { mailbox: alice })).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 50 });
  });

  it('spaces codes of one purpose: a sign-in code goes a moment after a binding code, a second one does not', async () => {
    const t = await testCore();
    await send(t.core);
    t.clock.advanceSeconds(10);
    expect(await send(t.core, { purpose: 'sign-in' })).toMatchObject({ ok: true });
    t.clock.advanceSeconds(10);
    expect(await send(t.core, { purpose: 'sign-in' })).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 50 });
    expect(await send(t.core)).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 40 });
  });

  it('has no 60 s wait once the last code was used: the next one is a new code, not a resend', async () => {
    const t = await testCore();
    await send(t.core);
    await verify(t.core, t.sms.lastCode());
    t.clock.advanceSeconds(5);
    expect(await send(t.core)).toMatchObject({ ok: true });
    t.clock.advanceSeconds(5);
    expect(await send(t.core)).toEqual({ ok: false, code: 'send-too-soon', retryAfter: 55 });
  });

  it('counts every purpose toward the hourly limit', async () => {
    const t = await testCore();
    await sendAtMinutes(t, [0, 1, 2]);
    await sendAtMinutes(t, [3, 4], { purpose: 'sign-in' });
    t.clock.advanceMinutes(1);
    expect(await send(t.core, { purpose: 'sign-in' })).toMatchObject({ ok: false, code: 'send-limit-reached' });
  });

  it('allows 5 sends per mailbox and phone in an hour; the 6th waits until the oldest leaves', async () => {
    expect(codeRules.limits[0]).toEqual({ sends: 5, windowMs: hour });
    const t = await testCore();
    await sendAtMinutes(t, [0, 1, 2, 3, 4]);
    t.clock.advanceMinutes(1);
    expect(await send(t.core)).toEqual({ ok: false, code: 'send-limit-reached', retryAfter: 55 * 60 });
    t.clock.advance(55 * minute - 1000);
    expect(await send(t.core)).toEqual({ ok: false, code: 'send-limit-reached', retryAfter: 1 });
    t.clock.advanceSeconds(1);
    expect(await send(t.core)).toMatchObject({ ok: true });
  });

  it('tells the page when the 5th send of the hour leaves no resend for a while', async () => {
    const t = await testCore();
    const start = t.clock.now();
    await sendAtMinutes(t, [0, 1, 2, 3]);
    t.clock.advanceMinutes(1);
    expect(await send(t.core)).toMatchObject({ ok: true, data: { resendAt: start + hour } });
  });

  it('counts the hourly limit per phone, across mailboxes', async () => {
    const t = await testCore();
    const mailboxes = ['m1@cstnet.cn', 'm2@cstnet.cn', 'm3@cstnet.cn', 'm4@cstnet.cn', 'm5@cstnet.cn'];
    for (const mailbox of mailboxes) {
      expect(await send(t.core, { mailbox })).toMatchObject({ ok: true });
      t.clock.advanceMinutes(1);
    }
    expect(await send(t.core, { mailbox: 'm6@cstnet.cn' })).toEqual({ ok: false, code: 'send-limit-reached', retryAfter: 55 * 60 });
    expect(await send(t.core, { mailbox: 'm6@cstnet.cn', phone: '+8613812345678' })).toMatchObject({ ok: true });
  });

  it('counts the hourly limit per mailbox, across phones', async () => {
    const t = await testCore();
    for (const n of [1, 2, 3, 4, 5]) {
      expect(await send(t.core, { phone: `+861391234000${n}` })).toMatchObject({ ok: true });
      t.clock.advanceMinutes(1);
    }
    expect(await send(t.core, { phone: '+8613912340006' })).toEqual({ ok: false, code: 'send-limit-reached', retryAfter: 55 * 60 });
    expect(await send(t.core, { mailbox: bob, phone: '+8613912340006' })).toMatchObject({ ok: true });
  });

  it('counts sign-in and binding codes together', async () => {
    const t = await testCore();
    await sendAtMinutes(t, [0, 1, 2, 3, 4], { purpose: 'sign-in' });
    t.clock.advanceMinutes(1);
    expect(await send(t.core, { purpose: 'bind-phone' })).toMatchObject({ ok: false, code: 'send-limit-reached' });
  });

  it('allows 10 sends a day; the 11th waits until the oldest is a day old', async () => {
    expect(codeRules.limits[1]).toEqual({ sends: 10, windowMs: day });
    const t = await testCore();
    await sendAtMinutes(t, [0, 1, 2, 3, 4, 60, 61, 62, 63]);
    t.clock.advanceMinutes(1);
    expect(await send(t.core), 'the 10th send of the day').toMatchObject({ ok: true });
    t.clock.advanceMinutes(56);
    // Two hours after the first send: the hourly limit is clear, the daily one is not.
    expect(await send(t.core)).toEqual({ ok: false, code: 'send-limit-reached', retryAfter: (day - 2 * hour) / 1000 });
    t.clock.advance(day - 2 * hour);
    expect(await send(t.core)).toMatchObject({ ok: true });
  });

  it('counts the daily limit per phone across mailboxes', async () => {
    const t = await testCore();
    for (let i = 0; i < 10; i += 1) {
      expect(await send(t.core, { mailbox: `m${i}@cstnet.cn` })).toMatchObject({ ok: true });
      t.clock.advanceMinutes(i === 4 ? 61 : 1);
    }
    t.clock.advanceMinutes(60);
    expect(await send(t.core, { mailbox: 'm10@cstnet.cn' })).toMatchObject({ ok: false, code: 'send-limit-reached' });
  });

  it('forgets sends once they are a day old', async () => {
    const t = await testCore();
    await send(t.core);
    t.clock.advanceDays(1);
    await send(t.core, { mailbox: bob, phone: '+8613812345678' });
    const left = await t.store.collection<SmsSendRecord>('smsSends').find({});
    expect(left.map((s) => s.mailbox)).toEqual([bob]);
  });
});

describe('delivery failures', () => {
  it('report sms-delivery-failed, record the failure and consume no quota', async () => {
    const t = await testCore();
    t.sms.failing = true;
    for (let i = 0; i < 6; i += 1) expect(await send(t.core)).toEqual({ ok: false, code: 'sms-delivery-failed' });
    expect(await storedCount(t)).toEqual({ codes: 0, sends: 0 });
    const failed = await events(t, 'code-send-failed');
    expect(failed).toHaveLength(6);
    expect(failed[0]).toMatchObject({ outcome: 'failure', detail: { phone: '139****1234', purpose: 'bind-phone', gateway: 'outbox' } });
    expect(await events(t, 'code-sent')).toEqual([]);
    t.sms.failing = false;
    // No 60 s wait and no limit: none of the failed attempts counted.
    expect(await send(t.core)).toMatchObject({ ok: true });
  });

  it('leave the previous code working', async () => {
    const t = await testCore();
    await send(t.core);
    const first = t.sms.lastCode();
    t.clock.advanceSeconds(60);
    t.sms.failing = true;
    expect(await send(t.core)).toEqual({ ok: false, code: 'sms-delivery-failed' });
    expect(await storedCount(t)).toEqual({ codes: 1, sends: 1 });
    expect(await verify(t.core, first)).toMatchObject({ ok: true });
  });

  it('log the gateway and reason, never the message', async () => {
    const lines: unknown[] = [];
    const logger: Logger = { info: (m, f) => lines.push({ m, ...f }), warn: (m, f) => lines.push({ m, ...f }), error: (m, f) => lines.push({ m, ...f }) };
    const t = await testCore({ logger });
    const core = { ...t.core, random: scriptedRandom(424242) };
    t.sms.failing = true;
    await send(core);
    expect(lines).toEqual([{ m: 'sms delivery failed', gateway: 'outbox', reason: 'provider down' }]);
  });

  it('treat any other gateway error as a bug: it propagates, and the reservation is undone', async () => {
    const t = await testCore();
    const broken = { ...t.core, sms: { kind: 'outbox' as const, send: async () => Promise.reject(new TypeError('bug')) } };
    await expect(send(broken)).rejects.toThrow('bug');
    expect(await storedCount(t)).toEqual({ codes: 0, sends: 0 });
    expect(await events(t)).toEqual([]);
  });
});

describe('pendingCode', () => {
  it('describes the code waiting to be entered, and nothing once it is used', async () => {
    const t = await testCore();
    const start = t.clock.now();
    expect(await pendingCode(t.core, alice, 'bind-phone')).toBeNull();
    await send(t.core);
    t.clock.advanceSeconds(20);
    expect(await pendingCode(t.core, alice, 'bind-phone')).toEqual({
      phone,
      sentAt: start,
      expiresAt: start + 5 * minute,
      windowEndsAt: start + 5 * minute,
      resendAt: start + minute,
    });
    await verify(t.core, t.sms.lastCode());
    expect(await pendingCode(t.core, alice, 'bind-phone')).toBeNull();
  });

  it('is gone after the 5th wrong entry', async () => {
    const t = await testCore();
    await send(t.core);
    const wrong = t.sms.lastCode() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) await verify(t.core, wrong);
    expect(await pendingCode(t.core, alice, 'bind-phone')).toBeNull();
  });
});
