/**
 * What the core needs from outside, as interfaces. Adapters live in electron/store and
 * electron/platform; tests pass in-memory ones. The core never imports Electron, `fs` or a store.
 */
import type { UserSettings } from '../shared/contract';

/**
 * The window a call came from, as far as the shell can act on it: the Electron shell keeps a
 * window showing a secret out of screenshots and screen sharing (setContentProtection).
 */
export interface ScreenGuard {
  /** Returns whether the window is now protected from capture (false where the shell cannot). */
  secretOnScreen(connection: string, shown: boolean): boolean;
}

/** A shell with no window of its own to protect (browser mode, the command line). */
export const noScreenGuard: ScreenGuard = { secretOnScreen: () => false };

/** Per-installation preferences of the person at this computer (language, theme). */
export interface SettingsStore {
  read(): Promise<UserSettings>;
  /** Must be atomic: after a crash the old or the new settings are there, never half of them. */
  write(settings: UserSettings): Promise<void>;
}

/** Where diagnostics go. Callers pass no secrets; the sink may still redact. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Thrown by store adapters when the disk refuses a read or write; handlers turn it into a value. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
}

/** Time, in milliseconds since the epoch. Tests move a fake one; nothing in the core sleeps. */
export interface Clock {
  now(): number;
}

/** Runs something later, on the same clock: the system's timers, a fake clock's in tests. */
export interface Scheduler {
  /** Runs `run` once, `ms` from now; it never keeps the app from quitting. */
  after(ms: number, run: () => void): void;
}

/** Cryptographically secure randomness only (the platform adapter wraps node:crypto). */
export interface Random {
  bytes(length: number): Uint8Array;
  /** A uniform integer in [0, maxExclusive), without modulo bias. */
  int(maxExclusive: number): number;
}

/** The OS keychain, as far as the core needs it: one secret per service and account. */
export interface Keychain {
  get(service: string, account: string): Promise<string | null>;
  set(service: string, account: string, secret: string): Promise<void>;
  delete(service: string, account: string): Promise<boolean>;
}

/** Raised by a keychain adapter when no keychain can be reached (no Secret Service, locked). */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}
