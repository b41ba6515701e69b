import { describe, expect, it } from 'vitest';
import { FoxmailLocalProfiles } from '../../../electron/platform/foxmail';
import { foxmailRunning, locateInstallations, psShowsFoxmail, tasklistShowsFoxmail, type CommandResult, type FolderProbe, type LocateSeams } from '../../../electron/platform/foxmail/locate';
import { commandLineProgram, expandEnvironmentStrings, parseRegQuery } from '../../../electron/platform/foxmail/registry';

// Recorded `reg query` output (Windows 10, cmd.exe): CRLF lines, a blank line first, four-space columns.
const executableSz = '\r\nHKEY_CURRENT_USER\\Software\\Aerofox\\FoxmailPreview\r\n    Executable    REG_SZ    D:\\Program Files\\Foxmail 7.2\\Foxmail.exe\r\n\r\n';
const executableExpand =
  '\r\nHKEY_CURRENT_USER\\Software\\Aerofox\\FoxmailPreview\r\n    Executable    REG_EXPAND_SZ    %LOCALAPPDATA%\\Programs\\Foxmail 7.2\\Foxmail.exe\r\n\r\n';
const mailtoQuoted = '\r\nHKEY_CLASSES_ROOT\\Foxmail.url.mailto\\Shell\\open\\command\r\n    (Default)    REG_SZ    "C:\\Foxmail 7.2\\Foxmail.exe" -T "%1"\r\n\r\n';
const mailtoLocalized = '\r\nHKEY_CURRENT_USER\\Software\\Classes\\Foxmail.url.mailto\\Shell\\open\\command\r\n    (默认)    REG_SZ    E:\\Mail Apps\\Foxmail 7.2\\Foxmail.exe -T "%1"\r\n\r\n';
const missing = 'ERROR: The system was unable to find the specified registry key or value.\r\n';
const emptyDefault = '\r\nHKEY_CLASSES_ROOT\\Foxmail.url.mailto\\Shell\\open\\command\r\n    (Default)    REG_SZ    \r\n\r\n';

describe('reg query output', () => {
  it('reads REG_SZ values', () => {
    expect(parseRegQuery(executableSz)).toEqual([
      { key: 'HKEY_CURRENT_USER\\Software\\Aerofox\\FoxmailPreview', name: 'Executable', type: 'REG_SZ', data: 'D:\\Program Files\\Foxmail 7.2\\Foxmail.exe' },
    ]);
  });

  it('reads the default value under a localized name, and an empty one', () => {
    expect(parseRegQuery(mailtoLocalized)[0]).toMatchObject({ name: '(默认)', data: 'E:\\Mail Apps\\Foxmail 7.2\\Foxmail.exe -T "%1"' });
    expect(parseRegQuery(emptyDefault)[0]).toMatchObject({ name: '(Default)', data: '' });
  });

  it('finds nothing in the error of a missing key', () => {
    expect(parseRegQuery(missing)).toEqual([]);
    expect(parseRegQuery('')).toEqual([]);
  });

  it('expands %variables% case-insensitively and leaves unknown ones', () => {
    expect(expandEnvironmentStrings('%LocalAppData%\\x\\%NOPE%\\y', { LOCALAPPDATA: 'C:\\Users\\li\\AppData\\Local' })).toBe('C:\\Users\\li\\AppData\\Local\\x\\%NOPE%\\y');
  });

  it('takes the program from quoted and unquoted command lines with arguments', () => {
    expect(commandLineProgram('"C:\\Foxmail 7.2\\Foxmail.exe" -T "%1"')).toBe('C:\\Foxmail 7.2\\Foxmail.exe');
    expect(commandLineProgram('E:\\Mail Apps\\Foxmail 7.2\\Foxmail.exe -T "%1"')).toBe('E:\\Mail Apps\\Foxmail 7.2\\Foxmail.exe');
    expect(commandLineProgram('C:\\Foxmail\\Foxmail.EXE')).toBe('C:\\Foxmail\\Foxmail.EXE');
    expect(commandLineProgram('"unterminated')).toBeNull();
    expect(commandLineProgram('   ')).toBeNull();
  });
});

/** A Windows machine as `reg` and the disk would answer. */
function windows(registry: Record<string, string>, folders: string[], listing: Record<string, string[]> = {}): LocateSeams & { calls: string[][] } {
  const calls: string[][] = [];
  const lower = new Set(folders.map((f) => f.toLowerCase()));
  const probe: FolderProbe = {
    isDirectory: async (path) => lower.has(path.toLowerCase()),
    list: async (path) => listing[path] ?? [],
  };
  return {
    platform: 'win32',
    env: { 'ProgramFiles(x86)': 'C:\\Program Files (x86)', ProgramFiles: 'C:\\Program Files', LOCALAPPDATA: 'C:\\Users\\li\\AppData\\Local' },
    probe,
    calls,
    runCommand: async (file, args): Promise<CommandResult> => {
      calls.push([file, ...args]);
      const out = file === 'reg' ? registry[args[1]!] : undefined;
      return out === undefined ? { code: 1, stdout: '' } : { code: 0, stdout: out };
    },
  };
}

describe('finding installations on Windows', () => {
  it('follows the Executable value, expanding it', async () => {
    const seams = windows({ 'HKCU\\Software\\Aerofox\\FoxmailPreview': executableExpand }, ['C:\\Users\\li\\AppData\\Local\\Programs\\Foxmail 7.2\\Storage']);
    expect(await locateInstallations(seams, [])).toEqual([{ root: 'C:\\Users\\li\\AppData\\Local\\Programs\\Foxmail 7.2', foundBy: 'registry' }]);
    expect(seams.calls[0]).toEqual(['reg', 'query', 'HKCU\\Software\\Aerofox\\FoxmailPreview', '/v', 'Executable']);
  });

  it('follows the mailto handler (HKCU classes and HKCR), each folder once', async () => {
    const seams = windows(
      {
        'HKCU\\Software\\Classes\\Foxmail.url.mailto\\Shell\\open\\command': mailtoLocalized,
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
    expect(seams.calls).toEqual([]);
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
    const answer = (stdout: string, code = 0) => async (file: string, args: readonly string[]) => {
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
    const runCommand = async (file: string, args: readonly string[]) =>
      file === 'tasklist' ? { code: 0, stdout: '"Foxmail.exe","10244","Console","1","148,212 K"\r\n' } : seams.runCommand(file, args);
    const profiles = new FoxmailLocalProfiles({ platform: 'win32', env: seams.env, probe: seams.probe, runCommand });
    expect(await profiles.scan()).toEqual([{ root: 'D:\\Program Files\\Foxmail 7.2', version: '7.2', running: true, foundBy: 'registry', accounts: [] }]);
  });
});
