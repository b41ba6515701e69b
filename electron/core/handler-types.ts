/**
 * The shape of a channel's handler, typed from the contract: what every feature module exports
 * and the dispatcher calls. Apart from handlers.ts, which assembles the features, so a feature
 * depends on this type and not on every other feature.
 */
import type { Channel, RequestOf, ResponseOf, SessionLevelOf } from '../shared/contract';
import type { Result } from '../shared/result';
import type { CallContext } from './call';
import type { Session } from './sessions';

export type Handler<C extends Channel> = (request: RequestOf<C>, call: CallContext) => Promise<Result<ResponseOf<C>>>;

/** The handlers of one namespace, e.g. `HandlersOf<'two-factor'>`. */
export type HandlersOf<N extends string> = { readonly [C in Channel as C extends `${N}:${string}` ? C : never]: Handler<C> };
export type Handlers = { readonly [C in Channel]: Handler<C> };

/** A call its channel's session level let through (session-levels.ts), with the session it was checked against. */
export type SignedInCall = CallContext & { readonly session: Session };

/** The call a feature's handler is given: with the session wherever the channel's level asks for one. */
export type CallAt<C extends Channel> = SessionLevelOf<C> extends 'none' ? CallContext : SignedInCall;

/** A feature's handler before its channel's session level is applied (session-levels.ts does, in handlers.ts). */
export type LevelledHandler<C extends Channel> = (request: RequestOf<C>, call: CallAt<C>) => Promise<Result<ResponseOf<C>>>;

/** A namespace's handlers before their levels are applied, e.g. `LevelledHandlersOf<'grants'>`. */
export type LevelledHandlersOf<N extends string> = { readonly [C in Channel as C extends `${N}:${string}` ? C : never]: LevelledHandler<C> };
