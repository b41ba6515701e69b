// Covers electron/platform/paths.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../electron/platform/paths';

describe('defaultDataDir (the same folder Electron calls userData)', () => {
  it('uses %APPDATA% on Windows', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toBe(join('C:\\Users\\u\\AppData\\Roaming', 'Mailwarden'));
  });
  it('uses Application Support on macOS', () => {
    expect(defaultDataDir('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/Mailwarden');
  });
  it('uses XDG_CONFIG_HOME, else ~/.config, on Linux', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/Mailwarden');
    expect(defaultDataDir('linux', {}, '/home/u')).toBe('/home/u/.config/Mailwarden');
  });
});
