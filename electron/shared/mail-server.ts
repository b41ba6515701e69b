/**
 * The mail server a client password goes into (docs/rules.md §8, the guide's numbers by default; the
 * policy may name another). Apart from the channels so the core, the platform adapters and the
 * renderer can import it without the whole contract.
 */

/** How a connection is secured: TLS from the first byte, STARTTLS after the greeting, or none. */
export const connectionSecurities = ['tls', 'starttls', 'none'] as const;
export type ConnectionSecurity = (typeof connectionSecurities)[number];

export interface MailEndpoint {
  readonly host: string;
  readonly port: number;
  readonly security: ConnectionSecurity;
}

export interface MailServerSettings {
  readonly imap: MailEndpoint;
  readonly smtp: MailEndpoint;
  readonly pop3: MailEndpoint;
}

/** Which ways of putting a password into a mail client this installation offers (policy, docs/rules.md §10). */
export interface ClientIntegrations {
  readonly keychain: boolean;
  readonly foxmail: boolean;
  readonly thunderbird: boolean;
  readonly iphoneProfile: boolean;
  /** Outlook's own steps with the password on the clipboard (it has no documented way to be written; docs/rules.md §8.10). */
  readonly outlook: boolean;
}

/** What a connection test can find, each told to the person in plain words. */
export const connectionOutcomes = [
  'ok',
  /** The host name does not resolve. */
  'name-not-found',
  /** Nothing listens, or the network refuses or drops the connection. */
  'cannot-connect',
  /** One side speaks TLS and the other does not (SSL switched on or off on the wrong port). */
  'tls-mismatch',
  /** Something answers, but not the mail protocol asked for (the IMAP port given for SMTP, say). */
  'wrong-port',
  /** The server refused the user name and password. */
  'auth-refused',
  /** Refused, and what was typed is the main password of a mailbox with 2FA on: a client password is needed. */
  'main-password',
  /** The server did not answer in time. */
  'timeout',
] as const;
export type ConnectionOutcome = (typeof connectionOutcomes)[number];

/** How long one connection test may take, connecting and logging in. */
export const connectionTestTimeoutMs = 15_000;

/** The app offers to delete a saved iPhone profile (it may hold the password) this long after saving. */
export const profileDeleteOfferMs = 10 * 60 * 1000;

/**
 * A profile opened for the Mac's System Settings is removed this long after it was opened (or when
 * the app quits, if sooner): time to look at it and choose Install. Proton Mail Bridge gives its
 * own the same 10 minutes (internal/clientconfig/applemail.go, saveConfigTemporarily).
 */
export const openedProfileRemoveMs = 10 * 60 * 1000;
