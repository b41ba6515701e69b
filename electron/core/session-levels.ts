/**
 * The one place the core applies each channel's session level, as the contract declares it beside
 * the channel's schema (electron/shared/channel.ts, docs/rules.md §3): before the handler runs,
 * the call must be signed in (`enrolment`), and not restricted to binding a method (`full`). The
 * handler then receives the session on `call.session`, so no feature checks it by hand.
 *
 * handlers.ts applies it to every channel the core answers itself except the mail-client ones,
 * whose authority keeps their level (on a server-backed or web-mail desktop there is no local
 * session to check); the dispatcher has validated the request before.
 */
import { contract, type Channel } from '../shared/contract';
import type { CallContext } from './call';
import type { CoreContext } from './context';
import type { CallAt, Handler, LevelledHandler } from './handler-types';
import { requireSession } from './session-guard';

/**
 * `handler` behind the session level `channel` declares; withSessionLevels applies it to every
 * core handler (its tests call it on one).
 * @internal
 */
export function withSessionLevel<C extends Channel>(core: CoreContext, channel: C, handler: LevelledHandler<C>): Handler<C> {
  const level = contract[channel].session;
  // Nothing to check, and a `none` channel's handler takes the call as it comes.
  if (level === 'none') return handler as Handler<C>;
  return async (request, call: CallContext) => {
    const session = await requireSession(core, call, { allowEnrollment: level === 'enrolment' });
    if (!session.ok) return session;
    return handler(request, { ...call, session: session.data } as CallAt<C>);
  };
}

/** Every handler of `handlers` behind its channel's session level. */
export function withSessionLevels<H extends { readonly [C in Channel]?: LevelledHandler<C> }>(
  core: CoreContext,
  handlers: H,
): { readonly [C in keyof H & Channel]: Handler<C> } {
  const levelled: Partial<Record<Channel, unknown>> = {};
  for (const channel of Object.keys(handlers) as (keyof H & Channel)[])
    levelled[channel] = withSessionLevel(core, channel, handlers[channel] as LevelledHandler<typeof channel>);
  return levelled as { readonly [C in keyof H & Channel]: Handler<C> };
}
