// Covers electron/main/cli-mode.ts and the branch in electron/main/index.ts that uses it: started as
// `Mailwarden --cli -- <command> …` (the launchers, now that release builds fuse Node mode off),
// the main process is the IT command line — its output, its exit code — and sets up none of the
// desktop app. Electron itself is replaced by a recording fake; the command line is the real one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliArguments, runCliInMainProcess } from '../../electron/main/cli-mode';

describe('cliArguments', () => {
  it('takes everything after `--cli --` as the command line, Chromium-looking options included', () => {
    expect(cliArguments(['/opt/Mailwarden/mailwarden', '--cli', '--', 'info', '--user-data-dir', '/srv/mw'])).toEqual(['info', '--user-data-dir', '/srv/mw']);
    expect(cliArguments(['/opt/Mailwarden/mailwarden', '--no-sandbox', '--cli', '--', 'serve', '--data', '/d'])).toEqual(['serve', '--data', '/d']);
  });

  it('accepts `--cli` without `--`, and in a development run after the script path', () => {
    expect(cliArguments(['electron', 'out/main/index.js', '--cli', 'policy', 'show'])).toEqual(['policy', 'show']);
    expect(cliArguments(['/opt/Mailwarden/mailwarden', '--cli'])).toEqual([]);
  });

  it('is null for the desktop app, including when `--cli` only appears after `--`', () => {
    expect(cliArguments(['/opt/Mailwarden/mailwarden'])).toBeNull();
    expect(cliArguments(['electron', '--inspect=0', '--remote-debugging-port=0', 'out/main/index.js', '--user-data-dir', '/tmp/x'])).toBeNull();
    expect(cliArguments(['/opt/Mailwarden/mailwarden', '--', '--cli'])).toBeNull();
  });
});

/** A stream that records what was written and acknowledges each write only when told to. */
function slowStream() {
  const chunks: string[] = [];
  const pending: (() => void)[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      pending.push(() => callback());
    },
  });
  return { stream, chunks, release: () => pending.splice(0).forEach((done) => done()) };
}

describe('runCliInMainProcess', () => {
  it('exits with the command’s code only after its output has been written out', async () => {
    const out = slowStream();
    const err = slowStream();
    const exit = vi.fn();
    const running = runCliInMainProcess(['policy', 'check', 'x.json'], {
      run: async (_argv, write, writeErr) => {
        write('x.json: valid\n');
        writeErr('a warning\n');
        return 1;
      },
      stdout: out.stream,
      stderr: err.stream,
      exit,
    });
    await vi.waitFor(() => expect(out.chunks).toEqual(['x.json: valid\n']));
    expect(exit).not.toHaveBeenCalled();
    // Writable streams hold later writes until the first is acknowledged: release until drained.
    await vi.waitFor(() => {
      out.release();
      err.release();
      expect(exit).toHaveBeenCalledWith(1);
    });
    await running;
    expect(err.chunks.join('')).toBe('a warning\n');
  });

  it('exits 1 with the reason on stderr when the command throws', async () => {
    const out = slowStream();
    const err = slowStream();
    const exit = vi.fn();
    const running = runCliInMainProcess([], {
      run: () => Promise.reject(new Error('keychain unavailable')),
      stdout: out.stream,
      stderr: err.stream,
      exit,
    });
    await vi.waitFor(() => {
      out.release();
      err.release();
      expect(exit).toHaveBeenCalledWith(1);
    });
    await running;
    expect(err.chunks.join('')).toBe('mailwarden: keychain unavailable\n');
  });
});

// ---- electron/main/index.ts with a recording fake of Electron ----

const electron = vi.hoisted(() => {
  const calls: string[] = [];
  const record =
    (name: string, result?: unknown) =>
    (..._args: unknown[]) => {
      calls.push(name);
      return result;
    };
  return {
    calls,
    app: {
      setPath: record('app.setPath'),
      setAppLogsPath: record('app.setAppLogsPath'),
      setAppUserModelId: record('app.setAppUserModelId'),
      enableSandbox: record('app.enableSandbox'),
      requestSingleInstanceLock: record('app.requestSingleInstanceLock', true),
      on: record('app.on'),
      // The desktop app waits here; the test never lets Electron become ready.
      whenReady: (..._args: unknown[]) => {
        calls.push('app.whenReady');
        return new Promise(() => undefined);
      },
      quit: record('app.quit'),
      exit: vi.fn(),
      // The log folder the desktop path makes: somewhere harmless.
      getPath: (name: string) => (name === 'logs' ? `${process.env.TMPDIR ?? '/tmp'}/mailwarden-cli-mode-test-logs` : '/nonexistent'),
    },
    crashReporter: { start: record('crashReporter.start') },
    protocol: { registerSchemesAsPrivileged: record('protocol.registerSchemesAsPrivileged'), handle: record('protocol.handle') },
    BrowserWindow: vi.fn(function BrowserWindow() {
      calls.push('new BrowserWindow');
    }),
  };
});

vi.mock('electron', () => ({
  app: electron.app,
  protocol: electron.protocol,
  BrowserWindow: electron.BrowserWindow,
  crashReporter: electron.crashReporter,
  webContents: {},
  dialog: {},
  ipcMain: {},
  Menu: {},
  nativeTheme: {},
  Notification: {},
  screen: {},
  session: {},
  shell: {},
}));

describe('electron/main/index.ts', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mw-cli-mode-'));
  const argv = process.argv;
  let written: { out: string; err: string };

  beforeEach(() => {
    vi.resetModules();
    electron.calls.length = 0;
    electron.app.exit.mockReset();
    written = { out: '', err: '' };
    const capture = (key: 'out' | 'err') => (chunk: unknown, encodingOrDone?: unknown, done?: unknown) => {
      written[key] += String(chunk);
      const callback = typeof encodingOrDone === 'function' ? encodingOrDone : done;
      if (typeof callback === 'function') callback();
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture('out') as typeof process.stdout.write);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture('err') as typeof process.stderr.write);
  });
  afterEach(() => {
    process.argv = argv;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('with `--cli --` runs the command line, passes its exit code to app.exit, and sets up no desktop app', async () => {
    const policy = join(scratch, 'policy.json');
    writeFileSync(policy, JSON.stringify({ enforced: { bogusKey: 1 } }));
    process.argv = ['/opt/Mailwarden/mailwarden', '--cli', '--', 'policy', 'check', policy];
    await import('../../electron/main/index');
    expect(electron.app.exit).toHaveBeenCalledWith(1);
    expect(written.err).toContain(`${policy}: bogusKey: unknown key`);
    // No lock (a running app would be focused and this process quit), no sandbox switch, no
    // privileged scheme, no waiting for ready, no window.
    expect(electron.calls).toEqual([]);
  });

  it('passes a successful command’s 0 on', async () => {
    process.argv = ['/opt/Mailwarden/mailwarden', '--cli', '--', '--help'];
    await import('../../electron/main/index');
    expect(electron.app.exit).toHaveBeenCalledWith(0);
    expect(written.out).toContain('Usage: mailwarden <command>');
  });

  it('without `--cli` starts the desktop app as before: sandbox, scheme, single-instance lock, then ready', async () => {
    process.argv = ['/opt/Mailwarden/mailwarden', '--user-data-dir', join(scratch, 'data')];
    await import('../../electron/main/index');
    expect(electron.calls.slice(0, 6)).toEqual([
      'app.setPath',
      // Logs in the OS's place, before anything can go wrong.
      'app.setAppLogsPath',
      'app.enableSandbox',
      'protocol.registerSchemesAsPrivileged',
      'app.requestSingleInstanceLock',
      'app.on',
    ]);
    expect(electron.calls).toContain('app.whenReady');
    expect(electron.app.exit).not.toHaveBeenCalled();
  });
});
