// Covers scripts/setup-test-machine.mjs (`npm run setup`), the first step of the README's test
// command: what it installs, skips or asks for, with exec recorded instead of run; and that the
// README and .ci/run both call it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postfixSelection, setupTestMachine, testPackages } from '../../scripts/setup-test-machine.mjs';

const root = join(import.meta.dirname, '../..');

interface Call {
  readonly command: string;
  readonly args: readonly string[];
  readonly input?: string;
  readonly env?: Record<string, string>;
}

/** A Debian machine where `installed` are installed; `failing` names commands (with their first argument) that fail. */
function machine(installed: readonly string[], options: { dpkg?: boolean; aptGet?: boolean; failing?: readonly string[] } = {}) {
  const calls: Call[] = [];
  const lines: string[] = [];
  const exec = (command: string, args: readonly string[], extra: { input?: string; env?: Record<string, string> } = {}) => {
    calls.push({ command, args, ...extra });
    if (command === 'dpkg' && options.dpkg === false) return { status: null };
    if (command === 'apt-get' && options.aptGet === false) return { status: null };
    if (options.failing?.includes(`${command} ${args[0] ?? ''}`.trim())) return { status: 100 };
    if (command === 'dpkg' && args[0] === '-s') return { status: installed.includes(args[1]!) ? 0 : 1 };
    return { status: 0 };
  };
  return { exec, calls, lines, log: (line: string) => lines.push(line) };
}

const changes = (calls: readonly Call[]) => calls.filter((call) => call.command !== 'dpkg' && !(call.command === 'apt-get' && call.args[0] === '--version'));

describe('npm run setup', () => {
  it('lists what .ci/run installed plus the Dovecot, Postfix, PostgreSQL and openssl packages the tests need', () => {
    expect([...testPackages].sort()).toEqual(
      [
        'chromium',
        'xvfb',
        'xauth',
        'dbus',
        'dbus-x11',
        'gnome-keyring',
        'libsecret-tools',
        'dovecot-imapd',
        'dovecot-lmtpd',
        'dovecot-auth-lua',
        'postfix',
        'postgresql-15',
        'openssl',
        'fonts-noto-cjk',
      ].sort(),
    );
  });

  it('changes nothing when every package is installed, and says so', () => {
    const m = machine(testPackages);
    expect(setupTestMachine({ exec: m.exec, platform: 'linux', uid: 0, log: m.log })).toBe(0);
    expect(changes(m.calls)).toEqual([]);
    expect(m.calls.filter((call) => call.command === 'dpkg' && call.args[0] === '-s').map((call) => call.args[1])).toEqual([...testPackages]);
    expect(m.lines).toEqual([`setup: the ${testPackages.length} Debian packages the tests need are installed`]);
  });

  it('as root installs only the missing packages, non-interactively, Postfix with "No configuration"', () => {
    const m = machine(testPackages.filter((name) => !['postfix', 'dovecot-lmtpd'].includes(name)));
    expect(setupTestMachine({ exec: m.exec, platform: 'linux', uid: 0, log: m.log })).toBe(0);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    expect(changes(m.calls)).toEqual([
      { command: 'debconf-set-selections', args: [], input: postfixSelection, env },
      { command: 'apt-get', args: ['update', '-qq'], env },
      { command: 'apt-get', args: ['install', '-y', '-qq', '--no-install-recommends', 'dovecot-lmtpd', 'postfix'], env },
    ]);
    expect(postfixSelection).toBe('postfix postfix/main_mailer_type select No configuration\n');
    expect(m.lines.at(-1)).toBe('setup: installed dovecot-lmtpd postfix');
  });

  it('sets no debconf answer when Postfix is already there', () => {
    const m = machine(testPackages.filter((name) => name !== 'chromium'));
    expect(setupTestMachine({ exec: m.exec, platform: 'linux', uid: 0, log: m.log })).toBe(0);
    expect(changes(m.calls).map((call) => call.command)).toEqual(['apt-get', 'apt-get']);
  });

  it('not as root: installs nothing and says in one line what to run, exiting 1', () => {
    const m = machine(testPackages.filter((name) => name !== 'postgresql-15' && name !== 'chromium'));
    expect(setupTestMachine({ exec: m.exec, platform: 'linux', uid: 1000, log: m.log, rerun: 'sudo node scripts/setup-test-machine.mjs' })).toBe(1);
    expect(changes(m.calls)).toEqual([]);
    expect(m.lines).toEqual([
      'setup: missing Debian packages chromium postgresql-15; run `sudo node scripts/setup-test-machine.mjs` (as root, with apt-get), then this command again',
    ]);
  });

  it('as root without apt-get: installs nothing and says what to run', () => {
    const m = machine([], { aptGet: false });
    expect(setupTestMachine({ exec: m.exec, platform: 'linux', uid: 0, log: m.log })).toBe(1);
    expect(changes(m.calls)).toEqual([]);
    expect(m.lines).toHaveLength(1);
    expect(m.lines[0]).toMatch(/^setup: missing Debian packages chromium .*; run `sudo .*setup-test-machine\.mjs`/);
  });

  it.each([
    ['macOS', 'darwin', {}],
    ['a Linux without dpkg', 'linux', { dpkg: false }],
  ] as const)('on %s: installs nothing, names the packages in one line, and lets the tests run', (_label, platform, options) => {
    const m = machine([], options);
    expect(setupTestMachine({ exec: m.exec, platform, uid: 0, log: m.log })).toBe(0);
    expect(changes(m.calls)).toEqual([]);
    expect(m.lines).toEqual([`setup: not a Debian system, nothing installed; the tests want these Debian packages or their like: ${testPackages.join(' ')}`]);
  });

  it.each([
    ['apt-get update', 'setup: apt-get update failed; nothing installed'],
    ['apt-get install', 'setup: apt-get install failed for postfix'],
    ['debconf-set-selections', 'setup: debconf-set-selections failed for postfix; nothing installed'],
  ])('exits 1 when %s fails, saying so', (failing, line) => {
    const m = machine(
      testPackages.filter((name) => name !== 'postfix'),
      { failing: [failing] },
    );
    expect(setupTestMachine({ exec: m.exec, platform: 'linux', uid: 0, log: m.log })).toBe(1);
    expect(m.lines.at(-1)).toBe(line);
  });

  it('is the first step of the README’s test command and of .ci/run', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('```sh\nnpm run setup && npm install && npm test\n```');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.setup).toBe('node scripts/setup-test-machine.mjs');
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^npm run setup && npm ci --no-audit --no-fund && npm test$/m);
    // The package list lives in the script alone.
    expect(ci).not.toMatch(/apt-get install/);
  });
});
