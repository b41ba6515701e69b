/**
 * How a channel is declared. Kept apart from contract.ts, which gathers every namespace's
 * channels: a namespace file importing from the gatherer would form an import cycle in which
 * its constants are not yet initialised.
 */
import * as v from 'valibot';
import type { ErrorCode } from './result';

/**
 * What a channel needs of the caller's sign-in (docs/rules.md §3), declared here once and applied
 * in one place (electron/core/session-levels.ts) before the handler runs:
 * - `none`: nothing; the channel works signed out (the app, settings, signing in, the web mail guide).
 * - `enrolment`: signed in, and a session restricted to binding a method will do (§3.5).
 * - `full`: signed in without that restriction; a restricted session gets `two-factor-required`.
 *
 * The password re-check before a method changes (§3.6) is not a level: it applies to some
 * two-factor channels only when the mailbox already has a method, and after checks that say the
 * change cannot be made at all, so those handlers keep it.
 */
type SessionLevel = 'none' | 'enrolment' | 'full';

export interface ChannelDefinition {
  readonly request: v.GenericSchema;
  readonly response: v.GenericSchema;
  /** The error codes this channel may return besides the generic ones every channel may. */
  readonly errors: readonly ErrorCode[];
  /** Who may call it; required, so a new channel cannot forget to say. */
  readonly session: SessionLevel;
}

/** Declares a namespace's channels, checked against the definition shape. */
export function channels<const T extends Record<string, ChannelDefinition>>(definitions: T): T {
  return definitions;
}

/** A request (or response) that carries nothing. Unknown keys are refused, as everywhere. */
export const Empty = v.strictObject({});
