/**
 * The Electron shell: lifecycle, the window, the menu, and wiring the contract's handlers.
 * Everything the app does lives in the core; this file only connects it to Electron. Started with
 * `--cli`, it is the IT command line instead, and none of the desktop app is set up (./cli-mode.ts).
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, Notification, protocol, screen, session, shell } from 'electron';
import { openBackend } from '../platform/compose';
import { createConsoleLogger } from '../platform/logger';
import { parseLaunchOptions, type LaunchOptions } from '../platform/args';
import { runCli } from '../cli/commands';
import { readPolicy } from '../platform/policy';
import { productName } from '../platform/paths';
import { resolveLocale } from '../shared/locale';
import type { LocalePreference } from '../shared/contract';
import type { CallContext } from '../core/call';
import { deviceLabel } from '../platform/device';
import { SettingsFile } from '../store/settings-file';
import { TrustTokenFile } from '../store/trust-token-file';
import { handle } from './ipc';
import { DialogFileSaver } from './save-dialog';
import { openWhenFree } from './start-retry';
import { isAllowedExternalUrl } from './links';
import { buildMenuTemplate, menuLabels } from './menu';
import { isPermissionAllowed } from './permissions';
import { appSchemePrivileges, appScheme, serveAppRequest } from './protocol';
import { electronUpdaterFactory, startUpdater } from './updater';
import { loadWindowState, saveWindowState } from './window-state';
import { appWindows, createAppWindow, lockDownContents } from './windows';
import { cliArguments, runCliInMainProcess } from './cli-mode';

const logger = createConsoleLogger('main');
// Set by startDesktopApp, which every desktop path below runs after.
let options: LaunchOptions;

// The web mail host is policy's `serverHost`; set once the policy is read, before any menu exists.
let webmailHost = 'mail.cstnet.cn';
let mainWindow: BrowserWindow | null = null;

function applyMenu(preference: LocalePreference): void {
  const locale = resolveLocale(preference, app.getPreferredSystemLanguages());
  const template = buildMenuTemplate(
    locale,
    process.platform,
    {
      about: () =>
        void dialog.showMessageBox({
          type: 'info',
          title: menuLabels[locale].about,
          message: `${menuLabels[locale].app} ${app.getVersion()}`,
        }),
      openWebmail: () => {
        const webmailUrl = `https://${webmailHost}`;
        // Only the host IT named: a policy host is checked like any other link (so Electronegativity's
        // review of this openExternal is answered by isAllowedExternalUrl, ./links.ts).
        if (isAllowedExternalUrl(webmailUrl, new Set([webmailHost]))) void shell.openExternal(webmailUrl); // eng-disable OPEN_EXTERNAL_JS_CHECK
      },
    },
    { developerTools: !app.isPackaged },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function openMainWindow(dataDir: string): Promise<void> {
  const workAreas = screen.getAllDisplays().map((display) => display.workArea);
  const state = await loadWindowState(dataDir, workAreas);
  const window = createAppWindow({
    preload: join(import.meta.dirname, '../preload/index.cjs'),
    state,
    title: productName,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff',
  });
  window.on('close', () => {
    void saveWindowState(dataDir, { bounds: window.getNormalBounds(), maximized: window.isMaximized() }).catch((cause: unknown) =>
      logger.warn('window state not saved', { error: cause instanceof Error ? cause.message : String(cause) }),
    );
  });
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  mainWindow = window;
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  // Only clipboard writes from our own page; every other permission request and check is denied.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
  const rendererDir = join(import.meta.dirname, '../renderer');
  protocol.handle(appScheme, (request) => serveAppRequest(request.url, rendererDir));

  const policy = await readPolicy({ platform: process.platform, ...(options.policyFile ? { policyFile: options.policyFile } : {}) }, logger);
  // A previous run still closing holds the folder for a moment: wait for it (./start-retry.ts).
  const backend = await openWhenFree(() => openBackend(
    { productName, version: app.getVersion(), dataDir, shell: 'electron', demo: options.demo, platform: process.platform },
    logger,
    {
      policy,
      files: new DialogFileSaver(() => app.getPath('downloads')),
      foxmailRoot: options.foxmailRoot,
      // Embedded mode has no real SMS: the local outbox is the phone, and this is its screen.
      onOutbox: (entry) => {
        if (Notification.isSupported()) new Notification({ title: '测试投递 · Test delivery', body: entry.text, silent: true }).show();
      },
    },
  ), { onWait: (attempt) => logger.info('data folder still in use, waiting', { attempt }) });
  webmailHost = backend.core.policy().serverHost;
  const trustToken = new TrustTokenFile(dataDir);
  const device = { label: deviceLabel(), client: `${productName} ${app.getVersion()}` };
  const contextFor = (webContentsId: number): CallContext => ({ connection: `window:${webContentsId}`, device, trust: trustToken });
  handle(ipcMain, backend.dispatch, appWindows, contextFor, (channel, result) => {
    if (channel === 'settings:update' && result.ok) applyMenu((result.data as { locale: LocalePreference }).locale);
  });
  applyMenu((await new SettingsFile(dataDir, logger).read().catch(() => ({ locale: 'system' as const }))).locale);
  await openMainWindow(dataDir);
  // Policy may turn updates off: then no updater exists at all (./updater.ts).
  void startUpdater(backend.core.policy().updates, { create: electronUpdaterFactory, logger, packaged: app.isPackaged }).catch((cause: unknown) =>
    logger.warn('updater not started', { error: cause instanceof Error ? cause.message : String(cause) }),
  );

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void openMainWindow(dataDir);
  });
}

function startDesktopApp(): void {
  options = parseLaunchOptions(process.argv.slice(1));
  if (options.userDataDir) app.setPath('userData', options.userDataDir);

  // Every renderer sandboxed, whatever a window's options say.
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);

  if (!app.requestSingleInstanceLock()) {
    // Another Mailwarden is running with this data folder: it gets focus, this one leaves.
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(start)
    .catch((cause: unknown) => {
      logger.error('start-up failed', { error: cause instanceof Error ? cause.message : String(cause) });
      dialog.showErrorBox(productName, cause instanceof Error ? cause.message : String(cause));
      app.exit(1);
    });
}

// `Mailwarden --cli -- <command> …` (the launchers in resources/bin): the IT command line, run to
// the end inside this top-level await, before Electron initialises a display (./cli-mode.ts).
const cliArgv = cliArguments(process.argv);
if (cliArgv) {
  await runCliInMainProcess(cliArgv, { run: runCli, stdout: process.stdout, stderr: process.stderr, exit: (code) => app.exit(code) });
} else {
  startDesktopApp();
}
