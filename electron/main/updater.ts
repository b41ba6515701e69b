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

/** The part of electron-updater's AppUpdater this module uses (a fake in tests). */
export type Updater = Pick<AppUpdater, 'setFeedURL' | 'checkForUpdatesAndNotify' | 'logger'>;

export type UpdaterFactory = () => Promise<Updater>;

/** How often a running app looks for a new version after the check at start-up. */
export const updateCheckIntervalMs = 6 * 60 * 60 * 1000;

export interface UpdaterOptions {
  readonly create: UpdaterFactory;
  readonly logger: Logger;
  /** Only a packaged app has an app-update.yml and something to replace. */
  readonly packaged: boolean;
  /** Runs `check` every `ms`; returns a cancel. Tests pass fake timers. */
  readonly every?: (check: () => void, ms: number) => () => void;
}

export interface RunningUpdater {
  readonly updater: Updater;
  readonly stop: () => void;
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
  const check = (): void => {
    updater.checkForUpdatesAndNotify().catch((cause: unknown) => {
      logger.warn('update check failed', { error: cause instanceof Error ? cause.message : String(cause) });
    });
  };
  check();
  const stop = (options.every ?? everyWithTimer)(check, updateCheckIntervalMs);
  return { updater, stop };
}
