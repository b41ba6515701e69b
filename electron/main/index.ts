/**
 * The Electron shell: lifecycle, the window, the menu, and wiring the contract's handlers.
 * Everything the app does lives in the core; this file only connects it to Electron. Started with
 * `--cli`, it is the IT command line instead, and none of the desktop app is set up (./cli-mode.ts).
 */
import { writeFile } from 'node:fs/promises';
import { release, version as osVersion } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, crashReporter, dialog, ipcMain, Menu, nativeTheme, Notification, protocol, screen, session, shell, webContents } from 'electron';
import { openDesktopBackend } from '../platform/desktop-backend';
import { createConsoleLogger } from '../platform/logger';
import { RotatingLogFile } from '../platform/log-file';
import { parseLaunchOptions, type LaunchOptions } from '../platform/args';
import { runCli } from '../cli/commands';
import { readPolicyLayers } from '../platform/policy';
import { resolvePolicy } from '../core/policy';
import { chromiumPost } from './server-transport';
import { appUserModelId, productName } from '../platform/paths';
import { resolveLocale } from '../shared/locale';
import type { LocalePreference } from '../shared/contract';
import type { CallContext } from '../core/call';
import { deviceLabel } from '../platform/device';
import { SettingsFile } from '../store/settings-file';
import { firstFrameOf } from '../platform/first-frame';
import { TrustTokenFile } from '../store/trust-token-file';
import { handle } from './ipc';
import { electronFileOpener } from './open-path';
import { DialogFileSaver } from './save-dialog';
import { openWhenFree } from './start-retry';
import { externalHosts, isAllowedExternalUrl } from './links';
import { buildMenuTemplate, menuLabels } from './menu';
import { isPermissionAllowed } from './permissions';
import { appSchemePrivileges, appScheme, serveAppRequest } from './protocol';
import { electronUpdaterFactory, startUpdater } from './updater';
import { loadWindowState, saveWindowState } from './window-state';
import { appWindows, createAppWindow, lockDownContents } from './windows';
import { cliArguments, runCliInMainProcess } from './cli-mode';
import { watchRenderer } from './crash-recovery';
import { crashReporterOptions } from './crash-reports';
import { dialogLabels, type Ask } from './dialog-labels';
import { buildDiagnostics, diagnosticsFileName } from './diagnostics';
import { guardUnload } from './unload-guard';
import { isManagedInstall, type RunningUpdater } from './updater';
import type { Locale } from '../shared/contract';

// The log file in the OS's place (app.getPath('logs')), set once the data folder is known; every
// line goes to stderr as well, for a start from a terminal.
let logFile: RotatingLogFile | null = null;
const writeLine = (line: string) => {
  process.stderr.write(`${line}\n`);
  logFile?.write(line);
};
const logger = createConsoleLogger('main', writeLine);
const rendererLogger = createConsoleLogger('renderer', writeLine);
let currentLocale: Locale = 'zh-CN';
let currentPreference: LocalePreference = 'system';
let backendInfo: (() => Promise<unknown>) | null = null;
let updater: RunningUpdater | null = null;
// Set by startDesktopApp, which every desktop path below runs after.
let options: LaunchOptions;

// The web mail host is policy's `serverHost`; set once the policy is read, before any menu exists.
/** The web mail host policy names, read when the menu item is used (a server-backed desktop learns it after start). */
let webmailHost: () => string = () => 'mail.cstnet.cn';
let mainWindow: BrowserWindow | null = null;

/** A message box over the main window (or alone), answering the chosen button's index. */
const ask: Ask = (box) => (mainWindow && !mainWindow.isDestroyed() ? dialog.showMessageBoxSync(mainWindow, box) : dialog.showMessageBoxSync(box));

async function exportDiagnostics(): Promise<void> {
  const l = dialogLabels[currentLocale];
  const now = new Date();
  const target = await (mainWindow
    ? dialog.showSaveDialog(mainWindow, { defaultPath: join(app.getPath('downloads'), diagnosticsFileName(now)) })
    : dialog.showSaveDialog({ defaultPath: diagnosticsFileName(now) }));
  if (target.canceled || !target.filePath) return;
  try {
    const info = (await backendInfo?.()) as Parameters<typeof buildDiagnostics>[0]['info'];
    const text = buildDiagnostics({ info, os: `${process.platform} ${release()} (${osVersion()})`, now, logs: logFile?.files() ?? [] });
    await writeFile(target.filePath, text, { mode: 0o600 });
    ask({ type: 'info', message: l.diagnosticsSaved(target.filePath), buttons: [l.ok], defaultId: 0, cancelId: 0 });
  } catch (cause) {
    logger.error('diagnostics not saved', { error: cause instanceof Error ? cause.message : String(cause) });
    ask({ type: 'error', message: l.diagnosticsFailed, buttons: [l.ok], defaultId: 0, cancelId: 0 });
  }
}

async function checkForUpdatesNow(running: RunningUpdater): Promise<void> {
  const l = dialogLabels[currentLocale];
  const found = await running.checkNow();
  const message =
    found.outcome === 'failed' ? l.updateCheckFailed : found.outcome === 'up-to-date' ? l.upToDate(found.version) : l.updateDownloading(found.version);
  ask({ type: found.outcome === 'failed' ? 'warning' : 'info', message, buttons: [l.ok], defaultId: 0, cancelId: 0 });
}

function applyMenu(preference: LocalePreference): void {
  const locale = resolveLocale(preference, app.getPreferredSystemLanguages());
  currentLocale = locale;
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
        const host = webmailHost();
        const webmailUrl = `https://${host}`;
        // Only the host IT named: a policy host is checked like any other link (so Electronegativity's
        // review of this openExternal is answered by isAllowedExternalUrl, ./links.ts).
        if (isAllowedExternalUrl(webmailUrl, new Set([host]))) void shell.openExternal(webmailUrl); // eng-disable OPEN_EXTERNAL_JS_CHECK
      },
      openLogs: () => void shell.openPath(app.getPath('logs')),
      exportDiagnostics: () => void exportDiagnostics(),
      ...(updater ? { checkForUpdates: () => void checkForUpdatesNow(updater!) } : {}),
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
  // A secret on screen: reload or close asks first (the page's beforeunload, ./unload-guard.ts).
  guardUnload(window.webContents, ask, () => currentLocale);
  // A crashed or hung page is recovered with a message (./crash-recovery.ts).
  watchRenderer(window, { ask, logger, locale: () => currentLocale, quit: () => app.quit() });
  // The page's warnings and errors reach the log file.
  window.webContents.on('console-message', (event) => {
    if (event.level === 'error') rendererLogger.error(event.message);
    else if (event.level === 'warning') rendererLogger.warn(event.message);
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
  protocol.handle(appScheme, (request) =>
    serveAppRequest(request.url, rendererDir, async () => firstFrameOf(await new SettingsFile(dataDir, logger).read(), app.getPreferredSystemLanguages())),
  );

  const layers = await readPolicyLayers({ platform: process.platform, ...(options.policyFile ? { policyFile: options.policyFile } : {}) }, logger);
  // Crash dumps on this computer; uploaded only to an endpoint policy names (./crash-reports.ts).
  crashReporter.start(crashReporterOptions(resolvePolicy(layers, logger).policy.crashReports));
  // A previous run still closing holds the folder for a moment: wait for it (./start-retry.ts).
  const backend = await openWhenFree(
    () =>
      openDesktopBackend({ productName, version: app.getVersion(), dataDir, shell: 'electron', demo: options.demo, platform: process.platform }, logger, {
        layers,
        // Policy server.url without a pinned CA: the system's trust store, through Chromium.
        serverTransport: (ca) => (ca ? null : chromiumPost),
        files: new DialogFileSaver(() => app.getPath('downloads')),
        opener: electronFileOpener,
        foxmailRoot: options.foxmailRoot,
        thunderbirdRoot: options.thunderbirdRoot,
        // While a secret is on screen its window is kept out of screenshots and screen sharing
        // (Windows: WDA_EXCLUDEFROMCAPTURE; macOS: NSWindowSharingNone; Linux has no such thing).
        screen: {
          secretOnScreen: (connection, shown) => {
            const contents = webContents.fromId(Number(connection.replace(/^window:/, '')));
            const window = contents ? BrowserWindow.fromWebContents(contents) : null;
            if (!window || window.isDestroyed()) return false;
            window.setContentProtection(shown);
            return shown && (process.platform === 'win32' || process.platform === 'darwin');
          },
        },
        // Embedded mode has no real SMS: the local outbox is the phone, and this is its screen.
        onOutbox: (entry) => {
          if (Notification.isSupported()) new Notification({ title: '测试投递 · Test delivery', body: entry.text, silent: true }).show();
        },
      }),
    { onWait: (attempt) => logger.info('data folder still in use, waiting', { attempt }) },
  );
  webmailHost = () => backend.policy().serverHost;
  // A closed window's sign-in ends with it: its token for the organisation server goes too.
  app.on('web-contents-created', (_event, contents) => {
    const connection = `window:${contents.id}`;
    contents.once('destroyed', () => backend.forget(connection));
  });
  const trustToken = new TrustTokenFile(dataDir);
  const device = { label: deviceLabel(), client: `${productName} ${app.getVersion()}` };
  const contextFor = (webContentsId: number): CallContext => ({ connection: `window:${webContentsId}`, device, trust: trustToken });
  handle(ipcMain, backend.dispatch, appWindows, contextFor, (channel, result) => {
    if (channel === 'settings:update' && result.ok) {
      currentPreference = (result.data as { locale: LocalePreference }).locale;
      applyMenu(currentPreference);
    }
  });
  currentPreference = (await new SettingsFile(dataDir, logger).read().catch(() => ({ locale: 'system' as const }))).locale;
  applyMenu(currentPreference);
  await openMainWindow(dataDir);
  backendInfo = async () => {
    const result = await backend.dispatch('app:info', {}, contextFor(-1));
    return result.ok ? result.data : null;
  };
  // Policy may turn updates off, and IT's per-machine install has none: then no updater exists at
  // all (./updater.ts). A downloaded update is announced in the person's language.
  void startUpdater(backend.policy().updates, {
    create: electronUpdaterFactory,
    logger,
    packaged: app.isPackaged,
    managedInstall: isManagedInstall(process.platform, process.execPath, process.env),
    onReady: (version) => {
      const l = dialogLabels[currentLocale];
      return (
        ask({
          type: 'info',
          message: l.updateReadyMessage(version),
          detail: l.updateReadyDetail,
          buttons: [l.restartNow, l.later],
          defaultId: 0,
          cancelId: 1,
        }) === 0
      );
    },
  })
    .then((running) => {
      updater = running;
      // The Help menu gains Check for Updates.
      if (running) applyMenu(currentPreference);
    })
    .catch((cause: unknown) => logger.warn('updater not started', { error: cause instanceof Error ? cause.message : String(cause) }));

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void openMainWindow(dataDir);
  });
}

function startDesktopApp(): void {
  options = parseLaunchOptions(process.argv.slice(1));
  if (options.userDataDir) app.setPath('userData', options.userDataDir);
  // Logs where the OS keeps them: ~/Library/Logs/Mailwarden on macOS, <userData>/logs elsewhere.
  app.setAppLogsPath();
  try {
    logFile = new RotatingLogFile(app.getPath('logs'));
  } catch (cause) {
    logger.warn('no log file', { error: cause instanceof Error ? cause.message : String(cause) });
  }
  // Windows ties notifications and the taskbar to this id; the installer's shortcuts carry it too.
  if (process.platform === 'win32') app.setAppUserModelId(appUserModelId);

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
  // The web mail's pages (the guide's "Open the web mail") open on the host policy names.
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, () => new Set([...externalHosts, webmailHost()])));
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
