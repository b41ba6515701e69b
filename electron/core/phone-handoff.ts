/**
 * A phone fetches its mail profile once, by QR (docs/rules.md §8.9): the person holds a client
 * password on a computer, the organisation server builds the iPhone / iPad profile with it and
 * keeps it for ten minutes behind a one-time link; the phone's camera opens the link and Safari
 * hands the profile to Settings. No AirDrop, no e-mail carrying a password.
 *
 * What is kept is sealed under a key derived from the link's token, which only the QR holds:
 * the database (and its backups) hold ciphertext and a keyed hash of the token, never the
 * password nor a way to it. The first fetch removes it; a second one, or one after ten minutes,
 * finds nothing.
 *
 * Only an organisation server offers it: a desktop's own store has no address a phone can reach.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { err, ok, type Result } from '../shared/result';
import { deviceName, type CallContext, type DeviceIdentity } from './call';
import { markClientPasswordApplied, verifyOwnClientPassword } from './client-passwords';
import type { CoreContext } from './context';
import { keyedHash } from './keyed-hash';
import type { MailboxRecord } from './mailbox';
import { buildMobileconfig, profileFileName } from './mail-clients/mobileconfig';
import { qrSvg } from './qr-svg';
import type { StoredRecord } from './store';
import type { LevelledHandlersOf } from './handler-types';

/** @internal */
export const phoneHandoffRule = {
  /** How long the link works. */
  lifetimeMs: 10 * 60_000,
  /** Bytes of the token in the link (base64url: 43 characters). */
  tokenBytes: 32,
} as const;

/** The link's path below the server's public address; the token follows. */
export const phoneHandoffPath = '/phone-profile/';

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

interface PhoneHandoffRecord extends StoredRecord {
  readonly mailbox: string;
  /** The client password's id and name, for the list's "used in" and the security log. */
  readonly clientPasswordId: string;
  readonly name: string;
  /** base64url of nonce (12) ‖ tag (16) ‖ AES-256-GCM ciphertext of the profile. */
  readonly sealed: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

function handoffs(core: CoreContext) {
  return core.store.collection<PhoneHandoffRecord>('phoneHandoffs');
}

/** The key the profile is sealed under: from the token alone, which the store never sees. */
function sealingKey(token: string): Buffer {
  return createHmac('sha256', token).update('mailwarden phone-handoff sealing key').digest();
}

function seal(token: string, plain: string, id: string, nonce: Uint8Array): string {
  const cipher = createCipheriv('aes-256-gcm', sealingKey(token), nonce);
  cipher.setAAD(Buffer.from(id));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
}

function unseal(token: string, sealed: string, id: string): string | null {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 28) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(token), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

function handoffId(core: CoreContext, token: string): string {
  return keyedHash(core.keys.mac, 'phone-handoff', token);
}

interface PhoneHandoff {
  readonly url: string;
  readonly expiresAt: number;
}

/**
 * @internal
 * Checks `password` is the mailbox's client password `id`, builds the profile with it and keeps
 * it behind a new link. A mailbox has one link at a time: a new one ends the one before.
 * `base`: the server's public address; absent where no phone can reach this backend, or where
 * the organisation's policy turned iPhone profiles off.
 */
export async function createPhoneHandoff(
  core: CoreContext,
  base: URL | undefined,
  mailbox: string,
  call: CallContext,
  request: { readonly id: string; readonly password: string },
): Promise<Result<PhoneHandoff>> {
  if (!base) return err('phone-handoff-unavailable');
  const checked = await verifyOwnClientPassword(core, mailbox, request.id, request.password);
  if (!checked.ok) return checked;
  const owner = await core.store.collection<MailboxRecord>('mailboxes').get(mailbox);
  if (!owner) return err('not-signed-in');
  const xml = buildMobileconfig(
    {
      address: owner.address,
      displayName: owner.displayName || owner.address,
      server: core.policy().mailServer,
      password: checked.data.plain,
      scopes: checked.data.scopes,
      organisation: 'Mailwarden',
    },
    core.random,
  );
  const token = Buffer.from(core.random.bytes(phoneHandoffRule.tokenBytes)).toString('base64url');
  const id = handoffId(core, token);
  const now = core.clock.now();
  const expiresAt = now + phoneHandoffRule.lifetimeMs;
  await core.store.atomically(async () => {
    // One link per mailbox, and none past its time left lying about.
    await handoffs(core).remove({ mailbox });
    await handoffs(core).remove({ expiresAt: { $lte: now } });
    await handoffs(core).insert({
      _id: id,
      mailbox,
      clientPasswordId: checked.data._id,
      name: checked.data.name,
      sealed: seal(token, xml, id, core.random.bytes(12)),
      createdAt: now,
      expiresAt,
    });
    await core.activity.record({ mailbox, kind: 'phone-profile-offered', device: deviceName(call.device), detail: { name: checked.data.name } });
  });
  return ok({ url: new URL(`${phoneHandoffPath}${token}`, base).href, expiresAt });
}

export interface FetchedProfile {
  readonly fileName: string;
  readonly body: string;
}

/**
 * The phone's one fetch: the profile, removed as it is handed over; null for a token that is
 * malformed, unknown, used or past its time (the answer does not say which).
 */
export async function takePhoneHandoff(core: CoreContext, token: string, device: DeviceIdentity): Promise<FetchedProfile | null> {
  if (!tokenPattern.test(token)) return null;
  const id = handoffId(core, token);
  const now = core.clock.now();
  return core.store.atomically(async () => {
    const record = await handoffs(core).get(id);
    if (!record) return null;
    // Whoever removes it serves it: two fetches racing (two processes) hand it over once.
    if ((await handoffs(core).remove({ _id: id })) !== 1) return null;
    if (record.expiresAt <= now) return null;
    const body = unseal(token, record.sealed, id);
    if (body === null) return null;
    const owner = await core.store.collection<MailboxRecord>('mailboxes').get(record.mailbox);
    if (!owner) return null;
    // The list's "used in": the password is on its way into the phone.
    // A password revoked since (or by a password change) is not handed to a phone.
    if (!(await markClientPasswordApplied(core, record.mailbox, record.clientPasswordId, 'iphone-profile')).ok) return null;
    await core.activity.record({ mailbox: record.mailbox, kind: 'phone-profile-fetched', device: deviceName(device), detail: { name: record.name } });
    return { fileName: profileFileName(owner.address), body };
  });
}

/** `base`: the organisation server's public address; absent on a desktop's own store. */
export function createPhoneHandoffHandlers(core: CoreContext, base: (() => URL) | undefined): LevelledHandlersOf<'phone-handoff'> {
  return {
    'phone-handoff:create': async (request, call) => {
      const created = await createPhoneHandoff(core, base?.(), call.session.mailbox, call, request);
      return created.ok ? ok({ ...created.data, qrSvg: qrSvg(created.data.url) }) : created;
    },
    'phone-handoff:cancel': async (_request, call) => {
      // A desktop's own store keeps no links (and never opens their collection).
      if (!base) return err('phone-handoff-unavailable');
      await handoffs(core).remove({ mailbox: call.session.mailbox });
      return ok({});
    },
  };
}
