/**
 * A desktop whose mail system's own web mail manages accounts (docs/rules.md §15): the same
 * pages and contract, but Mailwarden signs no one in and keeps no account. It answers what is
 * about this computer (its settings, the window's screen protection, the policy that applies
 * here), the web-mail guide's own channels, and the mail-client work, with the mail server's live
 * login as the authority on a client password. Every channel of Mailwarden's own accounts
 * answers `managed-by-webmail`, and auth:status says nobody is signed in, which is true.
 */
import type { Channel, RequestOf } from '../shared/contract';
import { channelNames } from '../shared/contract';
import { err, ok } from '../shared/result';
import { describeApp, type AppEnvironment } from './app-info';
import type { CallContext } from './call';
import type { Handler, Handlers } from './handler-types';
import { createMailClientsHandlers } from './mail-clients/handlers';
import type { MailClientPorts } from './mail-clients/ports';
import { describePolicy, type ResolvedPolicy } from './policy';
import { noScreenGuard, type Clock, type Logger, type Random, type ScreenGuard, type SettingsStore } from './ports';
import { SettingsService } from './settings';
import { switcherRules } from './switcher';
import { createWebmailHandlers, webmailAuthority, type WebmailChoice, type WebmailProfileStore } from './webmail';

export interface WebmailBackedDependencies {
  readonly environment: AppEnvironment;
  readonly settingsStore: SettingsStore;
  readonly profiles: WebmailProfileStore;
  readonly policy: ResolvedPolicy;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: Random;
  readonly mailClients: MailClientPorts;
  readonly choice: WebmailChoice;
  readonly screen?: ScreenGuard;
}

export function createWebmailBackedHandlers(deps: WebmailBackedDependencies): Handlers {
  const settings = new SettingsService(deps.settingsStore);
  const policy = () => deps.policy.policy;
  const webmail = { profiles: deps.profiles, tester: deps.mailClients.tester, policy, ...deps.choice };
  const authority = webmailAuthority(webmail);
  const own: Partial<Record<Channel, Handler<Channel>>> = {
    'app:info': (async () => ok(describeApp(deps.environment, deps.policy.sources))) as Handler<Channel>,
    'app:policy': (async () => ok(describePolicy(deps.policy))) as Handler<Channel>,
    'app:secret-on-screen': (async (request: RequestOf<'app:secret-on-screen'>, call: CallContext) =>
      ok({ protectedFromCapture: (deps.screen ?? noScreenGuard).secretOnScreen(call.connection, request.shown) })) as Handler<Channel>,
    'settings:get': (async () => ok(await settings.get())) as Handler<Channel>,
    'settings:update': (async (request: RequestOf<'settings:update'>) => ok(await settings.update(request))) as Handler<Channel>,
    // Nobody signs in to Mailwarden here; the web mail has its own sign-in.
    'auth:status': (async () => ok({ status: 'signed-out' })) as Handler<Channel>,
    'auth:sign-out': (async () => ok({})) as Handler<Channel>,
    // Nor are several: the account switcher has nothing to list or choose (docs/rules.md §7.4).
    'auth:mailboxes': (async () => ok({ mailboxes: [], limit: switcherRules.mailboxesPerWindow })) as Handler<Channel>,
    'auth:switch': (async () => err('mailbox-not-signed-in')) as Handler<Channel>,
    'auth:sign-out-all': (async () => ok({})) as Handler<Channel>,
    'auth:cancel-sign-in': (async () => ok({})) as Handler<Channel>,
    // "It is in my client now": the web mail's list says where its passwords are used, not this computer.
    'client-passwords:mark-applied': (async (request: RequestOf<'client-passwords:mark-applied'>, call: CallContext) =>
      authority.markApplied(call, request.id, request.target)) as Handler<Channel>,
  };
  const mailClients = createMailClientsHandlers(
    { authority, policy, clock: deps.clock, random: deps.random, logger: deps.logger, phoneHandoff: () => false },
    deps.mailClients,
  );
  for (const [channel, handler] of Object.entries({ ...mailClients, ...createWebmailHandlers(webmail) })) own[channel as Channel] = handler as Handler<Channel>;

  const handlers: Partial<Record<Channel, Handler<Channel>>> = {};
  for (const channel of channelNames) handlers[channel] = own[channel] ?? ((async () => err('managed-by-webmail')) as Handler<Channel>);
  return handlers as Handlers;
}
