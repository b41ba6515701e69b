/**
 * Fault suite, brute force (issue 7): whole attacker runs against the real core through the
 * dispatcher (electron/core/sign-in.ts, codes.ts, two-factor.ts, mail-login.ts), time moved by a
 * fake clock. Each run is stopped at the limit docs/rules.md §3–§4 documents, and the owner's security
 * log (read through `activity:list`, as the activity page does) shows exactly the attempts that
 * were checked, the lock, and the codes sent.
 *
 * The attacker never guesses the right code by luck: each guess skips the code that would be
 * right at that moment, so every run is deterministic and counts the checks the limit allows.
 */
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/call';
import { verifyMailLogin } from '../../electron/core/mail-login';
import type { Result } from '../../electron/shared/result';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { coreDispatcher } from '../factories/dispatch';

/** docs/rules.md §3: 5 wrong passwords in 15 minutes lock the mailbox for 15 minutes. */
const lockout = { failures: 5, windowMin: 15, lockMin: 15 };
/** docs/rules.md §4: 5 wrong entries end a code; 5 sends an hour and 10 a day, per phone and per mailbox. */
const codes = { wrongEntries: 5, perHour: 5, perDay: 10 };

const phone = '+86 139 1234 5678';
const password = 'Victim-main-password-1';

interface Event {
  kind: string;
  outcome: string;
  at: number;
  detail: Record<string, string | number>;
}

async function setup() {
  const test = await testCore();
  const dispatch = coreDispatcher(test.core);
  const send = (channel: string, request: unknown, who: CallContext) => dispatch(channel, request, who) as Promise<Result<Record<string, unknown>>>;
  const must = async (channel: string, request: unknown, who: CallContext) => {
    const result = await send(channel, request, who);
    if (!result.ok) throw new Error(`${channel}: ${result.code}`);
    return result.data;
  };
  /** Registers a mailbox; its owner's connection stays signed in to read the log afterwards. */
  const victim = async (address: string, method: 'sms' | 'totp' | 'none') => {
    const owner = testCall({ connection: `owner-${address}` });
    await must('auth:register', { address, password, confirmation: password }, owner);
    let secret = '';
    if (method === 'sms') {
      await must('two-factor:start-phone-binding', { phone }, owner);
      await must('two-factor:confirm-phone-binding', { code: test.sms.lastCode() }, owner);
    } else if (method === 'totp') {
      secret = (await must('two-factor:start-totp', {}, owner)).secret as string;
      await must('two-factor:confirm-totp', { code: totpAt(secret, test.clock.now()) }, owner);
    }
    // The owner's own sign-in and setup lie before the attack.
    test.clock.advanceMinutes(2);
    return { address, owner, secret };
  };
  /** The owner's whole log, oldest first, as the activity page pages through it. */
  const log = async (owner: CallContext): Promise<Event[]> => {
    const events: Event[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await must('activity:list', { limit: 200, ...(before ? { before } : {}) }, owner);
      events.push(...(page.events as Event[]));
      if (page.nextCursor === null) return events.reverse();
      before = page.nextCursor as string;
    }
  };
  return { ...test, send, must, victim, log };
}

function totpAt(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });
}

/** The n-th six-digit guess that is not one of `right`. */
function guess(n: number, right: readonly string[]): string {
  for (let value = n; ; value += 1_000_003) {
    const code = String(value % 1_000_000).padStart(6, '0');
    if (!right.includes(code)) return code;
  }
}

const count = (events: Event[], kind: string, outcome?: string) =>
  events.filter((e) => e.kind === kind && (outcome === undefined || e.outcome === outcome)).length;

describe('an attacker guessing the password', () => {
  it('gets 5 guesses per lock, never in with the right one while locked, and every guess and lock is in the log', async () => {
    const { clock, send, victim, log } = await setup();
    const { address, owner } = await victim('victim@example.cn', 'none');
    const attacker = testCall({ connection: 'attacker' });
    const start = clock.now();
    const answers: string[] = [];
    // One guess every 20 seconds for 2 hours; the right password comes while the mailbox is locked.
    for (let n = 0; n < 360; n += 1) {
      const tried = n === 167 ? password : `guess-${n}-password`;
      const result = await send('auth:sign-in', { address, password: tried }, attacker);
      expect(result.ok, `guess ${n}`).toBe(false);
      answers.push((result as { code: string }).code);
      clock.advanceSeconds(20);
    }
    // A cycle: 5 wrong passwords 20 s apart, then 15 minutes locked: 49 guesses, 5 of them checked.
    expect(answers.slice(0, 5)).toEqual(['sign-in-failed', 'sign-in-failed', 'sign-in-failed', 'sign-in-failed', 'mailbox-locked']);
    expect(answers[167]).toBe('mailbox-locked');
    const events = (await log(owner)).filter((e) => e.at >= start);
    expect(count(events, 'sign-in-failed', 'failure')).toBe(8 * lockout.failures);
    expect(count(events, 'mailbox-locked', 'failure')).toBe(8);
    expect(count(events, 'sign-in', 'success')).toBe(0);
    // No window of 15 minutes ever held more than 5 checked guesses.
    const checked = events.filter((e) => e.kind === 'sign-in-failed').map((e) => e.at);
    for (const at of checked) expect(checked.filter((t) => t >= at && t < at + lockout.windowMin * 60_000).length).toBeLessThanOrEqual(lockout.failures);
    // Once the lock has run out the owner gets in with the right password.
    clock.advanceMinutes(lockout.lockMin);
    expect(await send('auth:sign-in', { address, password }, testCall({ connection: 'owner-again' }))).toMatchObject({
      ok: true,
      data: { status: 'signed-in' },
    });
  });

  it('closes the mail protocols too while locked, and a main password never opens IMAP once 2FA is on', async () => {
    const { core, clock, send, victim, log } = await setup();
    const { address, owner } = await victim('victim@example.cn', 'sms');
    const attacker = testCall({ connection: 'attacker' });
    const start = clock.now();
    for (let n = 0; n < lockout.failures; n += 1) await send('auth:sign-in', { address, password: `guess-${n}-password` }, attacker);
    const login = (secret: string) => verifyMailLogin(core, { address, secret, protocol: 'imap', clientAddress: '203.0.113.9' });
    expect(await login(password)).toEqual({ ok: false, reason: 'locked' });
    clock.advanceMinutes(lockout.lockMin);
    // Right or wrong, the main password is refused over IMAP: with 2FA on, only client passwords work there.
    for (let n = 0; n < 50; n += 1) expect((await login(n === 25 ? password : `imap-guess-${n}`)).ok).toBe(false);
    const events = (await log(owner)).filter((e) => e.at >= start);
    expect(
      events
        .filter((e) => e.kind === 'client-password-rejected')
        .map((e) => e.detail.reason)
        .sort(),
    ).toEqual(['locked', 'main-password-with-2fa', 'wrong']);
    expect(count(events, 'mailbox-locked', 'failure')).toBe(1);
  });
});

describe('an attacker with the password guessing the sign-in code', () => {
  it('is held to 5 guesses per code and 10 codes a day per phone, across two mailboxes on that phone', async () => {
    const { clock, sms, send, victim, log } = await setup();
    // Two mailboxes bound to the same phone (docs/rules.md §4 allows it): the per-phone limit covers both.
    const first = await victim('victim@example.cn', 'sms');
    const second = await victim('shared@example.cn', 'sms');
    clock.advanceDays(1);
    const start = clock.now();
    const attacker = testCall({ connection: 'attacker' });
    let guesses = 0;
    let checked = 0;
    // Every minute for a day: sign in again (a fresh challenge, a fresh code if the limits allow),
    // then guess until the code is spent; alternate the mailboxes.
    for (let minute = 0; minute < 24 * 60; minute += 1) {
      const address = minute % 2 === 0 ? first.address : second.address;
      const challenge = await send('auth:sign-in', { address, password }, attacker);
      expect(challenge).toMatchObject({ ok: true, data: { status: 'code-required' } });
      for (let n = 0; n < codes.wrongEntries + 2; n += 1) {
        const right = sms.sent.length > 0 ? [sms.lastCode()] : [];
        const answer = await send('auth:verify-code', { code: guess(guesses++, right), method: 'sms', trustDevice: false }, attacker);
        expect(answer.ok).toBe(false);
        const code = (answer as { code: string }).code;
        if (code === 'code-invalid' || (code === 'code-attempts-exceeded' && n === codes.wrongEntries - 1)) checked += 1;
        if (code !== 'code-invalid') break;
      }
      clock.advanceMinutes(1);
    }
    const sent = sms.sent.filter((m) => m.phone === '+8613912345678').length - 2;
    expect(sent).toBe(codes.perDay);
    expect(checked).toBe(codes.perDay * codes.wrongEntries);
    const events = [...(await log(first.owner)), ...(await log(second.owner))].filter((e) => e.at >= start);
    expect(count(events, 'code-sent', 'success')).toBe(codes.perDay);
    expect(count(events, 'code-rejected', 'failure')).toBe(codes.perDay * codes.wrongEntries);
    expect(events.filter((e) => e.kind === 'code-rejected').map((e) => e.detail.wrongEntries)).toEqual(
      Array.from({ length: codes.perDay }, () => [1, 2, 3, 4, 5]).flat(),
    );
    // The first hour allows 5 sends, no more.
    const sends = events.filter((e) => e.kind === 'code-sent').map((e) => e.at);
    expect(sends.filter((at) => at < start + 60 * 60_000)).toHaveLength(codes.perHour);
    expect(count(events, 'sign-in', 'success')).toBe(0);
  });
});

describe('an attacker in a session guessing a binding code', () => {
  it('binds nothing: 5 guesses per code, 5 codes an hour, 10 a day for the mailbox', async () => {
    const { clock, sms, send, victim, log } = await setup();
    const { owner } = await victim('victim@example.cn', 'none');
    const start = clock.now();
    const answers = new Map<string, number>();
    let guesses = 0;
    for (let minute = 0; minute < 24 * 60; minute += 1) {
      // A different phone each time: the per-mailbox limit has to hold on its own.
      const started = await send('two-factor:start-phone-binding', { phone: `+86 138 0000 ${String(1000 + (minute % 9000))}` }, owner);
      if (started.ok) {
        for (let n = 0; n < codes.wrongEntries + 1; n += 1) {
          const answer = await send('two-factor:confirm-phone-binding', { code: guess(guesses++, [sms.lastCode()]) }, owner);
          const code = answer.ok ? 'bound' : answer.code;
          answers.set(code, (answers.get(code) ?? 0) + 1);
          if (code !== 'code-invalid') break;
        }
      } else {
        answers.set(started.code, (answers.get(started.code) ?? 0) + 1);
      }
      clock.advanceMinutes(1);
    }
    expect(answers.get('bound')).toBeUndefined();
    expect(answers.get('code-invalid')).toBe(codes.perDay * (codes.wrongEntries - 1));
    expect(answers.get('code-attempts-exceeded')).toBe(codes.perDay);
    expect(answers.get('send-limit-reached')).toBeGreaterThan(0);
    const events = (await log(owner)).filter((e) => e.at >= start);
    expect(count(events, 'code-sent', 'success')).toBe(codes.perDay);
    expect(count(events, 'code-rejected', 'failure')).toBe(codes.perDay * codes.wrongEntries);
    expect(count(events, 'phone-bound')).toBe(0);
    expect(events.filter((e) => e.kind === 'code-sent' && e.at < start + 60 * 60_000)).toHaveLength(codes.perHour);
  });
});

describe('an attacker with the password guessing the authenticator code', () => {
  it('gets 5 guesses per lock, and the log shows each one and each lock', async () => {
    const { clock, send, victim, log } = await setup();
    const { address, owner, secret } = await victim('victim@example.cn', 'totp');
    const start = clock.now();
    const attacker = testCall({ connection: 'attacker' });
    let guesses = 0;
    const answers: string[] = [];
    // One try every 20 seconds for 2 hours: sign in (needs the password), then a code.
    for (let n = 0; n < 360; n += 1) {
      const challenge = await send('auth:sign-in', { address, password }, attacker);
      if (challenge.ok) {
        const now = clock.now();
        const right = [-30_000, 0, 30_000].map((offset) => totpAt(secret, now + offset));
        const answer = await send('auth:verify-code', { code: guess(guesses++, right), method: 'totp', trustDevice: false }, attacker);
        expect(answer.ok).toBe(false);
        answers.push((answer as { code: string }).code);
      } else {
        answers.push(challenge.code);
      }
      clock.advanceSeconds(20);
    }
    // A cycle: 5 wrong codes 20 s apart, then 15 minutes locked: 49 tries, 5 codes checked.
    expect(answers.slice(0, 6)).toEqual(['code-invalid', 'code-invalid', 'code-invalid', 'code-invalid', 'mailbox-locked', 'mailbox-locked']);
    const events = (await log(owner)).filter((e) => e.at >= start);
    const failures = events.filter((e) => e.kind === 'sign-in-failed');
    expect(failures).toHaveLength(8 * lockout.failures);
    expect(count(events, 'mailbox-locked', 'failure')).toBe(8);
    expect(failures.every((e) => e.detail.step === 'totp')).toBe(true);
    const at = failures.map((e) => e.at);
    for (const t of at) expect(at.filter((u) => u >= t && u < t + lockout.windowMin * 60_000).length).toBeLessThanOrEqual(lockout.failures);
    expect(count(events, 'sign-in', 'success')).toBe(0);
  });
});
