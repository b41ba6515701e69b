/**
 * The single path from a bridge into the core: is the channel known, does the request match
 * its schema, then call the handler. A malformed request never reaches a handler, and a bug in
 * a handler becomes `internal` instead of crashing the process or leaking a stack trace.
 */
import * as v from 'valibot';
import { contract, isChannel } from '../shared/contract';
import { err, type Result } from '../shared/result';
import type { CallContext } from './call';
import type { Handler, Handlers } from './handler-types';
import { StorageError, type Logger } from './ports';

export type Dispatch = (channel: unknown, request: unknown, call: CallContext) => Promise<Result<unknown>>;

/** Paths of failing fields, without the offending values (they might be secrets). */
function issuePaths(issues: readonly v.BaseIssue<unknown>[]): string[] {
  const paths = new Set<string>();
  for (const issue of issues) {
    const path = v.getDotPath(issue);
    paths.add(path ?? '');
  }
  return [...paths].slice(0, 20);
}

/** Requests are JSON objects: arrays, class instances and null pass valibot's object check. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function createDispatcher(handlers: Handlers, logger: Logger): Dispatch {
  return async (channel, request, call) => {
    if (!isChannel(channel)) return err('unknown-channel');
    if (!isPlainObject(request)) return err('invalid-request', { fields: [] });
    const parsed = v.safeParse(contract[channel].request, request);
    if (!parsed.success) return err('invalid-request', { fields: issuePaths(parsed.issues) });
    const handler = handlers[channel] as Handler<typeof channel>;
    try {
      return await handler(parsed.output as never, call);
    } catch (cause) {
      // The disk refusing a read or write is an expected fault, reported as a value; any
      // write the handler made inside store.atomically has been undone by then.
      if (cause instanceof StorageError) {
        logger.error('storage operation failed', { channel, reason: cause.message });
        return err('storage-failed');
      }
      // Log the channel and the error's kind only: the request may carry a secret.
      logger.error('handler failed', { channel, error: cause instanceof Error ? cause.name : typeof cause });
      return err('internal');
    }
  };
}
