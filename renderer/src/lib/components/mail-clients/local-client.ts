/**
 * What one local mail client (Foxmail, Thunderbird) gives the writer card it shares with the
 * others: its words, its two channels, and which of its refusals mean what. The card itself
 * (LocalClientCard.svelte) does the rest: scan, pick an account, confirm, write, say how it went.
 */
import type { MailEndpoint } from '../../../../../electron/shared/mail-server';
import type { ErrorCode, Result } from '../../../../../electron/shared/result';
import type { HeldPassword } from '../client-passwords/held-password.svelte';

/** An account as every scan lists it. */
export interface LocalAccount {
  readonly ref: string;
  readonly address: string;
  readonly displayName: string;
  readonly protocol: 'imap' | 'pop3';
  readonly incoming: MailEndpoint;
  readonly outgoing: MailEndpoint | null;
  /** Its saved password can be replaced by the app; the others get the manual steps. */
  readonly writable: boolean;
}

export interface LocalClient<I extends { readonly root: string }, A extends LocalAccount> {
  /** `mc-<id>-heading`, the card's class, and its manual steps. */
  readonly id: 'foxmail' | 'thunderbird';
  readonly text: {
    readonly heading: () => string;
    readonly intro: () => string;
    readonly needsPassword: () => string;
    readonly scanning: () => string;
    readonly none: () => string;
    readonly rescan: () => string;
    readonly manualHeading: () => string;
    readonly installation: (installation: I) => string;
    /** The headings of its own columns, between the servers and the actions. */
    readonly columns: () => string[];
    readonly fallbackHeading: (address: string) => string;
    readonly fallbackIntro: (name: string) => string;
    readonly apply: () => string;
    readonly applyLabel: (name: string, address: string) => string;
    readonly manual: () => string;
    readonly manualLabel: (name: string, address: string) => string;
    readonly applyTitle: () => string;
    readonly applyBody: (name: string, address: string, path: string) => string;
    readonly applyConfirm: () => string;
  };
  readonly scan: () => Promise<Result<{ readonly installations: I[] }>>;
  /** Writes the held password into the account; on success, the sentence that says so. */
  readonly write: (account: A, held: HeldPassword) => Promise<Result<string>>;
  /** This mailbox's account, offered the password; any other is only listed. */
  readonly mine: (account: A) => boolean;
  /** Whether the row names the account's display name under its address. */
  readonly showsName: (account: A) => boolean;
  /** The refusal the person can clear here (quit the client) and retry. */
  readonly retryOn: ErrorCode;
  /** The refusals that mean "not by the app": the manual steps, with the password copied. */
  readonly manualOn: readonly ErrorCode[];
  /** What is looked at again afterwards: after a write (the stored password changed), or after a refusal (the profile is not what the scan saw). */
  readonly rescanAfter: 'written' | 'refused';
}
