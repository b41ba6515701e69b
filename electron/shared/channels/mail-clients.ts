/**
 * Putting a client password into mail clients (docs/rules.md §8): the server settings and the Android
 * card, the OS keychain, Foxmail and Thunderbird profiles, the iPhone profile, and the connection test.
 *
 * The renderer sends a freshly generated client password back with the request that applies it
 * (the one moment it holds it); the backend checks it against that password's stored hash
 * before it goes anywhere, so nothing but a real client password of this mailbox is written into
 * a keychain, a profile or a file. Nothing here ever sends a stored secret to the renderer.
 */
import * as v from 'valibot';
import { channels, Empty } from '../channel';
import { connectionOutcomes, connectionSecurities } from '../mail-server';
import type { ErrorCode } from '../result';
import { PasswordInput } from './auth';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
/** A client password as typed or copied: 16 characters, spaces allowed. */
const ClientPasswordInput = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
/** A client password's name, which is also its keychain entry's. */
const NameInput = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
/** What the backend gave out for a Foxmail account or a saved file, handed back as is. */
const Ref = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

const MailEndpointSchema = v.strictObject({
  host: v.string(),
  port: v.number(),
  security: v.picklist(connectionSecurities),
});

/** The client password to apply: its id in the list and the 16 characters just shown. */
const Apply = { id: Id, password: ClientPasswordInput };

/**
 * What may stop a client password on its way into a client, before anything is written: no
 * session, the password not this mailbox's (Mailwarden's own), or, in the web-mail mode, not the
 * right shape, refused by the mail server, or the mail server out of reach.
 */
const checkedPasswordErrors = [
  'not-signed-in',
  'two-factor-required',
  'not-found',
  'password-mismatch',
  'client-password-shape',
  'client-password-refused',
  'server-unreachable',
] as const satisfies readonly ErrorCode[];

/** A profile for Apple's devices, with or without a client password in it. */
const ProfileRequest = v.strictObject({
  /** With the password the profile installs without asking for it, but the file then holds it. */
  includePassword: v.boolean(),
  id: v.optional(Id),
  password: v.optional(ClientPasswordInput),
});

const FoxmailAccountSchema = v.strictObject({
  /** Names this account in foxmail-apply; only accounts the last scan found are accepted. */
  ref: v.string(),
  address: v.string(),
  displayName: v.string(),
  /** How Foxmail fetches mail for it. */
  protocol: v.picklist(['imap', 'pop3']),
  incoming: MailEndpointSchema,
  outgoing: MailEndpointSchema,
  /** The profile file (Account.rec0, or Account.stg of older versions). */
  profilePath: v.string(),
  format: v.picklist(['rec0', 'stg']),
  /** Every field of the file was understood, so its password can be replaced safely. */
  writable: v.boolean(),
  /**
   * For this mailbox's accounts: whether the stored password is the main password (which stops
   * working once 2FA is on), a client password, or could not be told. Other mailboxes' accounts
   * are never decoded.
   */
  storedPassword: v.picklist(['main-password', 'client-password', 'other', 'none', 'unknown', 'not-this-mailbox']),
});
export type FoxmailAccountView = v.InferOutput<typeof FoxmailAccountSchema>;

const FoxmailInstallationSchema = v.strictObject({
  /** The folder holding Foxmail.exe and Storage/. */
  root: v.string(),
  version: v.nullable(v.string()),
  /** Foxmail is running: its profiles cannot be changed until it is closed. */
  running: v.boolean(),
  /** How it was found. */
  foundBy: v.picklist(['registry', 'mailto-handler', 'default-folder', 'environment']),
  accounts: v.array(FoxmailAccountSchema),
  /** Account folders whose profile could not be read or understood (named after the address). */
  unreadable: v.array(v.string()),
});
export type FoxmailInstallationView = v.InferOutput<typeof FoxmailInstallationSchema>;

const ThunderbirdAccountSchema = v.strictObject({
  /** Names this account in thunderbird-apply; only accounts the last scan found are accepted. */
  ref: v.string(),
  address: v.string(),
  displayName: v.string(),
  protocol: v.picklist(['imap', 'pop3']),
  incoming: MailEndpointSchema,
  /** The identity's outgoing server; null when it has none the app understands. */
  outgoing: v.nullable(MailEndpointSchema),
  /**
   * This mailbox's account: its address and the user names it signs in with are this mailbox's.
   * Any other is listed but never offered the password. No saved password is ever read or
   * decrypted by the scan, this mailbox's or another's.
   */
  thisMailbox: v.boolean(),
  /** Its saved password can be replaced now (profile's store ready, server fields complete). */
  writable: v.boolean(),
});
export type ThunderbirdAccountView = v.InferOutput<typeof ThunderbirdAccountSchema>;

const ThunderbirdProfileSchema = v.strictObject({
  name: v.string(),
  /** The profile folder. */
  path: v.string(),
  isDefault: v.boolean(),
  /** Thunderbird has this profile open: nothing can be written until it is closed. */
  running: v.boolean(),
  /** False when its prefs.js could not be read or understood: shown as such, never as "no accounts". */
  readable: v.boolean(),
  /** Whether its saved passwords can be written: only 'ready' ones; the others get the manual steps. */
  passwordStore: v.picklist(['ready', 'primary-password', 'unsupported']),
  accounts: v.array(ThunderbirdAccountSchema),
});
export type ThunderbirdProfileView = v.InferOutput<typeof ThunderbirdProfileSchema>;

const ThunderbirdInstallationSchema = v.strictObject({
  /** The folder holding profiles.ini. */
  root: v.string(),
  foundBy: v.picklist(['default-folder', 'snap', 'flatpak', 'environment']),
  profiles: v.array(ThunderbirdProfileSchema),
});
export type ThunderbirdInstallationView = v.InferOutput<typeof ThunderbirdInstallationSchema>;

export const ConnectionTestSchema = v.strictObject({
  outcome: v.picklist(connectionOutcomes),
  endpoint: MailEndpointSchema,
  /** The raw error, for the disclosure under the plain words; never holds the password. */
  detail: v.string(),
});
export type ConnectionTestView = v.InferOutput<typeof ConnectionTestSchema>;

/**
 * Every backend's desktop answers these itself, so their session level is kept by the mail-client
 * authority it works with (electron/core/mail-clients/authority.ts: the embedded store, the
 * organisation server, or the web mail), not by the core's wrapper; declared here all the same.
 */
export const mailClientsChannels = channels({
  /** What every client needs typed in, the Android card and its QR code, and what is offered here. */
  'mail-clients:settings': {
    session: 'enrolment',
    request: Empty,
    response: v.strictObject({
      /** The user name in every client: the full address. */
      address: v.string(),
      imap: MailEndpointSchema,
      smtp: MailEndpointSchema,
      pop3: MailEndpointSchema,
      offered: v.strictObject({
        keychain: v.boolean(),
        foxmail: v.boolean(),
        thunderbird: v.boolean(),
        iphoneProfile: v.boolean(),
        outlook: v.boolean(),
        /** The organisation server hands the profile to a phone by QR (phone-handoff:create). */
        phoneHandoff: v.boolean(),
      }),
      /** The settings card as plain text (what the QR code holds) and the QR code as SVG. */
      card: v.strictObject({ text: v.string(), qrSvg: v.string() }),
    }),
    errors: ['not-signed-in', 'two-factor-required'],
  },

  /** The names of this mailbox's client passwords remembered in the system keychain. */
  'mail-clients:keychain-list': {
    session: 'full',
    request: Empty,
    response: v.strictObject({ names: v.array(v.string()) }),
    errors: ['not-signed-in', 'two-factor-required', 'keychain-unavailable', 'integration-disabled'],
  },
  'mail-clients:keychain-remember': {
    session: 'full',
    request: v.strictObject(Apply),
    response: v.strictObject({ name: v.string() }),
    errors: [...checkedPasswordErrors, 'keychain-unavailable', 'integration-disabled'],
  },
  'mail-clients:keychain-forget': {
    session: 'full',
    request: v.strictObject({ name: NameInput }),
    response: Empty,
    errors: ['not-signed-in', 'two-factor-required', 'not-found', 'keychain-unavailable', 'integration-disabled'],
  },

  /** Foxmail installations on this computer and the accounts in their profiles. */
  'mail-clients:foxmail-scan': {
    session: 'full',
    request: Empty,
    response: v.strictObject({ installations: v.array(FoxmailInstallationSchema) }),
    errors: ['not-signed-in', 'two-factor-required', 'integration-disabled'],
  },
  /** Replaces the stored password of one Foxmail account with a client password. */
  'mail-clients:foxmail-apply': {
    session: 'full',
    request: v.strictObject({ ref: Ref, ...Apply }),
    response: v.strictObject({ backupPath: v.string() }),
    errors: [...checkedPasswordErrors, 'foxmail-running', 'foxmail-unsupported', 'foxmail-write-failed', 'foxmail-other-mailbox', 'integration-disabled'],
  },
  /** Thunderbird profiles on this computer, each with why it can or cannot be written, and their accounts. */
  'mail-clients:thunderbird-scan': {
    session: 'full',
    request: Empty,
    response: v.strictObject({ installations: v.array(ThunderbirdInstallationSchema) }),
    errors: ['not-signed-in', 'two-factor-required', 'integration-disabled'],
  },
  /** Sets the saved password of one Thunderbird account (incoming, and outgoing when it has a user name) to a client password. */
  'mail-clients:thunderbird-apply': {
    session: 'full',
    request: v.strictObject({ ref: Ref, ...Apply }),
    response: v.strictObject({
      /** The copy of logins.json made first; null when the profile had none yet. */
      backupPath: v.nullable(v.string()),
      /** The saved logins set, e.g. `imap://mail.cstnet.cn`, and whether each was replaced or added. */
      logins: v.array(v.strictObject({ origin: v.string(), change: v.picklist(['replaced', 'added']) })),
    }),
    errors: [
      ...checkedPasswordErrors,
      'thunderbird-running',
      'thunderbird-primary-password',
      'thunderbird-unsupported',
      'thunderbird-write-failed',
      'thunderbird-other-mailbox',
      'integration-disabled',
    ],
  },
  /**
   * Before 2FA is switched on: this mailbox's Foxmail accounts that still hold the main password,
   * which stop working once it is on.
   */
  'mail-clients:what-will-break': {
    session: 'enrolment',
    request: Empty,
    response: v.strictObject({ accounts: v.array(FoxmailAccountSchema) }),
    errors: ['not-signed-in', 'two-factor-required'],
  },

  /** Saves an iPhone / iPad configuration profile (.mobileconfig), 0600, where the person chooses. */
  'mail-clients:iphone-profile-save': {
    session: 'full',
    request: ProfileRequest,
    response: v.strictObject({
      /** Names the saved file in iphone-profile-delete. */
      fileId: v.string(),
      path: v.string(),
      includesPassword: v.boolean(),
      /** When the app offers to delete it (ms since the epoch). */
      deleteOfferAt: v.number(),
    }),
    errors: [...checkedPasswordErrors, 'save-cancelled', 'save-failed', 'integration-disabled'],
  },
  /**
   * On this computer (a Mac): writes the same profile to a private temporary file, opens it with
   * the OS (System Settings then offers to install it), and removes it `openedProfileRemoveMs`
   * later or when the app quits, whichever is first.
   */
  'mail-clients:mac-profile-open': {
    session: 'full',
    request: ProfileRequest,
    response: v.strictObject({
      includesPassword: v.boolean(),
      /** When the file is removed (ms since the epoch). */
      removeAt: v.number(),
    }),
    errors: [...checkedPasswordErrors, 'save-failed', 'open-failed', 'integration-disabled'],
  },
  'mail-clients:iphone-profile-delete': {
    session: 'full',
    request: v.strictObject({ fileId: Ref }),
    response: Empty,
    errors: ['not-signed-in', 'not-found', 'delete-failed'],
  },

  /**
   * Logs in to the IMAP and SMTP servers with a password, as a mail client would, and says what
   * failed. The password is typed (or just generated) or one remembered in the keychain.
   */
  'mail-clients:test-connection': {
    session: 'full',
    request: v.strictObject({
      secret: v.variant('kind', [
        v.strictObject({ kind: v.literal('typed'), password: v.pipe(PasswordInput, v.minLength(1)) }),
        v.strictObject({ kind: v.literal('keychain'), name: NameInput }),
      ]),
    }),
    response: v.strictObject({ imap: ConnectionTestSchema, smtp: ConnectionTestSchema }),
    errors: ['not-signed-in', 'two-factor-required', 'not-found', 'keychain-unavailable'],
  },
});
