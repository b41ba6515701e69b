/**
 * A throwaway Postfix 3 on 127.0.0.1 for the sending rules (issue 12, item 4): its own
 * configuration, queue and log in a temporary folder (`postfix -c DIR start-fg`), SMTP logins
 * through Dovecot's SASL socket, the sender check asked of Mailwarden's socketmap, and every
 * accepted message relayed to a capture server on loopback so a test can read what arrived.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForListener } from './dovecot';
import { groupStopper } from './processes';

const postfixBinary = '/usr/sbin/postfix';

/** Why Postfix cannot run here, or '' when it can. */
export function postfixSkipReason(): string {
  if (process.platform !== 'linux') return 'Linux only';
  if (!existsSync(postfixBinary)) return 'postfix is not installed';
  if (process.getuid?.() !== 0) return 'Postfix must start as root';
  if (spawnSync('id', ['-u', 'postfix']).status !== 0) return 'there is no postfix user';
  return '';
}

export interface PostfixOptions {
  /** The folder for its configuration, queue, data and log. */
  readonly work: string;
  readonly smtpPort: number;
  /** Dovecot's auth socket for SASL (DovecotOptions.saslSocket). */
  readonly saslSocket: string;
  /** `serve --sender-map`'s port: smtpd_sender_login_maps. */
  readonly senderMapPort: number;
  /** Where accepted mail is relayed (a capture smtp-server on loopback). */
  readonly relayPort: number;
}

export interface RunningPostfix {
  readonly log: () => Promise<string>;
  stop(): Promise<void>;
}

export async function startPostfix(options: PostfixOptions): Promise<RunningPostfix> {
  const { work } = options;
  const conf = join(work, 'postfix');
  const queue = join(work, 'postfix-queue');
  const data = join(work, 'postfix-data');
  const log = join(work, 'postfix.log');
  for (const dir of [conf, queue, data]) await mkdir(dir, { recursive: true });
  await chown(data, Number(spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' }).stdout.trim()), 0);
  await writeFile(
    join(conf, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${queue}`,
      `data_directory = ${data}`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = mailwarden.test',
      'mydomain = mailwarden.test',
      'mydestination =',
      'mynetworks =',
      'relay_domains =',
      `maillog_file_prefixes = ${work}`,
      `maillog_file = ${log}`,
      'alias_maps =',
      'alias_database =',
      'biff = no',
      'smtputf8_enable = no',
      'smtpd_tls_security_level = none',
      'smtp_tls_security_level = none',
      // Everything accepted goes to the test's capture server.
      `relayhost = [127.0.0.1]:${options.relayPort}`,
      'default_transport = smtp',
      'relay_transport = smtp',
      // resources/postfix/README.md §2, with this run's sockets.
      'smtpd_sasl_type = dovecot',
      `smtpd_sasl_path = ${options.saslSocket}`,
      'smtpd_sasl_auth_enable = yes',
      'smtpd_relay_restrictions = permit_sasl_authenticated, reject',
      `smtpd_sender_login_maps = socketmap:inet:127.0.0.1:${options.senderMapPort}:senders`,
      'smtpd_sender_restrictions = reject_sender_login_mismatch',
      '',
    ].join('\n'),
  );
  // No chroot: the sockets and the queue are wherever this run put them.
  await writeFile(
    join(conf, 'master.cf'),
    [
      `127.0.0.1:${options.smtpPort} inet n - n - - smtpd`,
      'pickup unix n - n 60 1 pickup',
      'cleanup unix n - n - 0 cleanup',
      'qmgr unix n - n 300 1 qmgr',
      'rewrite unix - - n - - trivial-rewrite',
      'bounce unix - - n - 0 bounce',
      'defer unix - - n - 0 bounce',
      'trace unix - - n - 0 bounce',
      'verify unix - - n - 1 verify',
      'flush unix n - n 1000? 0 flush',
      'proxymap unix - - n - - proxymap',
      'showq unix n - n - - showq',
      'error unix - - n - - error',
      'retry unix - - n - - error',
      'smtp unix - - n - - smtp',
      'relay unix - - n - - smtp',
      'anvil unix - - n - 1 anvil',
      'scache unix - - n - 1 scache',
      'postlog unix-dgram n - n - 1 postlogd',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(postfixBinary, ['-c', conf, 'start-fg'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  const stop = groupStopper(child);
  try {
    await waitForListener(options.smtpPort, 20_000, log);
  } catch (cause) {
    await stop();
    throw new Error(`${(cause as Error).message}\n${errors.join('')}`);
  }
  return { log: () => readFile(log, 'utf8').catch(() => ''), stop };
}
