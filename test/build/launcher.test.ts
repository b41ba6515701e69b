// Covers resources/bin/mailwarden, the launcher the deb links as /usr/bin/mailwarden (and macOS
// installs in the bundle): run against a fake install tree whose "Electron" prints how it was called.
// Release builds fuse ELECTRON_RUN_AS_NODE off, so a command goes to the app itself as
// `--cli -- <command> …` (electron/main/cli-mode.ts), never through Node mode.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const launcher = join(import.meta.dirname, '../../resources/bin/mailwarden');
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'mw-launcher-')));
// Readable by an unprivileged user too: the tests run the launcher as one when they run as root.
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An install tree: the app binary at `binary`, resources beside it, /usr/bin-style link to the launcher. */
function install(name: string, binary: string, resources: string): { link: string; resources: string } {
  const base = join(scratch, name);
  mkdirSync(join(base, resources, 'bin'), { recursive: true });
  mkdirSync(join(base, binary, '..'), { recursive: true });
  copyFileSync(launcher, join(base, resources, 'bin/mailwarden'));
  chmodSync(join(base, resources, 'bin/mailwarden'), 0o755);
  // The fake app: reports its environment and arguments, exits 3 when asked for the command line
  // (a command's failure, which the launcher must pass on).
  writeFileSync(
    join(base, binary),
    `#!/bin/sh\nprintf '%s\\n' "node=\${ELECTRON_RUN_AS_NODE:-}" "$@"\nfor a in "$@"; do [ "$a" = --cli ] && exit 3; done\nexit 0\n`,
    { mode: 0o755 },
  );
  mkdirSync(join(base, 'usr/bin'), { recursive: true });
  symlinkSync(join(base, resources, 'bin/mailwarden'), join(base, 'usr/bin/mailwarden'));
  return { link: join(base, 'usr/bin/mailwarden'), resources: join(base, resources) };
}

const asRoot = process.getuid?.() === 0;
/** An unprivileged user to run as when the tests run as root (nobody on Debian and macOS). */
const nobody = { uid: 65534, gid: 65534 };

function runAs(user: { uid: number; gid: number } | null, link: string, ...args: string[]) {
  const result = spawnSync(link, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, ...(user ?? {}) });
  const [mode, ...argv] = result.stdout.trimEnd().split('\n');
  return { nodeMode: mode === 'node=1', argv, status: result.status };
}

/** As an ordinary user: as ourselves, or as nobody when we are root. */
const run = (link: string, ...args: string[]) => runAs(asRoot ? nobody : null, link, ...args);

describe.skipIf(process.platform === 'win32')('mailwarden launcher', () => {
  const linux = install('linux', 'opt/Mailwarden/mailwarden', 'opt/Mailwarden/resources');

  it('runs a command through the app’s own command line, not Node mode, from the /usr/bin link, passing its exit code on', () => {
    expect(run(linux.link, 'policy', 'show')).toEqual({ nodeMode: false, argv: ['--cli', '--', 'policy', 'show'], status: 3 });
  });

  it('passes arguments with spaces, and options Chromium also knows, through after `--` unchanged', () => {
    expect(run(linux.link, 'import-mailboxes', '/tmp/my list.csv').argv).toEqual(['--cli', '--', 'import-mailboxes', '/tmp/my list.csv']);
    expect(run(linux.link, 'info', '--user-data-dir', '/srv/mw').argv).toEqual(['--cli', '--', 'info', '--user-data-dir', '/srv/mw']);
  });

  it('shows the command line’s help for --help', () => {
    expect(run(linux.link, '--help')).toMatchObject({ nodeMode: false, argv: ['--cli', '--', '--help'], status: 3 });
  });

  it.runIf(asRoot && process.platform === 'linux')('as root on Linux, adds --no-sandbox, without which Chromium refuses to start', () => {
    expect(runAs(null, linux.link, 'serve', '--data', '/var/lib/mw')).toEqual({
      nodeMode: false,
      argv: ['--no-sandbox', '--cli', '--', 'serve', '--data', '/var/lib/mw'],
      status: 3,
    });
    // The desktop app is started as given: no sandbox switch is ever added to it.
    expect(runAs(null, linux.link).argv).toEqual([]);
  });

  it('runs the command line when the command comes after options, and for --version', () => {
    expect(run(linux.link, '--user-data-dir', '/srv/mw', 'info').argv).toEqual(['--cli', '--', '--user-data-dir', '/srv/mw', 'info']);
    expect(run(linux.link, '--policy', '/etc/x.json', 'policy', 'show').argv).toEqual(['--cli', '--', '--policy', '/etc/x.json', 'policy', 'show']);
    expect(run(linux.link, '--version').argv).toEqual(['--cli', '--', '--version']);
  });

  it('starts the desktop app with no arguments, or with options only', () => {
    expect(run(linux.link)).toEqual({ nodeMode: false, argv: [], status: 0 });
    expect(run(linux.link, '--policy', '/etc/x.json')).toEqual({ nodeMode: false, argv: ['--policy', '/etc/x.json'], status: 0 });
    expect(run(linux.link, '--demo', '--user-data-dir', '/home/u/mw')).toEqual({
      nodeMode: false,
      argv: ['--demo', '--user-data-dir', '/home/u/mw'],
      status: 0,
    });
  });

  it('finds the app inside a macOS bundle', () => {
    const mac = install('mac', 'Mailwarden.app/Contents/MacOS/Mailwarden', 'Mailwarden.app/Contents/Resources');
    expect(run(mac.link, 'policy', 'check', 'p.json')).toEqual({ nodeMode: false, argv: ['--cli', '--', 'policy', 'check', 'p.json'], status: 3 });
  });
});
