/**
 * A desktop that works against the organisation server (policy `server.url`, docs/rules.md §2's later
 * backend): the pages and the contract are the same, but the server holds every rule and every
 * record. This desktop answers only what is about this computer (its display settings, its
 * keychain, Foxmail, saved profiles and connection test, the window's screen protection, and
 * which policy applies here) and asks the server for everything else, keeping no copy: when the
 * server cannot be reached, the page is told so and shown nothing stale.
 */
import type { Channel, PolicyInForce, PolicyItem, RequestOf } from '../shared/contract';
import { channelNames } from '../shared/contract';
import type { PolicyPath } from '../shared/policy-schema';
import { policyPaths } from '../shared/policy-schema';
import { ok, type Result } from '../shared/result';
import { describeApp, type AppEnvironment } from './app-info';
import type { CallContext } from './call';
import type { Handler, Handlers } from './handler-types';
import { remoteAuthority, type ServerCall } from './mail-clients/authority';
import { createMailClientsHandlers } from './mail-clients/handlers';
import type { MailClientPorts } from './mail-clients/ports';
import { describePolicy, resolvePolicy, type PolicyLayer, type ResolvedPolicy } from './policy';
import { noScreenGuard, type Clock, type Logger, type Random, type ScreenGuard, type SettingsStore } from './ports';
import { SettingsService } from './settings';
import { createWebmailOffHandlers, type WebmailChoice } from './webmail';

/**
 * Policy that is about this computer and stays with its own places (registry, managed
 * preferences, /etc): which integrations this desktop offers, its updates and crash reports, and
 * which server it asks. Every other key is the organisation server's.
 */
function isDesktopPolicyKey(path: PolicyPath): boolean {
  return path.startsWith('clientIntegrations.') || path.startsWith('updates.') || path.startsWith('crashReports.') || path.startsWith('server.');
}

/**
 * Channels this desktop answers itself; every other channel is the server's.
 * @internal
 */
export function isDesktopChannel(channel: Channel): boolean {
  return channel.startsWith('app:') || channel.startsWith('settings:') || channel.startsWith('mail-clients:') || channel.startsWith('webmail:');
}

/**
 * How long the server's policy is used before it is asked again.
 * @internal
 */
export const serverPolicyMaxAgeMs = 5 * 60_000;

/**
 * The policy in force on a server-backed desktop: this computer's own places for its own keys,
 * the server's answer for the rest. Asked again after `serverPolicyMaxAgeMs`; until the server has
 * answered once (or when it no longer does) the rules it owns are not known, and what needs them
 * is refused rather than guessed from defaults.
 */
export class ServerPolicy {
  readonly #local: readonly PolicyLayer[];
  #resolved: ResolvedPolicy;
  /** The server's own account of its keys, shown as it gave it (a secret only as "set"). */
  #serverItems: ReadonlyMap<PolicyPath, PolicyItem> = new Map();
  #fetchedAt: number | null = null;
  #pending: Promise<Result<ResolvedPolicy>> | null = null;

  constructor(
    localLayers: readonly PolicyLayer[],
    private readonly server: ServerCall,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.#local = localLayers.map((layer) => ({ ...layer, entries: layer.entries.filter((entry) => isDesktopKeyName(entry.path)) }));
    this.#resolved = resolvePolicy(this.#local, logger);
  }

  /** The last policy put together (the desktop's own keys alone before the server first answered). */
  current(): ResolvedPolicy {
    return this.#resolved;
  }

  /** The policy in force as the settings page lists it: this computer's keys from here, the rest as the server says. */
  describe(): PolicyInForce {
    const here = describePolicy(this.#resolved);
    return { items: here.items.map((item) => (isDesktopPolicyKey(item.key) ? item : (this.#serverItems.get(item.key) ?? item))) };
  }

  /** The policy with the server's part no older than its maximum age; the server's refusal otherwise. */
  fresh(call: CallContext): Promise<Result<ResolvedPolicy>> {
    if (this.#fetchedAt !== null && this.clock.now() - this.#fetchedAt < serverPolicyMaxAgeMs) return Promise.resolve(ok(this.#resolved));
    this.#pending ??= this.#fetch(call).finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #fetch(call: CallContext): Promise<Result<ResolvedPolicy>> {
    const answer = await this.server('app:policy', {}, call);
    if (!answer.ok) return answer;
    // Set on the server, wherever there (its database, its own files): here it is the server's.
    const items = answer.data.items
      .filter((item) => !isDesktopPolicyKey(item.key))
      .map((item): PolicyItem => (item.source === 'enforced' || item.source === 'recommended' ? { ...item, origin: 'organisation-server' } : item));
    // What this computer's own work reads (the mail server's address, the web mail host) at the
    // level the server holds it; its defaults stay defaults. A secret (the SMS gateway's
    // credentials) never leaves the server: it arrives as "set", without a value.
    const layers: PolicyLayer[] = (['recommended', 'enforced'] as const).map((level) => ({
      level,
      origin: 'organisation-server',
      entries: items.filter((item) => item.source === level && !item.secret).map((item) => ({ path: item.key, value: item.value })),
    }));
    const resolved = resolvePolicy([...this.#local, ...layers], this.logger);
    const sources = { ...resolved.sources };
    for (const item of items) sources[item.key] = { source: item.source, ...(item.origin ? { origin: item.origin } : {}) };
    this.#resolved = { ...resolved, sources };
    this.#serverItems = new Map(items.map((item) => [item.key, item]));
    this.#fetchedAt = this.clock.now();
    return ok(this.#resolved);
  }
}

function isDesktopKeyName(path: string): boolean {
  return (policyPaths as readonly string[]).includes(path) ? isDesktopPolicyKey(path as PolicyPath) : false;
}

export interface ServerBackedDependencies {
  readonly environment: AppEnvironment;
  readonly settingsStore: SettingsStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: Random;
  readonly server: ServerCall;
  readonly policy: ServerPolicy;
  /** The machine's keychain, Foxmail profiles, file saving and mail-server login (docs/rules.md §8). */
  readonly mailClients: MailClientPorts;
  readonly screen?: ScreenGuard;
  readonly webmailChoice?: WebmailChoice;
}

export function createServerBackedHandlers(deps: ServerBackedDependencies): Handlers {
  const settings = new SettingsService(deps.settingsStore);
  const { policy } = deps;
  const mailClients = createMailClientsHandlers(
    {
      authority: remoteAuthority(deps.server),
      policy: () => policy.current().policy,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      // The server offers it where the organisation allows iPhone profiles.
      phoneHandoff: () => policy.current().policy.clientIntegrations.iphoneProfile,
    },
    deps.mailClients,
  );
  // Each mail-client rule reads the mail server's settings and the integrations on offer: with
  // the server's part of the policy fresh, or not at all.
  const withFreshPolicy =
    <C extends Channel>(handler: Handler<C>): Handler<C> =>
    async (request, call) => {
      const fresh = await policy.fresh(call);
      return fresh.ok ? handler(request, call) : fresh;
    };
  const own: Partial<Record<Channel, Handler<Channel>>> = {
    // About this app: what it is and where its policy came from as last asked; never waits on
    // the network, so it answers at once even while the server is away.
    'app:info': (async () => ok(describeApp(deps.environment, policy.current().sources))) as Handler<Channel>,
    'app:policy': (async (_request: RequestOf<'app:policy'>, call: CallContext) => {
      const fresh = await policy.fresh(call);
      return fresh.ok ? ok(policy.describe()) : fresh;
    }) as Handler<Channel>,
    'app:secret-on-screen': (async (request: RequestOf<'app:secret-on-screen'>, call: CallContext) =>
      ok({ protectedFromCapture: (deps.screen ?? noScreenGuard).secretOnScreen(call.connection, request.shown) })) as Handler<Channel>,
    'settings:get': (async () => ok(await settings.get())) as Handler<Channel>,
    'settings:update': (async (request: RequestOf<'settings:update'>) => ok(await settings.update(request))) as Handler<Channel>,
  };
  for (const [channel, handler] of Object.entries(mailClients)) own[channel as Channel] = withFreshPolicy(handler as Handler<Channel>);
  for (const [channel, handler] of Object.entries(
    createWebmailOffHandlers({ ...(deps.webmailChoice ?? { managedByEnforced: () => false }), policy: () => policy.current().policy }),
  ))
    own[channel as Channel] = handler as Handler<Channel>;

  const handlers: Partial<Record<Channel, Handler<Channel>>> = {};
  for (const channel of channelNames) {
    const mine = own[channel];
    if (isDesktopChannel(channel)) {
      if (!mine) throw new Error(`${channel} is answered by the desktop but has no handler here`);
      handlers[channel] = mine;
    } else {
      handlers[channel] = ((request: RequestOf<Channel>, call: CallContext) => deps.server(channel, request as never, call)) as Handler<Channel>;
    }
  }
  return handlers as Handlers;
}
