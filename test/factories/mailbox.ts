/**
 * Mailboxes for core tests, written straight into the store (no sign-up flow in between), and a
 * way to sign a call in to one without going through the sign-in channels.
 */
import type { CallContext } from '../../electron/core/call';
import type { CoreContext } from '../../electron/core/context';
import { newMailboxRecord } from '../../electron/core/directory';
import { normalizeAddress, type MailboxRecord } from '../../electron/core/mailbox';

export const defaultTestPassword = 'correct horse battery staple';

export interface MailboxOptions {
  readonly address: string;
  readonly password?: string;
  readonly displayName?: string;
  /** E.164; binds the phone as the second factor. */
  readonly phone?: string;
  /** A base32 seed; binds an authenticator as the second factor. */
  readonly totp?: string;
  /** Any other field, e.g. `lockedUntil`. */
  readonly overrides?: Partial<Omit<MailboxRecord, '_id' | 'address'>>;
}

export async function createMailbox(core: CoreContext, options: MailboxOptions): Promise<MailboxRecord> {
  const address = normalizeAddress(options.address);
  const now = core.clock.now();
  const base = newMailboxRecord(
    address,
    options.displayName ?? address.slice(0, address.indexOf('@')),
    await core.hasher.hash(options.password ?? defaultTestPassword),
    now,
  );
  const record: MailboxRecord = {
    ...base,
    phone: options.phone ? { number: options.phone, boundAt: now } : null,
    totp: options.totp ? { secret: options.totp, confirmedAt: now, lastStep: 0 } : null,
    ...options.overrides,
  };
  return core.store.collection<MailboxRecord>('mailboxes').insert(record);
}

/** Starts a full session (password just checked, no enrolment pending) for the call's connection. */
export async function signIn(core: CoreContext, call: CallContext, address: string): Promise<void> {
  const now = core.clock.now();
  await core.sessions.start(call, { mailbox: normalizeAddress(address), signedInAt: now, passwordCheckedAt: now });
}
