/**
 * The application menu in the user's language. Labels live here rather than in the renderer's
 * message catalogue because the menu belongs to the main process, which has no DOM and builds
 * it before any page loads; the table is typed so both languages always carry every label.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Locale } from '../shared/contract';

interface MenuLabels {
  app: string;
  file: string;
  edit: string;
  view: string;
  window: string;
  help: string;
  about: string;
  quit: string;
  undo: string;
  redo: string;
  cut: string;
  copy: string;
  paste: string;
  selectAll: string;
  reload: string;
  toggleDevTools: string;
  resetZoom: string;
  zoomIn: string;
  zoomOut: string;
  fullscreen: string;
  minimize: string;
  close: string;
  openWebmail: string;
  openLogs: string;
  exportDiagnostics: string;
  checkForUpdates: string;
}

export const menuLabels: Readonly<Record<Locale, MenuLabels>> = {
  'zh-CN': {
    app: '邮件安全助手',
    file: '文件',
    edit: '编辑',
    view: '视图',
    window: '窗口',
    help: '帮助',
    about: '关于邮件安全助手',
    quit: '退出',
    undo: '撤销',
    redo: '重做',
    cut: '剪切',
    copy: '复制',
    paste: '粘贴',
    selectAll: '全选',
    reload: '重新加载',
    toggleDevTools: '开发者工具',
    resetZoom: '实际大小',
    zoomIn: '放大',
    zoomOut: '缩小',
    fullscreen: '全屏',
    minimize: '最小化',
    close: '关闭窗口',
    openWebmail: '打开网页邮箱',
    openLogs: '打开日志文件夹',
    exportDiagnostics: '导出诊断信息…',
    checkForUpdates: '检查更新…',
  },
  en: {
    app: 'Mailwarden',
    file: 'File',
    edit: 'Edit',
    view: 'View',
    window: 'Window',
    help: 'Help',
    about: 'About Mailwarden',
    quit: 'Quit',
    undo: 'Undo',
    redo: 'Redo',
    cut: 'Cut',
    copy: 'Copy',
    paste: 'Paste',
    selectAll: 'Select All',
    reload: 'Reload',
    toggleDevTools: 'Developer Tools',
    resetZoom: 'Actual Size',
    zoomIn: 'Zoom In',
    zoomOut: 'Zoom Out',
    fullscreen: 'Full Screen',
    minimize: 'Minimize',
    close: 'Close Window',
    openWebmail: 'Open Webmail',
    openLogs: 'Open Logs Folder',
    exportDiagnostics: 'Export Diagnostics…',
    checkForUpdates: 'Check for Updates…',
  },
};

export interface MenuActions {
  about(): void;
  openWebmail(): void;
  openLogs(): void;
  exportDiagnostics(): void;
  /** Absent when this installation has no updater (policy, or IT's per-machine install). */
  checkForUpdates?: () => void;
}

export function buildMenuTemplate(
  locale: Locale,
  platform: NodeJS.Platform,
  actions: MenuActions,
  options: { developerTools: boolean },
): MenuItemConstructorOptions[] {
  const l = menuLabels[locale];
  const isMac = platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: l.about, click: () => actions.about() };
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({ label: l.app, submenu: [about, { type: 'separator' }, { role: 'quit', label: l.quit }] });
  } else {
    template.push({ label: l.file, submenu: [{ role: 'quit', label: l.quit }] });
  }
  template.push({
    label: l.edit,
    submenu: [
      { role: 'undo', label: l.undo },
      { role: 'redo', label: l.redo },
      { type: 'separator' },
      { role: 'cut', label: l.cut },
      { role: 'copy', label: l.copy },
      { role: 'paste', label: l.paste },
      { role: 'selectAll', label: l.selectAll },
    ],
  });
  template.push({
    label: l.view,
    submenu: [
      // Reload (Ctrl+R, F5) only in development: in the packaged app one keystroke would lose a
      // client password that is shown once (issue 10, fault 4). The page also guards unloading
      // while a secret is on screen (electron/main/unload-guard.ts).
      ...(options.developerTools ? [{ role: 'reload', label: l.reload } as const, { role: 'toggleDevTools', label: l.toggleDevTools } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom', label: l.resetZoom },
      { role: 'zoomIn', label: l.zoomIn },
      { role: 'zoomOut', label: l.zoomOut },
      { type: 'separator' },
      { role: 'togglefullscreen', label: l.fullscreen },
    ],
  });
  template.push({
    label: l.window,
    submenu: [
      { role: 'minimize', label: l.minimize },
      { role: 'close', label: l.close },
    ],
  });
  template.push({
    label: l.help,
    submenu: [
      { label: l.openWebmail, click: () => actions.openWebmail() },
      { type: 'separator' },
      { label: l.openLogs, click: () => actions.openLogs() },
      { label: l.exportDiagnostics, click: () => actions.exportDiagnostics() },
      ...(actions.checkForUpdates ? [{ label: l.checkForUpdates, click: () => actions.checkForUpdates?.() }] : []),
      ...(isMac ? [] : [{ type: 'separator' } as const, about]),
    ],
  });
  return template;
}
