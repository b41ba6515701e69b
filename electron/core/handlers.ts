/**
 * One function per channel, typed from the contract: the one place that assembles the features.
 * Both bridges (Electron IPC and the browser-mode HTTP host) reach these only through the
 * dispatcher, after validation. Nothing in the core imports this file (handler-types.ts holds
 * the types the features share).
 */
import { ok } from '../shared/result';
import { describeApp, type AppEnvironment } from './app-info';
import type { CoreContext } from './context';
import { describePolicy, policySourcesOf, policyToValues } from './policy';
import { noScreenGuard, type Logger, type ScreenGuard, type SettingsStore } from './ports';
import { SettingsService } from './settings';
import { createAuthHandlers } from './sign-in';
import { createDevicesHandlers } from './trusted-devices';
import { createAccountHandlers } from './account';
import { createTwoFactorHandlers } from './two-factor';
import { createClientPasswordsHandlers } from './client-passwords';
import { createGrantsHandlers } from './grants';
import { createActivityHandlers } from './activity-handlers';
import { createMailClientsHandlers } from './mail-clients/handlers';
import type { Handlers } from './handler-types';
import type { MailClientPorts } from './mail-clients/ports';
import { localAuthority } from './mail-clients/authority';
import { createPhoneHandoffHandlers } from './phone-handoff';
import { createWebmailOffHandlers, type WebmailChoice } from './webmail';
import { withSessionLevels } from './session-levels';

export interface CoreDependencies {
  readonly environment: AppEnvironment;
  readonly settingsStore: SettingsStore;
  readonly logger: Logger;
  readonly core: CoreContext;
  /** The machine's keychain, Foxmail profiles, file saving and mail-server login (docs/rules.md §8). */
  readonly mailClients: MailClientPorts;
  /** The shell's window protection while a secret is on screen; none in browser mode and the CLI. */
  readonly screen?: ScreenGuard;
  /** Handing accounts to the mail system's web mail (docs/rules.md §15): the desktop's switch; none on the server. */
  readonly webmailChoice?: WebmailChoice;
  /** The organisation server's public address, where a phone fetches its profile by QR (docs/rules.md §8.9); none on a desktop. */
  readonly phoneHandoffBase?: () => URL;
}

export function createHandlers(deps: CoreDependencies): Handlers {
  const settings = new SettingsService(deps.settingsStore);

  return {
    // Each channel's session level, as the contract declares it, is checked here before its
    // handler runs; the handler receives the session on `call.session` (session-levels.ts).
    ...withSessionLevels(deps.core, {
      'app:info': async () => ok(describeApp(deps.environment, policySourcesOf(deps.core))),
      'app:policy': async () =>
        ok(describePolicy({ policy: deps.core.policy(), values: policyToValues(deps.core.policy()), sources: policySourcesOf(deps.core) })),
      'app:secret-on-screen': async (request, call) =>
        ok({ protectedFromCapture: (deps.screen ?? noScreenGuard).secretOnScreen(call.connection, request.shown) }),
      'settings:get': async () => ok(await settings.get()),
      'settings:update': async (request) => ok(await settings.update(request)),
      // The organisation's mailboxes come from its directory (import-mailboxes), never from a form.
      ...createAuthHandlers(deps.core, { demo: deps.environment.demo, registration: (deps.environment.backend ?? 'embedded') === 'embedded' }),
      ...createDevicesHandlers(deps.core),
      ...createAccountHandlers(deps.core),
      ...createTwoFactorHandlers(deps.core),
      ...createClientPasswordsHandlers(deps.core),
      ...createGrantsHandlers(deps.core),
      ...createActivityHandlers(deps.core),
      ...createPhoneHandoffHandlers(deps.core, deps.phoneHandoffBase),
      ...createWebmailOffHandlers({ ...(deps.webmailChoice ?? { managedByEnforced: () => false }), policy: () => deps.core.policy() }),
    }),
    // Not behind the wrapper: the mail-client channels ask their authority (localAuthority here,
    // the organisation server or the web mail elsewhere), which applies their declared level;
    // wrapping them too would check the session twice.
    ...createMailClientsHandlers(
      {
        authority: localAuthority(deps.core),
        policy: () => deps.core.policy(),
        clock: deps.core.clock,
        random: deps.core.random,
        logger: deps.core.logger,
        phoneHandoff: () => deps.phoneHandoffBase !== undefined,
      },
      deps.mailClients,
    ),
  };
}
