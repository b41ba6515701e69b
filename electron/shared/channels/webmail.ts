/**
 * The `webmail` namespace (docs/rules.md §15): when the mail system's own web mail manages
 * two-factor and client passwords (policy `accounts.managedBy` = webmail, or the person's choice
 * where policy only recommends), Mailwarden keeps no account of its own. It knows the person's
 * address, checks from outside what it can (a live IMAP and SMTP login), and puts a client
 * password made on the web mail into mail clients. Outside that mode every channel here answers
 * `not-webmail-mode`, but for webmail:status (which says the mode) and webmail:choose.
 */
import * as v from 'valibot';
import { channels } from '../channel';
import { mailProtocols } from '../client-password-rules';
import { PasswordInput } from './auth';
import { ConnectionTestSchema } from './mail-clients';

const NoFields = v.strictObject({});

/** What is known here: the address the person gave and what the last check of their main password found. */
const WebmailStatusSchema = v.strictObject({
  /** Who manages accounts on this desktop now: Mailwarden itself, or the mail system's web mail. */
  mode: v.picklist(['mailwarden', 'webmail']),
  /** The mailbox this computer works for; null until the person has said it. */
  address: v.nullable(v.string()),
  /** The web mail to open: https:// and policy's serverHost. */
  webmailUrl: v.string(),
  /**
   * What a login with the main password last showed: 'off' (it worked: 2FA is not on yet), 'on'
   * (refused after having worked: 2FA was turned on), 'unknown' (never checked, or refused
   * without ever having worked here: a wrong password looks the same).
   */
  twoFactor: v.picklist(['unknown', 'off', 'on']),
  /** Whether the person may switch to the other mode (IT did not enforce one, and this is a desktop). */
  changeable: v.boolean(),
});
export type WebmailStatus = v.InferOutput<typeof WebmailStatusSchema>;

/** What a live login with a pasted client password found, per server. */
const ClientPasswordCheckSchema = v.strictObject({
  imap: ConnectionTestSchema,
  smtp: ConnectionTestSchema,
  /** The protocols it logged in to (POP3 goes with IMAP: the same account on the same server). */
  scopes: v.array(v.picklist(mailProtocols)),
});
export type ClientPasswordCheck = v.InferOutput<typeof ClientPasswordCheckSchema>;

/** A client password as pasted from the web mail: 16 letters or digits, spaces allowed. */
const PastedClientPassword = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

export const webmailChannels = channels({
  'webmail:status': { session: 'none', request: NoFields, response: WebmailStatusSchema, errors: ['not-webmail-mode', 'storage-failed'] },
  /** The mailbox this computer works for; a new address forgets what was checked for the old one. */
  'webmail:set-address': {
    session: 'none',
    request: v.strictObject({ address: v.pipe(v.string(), v.maxLength(320)) }),
    response: WebmailStatusSchema,
    errors: ['not-webmail-mode', 'invalid-address', 'storage-failed'],
  },
  /** Back to Mailwarden's own accounts, where policy only recommended the web mail (takes effect at once). */
  'webmail:choose': {
    session: 'none',
    request: v.strictObject({ managedBy: v.picklist(['mailwarden', 'webmail']) }),
    response: v.strictObject({ managedBy: v.picklist(['mailwarden', 'webmail']) }),
    errors: ['policy-locked', 'desktop-only', 'storage-failed'],
  },
  /** Logs in to IMAP with the main password: whether 2FA is on yet, as far as the server shows. */
  'webmail:check-two-factor': {
    session: 'none',
    request: v.strictObject({ password: v.pipe(PasswordInput, v.minLength(1)) }),
    response: v.strictObject({ status: WebmailStatusSchema, login: ConnectionTestSchema }),
    errors: ['not-webmail-mode', 'not-signed-in', 'storage-failed'],
  },
  /** Logs in to IMAP and SMTP with a client password pasted from the web mail; writes nothing. */
  'webmail:check-client-password': {
    session: 'none',
    request: v.strictObject({ password: PastedClientPassword }),
    response: ClientPasswordCheckSchema,
    errors: ['not-webmail-mode', 'not-signed-in', 'client-password-shape', 'client-password-refused'],
  },
});
