/**
 * The mailbox lockout (docs/rules.md §3): five wrong passwords (or codes) within 15 minutes lock the
 * mailbox for 15 minutes. One module for every path that counts toward it: the sign-in, the
 * password re-check before a method changes, and the password change.
 */
import { err, type Err } from '../shared/result';
import { deviceName, type CallContext, type DeviceIdentity } from './call';
import type { CoreContext } from './context';
import type { MailboxRecord } from './mailbox';

export const lockoutRule = { failures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 } as const;

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

/** Whole seconds until `at`, at least one: a Retry-After a person can read. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/** `mailbox-locked` with the seconds left, while a lock lasts; null otherwise. */
export function lockedErr(lockedUntil: number | null, now: number): Err | null {
  return lockedUntil !== null && lockedUntil > now ? err('mailbox-locked', { retryAfter: secondsUntil(lockedUntil, now) }) : null;
}

/** Attempts on one address run one after another (per backend), so parallel guesses cannot outrun the lockout. */
const queuesOf = new WeakMap<CoreContext, Map<string, Promise<unknown>>>();

/** Runs password and code checks for one address one at a time. */
export function oneAttemptAtATime<R>(core: CoreContext, address: string, work: () => Promise<R>): Promise<R> {
  let queues = queuesOf.get(core);
  if (!queues) queuesOf.set(core, (queues = new Map()));
  const result = (queues.get(address) ?? Promise.resolve()).then(work, work);
  const tail = result.catch(() => undefined);
  queues.set(address, tail);
  void tail.then(() => {
    if (queues.get(address) === tail) queues.delete(address);
  });
  return result;
}

/**
 * Counts a wrong main password toward the lockout: the 5th within 15 minutes locks the mailbox
 * for 15 minutes and writes `mailbox-locked`. Call inside `store.atomically`, with the record
 * read there. Returns the end of the lock when this failure set one.
 */
export async function countPasswordFailure(core: CoreContext, mailbox: MailboxRecord, device: DeviceIdentity): Promise<{ lockedUntil: number | null }> {
  const now = core.clock.now();
  const failures = [...mailbox.failedSignIns.filter((at) => at > now - lockoutRule.windowMs), now];
  if (failures.length < lockoutRule.failures) {
    await mailboxes(core).replace({ ...mailbox, failedSignIns: failures });
    return { lockedUntil: null };
  }
  const lockedUntil = now + lockoutRule.lockMs;
  await mailboxes(core).replace({ ...mailbox, failedSignIns: [], lockedUntil });
  await core.activity.record({
    mailbox: mailbox.address,
    kind: 'mailbox-locked',
    outcome: 'failure',
    device: deviceName(device),
    detail: { minutes: lockoutRule.lockMs / 60_000 },
  });
  return { lockedUntil };
}

/**
 * Counts a wrong password (or second factor) toward the lockout and logs it, in one unit.
 * Answers `failure`, or `mailbox-locked` when this was the failure that locked the mailbox.
 */
export async function recordFailedAttempt(core: CoreContext, call: CallContext, address: string, failure: Err, detail: Record<string, string>): Promise<Err> {
  return core.store.atomically(async () => {
    const mailbox = await mailboxes(core).get(address);
    if (!mailbox) return failure;
    await core.activity.record({ mailbox: address, kind: 'sign-in-failed', outcome: 'failure', device: deviceName(call.device), detail });
    const { lockedUntil } = await countPasswordFailure(core, mailbox, call.device);
    return lockedErr(lockedUntil, core.clock.now()) ?? failure;
  });
}
