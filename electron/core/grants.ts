/**
 * Shared-mailbox grants (共享邮箱, docs/rules.md §9): an owner mailbox lets a grantee mailbox read it,
 * send on its behalf or send as it. One grant per pair; an end date, when set, lies 1 day to
 * 6 months ahead, and past it the grant lapses by itself: never listed, never honoured.
 * Every change is logged on both mailboxes' activity: the owner's because it opens their mail,
 * the grantee's because it changes what they can do in someone else's name.
 */
import type { GrantGivenView, SharedMailboxView } from '../shared/channels/grants';
import { addMonths, may, type GrantLevel } from '../shared/grant-rules';
import type { RequestOf } from '../shared/contract';
import { err, ok, type Result } from '../shared/result';
import { deviceName, type CallContext } from './call';
import type { CoreContext } from './context';
import type { LevelledHandlersOf } from './handler-types';
import { randomId } from './ids';
import { normalizeAddress, type MailboxRecord } from './mailbox';
import { imapRights, mailAclStates, wantMailAcl, type MailAclStateView } from './mail-acl';
import type { StoredRecord } from './store';

/** @internal */
export interface GrantRecord extends StoredRecord {
  readonly owner: string;
  readonly grantee: string;
  readonly level: GrantLevel;
  readonly createdAt: number;
  readonly changedAt: number;
  /** After this instant the grant no longer exists; null: until revoked. */
  readonly endsAt: number | null;
  /**
   * When the grantee first saw it in their list (grants:acknowledge); null: not yet, so their
   * overview and list say it is new. Absent on grants made before this existed (taken as seen).
   */
  readonly seenAt?: number | null;
}

const dayMs = 86_400_000;
/** @internal */
export const grantEndRange = { minDays: 1, maxMonths: 6 } as const;
/**
 * Who ends a lapsed grant in the activity log: no person or device did.
 * @internal
 */
export const lapseDevice = 'Mailwarden';

function endDateAllowed(endsAt: number, now: number): boolean {
  return endsAt >= now + grantEndRange.minDays * dayMs && endsAt <= addMonths(now, grantEndRange.maxMonths);
}

function isLapsed(grant: GrantRecord, now: number): boolean {
  return grant.endsAt !== null && now >= grant.endsAt;
}

function grants(core: CoreContext) {
  return core.store.collection<GrantRecord>('grants');
}

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

function deviceOf(call: CallContext): string {
  return deviceName(call.device);
}

async function displayName(core: CoreContext, address: string): Promise<string> {
  return (await mailboxes(core).get(address))?.displayName ?? '';
}

/** The display names of many mailboxes in one read (a list of 100 grants is one query, not 100). */
async function displayNames(core: CoreContext, addresses: readonly string[]): Promise<Map<string, string>> {
  if (addresses.length === 0) return new Map();
  const found = await mailboxes(core).find({ _id: { $in: [...new Set(addresses)] } });
  return new Map(found.map((mailbox) => [mailbox.address, mailbox.displayName]));
}

/** One event on the owner's log and its mirror on the grantee's. Call inside `store.atomically`. */
async function recordOnBoth(
  core: CoreContext,
  kind: 'grant-added' | 'grant-changed' | 'grant-removed',
  grant: GrantRecord,
  device: string,
  extra: Readonly<Record<string, string | number>> = {},
): Promise<void> {
  const common = { level: grant.level, ...(grant.endsAt !== null ? { endsAt: grant.endsAt } : {}), ...extra };
  await core.activity.record({ mailbox: grant.owner, kind, device, detail: { grantee: grant.grantee, ...common } });
  await core.activity.record({ mailbox: grant.grantee, kind, device, detail: { owner: grant.owner, ...common } });
}

/** Removes lapsed grants matching the query, takes their rights off the mail server, and logs each as ended. Call inside `store.atomically`. */
async function removeLapsed(core: CoreContext, query: { owner: string } | { grantee: string } | Record<string, never>): Promise<void> {
  const lapsed = await grants(core).find({ ...query, endsAt: { $lte: core.clock.now() } });
  for (const grant of lapsed) {
    await grants(core).remove({ _id: grant._id });
    await wantMailAcl(core, grant.owner, grant.grantee, '');
    await recordOnBoth(core, 'grant-removed', grant, lapseDevice, { reason: 'lapsed' });
  }
}

/** Ends every grant past its end date, whoever's (the mail-server sync does this before each round). */
export async function lapseDueGrants(core: CoreContext): Promise<void> {
  await core.store.atomically(() => removeLapsed(core, {}));
}

type MailServerOf = (grant: GrantRecord) => { mailServer?: MailAclStateView };

/** The mail server's state of each listed grant, in one read, when policy has the mail server open shared mailboxes. */
async function mailServerStates(core: CoreContext, listed: readonly GrantRecord[]): Promise<MailServerOf> {
  if (!core.policy().mailServerAcls) return () => ({});
  const stateOf = await mailAclStates(core, listed);
  return (grant) => ({ mailServer: stateOf(grant.owner, grant.grantee) });
}

async function givenView(core: CoreContext, grant: GrantRecord, names?: ReadonlyMap<string, string>, mailServerOf?: MailServerOf): Promise<GrantGivenView> {
  const ofMailServer = mailServerOf ?? (await mailServerStates(core, [grant]));
  return {
    id: grant._id,
    grantee: grant.grantee,
    granteeName: names ? (names.get(grant.grantee) ?? '') : await displayName(core, grant.grantee),
    level: grant.level,
    createdAt: grant.createdAt,
    changedAt: grant.changedAt,
    endsAt: grant.endsAt,
    ...ofMailServer(grant),
  };
}

/**
 * One side's grants (given by an owner, or to a grantee) that still stand, lapsed ones removed on
 * the way, with the display names of the people on the other side and the mail server's state.
 */
async function standingGrants(
  core: CoreContext,
  side: { readonly owner: string } | { readonly grantee: string },
  sort: { readonly createdAt: 1 } | { readonly owner: 1 },
  otherSide: (grant: GrantRecord) => string,
): Promise<{ listed: GrantRecord[]; names: ReadonlyMap<string, string>; mailServerOf: MailServerOf }> {
  const listed = await core.store.atomically(async () => {
    await removeLapsed(core, side);
    return grants(core).find(side, { sort });
  });
  const names = await displayNames(core, listed.map(otherSide));
  return { listed, names, mailServerOf: await mailServerStates(core, listed) };
}

/**
 * The grants an owner has given, oldest first, lapsed ones removed on the way.
 * @internal
 */
export async function listGivenGrants(core: CoreContext, owner: string): Promise<GrantGivenView[]> {
  const { listed, names, mailServerOf } = await standingGrants(core, { owner }, { createdAt: 1 }, (grant) => grant.grantee);
  return Promise.all(listed.map((grant) => givenView(core, grant, names, mailServerOf)));
}

/**
 * 共享邮箱 / Shared with me: each mailbox the grantee may open and at which level.
 * @internal
 */
export async function listSharedWithMe(core: CoreContext, grantee: string): Promise<SharedMailboxView[]> {
  const { listed, names, mailServerOf } = await standingGrants(core, { grantee }, { owner: 1 }, (grant) => grant.owner);
  return listed.map((grant) => ({
    id: grant._id,
    owner: grant.owner,
    ownerName: names.get(grant.owner) ?? '',
    level: grant.level,
    endsAt: grant.endsAt,
    isNew: grant.seenAt === null,
    ...mailServerOf(grant),
  }));
}

/** @internal */
export async function addGrant(core: CoreContext, owner: string, call: CallContext, request: RequestOf<'grants:add'>): Promise<Result<GrantGivenView>> {
  const grantee = normalizeAddress(request.grantee);
  // Sharing a mailbox with itself would grant nothing and only clutter both lists.
  if (grantee === owner) return err('grant-self');
  const now = core.clock.now();
  const endsAt = request.endsAt ?? null;
  if (endsAt !== null && !endDateAllowed(endsAt, now)) return err('end-date-invalid');
  return core.store.atomically(async () => {
    if (!(await mailboxes(core).get(grantee))) return err('mailbox-unknown');
    await removeLapsed(core, { owner });
    // One grant per pair: a second level for the same person is a change, not another grant.
    if (await grants(core).findOne({ owner, grantee })) return err('grant-exists');
    const grant = await grants(core).insert({
      _id: randomId(core.random),
      owner,
      grantee,
      level: request.level,
      createdAt: now,
      changedAt: now,
      endsAt,
      seenAt: null,
    });
    await wantMailAcl(core, owner, grantee, imapRights(grant.level));
    await recordOnBoth(core, 'grant-added', grant, deviceOf(call));
    return ok(await givenView(core, grant));
  });
}

/** The owner's live grant with this id; anyone else's, or a lapsed one, is not found. */
async function ownLiveGrant(core: CoreContext, owner: string, id: string): Promise<GrantRecord | null> {
  const grant = await grants(core).get(id);
  return grant && grant.owner === owner && !isLapsed(grant, core.clock.now()) ? grant : null;
}

/** @internal */
export async function changeGrant(core: CoreContext, owner: string, call: CallContext, request: RequestOf<'grants:change'>): Promise<Result<GrantGivenView>> {
  const now = core.clock.now();
  if (request.endsAt !== undefined && request.endsAt !== null && !endDateAllowed(request.endsAt, now)) return err('end-date-invalid');
  return core.store.atomically(async () => {
    const grant = await ownLiveGrant(core, owner, request.id);
    if (!grant) return err('not-found');
    const endsAt = request.endsAt === undefined ? grant.endsAt : request.endsAt;
    if (grant.level === request.level && grant.endsAt === endsAt) return ok(await givenView(core, grant));
    const changed: GrantRecord = { ...grant, level: request.level, endsAt, changedAt: now };
    await grants(core).replace(changed);
    await wantMailAcl(core, owner, grant.grantee, imapRights(changed.level));
    await recordOnBoth(core, 'grant-changed', changed, deviceOf(call), { previousLevel: grant.level });
    return ok(await givenView(core, changed));
  });
}

/** @internal */
export async function revokeGrant(core: CoreContext, owner: string, call: CallContext, id: string): Promise<Result<Record<string, never>>> {
  return core.store.atomically(async () => {
    const grant = await ownLiveGrant(core, owner, id);
    if (!grant) return err('not-found');
    await grants(core).remove({ _id: grant._id });
    await wantMailAcl(core, owner, grant.grantee, '');
    await recordOnBoth(core, 'grant-removed', grant, deviceOf(call));
    return ok({});
  });
}

/**
 * The grantee turns a share down (Google and Microsoft let the person a mailbox or calendar is
 * shared with remove it from their side): the grant ends, its rights leave the mail server, and
 * both logs say who ended it and why.
 */
async function declineGrant(core: CoreContext, grantee: string, call: CallContext, id: string): Promise<Result<Record<string, never>>> {
  return core.store.atomically(async () => {
    const grant = await grants(core).get(id);
    if (!grant || grant.grantee !== grantee || isLapsed(grant, core.clock.now())) return err('not-found');
    await grants(core).remove({ _id: grant._id });
    await wantMailAcl(core, grant.owner, grantee, '');
    await recordOnBoth(core, 'grant-removed', grant, deviceOf(call), { reason: 'declined' });
    return ok({});
  });
}

/** The grantee has seen these shares in their list: they are no longer announced as new. */
async function acknowledgeGrants(core: CoreContext, grantee: string, ids: readonly string[]): Promise<Result<Record<string, never>>> {
  return core.store.atomically(async () => {
    const now = core.clock.now();
    for (const grant of await grants(core).find({ _id: { $in: [...ids] } })) {
      if (grant.grantee === grantee && grant.seenAt === null) await grants(core).replace({ ...grant, seenAt: now });
    }
    return ok({});
  });
}

/**
 * Who may send with `sender` as the envelope sender (MAIL FROM), as the mail server asks it
 * (Postfix's smtpd_sender_login_maps): the mailbox itself and every colleague whose live grant
 * lets them compose (send on behalf, send as); read-only may not. Null for an address with no
 * mailbox: nobody may use it. Read as the grants are now, so a change or a revoke applies to the
 * next message.
 */
export async function senderLogins(core: CoreContext, sender: string): Promise<string[] | null> {
  const owner = normalizeAddress(sender);
  if (!(await core.store.collection<MailboxRecord>('mailboxes').get(owner))) return null;
  const now = core.clock.now();
  const given = await grants(core).find({ owner }, { sort: { grantee: 1 } });
  return [owner, ...given.filter((grant) => !isLapsed(grant, now) && may(grant.level, 'compose')).map((grant) => grant.grantee)];
}

export function createGrantsHandlers(core: CoreContext): LevelledHandlersOf<'grants'> {
  return {
    'grants:list-given': async (_request, call) => ok({ grants: await listGivenGrants(core, call.session.mailbox) }),
    'grants:list-shared-with-me': async (_request, call) => ok({ mailboxes: await listSharedWithMe(core, call.session.mailbox) }),
    'grants:add': async (request, call) => addGrant(core, call.session.mailbox, call, request),
    'grants:change': async (request, call) => changeGrant(core, call.session.mailbox, call, request),
    'grants:revoke': async (request, call) => revokeGrant(core, call.session.mailbox, call, request.id),
    'grants:decline': async (request, call) => declineGrant(core, call.session.mailbox, call, request.id),
    'grants:acknowledge': async (request, call) => acknowledgeGrants(core, call.session.mailbox, request.ids),
  };
}
