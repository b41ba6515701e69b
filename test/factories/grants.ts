/**
 * A grant's standing as the tests read it: may `grantee` do `action` in `owner`'s mailbox, by the
 * grant as stored and the shared table (electron/shared/grant-rules.ts)? No live grant is
 * `not-found`, a level that does not allow it is `grant-forbidden`. The product has no such call:
 * the mail server enforces grants (mail-acl.ts's IMAP rights and `senderLogins` for Postfix).
 */
import type { CoreContext } from '../../electron/core/context';
import type { GrantRecord } from '../../electron/core/grants';
import { normalizeAddress } from '../../electron/core/mailbox';
import { may, type GrantAction, type GrantLevel } from '../../electron/shared/grant-rules';
import { err, ok, type Result } from '../../electron/shared/result';

export async function grantStanding(core: CoreContext, owner: string, grantee: string, action: GrantAction): Promise<Result<{ level: GrantLevel }>> {
  const grant = await core.store.collection<GrantRecord>('grants').findOne({ owner: normalizeAddress(owner), grantee: normalizeAddress(grantee) });
  if (!grant || (grant.endsAt !== null && core.clock.now() >= grant.endsAt)) return err('not-found');
  if (!may(grant.level, action)) return err('grant-forbidden');
  return ok({ level: grant.level });
}
