/**
 * Where Thunderbird keeps profiles.ini, and whether a profile is in use. Folders: Mozilla's
 * "Profiles — where Thunderbird stores your messages and other user data" support article and
 * nsXREDirProvider: Windows `%APPDATA%\Thunderbird`, macOS `~/Library/Thunderbird`, Linux
 * `~/.thunderbird`; the Snap package's `~/snap/thunderbird/common/.thunderbird` and the Flatpak's
 * `~/.var/app/org.mozilla.Thunderbird/.thunderbird` (their sandboxed homes).
 *
 * In use: Mozilla's profile lock (profile/dirserviceprovider/nsProfileLock.cpp) is, on Linux and
 * macOS, a symlink `lock` whose target is `<ip>:+<pid>` while the profile is open (a stale one
 * stays after a crash), and, on Windows, a file `parent.lock` held open without sharing. The
 * process list is asked too (tasklist / ps), as for Foxmail: Thunderbird rewrites logins.json
 * from memory, so a change made while it runs would be lost or lose its own.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readlink, stat } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import type { ThunderbirdInstallation } from '../../core/mail-clients/ports';
import type { RunCommand } from '../foxmail/locate';

export type FoundBy = ThunderbirdInstallation['foundBy'];

export function pathsFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  return Object.entries(env).find(([k]) => k.toUpperCase() === name.toUpperCase())?.[1] || undefined;
}

/** The folders that may hold profiles.ini on this OS, most usual first. */
export function candidateRoots(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): { root: string; foundBy: FoundBy }[] {
  if (platform === 'win32') {
    const appData = envValue(env, 'APPDATA') ?? (home ? win32.join(home, 'AppData', 'Roaming') : undefined);
    return appData ? [{ root: win32.join(appData, 'Thunderbird'), foundBy: 'default-folder' }] : [];
  }
  if (!home) return [];
  if (platform === 'darwin') return [{ root: posix.join(home, 'Library', 'Thunderbird'), foundBy: 'default-folder' }];
  return [
    { root: posix.join(home, '.thunderbird'), foundBy: 'default-folder' },
    { root: posix.join(home, 'snap', 'thunderbird', 'common', '.thunderbird'), foundBy: 'snap' },
    { root: posix.join(home, '.var', 'app', 'org.mozilla.Thunderbird', '.thunderbird'), foundBy: 'flatpak' },
  ];
}

/**
 * Whether tasklist's CSV lists thunderbird.exe.
 * @internal
 */
export function tasklistShowsThunderbird(stdout: string): boolean {
  return stdout.split(/\r?\n/).some((line) => /^"thunderbird\.exe"/i.test(line.trim()));
}

/**
 * Whether `ps -axo comm=` lists Thunderbird (thunderbird, thunderbird-bin, the macOS app).
 * @internal
 */
export function psShowsThunderbird(stdout: string): boolean {
  return stdout.split(/\r?\n/).some((line) => /(^|\/)thunderbird(-bin)?$/i.test(line.trim()) || /\/Thunderbird[^/]*\.app\//i.test(line));
}

/** Whether a Thunderbird process runs; "yes" when the check itself fails (a refusal is recoverable, a lost change is not). */
export async function thunderbirdProcessRuns(platform: NodeJS.Platform, run: RunCommand): Promise<boolean> {
  if (platform === 'win32') {
    const result = await run('tasklist', ['/FI', 'IMAGENAME eq thunderbird.exe', '/FO', 'CSV', '/NH']);
    return result.code !== 0 || tasklistShowsThunderbird(result.stdout);
  }
  const result = await run('ps', ['-axo', 'comm=']);
  return result.code !== 0 || psShowsThunderbird(result.stdout);
}

export const nodeRunCommand: RunCommand = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: 10_000, windowsHide: true, encoding: 'utf8' }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout ?? '') });
    });
  });

export function nodePidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    // EPERM: it exists, under another user.
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the profile's lock is held. Linux/macOS: a `lock` symlink naming a live pid (an
 * unreadable target counts as held); Windows: a `parent.lock` that cannot be opened for writing.
 */
export async function profileLockHeld(platform: NodeJS.Platform, profile: string, pidAlive: (pid: number) => boolean): Promise<boolean> {
  const path = pathsFor(platform);
  if (platform === 'win32') {
    const lock = path.join(profile, 'parent.lock');
    try {
      await stat(lock);
    } catch {
      return false;
    }
    try {
      const handle = await open(lock, constants.O_RDWR);
      await handle.close();
      return false;
    } catch {
      return true;
    }
  }
  let target: string;
  try {
    target = await readlink(path.join(profile, 'lock'));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    // ENOENT: no lock; EINVAL: a plain file, which Mozilla's symlink lock is not (only the fcntl .parentlock is).
    return !(code === 'ENOENT' || code === 'EINVAL');
  }
  const pid = /:\+(\d+)$/.exec(target)?.[1];
  return pid === undefined ? true : pidAlive(Number(pid));
}
