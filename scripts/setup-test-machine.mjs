// `npm run setup`: installs the Debian packages the tests need, so the README's one test command
// (`npm run setup && npm install && npm test`) works on a fresh machine, and .ci/run runs the same.
//
// - Every package already installed (`dpkg -s`): says so and changes nothing.
// - Some missing, running as root with apt-get: sets Postfix's debconf answer ("No configuration",
//   so it installs without asking), `apt-get update`, installs only the missing ones.
// - Some missing and it cannot install (not root, no apt-get): prints one line saying what to run
//   and exits 1, before a ten-minute test run that would fail for want of them.
// - Not a Debian system (no dpkg): prints one line naming the packages and exits 0; the tests that
//   need them say why they skip.
//
// The decision is `setupTestMachine({ exec, ... })`, tested with a recorded exec in
// test/build/setup-test-machine.test.ts; run directly, it uses the real one.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * What the tests need from Debian, and why:
 * chromium: the browser-mode end-to-end tests; xvfb, xauth: a display for the Electron spec;
 * dbus, dbus-x11, gnome-keyring, libsecret-tools: a real Secret Service for the keychain tests;
 * dovecot-imapd, dovecot-lmtpd, dovecot-auth-lua: a real IMAP server (and its delivery and Lua
 * auth) for the mail-client and mail-auth tests; postfix: a real SMTP server; postgresql-15: the
 * organisation server's database; openssl: a throwaway certificate for the server's HTTPS tests;
 * fonts-noto-cjk: Chinese text in screenshots.
 */
export const testPackages = Object.freeze([
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
]);

/** Postfix asks for a mailer type while installing; "No configuration" installs it idle. */
export const postfixSelection = 'postfix postfix/main_mailer_type select No configuration\n';

/**
 * @typedef {{ status: number | null }} ExecResult
 * @typedef {(command: string, args: readonly string[], options?: { input?: string, env?: Record<string, string> }) => ExecResult} Exec
 */

/** @type {Exec} */
const realExec = (command, args, options = {}) => {
  const result = spawnSync(command, [...args], {
    input: options.input,
    env: { ...process.env, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'ignore', 'inherit'],
  });
  return { status: result.error ? null : result.status };
};

/**
 * @param {{
 *   exec?: Exec,
 *   platform?: string,
 *   uid?: number,
 *   log?: (line: string) => void,
 *   packages?: readonly string[],
 *   rerun?: string,
 * }} [options]
 * @returns {number} the exit code
 */
export function setupTestMachine(options = {}) {
  const exec = options.exec ?? realExec;
  const platform = options.platform ?? process.platform;
  const uid = options.uid ?? process.getuid?.() ?? -1;
  const log = options.log ?? ((line) => console.log(line));
  const packages = options.packages ?? testPackages;
  const rerun = options.rerun ?? `sudo ${process.execPath} ${fileURLToPath(import.meta.url)}`;

  if (platform !== 'linux' || exec('dpkg', ['--version']).status !== 0) {
    log(`setup: not a Debian system, nothing installed; the tests want these Debian packages or their like: ${packages.join(' ')}`);
    return 0;
  }
  const missing = packages.filter((name) => exec('dpkg', ['-s', name]).status !== 0);
  if (missing.length === 0) {
    log(`setup: the ${packages.length} Debian packages the tests need are installed`);
    return 0;
  }
  if (uid !== 0 || exec('apt-get', ['--version']).status !== 0) {
    log(`setup: missing Debian packages ${missing.join(' ')}; run \`${rerun}\` (as root, with apt-get), then this command again`);
    return 1;
  }

  log(`setup: installing ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (missing.includes('postfix') && exec('debconf-set-selections', [], { input: postfixSelection, env }).status !== 0) {
    log('setup: debconf-set-selections failed for postfix; nothing installed');
    return 1;
  }
  if (exec('apt-get', ['update', '-qq'], { env }).status !== 0) {
    log('setup: apt-get update failed; nothing installed');
    return 1;
  }
  if (exec('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env }).status !== 0) {
    log(`setup: apt-get install failed for ${missing.join(' ')}`);
    return 1;
  }
  log(`setup: installed ${missing.join(' ')}`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = setupTestMachine();
