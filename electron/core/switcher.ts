/**
 * Several mailboxes signed in in one window, as Google's account switcher keeps several accounts
 * (docs/rules.md §7.4): one phone may serve several mailboxes, and whoever looks after them need
 * not sign out and in to move between them.
 *
 * Each is signed in by the ordinary sign-in (sign-in.ts), every rule of it unchanged; this holds
 * what is particular to several: how many one window may hold, that a mailbox is added once,
 * choosing the active one, and signing out of one or all. The sessions themselves are the
 * keeper's (sessions.ts), whichever composition runs it.
 */
import type { SignedInMailbox } from '../shared/channels/auth';
import { err, ok, type Result } from '../shared/result';
import type { CallContext } from './call';
import type { CoreContext } from './context';
import type { MailboxRecord } from './mailbox';

export const switcherRules = {
  /** Mailboxes one window (or browser, or desktop window on the organisation server) may hold at once. */
  mailboxesPerWindow: 5,
} as const;

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

/**
 * Whether `address` may be signed in on this connection next to those already here: not twice,
 * and not beyond the limit. Asked before the password is checked (so a refusal costs no attempt)
 * and again when the sign-in completes.
 */
export async function mayAdd(core: CoreContext, call: CallContext, address: string): Promise<Result<void>> {
  const { sessions } = await core.sessions.here(call);
  if (sessions.some((session) => session.mailbox === address)) return err('mailbox-already-signed-in');
  if (sessions.length >= switcherRules.mailboxesPerWindow) return err('mailbox-limit-reached');
  return ok(undefined);
}

/** The mailboxes signed in here, in the order they were signed in; one removed from the directory meanwhile is signed out. */
export async function signedInHere(core: CoreContext, call: CallContext): Promise<SignedInMailbox[]> {
  const here = await core.sessions.here(call);
  const listed: SignedInMailbox[] = [];
  for (const session of here.sessions) {
    const mailbox = await mailboxes(core).get(session.mailbox);
    if (!mailbox) {
      await core.sessions.endAllFor(session.mailbox);
      continue;
    }
    listed.push({ mailbox: mailbox.address, displayName: mailbox.displayName, active: mailbox.address === here.active });
  }
  return listed;
}

/** Makes `address` the active mailbox of this connection; refused when it is not signed in here (any more). */
export async function switchTo(core: CoreContext, call: CallContext, address: string): Promise<Result<void>> {
  return (await core.sessions.activate(call, address)) ? ok(undefined) : err('mailbox-not-signed-in');
}

/**
 * The active session ended elsewhere (its password changed, it was signed out from another
 * session, it expired) while others stay here: the first signed in of them becomes active. Only
 * auth:status does this, so the page learns of the change from the answer that makes it, never
 * from another mailbox's data in a page drawn for the one that ended.
 */
export async function activateNextIfNoneActive(core: CoreContext, call: CallContext): Promise<void> {
  const here = await core.sessions.here(call);
  const next = here.sessions[0];
  if (here.active === null && next) await core.sessions.activate(call, next.mailbox);
}
