/**
 * The `activity` channel: the signed-in mailbox's security log, newest first, a page at a time.
 * The log itself (what is recorded, kept and pruned) is activity.ts.
 */
import { err, ok } from '../shared/result';
import { isActivityKind } from './activity';
import type { CoreContext } from './context';
import type { LevelledHandlersOf } from './handler-types';

export function createActivityHandlers(core: CoreContext): LevelledHandlersOf<'activity'> {
  return {
    'activity:list': async (request, call) => {
      // The schema bounds only the kind's shape: the list of kinds lives in the core, which the
      // contract may not import.
      if (request.kind !== undefined && !isActivityKind(request.kind)) return err('invalid-request', { fields: ['kind'] });
      const page = await core.activity.list(call.session.mailbox, {
        ...(request.kind !== undefined ? { kind: request.kind } : {}),
        ...(request.before !== undefined ? { before: request.before } : {}),
        ...(request.limit !== undefined ? { limit: request.limit } : {}),
      });
      if (!page) return err('invalid-request', { fields: ['before'] });
      return ok({
        events: page.events.map((e) => ({ id: e._id, at: e.at, kind: e.kind, outcome: e.outcome, device: e.device, detail: { ...e.detail } })),
        nextCursor: page.nextCursor,
      });
    },
  };
}
