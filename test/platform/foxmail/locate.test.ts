import { describe, expect, it } from 'vitest';
import { FoxmailLocalProfiles } from '../../../electron/platform/foxmail';
import {
  foxmailRunning,
  locateInstallations,
  psShowsFoxmail,
  tasklistShowsFoxmail,
  type FolderProbe,
  type LocateSeams,
} from '../../../electron/platform/foxmail/locate';
import { commandLineProgram, expandEnvironmentStrings, registryString } from '../../../electron/platform/foxmail/registry';
import type { Hive, RegistryKey, RegistryReader } from '../../../electron/platform/windows-registry';
import { fixedRegistryReader, registryKeyOf } from '../../factories/registry';

// What the registry holds on machines with Foxmail, as the registry API gives it (no localised
// "(Default)"/"(默认)" name, no console code page: the default value is named '').
const executableSz = registryKeyOf({ Executable: 'D:\\Program Files\\Foxmail 7.2\\Foxmail.exe' });
const executableExpand = registryKeyOf({ Executable: { expand: '%LOCALAPPDATA%\\Programs\\Foxmail 7.2\\Foxmail.exe' } });
const mailtoQuoted = registryKeyOf({ '': '"C:\\Foxmail 7.2\\Foxmail.exe" -T "%1"' });
const mailtoUnquoted = registryKeyOf({ '': 'E:\\Mail Apps\\Foxmail 7.2\\Foxmail.exe -T "%1"' });
// A Chinese user name in the path, as on a zh-CN Windows: kept as written.
const executableChinese = registryKeyOf({ Executable: 'C:\\Users\\张伟\\AppData\\Local\\Foxmail 7.2\\Foxmail.exe' });

describe('registry values', () => {
  it('expands %variables% case-insensitively and leaves unknown ones', () => {
    expect(expandEnvironmentStrings('%LocalAppData%\\x\\%NOPE%\\y', { LOCALAPPDATA: 'C:\\Users\\li\\AppData\\Local' })).toBe(
      'C:\\Users\\li\\AppData\\Local\\x\\%NOPE%\\y',
    );
  });

  it('reads strings, expands expandable ones, and nothing else', () => {
    expect(registryString({ type: 'string', data: 'a' }, {})).toBe('a');
    expect(registryString({ type: 'expand-string', data: '%X%\\b' }, { X: 'C:' })).toBe('C:\\b');
    expect(registryString({ type: 'number', data: 1 }, {})).toBeNull();
    expect(registryString(undefined, {})).toBeNull();
  });

  it('takes the program from quoted and unquoted command lines with arguments', () => {
    expect(commandLineProgram('"C:\\Foxmail 7.2\\Foxmail.exe" -T "%1"')).toBe('C:\\Foxmail 7.2\\Foxmail.exe');
    expect(commandLineProgram('E:\\Mail Apps\\Foxmail 7.2\\Foxmail.exe -T "%1"')).toBe('E:\\Mail Apps\\Foxmail 7.2\\Foxmail.exe');
    expect(commandLineProgram('C:\\Foxmail\\Foxmail.EXE')).toBe('C:\\Foxmail\\Foxmail.EXE');
    expect(commandLineProgram('"unterminated')).toBeNull();
    expect(commandLineProgram('   ')).toBeNull();
  });
});

/** A Windows machine as its registry and disk would answer; `asked` lists the keys read. */
function windows(keys: Record<string, RegistryKey | Error>, folders: string[], listing: Record<string, string[]> = {}): LocateSeams & { asked: string[] } {
  const asked: string[] = [];
  const lower = new Set(folders.map((f) => f.toLowerCase()));
  const probe: FolderProbe = {
    isDirectory: async (path) => lower.has(path.toLowerCase()),
    list: async (path) => listing[path] ?? [],
  };
  const fixed = fixedRegistryReader(keys);
  const registry: RegistryReader = { read: (hive: Hive, path: string, depth?: number) => (asked.push(`${hive}\\${path}`), fixed.read(hive, path, depth)) };
  return {
    platform: 'win32',
    env: { 'ProgramFiles(x86)': 'C:\\Program Files (x86)', ProgramFiles: 'C:\\Program Files', LOCALAPPDATA: 'C:\\Users\\li\\AppData\\Local' },
    probe,
    asked,
    registry,
  };
}

describe('finding installations on Windows', () => {
  it('follows the Executable value, expanding it', async () => {
    const seams = windows({ 'HKCU\\Software\\Aerofox\\FoxmailPreview': executableExpand }, ['C:\\Users\\li\\AppData\\Local\\Programs\\Foxmail 7.2\\Storage']);
    expect(await locateInstallations(seams, [])).toEqual([{ root: 'C:\\Users\\li\\AppData\\Local\\Programs\\Foxmail 7.2', foundBy: 'registry' }]);
    expect(seams.asked[0]).toBe('HKCU\\Software\\Aerofox\\FoxmailPreview');
  });

  it('keeps a Chinese user name in the path as written (zh-CN Windows)', async () => {
    const seams = windows({ 'HKCU\\Software\\Aerofox\\FoxmailPreview': executableChinese }, ['C:\\Users\\张伟\\AppData\\Local\\Foxmail 7.2\\Storage']);
    expect(await locateInstallations(seams, [])).toEqual([{ root: 'C:\\Users\\张伟\\AppData\\Local\\Foxmail 7.2', foundBy: 'registry' }]);
  });

  it('looks on past a key it cannot read', async () => {
    const seams = windows(
      { 'HKCU\\Software\\Aerofox\\FoxmailPreview': new Error('Access is denied.'), 'HKCR\\Foxmail.url.mailto\\Shell\\open\\command': mailtoQuoted },
      ['C:\\Foxmail 7.2\\Storage'],
    );
    expect(await locateInstallations(seams, [])).toEqual([{ root: 'C:\\Foxmail 7.2', foundBy: 'mailto-handler' }]);
  });

  it('follows the mailto handler (HKCU classes and HKCR), each folder once', async () => {
    const seams = windows(
      {
        'HKCU\\Software\\Classes\\Foxmail.url.mailto\\Shell\\open\\command': mailtoUnquoted,
        'HKCR\\Foxmail.url.mailto\\Shell\\open\\command': mailtoQuoted,
      },
      ['E:\\Mail Apps\\Foxmail 7.2\\Storage', 'C:\\Foxmail 7.2\\Storage'],
    );
    expect(await locateInstallations(seams, [])).toEqual([
      { root: 'E:\\Mail Apps\\Foxmail 7.2', foundBy: 'mailto-handler' },
      // Also a default folder: listed once, by the better finding.
      { root: 'C:\\Foxmail 7.2', foundBy: 'mailto-handler' },
    ]);
  });

  it('looks in the default folders, D:\\Foxmail* and the given roots when the registry has nothing', async () => {
    const seams = windows({}, ['C:\\Program Files (x86)\\Foxmail 7.2\\Storage', 'D:\\Foxmail7\\Storage', 'F:\\Portable\\Foxmail\\Storage'], {
      'D:\\': ['Foxmail7', 'Games', 'foxmail-old'],
    });
    expect(await locateInstallations(seams, ['F:\\Portable\\Foxmail'])).toEqual([
      { root: 'C:\\Program Files (x86)\\Foxmail 7.2', foundBy: 'default-folder' },
      { root: 'D:\\Foxmail7', foundBy: 'default-folder' },
      { root: 'F:\\Portable\\Foxmail', foundBy: 'environment' },
    ]);
  });

  it('finds nothing when the registry points at a folder without Storage', async () => {
    const seams = windows({ 'HKCU\\Software\\Aerofox\\FoxmailPreview': executableSz }, []);
    expect(await locateInstallations(seams, [])).toEqual([]);
  });

  it('asks nothing of the registry elsewhere', async () => {
    const seams = { ...windows({}, ['/data/foxmail/Storage']), platform: 'linux' as const };
    expect(await locateInstallations(seams, ['/data/foxmail'])).toEqual([{ root: '/data/foxmail', foundBy: 'environment' }]);
    expect(seams.asked).toEqual([]);
  });
});

describe('whether Foxmail runs', () => {
  const tasklistRunning = '"Foxmail.exe","10244","Console","1","148,212 K"\r\n';
  const tasklistNone = 'INFO: No tasks are running which match the specified criteria.\r\n';

  it('reads tasklist CSV', () => {
    expect(tasklistShowsFoxmail(tasklistRunning)).toBe(true);
    expect(tasklistShowsFoxmail(tasklistNone)).toBe(false);
    expect(tasklistShowsFoxmail('"FoxmailUpdate.exe","1","Console","1","1 K"')).toBe(false);
  });

  it('reads ps output on macOS', () => {
    expect(psShowsFoxmail('/sbin/launchd\n/Applications/Foxmail.app/Contents/MacOS/Foxmail\n')).toBe(true);
    expect(psShowsFoxmail('/sbin/launchd\n/usr/bin/foxmailer-not\n')).toBe(false);
  });

  it('runs tasklist with the filter, and counts a failed check as running', async () => {
    const calls: string[][] = [];
    const answer =
      (stdout: string, code = 0) =>
      async (file: string, args: readonly string[]) => {
        calls.push([file, ...args]);
        return { code, stdout };
      };
    expect(await foxmailRunning('win32', answer(tasklistRunning))).toBe(true);
    expect(calls[0]).toEqual(['tasklist', '/FI', 'IMAGENAME eq Foxmail.exe', '/FO', 'CSV', '/NH']);
    expect(await foxmailRunning('win32', answer(tasklistNone))).toBe(false);
    expect(await foxmailRunning('win32', answer('', 1))).toBe(true);
    expect(await foxmailRunning('darwin', answer('/sbin/launchd\n'))).toBe(false);
    expect(await foxmailRunning('linux', answer('', 1))).toBe(false);
  });

  it('reports it per installation through the adapter', async () => {
    const seams = windows({ 'HKCU\\Software\\Aerofox\\FoxmailPreview': executableSz }, ['D:\\Program Files\\Foxmail 7.2\\Storage']);
    const runCommand = async (file: string) =>
      file === 'tasklist' ? { code: 0, stdout: '"Foxmail.exe","10244","Console","1","148,212 K"\r\n' } : { code: 1, stdout: '' };
    const profiles = new FoxmailLocalProfiles({ platform: 'win32', env: seams.env, probe: seams.probe, runCommand, registry: seams.registry });
    expect(await profiles.scan()).toEqual([
      { root: 'D:\\Program Files\\Foxmail 7.2', version: '7.2', running: true, foundBy: 'registry', accounts: [], unreadable: [] },
    ]);
  });
});
