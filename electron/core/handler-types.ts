/**
 * The shape of a channel's handler, typed from the contract: what every feature module exports
 * and the dispatcher calls. Apart from handlers.ts, which assembles the features, so a feature
 * depends on this type and not on every other feature.
 */
import type { Channel, RequestOf, ResponseOf } from '../shared/contract';
import type { Result } from '../shared/result';
import type { CallContext } from './call';

export type Handler<C extends Channel> = (request: RequestOf<C>, call: CallContext) => Promise<Result<ResponseOf<C>>>;

/** The handlers of one namespace, e.g. `HandlersOf<'two-factor'>`. */
export type HandlersOf<N extends string> = { readonly [C in Channel as C extends `${N}:${string}` ? C : never]: Handler<C> };
export type Handlers = { readonly [C in Channel]: Handler<C> };
