/**
 * The composition root shared by every shell (Electron main, browser-mode host, command line):
 * the core's services wired to this machine's store and platform adapters.
 */
import { createCoreContext, type CoreContext, type CoreKeys, type CoreOptions } from '../core/context';
import type { Store } from '../core/store';
import { createDispatcher, type Dispatch } from '../core/dispatch';
import { seedDemo } from '../core/directory';
import { createHandlers } from '../core/handlers';
import type { AppEnvironment } from '../core/app-info';
import { defaultResolvedPolicy, type ResolvedPolicy } from '../core/policy';
import type { Clock, Logger, ScreenGuard } from '../core/ports';
import type { WebmailChoice } from '../core/webmail';
import { openEmbeddedStore } from '../store/open';
import { OsKeychain } from './keychain';
import { SettingsFile } from '../store/settings-file';
import { createSmsGateway } from './sms';
import { OutboxSmsGateway, type OutboxEntry, type Sealer } from './sms/outbox';
import { cryptoRandom, systemClock, systemScheduler } from './system';
import type { FileOpener, FileSaver, MailClientPorts } from '../core/mail-clients/ports';
import { KeychainClientPasswordShelf } from './client-password-shelf';
import { SpawnFileOpener } from './file-opener';
import { defaultDownloadsDir, FolderFileSaver } from './file-saver';
import { PrivateTemporaryFiles } from './temporary-files';
import { FoxmailLocalProfiles } from './foxmail';
import { ThunderbirdLocalProfiles } from './thunderbird';
import { NetworkConnectionTester } from './mail-test';
import { currentRequestLabel, withRequestLabel } from './request-label';

export interface Backend {
  readonly dispatch: Dispatch;
  readonly environment: AppEnvironment;
  readonly core: CoreContext;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** The merged policy with each value's source (electron/platform/policy); the defaults when absent. */
  readonly policy?: ResolvedPolicy;
  /** Told of each test delivery in the local outbox (the Electron shell shows a notification). */
  readonly onOutbox?: (entry: OutboxEntry) => void;
  /** Seed the demo mailboxes (once: a directory that has any of them is left alone). Defaults to `environment.demo`. */
  readonly demo?: boolean;
  /** Time for the whole backend; tests pass a fake one to move it. */
  readonly clock?: Clock;
  /** How files are saved: the Electron shell's save dialog; a folder (Downloads, or --downloads-dir) otherwise. */
  readonly files?: FileSaver;
  /** How a file is opened with the OS: the Electron shell's shell.openPath; `open`/`xdg-open`/explorer.exe otherwise. */
  readonly opener?: FileOpener;
  /** Where the folder saver writes when no `files` is given. */
  readonly downloadsDir?: string;
  /** A Foxmail installation folder to look in besides those found on the system (--foxmail-root). */
  readonly foxmailRoot?: string;
  /** A Thunderbird folder holding profiles.ini to look in besides those found on the system (--thunderbird-root). */
  readonly thunderbirdRoot?: string;
  /** Open a snapshot of the data folder for reading, without the writer's lock (the IT commands that read). */
  readonly readOnly?: boolean;
  /** The Electron shell's window protection while a secret is on screen. */
  readonly screen?: ScreenGuard;
  /** Where sign-in sessions are kept: in memory unless given (the organisation server keeps them in its database). */
  readonly sessions?: CoreOptions['sessions'];
  /** The desktop's switch to the web mail's accounts (docs/rules.md §15). */
  readonly webmailChoice?: WebmailChoice;
  /** The organisation server's public address, where a phone fetches its profile by QR (docs/rules.md §8.9). */
  readonly phoneHandoffBase?: () => URL;
}

/** The machine's side of putting a password into mail clients (docs/rules.md §8). */
export function createMailClientPorts(options: BackendOptions = {}): MailClientPorts {
  return {
    shelf: new KeychainClientPasswordShelf(),
    foxmail: new FoxmailLocalProfiles({ extraRoots: options.foxmailRoot ? [options.foxmailRoot] : [] }),
    thunderbird: new ThunderbirdLocalProfiles({ extraRoots: options.thunderbirdRoot ? [options.thunderbirdRoot] : [] }),
    files: options.files ?? new FolderFileSaver(options.downloadsDir ?? defaultDownloadsDir()),
    temporary: new PrivateTemporaryFiles(),
    opener: options.opener ?? new SpawnFileOpener(),
    scheduler: systemScheduler,
    tester: new NetworkConnectionTester(),
  };
}

/** A store opened for a backend: the embedded one of a data folder, or the organisation's. */
export interface OpenedBackendStore {
  readonly store: Store;
  readonly keys: CoreKeys;
  /** Seals the SMS test outbox's lines (a key of the store's own). */
  readonly sealer: Sealer;
  close(): Promise<void>;
}

export async function openBackend(environment: AppEnvironment, logger: Logger, options: BackendOptions = {}): Promise<Backend> {
  const opened = await openEmbeddedStore(environment.dataDir, logger, {
    keychain: new OsKeychain(),
    describe: currentRequestLabel,
    readOnly: options.readOnly ?? false,
  });
  return assembleBackend(environment, logger, options, { store: opened.store, keys: opened.keys, sealer: opened.sealer, close: () => opened.store.close() });
}

/** The core, its handlers and the dispatcher over an opened store: the same for both backends. */
export async function assembleBackend(environment: AppEnvironment, logger: Logger, options: BackendOptions, opened: OpenedBackendStore): Promise<Backend> {
  const resolved = options.policy ?? defaultResolvedPolicy();
  const policy = resolved.policy;
  const clock = options.clock ?? systemClock;
  const sms = createSmsGateway(policy.sms, { dataDir: environment.dataDir, sealer: opened.sealer, clock, onOutbox: options.onOutbox });
  // Codes an earlier run left in the local outbox past their lifetime go at once (a snapshot never writes).
  if (sms instanceof OutboxSmsGateway && !options.readOnly) {
    await sms.prune().catch((cause: unknown) => logger.warn('sms outbox not pruned', { error: cause instanceof Error ? cause.message : String(cause) }));
  }
  const core = createCoreContext(
    {
      store: opened.store,
      clock,
      random: cryptoRandom,
      sms,
      keys: opened.keys,
      logger,
      policy: () => policy,
      policySources: () => resolved.sources,
    },
    options.sessions ? { sessions: options.sessions } : {},
  );
  try {
    if (options.demo ?? environment.demo) await seedDemo(core);
  } catch (cause) {
    await opened.close();
    throw cause;
  }
  const handlers = createHandlers({
    environment,
    settingsStore: new SettingsFile(environment.dataDir, logger),
    logger,
    core,
    mailClients: createMailClientPorts(options),
    ...(options.screen ? { screen: options.screen } : {}),
    ...(options.webmailChoice ? { webmailChoice: options.webmailChoice } : {}),
    ...(options.phoneHandoffBase ? { phoneHandoffBase: options.phoneHandoffBase } : {}),
  });
  const dispatch = createDispatcher(handlers, logger);
  return {
    // Each request runs under its channel's name, which the store-lock watchdog reports.
    dispatch: (channel, request, call) => withRequestLabel(typeof channel === 'string' ? channel : 'unknown channel', () => dispatch(channel, request, call)),
    environment,
    core,
    close: () => opened.close(),
  };
}
