/**
 * Automatic updates through electron-updater's generic provider (electron-builder.yml `publish`).
 * Policy decides: with `updates.enabled` off no updater is created at all — electron-updater is
 * not even loaded, so nothing checks, downloads or installs (IT ships new versions itself, e.g.
 * by MSI); `updates.feedUrl` points the updater at another feed (an internal mirror), none keeps
 * the feed built into the installer's app-update.yml.
 */
import type { AppUpdater } from 'electron-updater';
import type { UpdatesPolicy } from '../core/policy';
import type { Logger } from '../core/ports';

/**
 * The part of electron-updater's AppUpdater this module uses (a fake in tests). Not
 * checkForUpdatesAndNotify: its notification is English-only and says nothing of restarting; the
 * app asks in the person's language when an update is ready (`onReady`).
 * @internal
 */
export interface Updater {
  logger: AppUpdater['logger'];
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<{ isUpdateAvailable?: boolean; updateInfo: { version: string } } | null>;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  quitAndInstall(): void;
}

export type UpdaterFactory = () => Promise<Updater>;

/**
 * How often a running app looks for a new version after the check at start-up.
 * @internal
 */
export const updateCheckIntervalMs = 6 * 60 * 60 * 1000;

export interface UpdaterOptions {
  readonly create: UpdaterFactory;
  readonly logger: Logger;
  /** Only a packaged app has an app-update.yml and something to replace. */
  readonly packaged: boolean;
  /** Runs `check` every `ms`; returns a cancel. Tests pass fake timers. */
  readonly every?: (check: () => void, ms: number) => () => void;
  /** IT installed the app for the whole machine (MSI, per-machine NSIS): IT updates it, not the app. */
  readonly managedInstall?: boolean;
  /** An update was downloaded: ask the person; true restarts into it now (else at the next quit). */
  readonly onReady?: (version: string) => boolean | Promise<boolean>;
}

type CheckOutcome = { readonly outcome: 'up-to-date' | 'downloading'; readonly version: string } | { readonly outcome: 'failed' };

export interface RunningUpdater {
  readonly updater: Updater;
  readonly stop: () => void;
  /** Help → Check for Updates: checks now and says what it found. */
  readonly checkNow: () => Promise<CheckOutcome>;
}

/**
 * Whether this is a per-machine installation that IT manages: on Windows, an app under Program
 * Files (the MSI, or NSIS installed for all users) can only be replaced with administrator rights,
 * which IT's own deployment has and the person at the desk often does not.
 */
export function isManagedInstall(platform: NodeJS.Platform, execPath: string, env: NodeJS.ProcessEnv): boolean {
  if (platform !== 'win32') return false;
  const path = execPath.toLowerCase().replace(/\//g, '\\');
  return [env.ProgramFiles, env['ProgramFiles(x86)'], env.ProgramW6432]
    .filter((root): root is string => typeof root === 'string' && root.length > 0)
    .some((root) => path.startsWith(`${root.toLowerCase().replace(/[\\/]+$/, '')}\\`));
}

const everyWithTimer = (check: () => void, ms: number): (() => void) => {
  // unref: a pending check never keeps the app alive after its windows are gone.
  const timer = setInterval(check, ms).unref();
  return () => clearInterval(timer);
};

/** The real updater: electron-updater's per-platform instance (NSIS, DMG/zip, AppImage, deb). */
export const electronUpdaterFactory: UpdaterFactory = async () => {
  // Loaded only here, so an app with updates off never runs electron-updater's code.
  const { default: electronUpdater } = await import('electron-updater');
  return electronUpdater.autoUpdater;
};

/**
 * Creates the updater when policy allows, points it at the policy's feed, checks now and then
 * every few hours. Returns null when no updater was created. A failed check (offline, feed down)
 * is logged and retried at the next interval; it never reaches the user or stops the app.
 */
export async function startUpdater(policy: UpdatesPolicy, options: UpdaterOptions): Promise<RunningUpdater | null> {
  const { logger } = options;
  if (!policy.enabled) {
    logger.info('updates off by policy: no updater created');
    return null;
  }
  if (!options.packaged) {
    logger.info('not a packaged app: no updater created');
    return null;
  }
  if (options.managedInstall) {
    logger.info('installed for the whole machine: IT updates it, no updater created');
    return null;
  }
  const updater = await options.create();
  updater.logger = {
    info: (message?: unknown) => logger.info(`updater: ${String(message)}`),
    warn: (message?: unknown) => logger.warn(`updater: ${String(message)}`),
    error: (message?: unknown) => logger.error(`updater: ${String(message)}`),
  };
  const feedUrl = policy.feedUrl;
  if (feedUrl !== null) {
    updater.setFeedURL({ provider: 'generic', url: feedUrl });
    // The origin only: a mirror's path or query may carry an access token.
    logger.info('update feed set by policy', { feed: new URL(feedUrl).origin });
  }
  let asked: string | null = null;
  updater.on('update-downloaded', (info) => {
    // Asked once per version, however many checks find it again.
    if (asked === info.version || !options.onReady) return;
    asked = info.version;
    void Promise.resolve(options.onReady(info.version)).then((restart) => {
      if (restart) updater.quitAndInstall();
    });
  });
  const checkNow = async (): Promise<CheckOutcome> => {
    try {
      const result = await updater.checkForUpdates();
      if (!result) return { outcome: 'failed' };
      return { outcome: result.isUpdateAvailable ? 'downloading' : 'up-to-date', version: result.updateInfo.version };
    } catch (cause) {
      logger.warn('update check failed', { error: cause instanceof Error ? cause.message : String(cause) });
      return { outcome: 'failed' };
    }
  };
  const check = (): void => void checkNow();
  check();
  const stop = (options.every ?? everyWithTimer)(check, updateCheckIntervalMs);
  return { updater, stop, checkNow };
}
