// Covers electron/platform/file-opener.ts: a file is handed to the OS's own opener for its type,
// the path one argument of its own and never through a shell (the spawner is injected, so what
// would be started is seen without starting it), and a refusal is an error.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openCommandFor, SpawnFileOpener, type Spawner } from '../../electron/platform/file-opener';

type StartedProcess = ReturnType<Spawner>;

/** A path a shell would act on: spaces, quotes, `;`, `&`, `$()`, and a leading dash in its name. */
const awkward = '/tmp/mailwarden-x/-a b\'c";rm -rf ~ & $(id).mobileconfig';

interface Started {
  command: string;
  args: readonly string[];
  options: Parameters<Spawner>[2];
  child: EventEmitter & StartedProcess;
}

function recordingSpawner(): { spawner: Spawner; started: Started[] } {
  const started: Started[] = [];
  const spawner: Spawner = (command, args, options) => {
    const child = Object.assign(new EventEmitter(), { unref: vi.fn() }) as EventEmitter & StartedProcess;
    started.push({ command, args, options, child });
    return child;
  };
  return { spawner, started };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the command for each OS', () => {
  it('is open on macOS, xdg-open on Linux, explorer.exe on Windows, with the path as its own last argument', () => {
    expect(openCommandFor('darwin', awkward)).toEqual({ command: '/usr/bin/open', args: ['--', awkward], exitCodeMeaningful: true });
    expect(openCommandFor('linux', awkward)).toEqual({ command: 'xdg-open', args: [awkward], exitCodeMeaningful: true });
    expect(openCommandFor('freebsd', awkward)).toEqual({ command: 'xdg-open', args: [awkward], exitCodeMeaningful: true });
    expect(openCommandFor('win32', 'C:\\Users\\Zhang\\AppData\\Local\\Temp\\mailwarden-x\\a&b.mobileconfig')).toEqual({
      command: 'explorer.exe',
      args: ['C:\\Users\\Zhang\\AppData\\Local\\Temp\\mailwarden-x\\a&b.mobileconfig'],
      exitCodeMeaningful: false,
    });
  });
});

describe('SpawnFileOpener', () => {
  it('starts the OS opener without a shell and resolves once it exits 0', async () => {
    for (const platform of ['darwin', 'linux'] as const) {
      const { spawner, started } = recordingSpawner();
      const opening = new SpawnFileOpener(platform, spawner).open(awkward);
      expect(started).toHaveLength(1);
      const [run] = started;
      expect(run!.options.shell).toBe(false);
      expect(run!.args.at(-1)).toBe(awkward);
      run!.child.emit('spawn');
      expect(run!.child.unref).toHaveBeenCalled();
      run!.child.emit('exit', 0);
      await expect(opening).resolves.toBeUndefined();
    }
  });

  it('fails when the opener says it could not open the file', async () => {
    const { spawner, started } = recordingSpawner();
    const opening = new SpawnFileOpener('darwin', spawner).open('/tmp/x/p.mobileconfig');
    started[0]!.child.emit('spawn');
    started[0]!.child.emit('exit', 1);
    await expect(opening).rejects.toThrow('/usr/bin/open could not open the file (exit code 1)');
  });

  it('fails when there is no opener to start', async () => {
    const { spawner, started } = recordingSpawner();
    const opening = new SpawnFileOpener('linux', spawner).open('/tmp/x/p.mobileconfig');
    started[0]!.child.emit('error', Object.assign(new Error('spawn xdg-open ENOENT'), { code: 'ENOENT' }));
    await expect(opening).rejects.toThrow('ENOENT');
  });

  it('on Windows counts a started explorer.exe as done, whatever its exit code', async () => {
    const { spawner, started } = recordingSpawner();
    const opening = new SpawnFileOpener('win32', spawner).open('C:\\Temp\\mailwarden-x\\p.mobileconfig');
    expect(started[0]).toMatchObject({ command: 'explorer.exe', options: { shell: false, windowsHide: true } });
    started[0]!.child.emit('spawn');
    await expect(opening).resolves.toBeUndefined();
    started[0]!.child.emit('exit', 1);
  });

  it('takes an opener that stays with the app it started as having opened the file, after a while', async () => {
    vi.useFakeTimers();
    const { spawner, started } = recordingSpawner();
    let settled = false;
    const opening = new SpawnFileOpener('linux', spawner).open('/tmp/x/p.mobileconfig').finally(() => (settled = true));
    started[0]!.child.emit('spawn');
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(opening).resolves.toBeUndefined();
  });
});
