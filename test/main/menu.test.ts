// Covers electron/main/menu.ts and electron/shared/locale.ts.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, menuLabels } from '../../electron/main/menu';
import { resolveLocale } from '../../electron/shared/locale';

const actions = { about: vi.fn(), openWebmail: vi.fn(), openLogs: vi.fn(), exportDiagnostics: vi.fn(), checkForUpdates: vi.fn() };

function labels(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [item.label ?? '', ...(Array.isArray(item.submenu) ? labels(item.submenu) : [])]).filter(Boolean);
}

describe('buildMenuTemplate', () => {
  it('speaks Chinese', () => {
    const top = buildMenuTemplate('zh-CN', 'win32', actions, { developerTools: false }).map((i) => i.label);
    expect(top).toEqual(['文件', '编辑', '视图', '窗口', '帮助']);
  });

  it('speaks English', () => {
    const top = buildMenuTemplate('en', 'win32', actions, { developerTools: false }).map((i) => i.label);
    expect(top).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
  });

  it('puts About and Quit in the app menu on macOS', () => {
    const [appMenu] = buildMenuTemplate('en', 'darwin', actions, { developerTools: false });
    expect(appMenu?.label).toBe('Mailwarden');
    expect(labels(appMenu?.submenu as MenuItemConstructorOptions[])).toEqual(['About Mailwarden', 'Quit']);
  });

  it('offers developer tools only when asked (unpackaged builds)', () => {
    expect(labels(buildMenuTemplate('en', 'linux', actions, { developerTools: false }))).not.toContain('Developer Tools');
    expect(labels(buildMenuTemplate('en', 'linux', actions, { developerTools: true }))).toContain('Developer Tools');
  });

  it('has no Reload (Ctrl+R) in the packaged app, where one keystroke would lose a password shown once', () => {
    const roles = (items: MenuItemConstructorOptions[]): string[] =>
      items.flatMap((item) => [item.role ?? '', ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]).filter(Boolean);
    const packaged = roles(buildMenuTemplate('en', 'win32', actions, { developerTools: false }));
    expect(packaged).not.toContain('reload');
    expect(packaged).not.toContain('forceReload');
    expect(roles(buildMenuTemplate('en', 'win32', actions, { developerTools: true }))).toContain('reload');
  });

  it('offers Open Logs Folder, Export Diagnostics and Check for Updates under Help; the last only with an updater', () => {
    const help = (withUpdater: boolean) =>
      labels(
        buildMenuTemplate('en', 'win32', withUpdater ? actions : { ...actions, checkForUpdates: undefined }, { developerTools: false }).at(-1)!
          .submenu as MenuItemConstructorOptions[],
      );
    expect(help(true)).toEqual(['Open Webmail', 'Open Logs Folder', 'Export Diagnostics…', 'Check for Updates…', 'About Mailwarden']);
    expect(help(false)).not.toContain('Check for Updates…');
  });

  it('has every label in both languages, and no two the same within one', () => {
    expect(Object.keys(menuLabels.en).sort()).toEqual(Object.keys(menuLabels['zh-CN']).sort());
    for (const table of Object.values(menuLabels)) expect(new Set(Object.values(table)).size).toBe(Object.values(table).length);
  });

  it('runs the menu actions', () => {
    const help = buildMenuTemplate('en', 'linux', actions, { developerTools: false }).at(-1)!;
    for (const item of help.submenu as MenuItemConstructorOptions[]) item.click?.({} as never, undefined, {} as never);
    expect(actions.openWebmail).toHaveBeenCalledOnce();
    expect(actions.about).toHaveBeenCalledOnce();
    expect(actions.openLogs).toHaveBeenCalledOnce();
    expect(actions.exportDiagnostics).toHaveBeenCalledOnce();
    expect(actions.checkForUpdates).toHaveBeenCalledOnce();
  });
});

describe('resolveLocale', () => {
  it('uses an explicit choice as is', () => {
    expect(resolveLocale('en', ['zh-CN'])).toBe('en');
    expect(resolveLocale('zh-CN', ['en-US'])).toBe('zh-CN');
  });
  it('follows the first Chinese or English system language', () => {
    expect(resolveLocale('system', ['zh-Hans-CN', 'en-US'])).toBe('zh-CN');
    expect(resolveLocale('system', ['zh_TW'])).toBe('zh-CN');
    expect(resolveLocale('system', ['en-GB', 'zh-CN'])).toBe('en');
    expect(resolveLocale('system', ['fr-FR', 'zh-CN'])).toBe('zh-CN');
  });
  it('falls back to English for other languages', () => {
    expect(resolveLocale('system', ['fr-FR', 'de'])).toBe('en');
    expect(resolveLocale('system', [])).toBe('en');
  });
});
