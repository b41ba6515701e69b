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
  // errors:auth
  // errors:two-factor
  // errors:client-passwords
  // errors:grants
  // errors:activity
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorDetails {
  /** Paths of the request fields that failed validation (never their values). */
  readonly fields?: readonly string[];
  /** Seconds until the same request may succeed. */
  readonly retryAfter?: number;
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
