/**
 * One function per channel, typed from the contract. Both bridges (Electron IPC and the
 * browser-mode HTTP host) reach these only through the dispatcher, after validation.
 */
import type { Channel, RequestOf, ResponseOf } from '../shared/contract';
import type { CallContext } from './call';
import { err, ok, type Result } from '../shared/result';
import { describeApp, type AppEnvironment } from './app-info';
import type { CoreContext } from './context';
import { StorageError, type Logger, type SettingsStore } from './ports';
import { SettingsService } from './settings';

export type Handler<C extends Channel> = (request: RequestOf<C>, call: CallContext) => Promise<Result<ResponseOf<C>>>;

/** The handlers of one namespace, e.g. `HandlersOf<'two-factor'>`. */
export type HandlersOf<N extends string> = { readonly [C in Channel as C extends `${N}:${string}` ? C : never]: Handler<C> };
export type Handlers = { readonly [C in Channel]: Handler<C> };

export interface CoreDependencies {
  readonly environment: AppEnvironment;
  readonly settingsStore: SettingsStore;
  readonly logger: Logger;
  readonly core: CoreContext;
}

export function createHandlers(deps: CoreDependencies): Handlers {
  const settings = new SettingsService(deps.settingsStore);

  /** A store that cannot be read or written is an expected fault: a value, not a crash. */
  async function storing<T>(operation: () => Promise<T>): Promise<Result<T>> {
    try {
      return ok(await operation());
    } catch (cause) {
      if (!(cause instanceof StorageError)) throw cause;
      deps.logger.error('storage operation failed', { reason: cause.message });
      return err('storage-failed');
    }
  }

  return {
    'app:info': async () => ok(describeApp(deps.environment)),
    'settings:get': () => storing(() => settings.get()),
    'settings:update': (request) => storing(() => settings.update(request)),
  };
}
