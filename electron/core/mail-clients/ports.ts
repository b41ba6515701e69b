/**
 * What the mail-clients services (docs/rules.md §8) need from the machine, each implemented in
 * electron/platform and replaced by an in-memory fake in the core's unit tests. The platform
 * adapters are tested against the real thing: the Secret Service, Foxmail profile files on disk,
 * loopback IMAP and SMTP servers.
 */
import type { ConnectionOutcome, MailEndpoint } from '../../shared/mail-server';
import type { Scheduler } from '../ports';

/**
 * Client passwords the person chose to remember, in the OS keychain under service `Mailwarden`,
 * account `<address>/<name>`. Every method throws KeychainUnavailableError (ports.ts) when no
 * keychain can be reached, and changes nothing then.
 */
export interface ClientPasswordShelf {
  remember(address: string, name: string, secret: string): Promise<void>;
  /** The secret, or null when nothing is remembered under that name. */
  read(address: string, name: string): Promise<string | null>;
  /** The names remembered for this mailbox, sorted. */
  names(address: string): Promise<string[]>;
  /** Whether there was an entry to delete. */
  forget(address: string, name: string): Promise<boolean>;
}

export interface FoxmailAccount {
  /** The profile file's path: it names the account (one account per Account.rec0). */
  readonly ref: string;
  readonly address: string;
  readonly displayName: string;
  readonly protocol: 'imap' | 'pop3';
  readonly incoming: MailEndpoint;
  readonly outgoing: MailEndpoint;
  readonly profilePath: string;
  readonly format: 'rec0' | 'stg';
  /** Every field understood: its password may be replaced. */
  readonly writable: boolean;
}

export interface FoxmailInstallation {
  readonly root: string;
  readonly version: string | null;
  readonly running: boolean;
  readonly foundBy: 'registry' | 'mailto-handler' | 'default-folder' | 'environment';
  readonly accounts: readonly FoxmailAccount[];
  /**
   * Account folders (in Storage/, named after the address) holding a profile the scan could not
   * read or did not understand: shown as found-but-unreadable, never as "no accounts".
   */
  readonly unreadable: readonly string[];
}

/** Why a Foxmail profile was not changed. */
export type FoxmailRefusal = 'running' | 'unsupported' | 'not-found' | 'write-failed';

export class FoxmailError extends Error {
  override readonly name = 'FoxmailError';
  constructor(
    readonly reason: FoxmailRefusal,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface FoxmailProfiles {
  /** Installations found on this computer, with the accounts of each; never throws for a bad profile (it is listed unwritable). */
  scan(): Promise<FoxmailInstallation[]>;
  /** The stored password of the account, decoded; '' when none is stored, null when it cannot be decoded. */
  readPassword(ref: string): Promise<string | null>;
  /**
   * Replaces the stored password: refuses while Foxmail runs and for a file not fully understood,
   * backs the file up beside itself, writes a temp file, fsyncs, renames, re-reads and verifies,
   * and restores the backup on any failure. Throws FoxmailError.
   */
  writePassword(ref: string, password: string): Promise<{ readonly backupPath: string }>;
}

export interface ThunderbirdAccount {
  /** `<profile folder>#<server key>` (e.g. `…/Profiles/ab12.default-release#server2`): names the account. */
  readonly ref: string;
  readonly address: string;
  readonly displayName: string;
  readonly protocol: 'imap' | 'pop3';
  readonly incoming: MailEndpoint;
  /** The incoming server's user name (the login's username). */
  readonly incomingUser: string;
  /** The identity's SMTP server; null when it has none this app understands. */
  readonly outgoing: MailEndpoint | null;
  readonly outgoingUser: string | null;
  /** Its password may be written now (profile's store ready, server fields complete). */
  readonly writable: boolean;
}

/**
 * Whether the profile's saved passwords can be written: 'ready' (key4.db has no primary password
 * and its keys and logins.json are understood), 'primary-password', or 'unsupported' (anything
 * not understood, or no key yet: then the person gets the manual steps).
 */
export type ThunderbirdPasswordStore = 'ready' | 'primary-password' | 'unsupported';

export interface ThunderbirdProfile {
  readonly name: string;
  /** The profile folder. */
  readonly path: string;
  readonly isDefault: boolean;
  readonly running: boolean;
  /** False when the folder or its prefs.js could not be read or was not understood: shown as unreadable, never as "no accounts". */
  readonly readable: boolean;
  readonly passwordStore: ThunderbirdPasswordStore;
  readonly accounts: readonly ThunderbirdAccount[];
}

export interface ThunderbirdInstallation {
  /** The folder holding profiles.ini. */
  readonly root: string;
  readonly foundBy: 'default-folder' | 'snap' | 'flatpak' | 'environment';
  readonly profiles: readonly ThunderbirdProfile[];
}

/** Why a Thunderbird profile was not changed. */
export type ThunderbirdRefusal = 'running' | 'unsupported' | 'primary-password' | 'not-found' | 'write-failed';

export class ThunderbirdError extends Error {
  override readonly name = 'ThunderbirdError';
  constructor(
    readonly reason: ThunderbirdRefusal,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ThunderbirdWriteResult {
  /** The copy of logins.json made before the change; null when there was no logins.json. */
  readonly backupPath: string | null;
  /** Each login origin set (`imap://host` or `mailbox://host`, and `smtp://host`) and whether it was replaced or added. */
  readonly logins: readonly { readonly origin: string; readonly change: 'replaced' | 'added' }[];
}

export interface ThunderbirdProfiles {
  /** Installations (profiles.ini folders) found, with their profiles and accounts; never throws for a bad profile. */
  scan(): Promise<ThunderbirdInstallation[]>;
  /**
   * Sets the password of the account's incoming login and, when its SMTP server has a user name,
   * of the outgoing one, in logins.json, encrypted as Thunderbird does. Refuses while Thunderbird
   * runs, with a primary password, and for anything not fully understood; backs logins.json up
   * beside itself, writes a temp file, fsyncs, renames, re-reads and decrypts to verify, and
   * restores the backup on any failure. Throws ThunderbirdError.
   */
  writePassword(ref: string, password: string): Promise<ThunderbirdWriteResult>;
}

/** Saves a file the person asked for (a save-as dialog in Electron; the downloads folder in browser mode). */
export interface FileSaver {
  /** Written with mode 0600; null when the person cancelled. */
  save(suggestedName: string, contents: Uint8Array): Promise<{ readonly path: string } | null>;
  remove(path: string): Promise<void>;
}

/**
 * Files written only for the OS to read once (a profile to install): each in a fresh folder of its
 * own (mkdtemp, 0700), the file 0600. Whatever is still there when the app quits is removed then.
 */
export interface TemporaryFiles {
  write(name: string, contents: Uint8Array): Promise<{ readonly path: string }>;
  /** The file and its folder go; one already gone is not an error. */
  remove(path: string): Promise<void>;
}

/** Opens a file with the OS's own handler for its type, as a double-click would. */
export interface FileOpener {
  /** Resolves once the OS took the file; throws when no handler could be started or it refused the file. */
  open(path: string): Promise<void>;
}

export interface ConnectionTestResult {
  readonly outcome: Exclude<ConnectionOutcome, 'main-password'>;
  /** The raw error, never the password. */
  readonly detail: string;
}

/** Logs in over IMAP (imapflow) or SMTP AUTH (nodemailer verify) and classifies what failed. */
export interface ConnectionTester {
  test(protocol: 'imap' | 'smtp', endpoint: MailEndpoint, user: string, secret: string): Promise<ConnectionTestResult>;
}

export interface MailClientPorts {
  readonly shelf: ClientPasswordShelf;
  readonly foxmail: FoxmailProfiles;
  readonly thunderbird: ThunderbirdProfiles;
  readonly files: FileSaver;
  readonly temporary: TemporaryFiles;
  readonly opener: FileOpener;
  /** Removes an opened profile later (docs/rules.md §8.11). */
  readonly scheduler: Scheduler;
  readonly tester: ConnectionTester;
}
