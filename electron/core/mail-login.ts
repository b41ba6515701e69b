/**
 * The mail-server check (docs/rules.md §6): what an IMAP, SMTP or POP3 server asks when a client logs
 * in. With 2FA on only a client password opens the mailbox, and only in its scope and before its
 * expiry; the main password is refused with a reason of its own, which is what lets the
 * test-connection screen say "use a client password" instead of Foxmail's bare "password error".
 * No channel reaches it: a bridge to the mail server calls it.
 */
import type { MailProtocol } from '../shared/client-password-rules';
import type { ClientPasswordRecord } from './client-password-record';
import { clientPasswordLookup, generateClientPassword, isExpired, looksLikeClientPassword, normalizeClientPassword } from './client-passwords';
import type { CoreContext } from './context';
import { hasTwoFactor, normalizeAddress, type MailboxRecord } from './mailbox';
import type { PasswordHasher } from './password-hash';
import { verifyRemembered } from './verified-secrets';

export interface MailLoginRequest {
  readonly address: string;
  /** What the client sent as its password, as typed. */
  readonly secret: string;
  readonly protocol: MailProtocol;
  /** The client's network address as the mail server saw it. */
  readonly clientAddress: string;
}

type MailLoginRefusal = 'unknown' | 'main-password-with-2fa' | 'wrong' | 'out-of-scope' | 'expired' | 'locked';

export type MailLoginResult =
  { readonly ok: true; readonly via: 'main-password' | 'client-password'; readonly name?: string } | { readonly ok: false; readonly reason: MailLoginRefusal };

/**
 * scrypt over a megabyte-long "password" would let any client stall the backend.
 * @internal
 */
export const mailSecretMaxLength = 1024;
/**
 * A mail client logs in every few minutes: one use or refusal per client, reason and hour is logged.
 * @internal
 */
export const mailLoginEventWindowMs = 60 * 60 * 1000;
const clientAddressMaxLength = 64;

const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();

/** Spends one hash on an unknown address, so its answer takes as long as a known one's. */
async function spendHash(core: CoreContext, secret: string): Promise<void> {
  let dummy = dummyHashes.get(core.hasher);
  if (!dummy) {
    dummy = core.hasher.hash(generateClientPassword(core.random));
    dummyHashes.set(core.hasher, dummy);
  }
  await core.hasher.verify(secret, await dummy);
}

export async function verifyMailLogin(core: CoreContext, request: MailLoginRequest): Promise<MailLoginResult> {
  const address = normalizeAddress(request.address);
  const protocol = request.protocol;
  // The address comes from the mail server, not from the client, but a log line stays bounded anyway.
  const clientAddress = request.clientAddress.slice(0, clientAddressMaxLength);
  const device = `${protocol.toUpperCase()} from ${clientAddress}`;
  const secret = request.secret.length <= mailSecretMaxLength ? request.secret : null;

  const mailbox = await core.store.collection<MailboxRecord>('mailboxes').get(address);
  if (!mailbox) {
    if (secret !== null) await spendHash(core, secret);
    return { ok: false, reason: 'unknown' };
  }

  const refuse = async (reason: MailLoginRefusal, name?: string): Promise<MailLoginResult> => {
    await core.activity.recordUnlessRecent(
      { mailbox: address, kind: 'client-password-rejected', outcome: 'failure', device, detail: { reason, protocol, ...(name ? { name } : {}) } },
      mailLoginEventWindowMs,
      ['reason'],
    );
    return { ok: false, reason };
  };

  const now = core.clock.now();
  // A lock set by failed sign-ins closes every door, the mail protocols included.
  if (mailbox.lockedUntil !== null && now < mailbox.lockedUntil) return refuse('locked');
  if (secret === null) return refuse('wrong');

  const normalized = normalizeClientPassword(secret);
  if (looksLikeClientPassword(normalized)) {
    const passwords = core.store.collection<ClientPasswordRecord>('clientPasswords');
    const record = await passwords.findOne({ mailbox: address, lookup: clientPasswordLookup(core, normalized) });
    // Checked through the cache of recent successes: the record is read as it is now, so a revoke,
    // a scope or an expiry applies at once whether or not the check itself is remembered.
    if (record && (await verifyRemembered(core.verified, core.hasher, record._id, record.hash, normalized))) {
      if (isExpired(record, now)) return refuse('expired', record.name);
      if (!record.scopes.includes(protocol)) return refuse('out-of-scope', record.name);
      const used = await core.store.atomically(async () => {
        // Revoked while its hash was being checked: revocation wins, at once.
        const current = await passwords.get(record._id);
        if (!current) return false;
        await passwords.replace({ ...current, lastUsedAt: now, lastUsedFrom: clientAddress });
        await core.activity.recordUnlessRecent(
          { mailbox: address, kind: 'client-password-used', device, detail: { name: current.name, protocol } },
          mailLoginEventWindowMs,
          ['name'],
        );
        return true;
      });
      if (!used) return refuse('wrong');
      return { ok: true, via: 'client-password', name: record.name };
    }
  }

  if (await verifyRemembered(core.verified, core.hasher, mailbox._id, mailbox.passwordHash, secret)) {
    // With 2FA on, a password alone must not open the mailbox anywhere: that is what 2FA is for.
    if (hasTwoFactor(mailbox)) return refuse('main-password-with-2fa');
    return { ok: true, via: 'main-password' };
  }
  return refuse('wrong');
}
