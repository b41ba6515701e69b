/**
 * Who decides, for the mail-client work done on this computer (docs/rules.md §8): who is signed in,
 * whether a password really is this mailbox's client password, and what a password found in a
 * mail client is. On one computer the embedded store answers (`localAuthority`); a desktop that
 * works against the organisation server asks the server over the same contract
 * (`remoteAuthority`) and holds no hash, no session and no policy secret of its own.
 */
import type { StoredSecretVerdict } from '../../shared/channels/client-passwords';
import { classifyLimit } from '../../shared/channels/client-passwords';
import { mailProtocols, type ApplyTarget, type MailProtocol } from '../../shared/client-password-rules';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { err, ok, type Result } from '../../shared/result';
import type { CallContext } from '../call';
import {
  classifyStoredSecrets,
  looksLikeClientPassword,
  markClientPasswordApplied,
  normalizeClientPassword,
  verifyOwnClientPassword,
} from '../client-passwords';
import type { CoreContext } from '../context';
import { hasTwoFactor, type MailboxRecord } from '../mailbox';
import { requireSession } from '../session-guard';

export interface SignedInMailbox {
  readonly address: string;
  readonly displayName: string;
}

interface VerifiedClientPassword {
  readonly id: string;
  readonly name: string;
  /** The 16 characters without spaces: what is written into the client. */
  readonly plain: string;
  /** The protocols it is allowed for. */
  readonly scopes: readonly MailProtocol[];
}

interface StoredSecretsVerdict {
  /** One per secret asked about, in order. */
  readonly verdicts: readonly StoredSecretVerdict[];
  /** The mailbox has 2FA on: a main password no longer works in mail clients. */
  readonly twoFactor: boolean;
}

export interface MailClientAuthority {
  /** The mailbox signed in on this connection; enrolment-only sessions only when allowed. */
  signedIn(call: CallContext, allowEnrollment: boolean): Promise<Result<SignedInMailbox>>;
  /** Whether `password` is the signed-in mailbox's client password `id`; records nothing. */
  verifyClientPassword(call: CallContext, id: string, password: string): Promise<Result<VerifiedClientPassword>>;
  /** Notes where a verified client password was put (the list's "used in"). */
  markApplied(call: CallContext, id: string, target: ApplyTarget): Promise<Result<unknown>>;
  /** What each password found in a mail client is to the signed-in mailbox. */
  classify(call: CallContext, secrets: readonly string[]): Promise<Result<StoredSecretsVerdict>>;
  /** A typed password as a mail client would send it: a client password of ours without its spaces. */
  wireForm(secret: string): string;
}

/** Mailwarden's own client passwords are lower case; what is typed in groups of four is sent as one. */
function ownWireForm(secret: string): string {
  return looksLikeClientPassword(normalizeClientPassword(secret)) ? normalizeClientPassword(secret) : secret;
}

/** The embedded store (or, on the server itself, its database) answers directly. */
export function localAuthority(core: CoreContext): MailClientAuthority {
  const mailboxes = () => core.store.collection<MailboxRecord>('mailboxes');
  return {
    async signedIn(call, allowEnrollment) {
      const session = await requireSession(core, call, { allowEnrollment });
      if (!session.ok) return session;
      const mailbox = await mailboxes().get(session.data.mailbox);
      if (!mailbox) return err('not-signed-in');
      return ok({ address: mailbox.address, displayName: mailbox.displayName });
    },
    async verifyClientPassword(call, id, password) {
      const session = await requireSession(core, call, { allowEnrollment: false });
      if (!session.ok) return session;
      const checked = await verifyOwnClientPassword(core, session.data.mailbox, id, password);
      return checked.ok ? ok({ id: checked.data._id, name: checked.data.name, plain: checked.data.plain, scopes: checked.data.scopes }) : checked;
    },
    async markApplied(call, id, target) {
      const session = await requireSession(core, call, { allowEnrollment: false });
      if (!session.ok) return session;
      return markClientPasswordApplied(core, session.data.mailbox, id, target);
    },
    async classify(call, secrets) {
      const session = await requireSession(core, call, { allowEnrollment: true });
      if (!session.ok) return session;
      const mailbox = await mailboxes().get(session.data.mailbox);
      if (!mailbox) return err('not-signed-in');
      return ok({ verdicts: await classifyStoredSecrets(core, mailbox, secrets), twoFactor: hasTwoFactor(mailbox) });
    },
    wireForm: ownWireForm,
  };
}

/** One call to the organisation server, as the desktop's bridge to it makes it (electron/platform/organisation-client.ts). */
export type ServerCall = <C extends Channel>(channel: C, request: RequestOf<C>, call: CallContext) => Promise<Result<ResponseOf<C>>>;

/** The organisation server answers, over the same contract the web page uses. */
export function remoteAuthority(server: ServerCall): MailClientAuthority {
  return {
    async signedIn(call, allowEnrollment) {
      const status = await server('auth:status', {}, call);
      if (!status.ok) return status;
      const who = status.data;
      if (who.status === 'signed-in') return ok({ address: who.mailbox, displayName: who.displayName });
      if (who.status === 'enrollment-required')
        return allowEnrollment ? ok({ address: who.mailbox, displayName: who.displayName }) : err('two-factor-required');
      return err('not-signed-in');
    },
    async verifyClientPassword(call, id, password) {
      const verified = await server('client-passwords:verify', { id, password }, call);
      if (!verified.ok) return verified;
      // The server accepted it, so it is the 16 characters (the contract caps the rest).
      return ok({
        id: verified.data.id,
        name: verified.data.name,
        plain: normalizeClientPassword(password),
        scopes: verified.data.scopes ?? [...mailProtocols],
      });
    },
    markApplied: (call, id, target) => server('client-passwords:mark-applied', { id, target }, call),
    async classify(call, secrets) {
      const verdicts: StoredSecretVerdict[] = [];
      let twoFactor = false;
      for (let start = 0; start < secrets.length; start += classifyLimit) {
        const chunk = secrets.slice(start, start + classifyLimit);
        const answer = await server('client-passwords:classify', { secrets: chunk }, call);
        if (!answer.ok) return answer;
        if (answer.data.verdicts.length !== chunk.length) return err('server-incompatible');
        verdicts.push(...answer.data.verdicts);
        twoFactor = answer.data.twoFactor;
      }
      return ok({ verdicts, twoFactor });
    },
    wireForm: ownWireForm,
  };
}
