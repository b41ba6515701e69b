/**
 * The embedded composition's dispatcher over a test core: the real handlers behind the real
 * contract check, with the machine's mail-client ports faked, settings in memory and no log.
 * `extra` adds or replaces a dependency (an organisation server's public address, a port).
 */
import type { CoreContext } from '../../electron/core/context';
import { createDispatcher, type Dispatch } from '../../electron/core/dispatch';
import type { Handlers } from '../../electron/core/handler-types';
import { createHandlers, type CoreDependencies } from '../../electron/core/handlers';
import { silentLogger } from '../../electron/core/ports';
import { testEnvironment } from './environment';
import { fakeMailClientPorts } from './mail-clients';
import { MemorySettingsStore } from './settings';

export function coreHandlers(core: CoreContext, extra: Partial<CoreDependencies> = {}): Handlers {
  return createHandlers({
    mailClients: fakeMailClientPorts(),
    environment: testEnvironment(),
    settingsStore: new MemorySettingsStore(),
    logger: silentLogger,
    core,
    ...extra,
  });
}

export function coreDispatcher(core: CoreContext, extra: Partial<CoreDependencies> = {}): Dispatch {
  return createDispatcher(coreHandlers(core, extra), silentLogger);
}
