/**
 * The composition root shared by every shell (Electron main, browser-mode host, command line):
 * the core's services wired to this machine's store and platform adapters.
 */
import { createDispatcher, type Dispatch } from '../core/dispatch';
import { createHandlers } from '../core/handlers';
import type { AppEnvironment } from '../core/app-info';
import type { Logger } from '../core/ports';
import { SettingsFile } from '../store/settings-file';

export interface Backend {
  readonly dispatch: Dispatch;
  readonly environment: AppEnvironment;
}

export function createBackend(environment: AppEnvironment, logger: Logger): Backend {
  const handlers = createHandlers({
    environment,
    settingsStore: new SettingsFile(environment.dataDir, logger),
    logger,
  });
  return { dispatch: createDispatcher(handlers, logger), environment };
}
