/**
 * A throwaway Dovecot on 127.0.0.1, dropped to nobody, with the checkpassword bridge as its
 * passdb: shared by the integration test (test/platform/mail-auth/dovecot.test.ts) and the
 * mail-server auth benchmark (bench/mail-auth.ts), so both run the same server the same way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { groupStopper } from './processes';

const dovecotBinary = '/usr/sbin/dovecot';
const replyProgram = '/usr/lib/dovecot/checkpassword-reply';

/** Why Dovecot cannot run here, or '' when it can. */
export function dovecotSkipReason(): string {
  if (process.platform !== 'linux') return 'Linux only';
  if (!existsSync(dovecotBinary) || !existsSync(replyProgram)) return 'dovecot-imapd is not installed';
  if (process.getuid?.() !== 0) return 'Dovecot must start as root to drop to nobody';
  return '';
}

function idOf(flag: '-u' | '-g', name: string): number {
  return Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
}

/** The user Dovecot's auth and mail processes run as; files they must reach are handed to it. */
export function nobodyIds(): { uid: number; gid: number } {
  return { uid: idOf('-u', 'nobody'), gid: idOf('-g', 'nobody') };
}

export interface DovecotOptions {
  /** The folder holding Dovecot's run, state and log files. */
  readonly work: string;
  readonly imapPort: number;
  /** The bundled checkpassword program and the bridge socket it asks (unless `luaPassdb`; with neither, `passwdFile` alone). */
  readonly checkpassword?: string;
  readonly socketPath?: string;
  /** Mailwarden's Lua passdb script instead of checkpassword (resources/dovecot/mailwarden-passdb.lua). */
  readonly luaPassdb?: string;
  /** Maildirs, owned by nobody. */
  readonly mail: string;
  /** A passwd-file passdb tried before the bridge (the benchmark's comparison users). */
  readonly passwdFile?: string;
  /** Extra top-level lines, e.g. `auth_cache_size = 0` or `auth_verbose = yes`. */
  readonly extra?: readonly string[];
  /**
   * Shared mailboxes as resources/dovecot/README.md sets them up: the ACL plugin, a shared
   * namespace, and a master user (in this passwd-file) that Mailwarden sets ACLs through.
   */
  readonly acl?: { readonly masterPasswdFile: string; /** In a folder the mail processes (nobody) may write. */ readonly sharedDict: string };
  /** A socket where Postfix asks Dovecot's auth for SMTP logins (smtpd_sasl_type = dovecot). */
  readonly saslSocket?: string;
}

/** The lines resources/dovecot/README.md gives for shared mailboxes, with this run's paths. */
function aclConfig(mail: string, masterPasswdFile: string, sharedDict: string): string[] {
  return [
    'auth_master_user_separator = *',
    'mail_plugins = $mail_plugins acl',
    'protocol imap {',
    '  mail_plugins = $mail_plugins imap_acl',
    '}',
    'namespace inbox {',
    '  inbox = yes',
    '  separator = /',
    '}',
    'namespace {',
    '  type = shared',
    '  separator = /',
    '  prefix = shared/%%u/',
    `  location = maildir:${mail}/%%u`,
    '  subscriptions = no',
    '  list = children',
    '}',
    'plugin {',
    '  acl = vfile',
    `  acl_shared_dict = file:${sharedDict}`,
    // The master user acts with the owner's own rights, and other folders follow INBOX's ACL.
    '  acl_user = %u',
    '  acl_defaults_from_inbox = yes',
    '}',
    'passdb {',
    '  driver = passwd-file',
    `  args = ${masterPasswdFile}`,
    '  master = yes',
    '}',
  ];
}

function dovecotConfig(options: DovecotOptions): string {
  const { work, mail } = options;
  const { uid, gid } = nobodyIds();
  return [
    `base_dir = ${join(work, 'run')}`,
    `state_dir = ${join(work, 'state')}`,
    `log_path = ${join(work, 'dovecot.log')}`,
    'default_internal_user = nobody',
    'default_internal_group = nogroup',
    'default_login_user = nobody',
    'protocols = imap',
    'listen = 127.0.0.1',
    'ssl = no',
    'auth_mechanisms = plain login',
    'disable_plaintext_auth = no',
    // Each refusal would otherwise wait two seconds before it is told.
    'auth_failure_delay = 0',
    ...(options.extra ?? []),
    `mail_location = maildir:${mail}/%u`,
    ...(options.acl ? aclConfig(mail, options.acl.masterPasswdFile, options.acl.sharedDict) : []),
    // Dovecot's own users first, when there are any; an address it does not know goes on to the bridge.
    ...(options.passwdFile ? ['passdb {', '  driver = passwd-file', `  args = ${options.passwdFile}`, '}'] : []),
    ...(options.luaPassdb
      ? ['passdb {', '  driver = lua', `  args = file=${options.luaPassdb} blocking=yes`, '}']
      : options.checkpassword
        ? ['passdb {', '  driver = checkpassword', `  args = ${process.execPath} ${options.checkpassword} --socket=${options.socketPath}`, '}']
        : // Dovecot's passwd-file alone: a mail system Mailwarden does not run (the web-mail mode's stand-in).
          []),
    'userdb {',
    '  driver = static',
    `  args = uid=${uid} gid=${gid} home=${mail}/%u`,
    '}',
    // The checkpassword program is a node process, a child of the auth process: Dovecot's
    // default 256 MB address-space limit is too small for V8 to reserve its code range.
    'service auth {',
    '  vsz_limit = 0',
    ...(options.saslSocket ? [`  unix_listener ${options.saslSocket} {`, '    mode = 0666', '  }'] : []),
    '}',
    // Dovecot's way to switch its per-address auth penalty off (up to 15 s after refusals): the
    // test refuses one address on purpose, many times within seconds.
    'service anvil {',
    '  unix_listener anvil-auth-penalty {',
    '    mode = 0',
    '  }',
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${options.imapPort}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Resolves once something accepts connections on the port, within a bounded wait. */
export async function waitForListener(port: number, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) {
      const log = logFile ? await readFile(logFile, 'utf8').catch(() => '') : '';
      throw new Error(`nothing listens on ${port} after ${timeoutMs} ms${log ? `: ${log}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RunningDovecot {
  readonly process: ChildProcess;
  /** SIGTERM to its process group, SIGKILL if it has not gone within 5 s. */
  stop(): Promise<void>;
}

/** Writes the config, starts Dovecot in the foreground in its own process group, waits for IMAP. */
export async function startDovecot(options: DovecotOptions): Promise<RunningDovecot> {
  const config = join(options.work, 'dovecot.conf');
  await writeFile(config, dovecotConfig(options));
  const child = spawn(dovecotBinary, ['-F', '-c', config], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const stop = groupStopper(child);
  try {
    await waitForListener(options.imapPort, 15_000, join(options.work, 'dovecot.log'));
  } catch (cause) {
    await stop();
    throw cause;
  }
  return { process: child, stop };
}

export type LoginOutcome = { ok: true } | { ok: false; authenticationFailed: boolean; code: string | undefined; text: string };

/** An IMAP login as a mail client makes it (imapflow picks AUTHENTICATE PLAIN or LOGIN), then logout. */
export async function imapLogin(port: number, user: string, pass: string): Promise<LoginOutcome> {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false, connectionTimeout: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.logout();
    return { ok: true };
  } catch (cause) {
    const error = cause as { authenticationFailed?: boolean; serverResponseCode?: string; responseText?: string; message: string };
    client.close();
    return { ok: false, authenticationFailed: error.authenticationFailed === true, code: error.serverResponseCode, text: error.responseText ?? error.message };
  }
}
