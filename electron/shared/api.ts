/**
 * The renderer-facing API, typed from the contract. `app:info` becomes `api.app.info()`,
 * `two-factor:send-code` becomes `api.twoFactor.sendCode(request)`. There is no generic
 * `invoke(channel, …)`: a page can only call what the contract declares.
 *
 * This module holds no schema so the renderer can import it without pulling valibot in.
 */
import type { Channel, RequestOf, ResponseOf } from './contract';
import type { Err, Result } from './result';

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type NamespaceOf<C extends string> = C extends `${infer N}:${string}` ? N : never;
type ActionOf<C extends string> = C extends `${string}:${infer A}` ? A : never;

/** A request with no required field may be omitted. */
type Method<C extends Channel> =
  object extends RequestOf<C> ? (request?: RequestOf<C>) => Promise<Result<ResponseOf<C>>> : (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;

export type MailwardenApi = {
  readonly [N in NamespaceOf<Channel> as CamelCase<N>]: {
    readonly [C in Channel as C extends `${N}:${string}` ? CamelCase<ActionOf<C>> : never]: Method<C>;
  };
};

/** The one way a bridge talks to the backend: a channel name, a request, a result value. */
export type Transport = (channel: Channel, request: unknown) => Promise<Result<unknown> | Err>;

/** @internal */
export function kebabToCamel(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** @internal */
export function camelToKebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function methodPath(channel: Channel): [namespace: string, method: string] {
  const [namespace = '', action = ''] = channel.split(':');
  return [kebabToCamel(namespace), kebabToCamel(action)];
}

/**
 * Builds the frozen, nested API for the given channel names over one transport. The preload
 * calls this with every name in the contract (a Proxy cannot cross contextBridge).
 */
export function createApi(channels: readonly Channel[], transport: Transport): MailwardenApi {
  const namespaces: Record<string, Record<string, (request?: unknown) => Promise<unknown>>> = {};
  for (const channel of channels) {
    const [namespace, method] = methodPath(channel);
    const group = (namespaces[namespace] ??= {});
    group[method] = (request?: unknown) => transport(channel, request ?? {});
  }
  for (const group of Object.values(namespaces)) Object.freeze(group);
  return Object.freeze(namespaces) as unknown as MailwardenApi;
}

/**
 * The same API without a list of names, for the browser-mode renderer: `api.twoFactor.sendCode`
 * becomes the channel `two-factor:send-code` on first use. The renderer thus imports no schema
 * (they would cost it ~7 kB gzip and grow with every channel); the types still allow only the
 * contract's methods, and the host refuses any other name with `unknown-channel`.
 */
export function createApiProxy(transport: Transport): MailwardenApi {
  const namespaces = new Map<string, object>();
  const readOnly = { set: () => false, defineProperty: () => false, deleteProperty: () => false };
  const namespaceProxy = (namespace: string) =>
    new Proxy(
      {},
      {
        ...readOnly,
        get: (_target, method) =>
          typeof method === 'string'
            ? (request?: unknown) => transport(`${camelToKebab(namespace)}:${camelToKebab(method)}` as Channel, request ?? {})
            : undefined,
      },
    );
  return new Proxy(
    {},
    {
      ...readOnly,
      get: (_target, namespace) => {
        if (typeof namespace !== 'string' || namespace === 'then') return undefined;
        let proxy = namespaces.get(namespace);
        if (!proxy) namespaces.set(namespace, (proxy = namespaceProxy(namespace)));
        return proxy;
      },
    },
  ) as MailwardenApi;
}
