/**
 * Results cross the bridge as values, never as thrown errors: Electron passes only an
 * error's `message` through `invoke`, and a value keeps its code and details intact.
 */

/** Stable error codes. The renderer maps each to a translated message (`error_<code>`). */
export const errorCodes = [
  'invalid-request',
  'unknown-channel',
  'forbidden-sender',
  'unauthorized',
  'internal',
  'storage-failed',
  'invalid-address',
  'password-too-short',
  'password-too-long',
  'password-same-as-address',
  'passwords-differ',
  'password-unchanged',
  'mailbox-exists',
  'sign-in-failed',
  'mailbox-locked',
  'not-signed-in',
  /** Adding a mailbox this window is already signed in to: it is chosen in the switcher instead. */
  'mailbox-already-signed-in',
  /** Adding a mailbox to a window that holds as many as it may (docs/rules.md §7.4). */
  'mailbox-limit-reached',
  /** Switching to a mailbox this window is not signed in to (any more). */
  'mailbox-not-signed-in',
  /**
   * Said by the renderer, not the backend: a call found this window signed out although it showed
   * a session (signed out from another session, or the password changed elsewhere).
   */
  'session-ended',
  'two-factor-required',
  'sign-in-expired',
  'method-unavailable',
  'device-not-found',
  'password-incorrect',
  'phone-invalid',
  'code-not-sent',
  'code-invalid',
  'code-expired',
  'code-used',
  /** An authenticator code already accepted once: the next one the app shows will work. */
  'code-reused',
  'code-attempts-exceeded',
  'send-too-soon',
  'send-limit-reached',
  'sms-delivery-failed',
  'phone-already-bound',
  'phone-not-bound',
  'phone-unchanged',
  'password-recheck-required',
  'enforcement-requires-method',
  'method-not-allowed',
  'totp-already-enabled',
  'totp-not-enabled',
  'totp-not-started',
  'two-factor-not-enabled',
  'name-invalid',
  'name-taken',
  'limit-reached',
  'not-found',
  'mailbox-unknown',
  'grant-self',
  'grant-exists',
  'end-date-invalid',
  'grant-forbidden',
  'keychain-unavailable',
  'password-mismatch',
  'foxmail-running',
  'foxmail-unsupported',
  'foxmail-write-failed',
  'foxmail-other-mailbox',
  'thunderbird-running',
  'thunderbird-primary-password',
  'thunderbird-unsupported',
  'thunderbird-write-failed',
  'thunderbird-other-mailbox',
  'save-cancelled',
  'save-failed',
  'delete-failed',
  /** The OS could not open a file the app wrote for it (a profile to install). */
  'open-failed',
  'integration-disabled',
  'desktop-only',
  'too-many-requests',
  'server-busy',
  'registration-closed',
  'server-unreachable',
  'server-untrusted',
  'server-incompatible',
  /** Asked of the web-mail guide where Mailwarden manages accounts itself (docs/rules.md §15). */
  'not-webmail-mode',
  /** Asked of Mailwarden's own accounts where the mail system's web mail manages them. */
  'managed-by-webmail',
  /** What was pasted is not 16 letters or digits. */
  'client-password-shape',
  /** The mail server refused the pasted client password on every server. */
  'client-password-refused',
  /** IT set this choice and locked it. */
  'policy-locked',
  /** A phone can fetch its profile only from an organisation server (docs/rules.md §8.9). */
  'phone-handoff-unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorDetails {
  /** Paths of the request fields that failed validation (never their values). */
  readonly fields?: readonly string[];
  /** Seconds until the same request may succeed. */
  readonly retryAfter?: number;
  /** Wrong entries a code still allows before it stops working. */
  readonly triesLeft?: number;
}

export interface Ok<T> {
  readonly ok: true;
  readonly data: T;
}

export interface Err extends ErrorDetails {
  readonly ok: false;
  readonly code: ErrorCode;
}

export type Result<T> = Ok<T> | Err;

export function ok<T>(data: T): Ok<T> {
  return { ok: true, data };
}

export function err(code: ErrorCode, details: ErrorDetails = {}): Err {
  return { ok: false, code, ...details };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
