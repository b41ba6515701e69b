/**
 * Opening a file with the OS's own handler for its type (docs/rules.md §8.11), outside Electron
 * (browser mode; the Electron shell uses shell.openPath): `open` on macOS, `xdg-open` on Linux and
 * the other Unixes, and on Windows explorer.exe, which opens a file with its registered handler as
 * `start` does — `start` is a cmd.exe built-in and can only be reached through a shell, which the
 * path must never pass through. The path is one argument of its own, never parsed by a shell.
 */
import { spawn } from 'node:child_process';
import type { FileOpener } from '../core/mail-clients/ports';

/** What is started: the command and its arguments, with no shell between. */
interface OpenCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Its exit code says whether the file was taken (explorer.exe answers 1 when it worked). */
  readonly exitCodeMeaningful: boolean;
}

/** @internal exported for its test; SpawnFileOpener is its caller. */
export function openCommandFor(platform: NodeJS.Platform, path: string): OpenCommand {
  switch (platform) {
    case 'darwin':
      // `--`: a path is never read as an option, whatever it starts with.
      return { command: '/usr/bin/open', args: ['--', path], exitCodeMeaningful: true };
    case 'win32':
      return { command: 'explorer.exe', args: [path], exitCodeMeaningful: false };
    default:
      return { command: 'xdg-open', args: [path], exitCodeMeaningful: true };
  }
}

/** The part of a started process the opener listens to. */
interface StartedProcess {
  once(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'exit', listener: (code: number | null) => void): unknown;
  unref(): void;
}

/** Starts a command: node:child_process.spawn, with `shell: false` always. */
export type Spawner = (
  command: string,
  args: readonly string[],
  options: { readonly shell: false; readonly stdio: 'ignore'; readonly detached: boolean; readonly windowsHide: boolean },
) => StartedProcess;

const nodeSpawn: Spawner = (command, args, options) => spawn(command, [...args], options);

/** How long a handler that has not exited yet is waited for; after that it has the file (xdg-open may stay with the app it started). */
const exitWaitMs = 10_000;

export class SpawnFileOpener implements FileOpener {
  constructor(
    private readonly platform: NodeJS.Platform = process.platform,
    private readonly spawner: Spawner = nodeSpawn,
  ) {}

  open(path: string): Promise<void> {
    const { command, args, exitCodeMeaningful } = openCommandFor(this.platform, path);
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const child = this.spawner(command, args, { shell: false, stdio: 'ignore', detached: true, windowsHide: true });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('spawn', () => {
        child.unref();
        if (!exitCodeMeaningful) return resolve();
        timer = setTimeout(resolve, exitWaitMs);
        timer.unref();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (!exitCodeMeaningful || code === 0) resolve();
        else reject(new Error(`${command} could not open the file (exit code ${code})`));
      });
    });
  }
}
