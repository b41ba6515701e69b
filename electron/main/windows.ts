/**
 * Every window and every webContents of the app is made and locked down here, in one place.
 */
import { BrowserWindow, shell, type WebContents } from 'electron';
import { externalHosts, isAllowedExternalUrl } from './links';
import { appEntryUrl } from './protocol';
import { minimumSize, type WindowState } from './window-state';

/** The webContents ids of windows this module created: the only ones IPC answers. */
export const appWindows = new Set<number>();

/**
 * Applied to every webContents the app ever gets (app.on('web-contents-created')). `hosts`: the
 * hosts a link may open, asked at each click (the web mail host policy names, learned after start).
 */
export function lockDownContents(contents: WebContents, hosts: () => ReadonlySet<string> = () => externalHosts): void {
  // No pop-ups: allowed https links go to the user's browser, everything else nowhere.
  // Electronegativity's OPEN_EXTERNAL_JS_CHECK asks for a review of every openExternal call: each
  // one here is behind isAllowedExternalUrl (./links.ts: https only, hosts from a fixed list).
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url, hosts())) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
    return { action: 'deny' };
  });
  // The page never navigates away from app://; in-page hash routing does not fire this.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (isAllowedExternalUrl(url, hosts())) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export interface WindowOptions {
  readonly preload: string;
  readonly state: WindowState;
  readonly title: string;
  readonly backgroundColor: string;
}

export function createAppWindow(options: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    ...options.state.bounds,
    minWidth: minimumSize.width,
    minHeight: minimumSize.height,
    title: options.title,
    backgroundColor: options.backgroundColor,
    show: false,
    webPreferences: {
      // Electronegativity's PRELOAD_JS_CHECK asks for a review of every preload: ours
      // (electron/preload/index.ts) exposes one frozen object through contextBridge whose methods
      // each invoke one declared channel; no ipcRenderer, no Node API reaches the page.
      preload: options.preload, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // A middle click cannot open a window either (setWindowOpenHandler denies it anyway).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const id = window.webContents.id;
  appWindows.add(id);
  window.webContents.once('destroyed', () => appWindows.delete(id));
  if (options.state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appEntryUrl);
  return window;
}
