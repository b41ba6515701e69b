/**
 * Where Foxmail is installed, and whether it runs. Windows is where Foxmail keeps the profiles
 * this adapter understands; the places looked at are those the public tools use (HKCU
 * `Software\Aerofox\FoxmailPreview` value `Executable`: rapid7/metasploit-framework
 * `modules/post/windows/gather/credentials/foxmail.rb`; the `Foxmail.url.mailto` open command:
 * several recovery tools) and the folders the installer proposes. Foxmail for Mac keeps its
 * accounts somewhere no public source describes (and not in this file format, as far as anyone
 * has published), so on macOS and Linux only the folders given with --foxmail-root are looked at.
 */
import { readdir, stat } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { posix, win32 } from 'node:path';
import { commandLineProgram, registryString } from './registry';
import type { Hive, RegistryData, RegistryReader } from '../windows-registry';
import type { FoxmailInstallation } from '../../core/mail-clients/ports';

export type FoundBy = FoxmailInstallation['foundBy'];

interface CommandResult {
  readonly code: number;
  readonly stdout: string;
}

/** Runs a program without a shell; a program that cannot start resolves with a non-zero code. */
export type RunCommand = (file: string, args: readonly string[]) => Promise<CommandResult>;

export interface FolderProbe {
  isDirectory(path: string): Promise<boolean>;
  /** Names in a folder; [] when it cannot be listed. */
  list(path: string): Promise<string[]>;
}

export interface LocateSeams {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly registry: RegistryReader;
  readonly probe: FolderProbe;
}

export const nodeRunCommand: RunCommand = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: 10_000, windowsHide: true, encoding: 'utf8' }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout ?? '') });
    });
  });

export const nodeFolderProbe: FolderProbe = {
  async isDirectory(path) {
    try {
      return (await stat(path)).isDirectory();
    } catch {
      return false;
    }
  },
  async list(path) {
    try {
      return await readdir(path);
    } catch {
      return [];
    }
  },
};

export function pathsFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/** One value of a key ('' for its default value); undefined when the key or value is missing or unreadable. */
function registryValue(registry: RegistryReader, hive: Hive, path: string, name: string): RegistryData | undefined {
  try {
    return registry.read(hive, path)?.values.get(name);
  } catch {
    // Finding Foxmail is best effort: an unreadable key is one place fewer to look.
    return undefined;
  }
}

async function windowsCandidates(seams: LocateSeams): Promise<{ root: string; foundBy: FoundBy }[]> {
  const path = win32;
  const out: { root: string; foundBy: FoundBy }[] = [];
  const exe = registryString(registryValue(seams.registry, 'HKCU', 'Software\\Aerofox\\FoxmailPreview', 'Executable'), seams.env);
  if (exe) out.push({ root: path.dirname(exe.replace(/^"|"$/g, '')), foundBy: 'registry' });
  for (const [hive, key] of [
    ['HKCU', 'Software\\Classes\\Foxmail.url.mailto\\Shell\\open\\command'],
    ['HKCR', 'Foxmail.url.mailto\\Shell\\open\\command'],
  ] as const) {
    const line = registryString(registryValue(seams.registry, hive, key, ''), seams.env);
    const program = line === null ? null : commandLineProgram(line);
    if (program) out.push({ root: path.dirname(program), foundBy: 'mailto-handler' });
  }
  const defaults = ['C:\\Foxmail 7.2', 'C:\\Foxmail'];
  for (const variable of ['ProgramFiles(x86)', 'ProgramFiles']) {
    const base = Object.entries(seams.env).find(([k]) => k.toUpperCase() === variable.toUpperCase())?.[1];
    if (base) defaults.push(path.join(base, 'Foxmail 7.2'), path.join(base, 'Foxmail'));
  }
  for (const name of await seams.probe.list('D:\\')) {
    if (/^foxmail/i.test(name)) defaults.push(path.join('D:\\', name));
  }
  for (const root of defaults) out.push({ root, foundBy: 'default-folder' });
  return out;
}

/** Installation folders that hold a Storage folder, each once, the most trustworthy finding first. */
export async function locateInstallations(seams: LocateSeams, extraRoots: readonly string[]): Promise<{ root: string; foundBy: FoundBy }[]> {
  const path = pathsFor(seams.platform);
  const candidates = [
    ...(seams.platform === 'win32' ? await windowsCandidates(seams) : []),
    ...extraRoots.map((root) => ({ root, foundBy: 'environment' as const })),
  ];
  const seen = new Set<string>();
  const found: { root: string; foundBy: FoundBy }[] = [];
  for (const candidate of candidates) {
    const root = path.resolve(candidate.root);
    const identity = seams.platform === 'win32' || seams.platform === 'darwin' ? root.toLowerCase() : root;
    if (seen.has(identity)) continue;
    seen.add(identity);
    if (await seams.probe.isDirectory(path.join(root, 'Storage'))) found.push({ root, foundBy: candidate.foundBy });
  }
  return found;
}

/**
 * Whether tasklist's CSV lists Foxmail.exe (its "no tasks" notice is not CSV).
 * @internal
 */
export function tasklistShowsFoxmail(stdout: string): boolean {
  return stdout.split(/\r?\n/).some((line) => /^"foxmail\.exe"/i.test(line.trim()));
}

/**
 * Whether `ps -axo comm=` lists the Foxmail app.
 * @internal
 */
export function psShowsFoxmail(stdout: string): boolean {
  return stdout.split(/\r?\n/).some((line) => /(^|\/)Foxmail$/i.test(line.trim()) || /\/Foxmail\.app\//i.test(line));
}

/**
 * Whether Foxmail runs. When the check itself fails the answer is "yes": Foxmail rewrites its
 * profile while it runs, and a refused change is recoverable where a lost one is not.
 */
export async function foxmailRunning(platform: NodeJS.Platform, run: RunCommand): Promise<boolean> {
  if (platform === 'win32') {
    const result = await run('tasklist', ['/FI', 'IMAGENAME eq Foxmail.exe', '/FO', 'CSV', '/NH']);
    return result.code !== 0 || tasklistShowsFoxmail(result.stdout);
  }
  if (platform === 'darwin') {
    const result = await run('ps', ['-axo', 'comm=']);
    return result.code !== 0 || psShowsFoxmail(result.stdout);
  }
  // No Foxmail for Linux exists; the only profiles here are test fixtures (--foxmail-root).
  return false;
}
