/**
 * Shared mailboxes that open in the person's own mail client (issue 12): each grant becomes an
 * IMAP ACL (RFC 4314) on the owner's mailbox, set on the mail server by `mailwarden serve`
 * (electron/platform/mail-auth/imap-acl.ts). One row per owner and grantee says which rights the
 * grants want there now and which the server was last told; a grant added, changed, revoked or
 * lapsed changes `wanted` in the same transaction as the grant, and the sync brings the server
 * in line, retrying with a growing wait when it cannot. The grant page shows that state, so it
 * never says "shared" while the mail server does not yet honour it.
 */
import type { GrantLevel } from '../shared/grant-rules';
import { may } from '../shared/grant-rules';
import type { CoreContext } from './context';
import type { StoredRecord } from './store';

/**
 * The RFC 4314 rights of a level (docs/rules.md §9): l lookup, r read; s keep the seen state, t mark
 * deleted, e expunge. Composing is not an IMAP right: the mail server's sender rules
 * (`serve --sender-map`) decide who may send as the owner.
 */
export function imapRights(level: GrantLevel): string {
  return ['l', 'r', ...(may(level, 'change-unread') ? ['s'] : []), ...(may(level, 'delete') ? ['t', 'e'] : [])].join('');
}

interface MailAclRecord extends StoredRecord {
  readonly owner: string;
  readonly grantee: string;
  /** The rights the grants want on the server now; '' none (revoked or lapsed). */
  readonly wanted: string;
  /** What the server was last told with success; null never. */
  readonly applied: string | null;
  /** When the sync should next try; null when the server has what is wanted. */
  readonly due: number | null;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  /** Why the last attempt failed (the mail server's words, never a password); null after a success. */
  readonly error: string | null;
  readonly changedAt: number;
}

/** What the owner is told about one grant on the mail server. */
type MailAclState = 'applied' | 'pending' | 'failed';

/** Sets (or with '' removes) the rights of `grantee` on `owner`'s mailbox; throws MailAclError. */
export interface MailAclApplier {
  apply(owner: string, grantee: string, rights: string): Promise<void>;
}

export class MailAclError extends Error {
  override readonly name = 'MailAclError';
}

/**
 * How long to wait after the n-th failure in a row: 10 s, 30 s, 1 min, 5 min, then every 15 min.
 * @internal
 */
export function retryDelayMs(attempts: number): number {
  const steps = [10_000, 30_000, 60_000, 300_000];
  return steps[attempts - 1] ?? 900_000;
}

function acls(core: CoreContext) {
  return core.store.collection<MailAclRecord>('mailAcls');
}

function mailAclId(owner: string, grantee: string): string {
  return `${owner} ${grantee}`;
}

/** Records what the grants now want for a pair. Call inside `store.atomically`, with the grant's own write. */
export async function wantMailAcl(core: CoreContext, owner: string, grantee: string, wanted: string): Promise<void> {
  const now = core.clock.now();
  const id = mailAclId(owner, grantee);
  const current = await acls(core).get(id);
  if (!current) {
    // Never told, and nothing wanted: nothing to undo on the server.
    if (wanted === '') return;
    await acls(core).insert({ _id: id, owner, grantee, wanted, applied: null, due: now, attempts: 0, error: null, changedAt: now });
    return;
  }
  if (current.wanted === wanted) return;
  const done = current.applied === wanted || (wanted === '' && current.applied === null);
  if (done && wanted === '') {
    await acls(core).remove({ _id: id });
    return;
  }
  await acls(core).replace({ ...current, wanted, due: done ? null : now, attempts: 0, error: null, changedAt: now });
}

/** What the pages show for one grant's pair. */
export interface MailAclStateView {
  readonly state: MailAclState;
  readonly error: string | null;
}

function stateOf(row: MailAclRecord | undefined): MailAclStateView {
  if (!row) return { state: 'pending', error: null };
  if (row.due === null && row.applied === row.wanted) return { state: 'applied', error: null };
  return row.attempts > 0 ? { state: 'failed', error: row.error } : { state: 'pending', error: null };
}

/** The state of each listed pair, read in one query (a list of 100 grants is one read, not 100). */
export async function mailAclStates(
  core: CoreContext,
  pairs: readonly { readonly owner: string; readonly grantee: string }[],
): Promise<(owner: string, grantee: string) => MailAclStateView> {
  const rows = pairs.length === 0 ? [] : await acls(core).find({ _id: { $in: pairs.map((pair) => mailAclId(pair.owner, pair.grantee)) } });
  const byId = new Map(rows.map((row) => [row._id, row]));
  return (owner, grantee) => stateOf(byId.get(mailAclId(owner, grantee)));
}

export interface MailAclSyncResult {
  readonly applied: number;
  readonly failed: number;
}

/**
 * Tells the mail server every pair that is due, one at a time (a handful per grant change; the
 * server's own ACL writes are quick). A change made while a pair was being applied is kept: the
 * pair stays due and is applied again at the next round. `lapse` first ends grants past their end
 * date, so their rights go even when nobody opens a page.
 */
export async function syncMailAcls(
  core: CoreContext,
  applier: MailAclApplier,
  options: { lapse: () => Promise<void>; limit?: number },
): Promise<MailAclSyncResult> {
  await options.lapse();
  const due = await acls(core).find({ due: { $lte: core.clock.now() } }, { sort: { due: 1 }, limit: options.limit ?? 200 });
  let applied = 0;
  let failed = 0;
  for (const row of due) {
    let failure: string | null = null;
    try {
      await applier.apply(row.owner, row.grantee, row.wanted);
    } catch (cause) {
      failure = cause instanceof Error ? cause.message.slice(0, 300) : String(cause).slice(0, 300);
    }
    await core.store.atomically(async () => {
      const now = core.clock.now();
      const current = await acls(core).get(row._id);
      if (!current) return;
      if (failure !== null) {
        const attempts = current.attempts + 1;
        await acls(core).replace({ ...current, attempts, error: failure, due: now + retryDelayMs(attempts) });
        return;
      }
      const changedMeanwhile = current.wanted !== row.wanted;
      if (!changedMeanwhile && row.wanted === '') {
        await acls(core).remove({ _id: row._id });
        return;
      }
      await acls(core).replace({ ...current, applied: row.wanted, attempts: 0, error: null, due: changedMeanwhile ? now : null });
    });
    if (failure === null) applied += 1;
    else {
      failed += 1;
      core.logger.warn('mail server ACL not applied', { owner: row.owner, grantee: row.grantee, error: failure });
    }
  }
  return { applied, failed };
}
