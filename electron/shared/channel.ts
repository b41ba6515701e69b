/**
 * How a channel is declared. Kept apart from contract.ts, which gathers every namespace's
 * channels: a namespace file importing from the gatherer would form an import cycle in which
 * its constants are not yet initialised.
 */
import * as v from 'valibot';
import type { ErrorCode } from './result';

export interface ChannelDefinition {
  readonly request: v.GenericSchema;
  readonly response: v.GenericSchema;
  /** The error codes this channel may return besides the generic ones every channel may. */
  readonly errors: readonly ErrorCode[];
}

/** Declares a namespace's channels, checked against the definition shape. */
export function channels<const T extends Record<string, ChannelDefinition>>(definitions: T): T {
  return definitions;
}

/** A request (or response) that carries nothing. Unknown keys are refused, as everywhere. */
export const Empty = v.strictObject({});
