// Covers resources/bin/mailwarden, the launcher the deb links as /usr/bin/mailwarden (and macOS
// installs in the bundle): run against a fake install tree whose "Electron" prints how it was called.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const launcher = join(import.meta.dirname, '../../resources/bin/mailwarden');
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'mw-launcher-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An install tree: the app binary at `binary`, resources beside it, /usr/bin-style link to the launcher. */
function install(name: string, binary: string, resources: string): { link: string; resources: string } {
  const base = join(scratch, name);
  mkdirSync(join(base, resources, 'bin'), { recursive: true });
  mkdirSync(join(base, binary, '..'), { recursive: true });
  copyFileSync(launcher, join(base, resources, 'bin/mailwarden'));
  chmodSync(join(base, resources, 'bin/mailwarden'), 0o755);
  // The fake app: reports its environment and arguments, exits 3 in Node mode (a CLI failure).
  writeFileSync(
    join(base, binary),
    `#!/bin/sh\nprintf '%s\\n' "node=\${ELECTRON_RUN_AS_NODE:-}" "$@"\n[ -n "\${ELECTRON_RUN_AS_NODE:-}" ] && exit 3\nexit 0\n`,
    { mode: 0o755 },
  );
  mkdirSync(join(base, 'usr/bin'), { recursive: true });
  symlinkSync(join(base, resources, 'bin/mailwarden'), join(base, 'usr/bin/mailwarden'));
  return { link: join(base, 'usr/bin/mailwarden'), resources: join(base, resources) };
}

function run(link: string, ...args: string[]) {
  const result = spawnSync(link, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const [mode, ...argv] = result.stdout.trimEnd().split('\n');
  return { nodeMode: mode === 'node=1', argv, status: result.status };
}

describe.skipIf(process.platform === 'win32')('mailwarden launcher', () => {
  const linux = install('linux', 'opt/Mailwarden/mailwarden', 'opt/Mailwarden/resources');
  const cli = join(linux.resources, 'app.asar/out/main/cli.js');

  it('runs a command through the IT command line in Node mode, from the /usr/bin link', () => {
    expect(run(linux.link, 'policy', 'show')).toEqual({ nodeMode: true, argv: [cli, 'policy', 'show'], status: 3 });
  });

  it('passes arguments with spaces through unchanged', () => {
    expect(run(linux.link, 'import-mailboxes', '/tmp/my list.csv').argv).toEqual([cli, 'import-mailboxes', '/tmp/my list.csv']);
  });

  it('shows the command line’s help for --help', () => {
    expect(run(linux.link, '--help')).toMatchObject({ nodeMode: true, argv: [cli, '--help'] });
  });

  it('starts the desktop app with no arguments, or with options only', () => {
    expect(run(linux.link)).toEqual({ nodeMode: false, argv: [], status: 0 });
    expect(run(linux.link, '--policy', '/etc/x.json')).toEqual({ nodeMode: false, argv: ['--policy', '/etc/x.json'], status: 0 });
  });

  it('finds the app inside a macOS bundle', () => {
    const mac = install('mac', 'Mailwarden.app/Contents/MacOS/Mailwarden', 'Mailwarden.app/Contents/Resources');
    expect(run(mac.link, 'policy', 'check', 'p.json')).toEqual({
      nodeMode: true,
      argv: [join(mac.resources, 'app.asar/out/main/cli.js'), 'policy', 'check', 'p.json'],
      status: 3,
    });
  });
});
