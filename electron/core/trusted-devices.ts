/**
 * Trusted devices (docs/rules.md §7): one device and one client, trusted for the policy's days
 * (7 by default), not sliding. The token lives with the client; only its keyed hash is here.
 * Also the mailbox's signed-in sessions, listed and signed out from here (the keeper is sessions.ts).
 */
import { err, ok, type Result } from '../shared/result';
import { deviceName, type CallContext } from './call';
import type { CoreContext } from './context';
import type { LevelledHandlersOf } from './handler-types';
import { randomId } from './ids';
import { keyedHash } from './keyed-hash';
import { defaultPolicy, trustedDeviceDaysRange } from './policy';
import type { StoredRecord } from './store';

export interface TrustedDeviceRecord extends StoredRecord {
  readonly mailbox: string;
  /** keyedHash(mac, 'trust-token', token). */
  readonly tokenHash: string;
  readonly label: string;
  readonly client: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
}

const dayMs = 86_400_000;
const tokenPurpose = 'trust-token';
/** 256 bits: as many as the spec asks for, and beyond any guessing. */
const tokenBytes = 32;

function devices(core: CoreContext) {
  return core.store.collection<TrustedDeviceRecord>('trustedDevices');
}

/** The hash of this client's trust token, or null when it holds none. */
async function currentTokenHash(core: CoreContext, call: CallContext): Promise<string | null> {
  const token = await call.trust.get();
  return token ? keyedHash(core.keys.mac, tokenPurpose, token) : null;
}

/**
 * How many days "trust this device" lasts: the policy's days, held to 1–30 whatever a policy file
 * says (trust must end, and soon). Exported so the sign-in screen states the number that applies.
 */
export function trustedDeviceDays(core: CoreContext): number {
  const days = Math.round(core.policy().trustedDeviceDays);
  return Number.isFinite(days) ? Math.min(Math.max(days, trustedDeviceDaysRange.min), trustedDeviceDaysRange.max) : defaultPolicy.trustedDeviceDays;
}

function trustedDeviceLifetimeMs(core: CoreContext): number {
  return trustedDeviceDays(core) * dayMs;
}

/**
 * Trusts this device and client for the signed-in mailbox: a fresh random token goes to the
 * client's slot, only its keyed hash to the store, so a copied store cannot be replayed as a
 * trusted device. Call inside `store.atomically`, after the second factor has been checked: the
 * slot is written last, so a failed store write leaves the client without a useless token.
 */
export async function trustThisDevice(core: CoreContext, call: CallContext, mailbox: string): Promise<TrustedDeviceRecord> {
  const previous = await currentTokenHash(core, call);
  // The same client trusted again for this mailbox replaces its old entry instead of piling up.
  if (previous) await devices(core).remove({ mailbox, tokenHash: previous });
  const token = randomId(core.random, tokenBytes);
  const now = core.clock.now();
  const record = await devices(core).insert({
    _id: randomId(core.random),
    mailbox,
    tokenHash: keyedHash(core.keys.mac, tokenPurpose, token),
    label: call.device.label,
    client: call.device.client,
    createdAt: now,
    lastUsedAt: now,
    // Fixed at creation, not sliding: trust ends on a known day however often the device is used.
    expiresAt: now + trustedDeviceLifetimeMs(core),
  });
  await core.activity.record({ mailbox, kind: 'device-trusted', device: deviceName(call.device), detail: { expiresAt: record.expiresAt } });
  await call.trust.set(token);
  return record;
}

/**
 * Whether this client holds a live trust for the mailbox; a device that passes has its last use
 * updated. A token that matches nothing at all is forgotten, so the client stops presenting it.
 */
export async function passesAsTrusted(core: CoreContext, call: CallContext, mailbox: string): Promise<boolean> {
  const tokenHash = await currentTokenHash(core, call);
  if (!tokenHash) return false;
  const now = core.clock.now();
  const matching = await devices(core).find({ tokenHash });
  if (matching.length === 0) {
    await call.trust.set(undefined);
    return false;
  }
  // The expiry is checked here, at use, so a device past its day never passes even before any cleanup.
  const record = matching.find((d) => d.mailbox === mailbox && d.expiresAt > now);
  if (!record) return false;
  await devices(core).replace({ ...record, lastUsedAt: now });
  return true;
}

/** @internal */
export interface TrustedDeviceView {
  readonly id: string;
  readonly label: string;
  readonly client: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  /** This very device and client. */
  readonly current: boolean;
}

/**
 * The mailbox's trusted devices, newest first. Expired ones are removed here: they trust nothing.
 * @internal
 */
export async function listTrustedDevices(core: CoreContext, call: CallContext, mailbox: string): Promise<TrustedDeviceView[]> {
  await devices(core).remove({ mailbox, expiresAt: { $lte: core.clock.now() } });
  const tokenHash = await currentTokenHash(core, call);
  const list = await devices(core).find({ mailbox }, { sort: { createdAt: -1, _id: -1 } });
  return list.map((d) => ({
    id: d._id,
    label: d.label,
    client: d.client,
    createdAt: d.createdAt,
    lastUsedAt: d.lastUsedAt,
    expiresAt: d.expiresAt,
    current: d.tokenHash === tokenHash,
  }));
}

/**
 * Removes one trusted device of the mailbox; another mailbox's id is answered as not found.
 * @internal
 */
export async function removeTrustedDevice(core: CoreContext, call: CallContext, mailbox: string, id: string): Promise<Result<{ current: boolean }>> {
  const tokenHash = await currentTokenHash(core, call);
  const removed = await core.store.atomically(async () => {
    const record = await devices(core).get(id);
    // The same answer for an unknown id and someone else's: ids of other mailboxes are not confirmed.
    if (!record || record.mailbox !== mailbox) return null;
    await devices(core).remove({ _id: id });
    await core.activity.record({ mailbox, kind: 'device-removed', device: deviceName(call.device), detail: { label: record.label, client: record.client } });
    return record;
  });
  if (!removed) return err('device-not-found');
  const current = removed.tokenHash === tokenHash;
  if (current) await call.trust.set(undefined);
  return ok({ current });
}

/**
 * Removes every trusted device of the mailbox (取消全部可信任); returns how many.
 * @internal
 */
export async function removeAllTrustedDevices(core: CoreContext, call: CallContext, mailbox: string): Promise<number> {
  const tokenHash = await currentTokenHash(core, call);
  const { removed, current } = await core.store.atomically(async () => {
    const current = tokenHash !== null && (await devices(core).count({ mailbox, tokenHash })) > 0;
    const removed = await revokeAllTrustedDevices(core, mailbox);
    if (removed > 0) await core.activity.record({ mailbox, kind: 'device-removed', device: deviceName(call.device), detail: { count: removed } });
    return { removed, current };
  });
  if (current) await call.trust.set(undefined);
  return removed;
}

/**
 * Removes every trusted device of a mailbox: a changed or removed factor, or a new main
 * password, must not leave an old trust in place (ASVS 2.5.5). Call inside `store.atomically`.
 */
export async function revokeAllTrustedDevices(core: CoreContext, mailbox: string): Promise<number> {
  return devices(core).remove({ mailbox });
}

interface SessionView {
  readonly id: string;
  readonly label: string;
  readonly client: string;
  readonly address?: string;
  readonly signedInAt: number;
  readonly current: boolean;
}

/**
 * Where the mailbox is signed in right now (the live counterpart of trusted devices): this
 * session first, then the newest, as Google's list is.
 */
async function listSessions(core: CoreContext, call: CallContext, mailbox: string): Promise<SessionView[]> {
  const listed = await core.sessions.list(call, mailbox);
  const ordered = [...listed.filter((l) => l.current), ...listed.filter((l) => !l.current).reverse()];
  return ordered.map(({ session, current }) => ({
    id: session.id,
    label: session.device.label,
    client: session.device.client,
    ...(session.device.address ? { address: session.device.address } : {}),
    signedInAt: session.signedInAt,
    current,
  }));
}

/**
 * Signs one of the mailbox's sessions out, this one included; another mailbox's id is answered as
 * not found. A trusted device stays trusted: that is its own list and its own button.
 */
async function signOutSession(core: CoreContext, call: CallContext, mailbox: string, id: string): Promise<Result<{ current: boolean }>> {
  const ended = await core.sessions.endById(call, mailbox, id);
  if (!ended) return err('not-found');
  const { label, client, address } = ended.session.device;
  await core.activity.record({
    mailbox,
    kind: 'sessions-ended',
    device: deviceName(call.device),
    detail: { label, client, ...(address ? { address } : {}) },
  });
  return ok({ current: ended.current });
}

/** Signs out every session of the mailbox but the caller's own (Google's "sign out of all other sessions"). */
async function signOutOtherSessions(core: CoreContext, call: CallContext, mailbox: string): Promise<number> {
  const ended = await core.sessions.endAllFor(mailbox, call);
  if (ended > 0) await core.activity.record({ mailbox, kind: 'sessions-ended', device: deviceName(call.device), detail: { count: ended } });
  return ended;
}

export function createDevicesHandlers(core: CoreContext): LevelledHandlersOf<'devices'> {
  return {
    'devices:list': async (_request, call) => ok({ devices: await listTrustedDevices(core, call, call.session.mailbox) }),
    'devices:remove': async (request, call) => removeTrustedDevice(core, call, call.session.mailbox, request.id),
    'devices:remove-all': async (_request, call) => ok({ removed: await removeAllTrustedDevices(core, call, call.session.mailbox) }),
    'devices:sessions': async (_request, call) => ok({ sessions: await listSessions(core, call, call.session.mailbox) }),
    'devices:sign-out-session': async (request, call) => signOutSession(core, call, call.session.mailbox, request.id),
    'devices:sign-out-others': async (_request, call) => ok({ ended: await signOutOtherSessions(core, call, call.session.mailbox) }),
  };
}
