/**
 * Changing the main password (docs/rules.md §6, last rule). A new password revokes every trusted
 * device and, unless policy says otherwise, every client password; the preview says beforehand
 * which clients will need a new one.
 */
import { err, ok, type Result } from '../shared/result';
import { deviceName } from './call';
import { revokeAllClientPasswords, type ClientPasswordRecord } from './client-password-record';
import type { CoreContext } from './context';
import { passwordRuleViolation } from './directory';
import type { LevelledHandlersOf, SignedInCall } from './handler-types';
import type { MailboxRecord } from './mailbox';
import { oneAttemptAtATime, recordFailedAttempt } from './lockout';
import { revokeAllTrustedDevices, type TrustedDeviceRecord } from './trusted-devices';

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

/** @internal */
export interface PasswordChangePreview {
  readonly revokesClientPasswords: boolean;
  readonly clientPasswords: string[];
  readonly trustedDevices: number;
}

/**
 * What a new main password would revoke now, so the page can warn before the user commits.
 * @internal
 */
export async function passwordChangePreview(core: CoreContext, mailbox: string): Promise<PasswordChangePreview> {
  const revokesClientPasswords = core.policy().passwordChangeRevokesClientPasswords;
  const clientPasswords = revokesClientPasswords
    ? (await core.store.collection<ClientPasswordRecord>('clientPasswords').find({ mailbox }, { sort: { createdAt: 1 } })).map((p) => p.name)
    : [];
  const trustedDevices = await core.store.collection<TrustedDeviceRecord>('trustedDevices').count({ mailbox, expiresAt: { $gt: core.clock.now() } });
  return { revokesClientPasswords, clientPasswords, trustedDevices };
}

interface PasswordChange {
  readonly current: string;
  readonly next: string;
  readonly confirmation: string;
}

interface PasswordChanged {
  readonly revokedClientPasswords: string[];
  readonly revokedTrustedDevices: number;
}

/**
 * Checks the current password (a wrong one counts toward the lockout, like a wrong sign-in),
 * applies the password rules, then writes the new hash and revokes in one unit. Every other
 * connection signed in to the mailbox is signed out; this one stays, its password just checked.
 */
async function changePassword(core: CoreContext, call: SignedInCall, change: PasswordChange): Promise<Result<PasswordChanged>> {
  const { session } = call;
  const address = session.mailbox;
  return oneAttemptAtATime(core, address, async (): Promise<Result<PasswordChanged>> => {
    const mailbox = await mailboxes(core).get(address);
    if (!mailbox) return err('not-signed-in');
    const now = core.clock.now();
    if (mailbox.lockedUntil !== null && mailbox.lockedUntil > now) {
      return err('mailbox-locked', { retryAfter: Math.max(1, Math.ceil((mailbox.lockedUntil - now) / 1000)) });
    }
    if (!(await core.hasher.verify(change.current, mailbox.passwordHash))) {
      return recordFailedAttempt(core, call, address, err('password-incorrect', { fields: ['current'] }), { step: 'password-change' });
    }
    const rule = passwordRuleViolation(change.next, address);
    if (rule) return err(rule, { fields: ['next'] });
    if (change.next !== change.confirmation) return err('passwords-differ', { fields: ['confirmation'] });
    // The same password again would revoke every client for nothing and change no secret.
    if (change.next.normalize('NFC') === change.current.normalize('NFC')) return err('password-unchanged', { fields: ['next'] });

    const passwordHash = await core.hasher.hash(change.next);
    const revokesClientPasswords = core.policy().passwordChangeRevokesClientPasswords;
    const changed = await core.store.atomically(async () => {
      const fresh = (await mailboxes(core).get(address)) ?? mailbox;
      const at = core.clock.now();
      await mailboxes(core).replace({ ...fresh, passwordHash, passwordChangedAt: at, failedSignIns: [], lockedUntil: null });
      // A device trusted under the old password must show the new one a code again (ASVS 2.5.5).
      const revokedTrustedDevices = await revokeAllTrustedDevices(core, address);
      const revokedClientPasswords = revokesClientPasswords ? await revokeAllClientPasswords(core, address) : [];
      await core.activity.record({
        mailbox: address,
        kind: 'password-changed',
        device: deviceName(call.device),
        detail: { clientPasswordsRevoked: revokedClientPasswords.length, trustedDevicesRevoked: revokedTrustedDevices },
      });
      return { at, revokedClientPasswords, revokedTrustedDevices };
    });
    // Whoever signed in elsewhere with the old password is out; this connection proved the new one.
    await core.sessions.endAllFor(address);
    await core.sessions.start(call, { ...session, passwordCheckedAt: changed.at });
    return ok({ revokedClientPasswords: changed.revokedClientPasswords, revokedTrustedDevices: changed.revokedTrustedDevices });
  });
}

export function createAccountHandlers(core: CoreContext): LevelledHandlersOf<'account'> {
  return {
    'account:password-change-preview': async (_request, call) => ok(await passwordChangePreview(core, call.session.mailbox)),
    'account:change-password': async (request, call) => changePassword(core, call, request),
  };
}
