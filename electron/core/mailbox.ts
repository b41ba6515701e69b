/**
 * The mailbox record: the directory entry and its security state, one document per mailbox.
 * Factors live inside it so that binding, changing or removing one is a single write.
 */
import type { StoredRecord } from './store';
import type { TwoFactorMethod } from './policy';

interface PhoneFactor {
  /** E.164, e.g. +8613912345678. */
  readonly number: string;
  readonly boundAt: number;
}

interface TotpFactor {
  /** Base32 seed. The record is encrypted at rest with the rest of the store. */
  readonly secret: string;
  readonly confirmedAt: number;
  /** The last time step accepted: a code is never accepted twice. */
  readonly lastStep: number;
}

export interface BackupCode {
  /** Salted KDF hash of the code; the code itself was shown once. */
  readonly hash: string;
  readonly usedAt: number | null;
}

export interface MailboxRecord extends StoredRecord {
  /** `_id` is the normalised (lower-case) address. */
  readonly address: string;
  readonly displayName: string;
  /** scrypt hash of the main password (see password-hash.ts). */
  readonly passwordHash: string;
  readonly createdAt: number;
  readonly passwordChangedAt: number;
  /** Failed sign-in times inside the current window, for the lockout rule. */
  readonly failedSignIns: readonly number[];
  readonly lockedUntil: number | null;
  readonly phone: PhoneFactor | null;
  readonly totp: TotpFactor | null;
  /** An authenticator being set up, not yet confirmed with a code. */
  readonly totpPending: { readonly secret: string; readonly createdAt: number } | null;
  readonly backupCodes: readonly BackupCode[];
  /**
   * When this mailbox first signed in while policy required 2FA and it had none: the grace
   * period (policy `twoFactorGraceDays`) counts from here. Absent on records from before.
   */
  readonly twoFactorRequiredSince?: number;
  /**
   * A keyed hash of the organisation's policy (the keys it set and their values) as last applied
   * to this mailbox: a sign-in under a different one writes a `policy-applied` event.
   */
  readonly policyFingerprint?: string;
  /**
   * A temporary access pass the help desk issued (helpdesk.ts): one sign-in without the lost
   * factor, until it is used or expires. Only its keyed hash is kept. Absent on older records.
   */
  readonly accessPass?: AccessPass | null;
  /**
   * The method a sign-in asks for first when the mailbox has both (two-factor:set-preferred-method);
   * absent: text message. Absent on older records.
   */
  readonly preferredMethod?: 'sms' | 'totp';
}

export interface AccessPass {
  readonly hash: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly issuedBy: string;
}

/** The form an access pass is compared in: upper case, without the spaces and dashes people type. */
export function normalizeAccessPass(text: string): string {
  return text.replace(/[\s-]/g, '').toUpperCase();
}

/** The mailbox's access pass if it can still be used at `now`. */
export function liveAccessPass(mailbox: MailboxRecord, now: number): AccessPass | null {
  return mailbox.accessPass && mailbox.accessPass.expiresAt > now ? mailbox.accessPass : null;
}

/** Addresses are compared and stored in lower case, trimmed. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

export function twoFactorMethods(mailbox: MailboxRecord): TwoFactorMethod[] {
  const methods: TwoFactorMethod[] = [];
  if (mailbox.phone) methods.push('sms');
  if (mailbox.totp) methods.push('totp');
  return methods;
}

export function hasTwoFactor(mailbox: MailboxRecord): boolean {
  return mailbox.phone !== null || mailbox.totp !== null;
}

/** `139****5678`: the first three and last four digits of the national number. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
  if (national.length < 7) return '*'.repeat(national.length);
  return `${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}`;
}
