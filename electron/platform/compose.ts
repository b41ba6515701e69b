/**
 * The composition root shared by every shell (Electron main, browser-mode host, command line):
 * the core's services wired to this machine's store and platform adapters.
 */
import { createCoreContext, type CoreContext, type SmsGateway } from '../core/context';
import { createDispatcher, type Dispatch } from '../core/dispatch';
import { createHandlers } from '../core/handlers';
import type { AppEnvironment } from '../core/app-info';
import { defaultPolicy, type Policy } from '../core/policy';
import type { Logger } from '../core/ports';
import { openEmbeddedStore } from '../store/open';
import { SettingsFile } from '../store/settings-file';
import { OutboxSmsGateway, type OutboxEntry } from './sms/outbox';
import { cryptoRandom, systemClock } from './system';

export interface Backend {
  readonly dispatch: Dispatch;
  readonly environment: AppEnvironment;
  readonly core: CoreContext;
  readonly outbox: OutboxSmsGateway;
  close(): Promise<void>;
}

export interface BackendOptions {
  readonly policy?: Policy;
  /** Told of each test delivery in the local outbox (the Electron shell shows a notification). */
  readonly onOutbox?: (entry: OutboxEntry) => void;
}

export async function openBackend(environment: AppEnvironment, logger: Logger, options: BackendOptions = {}): Promise<Backend> {
  const opened = await openEmbeddedStore(environment.dataDir, logger);
  const policy = options.policy ?? defaultPolicy;
  const outbox = new OutboxSmsGateway(environment.dataDir, opened.sealer, systemClock, options.onOutbox);
  const sms: SmsGateway = outbox;
  const core = createCoreContext({
    store: opened.store,
    clock: systemClock,
    random: cryptoRandom,
    sms,
    keys: opened.keys,
    logger,
    policy: () => policy,
  });
  const handlers = createHandlers({ environment, settingsStore: new SettingsFile(environment.dataDir, logger), logger, core });
  return {
    dispatch: createDispatcher(handlers, logger),
    environment,
    core,
    outbox,
    close: () => opened.store.close(),
  };
}
