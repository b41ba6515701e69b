/**
 * What the core needs from outside, as interfaces. Adapters live in electron/store and
 * electron/platform; tests pass in-memory ones. The core never imports Electron, `fs` or a store.
 */
import type { UserSettings } from '../shared/contract';

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
