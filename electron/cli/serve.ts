/**
 * `mailwarden serve --data DIR [--socket PATH] [--policy FILE]`: the backend without a window,
 * answering a mail server's login checks on a Unix socket (electron/platform/mail-auth) until
 * SIGTERM or SIGINT. The data folder is locked while it runs (store/open.ts), so the app cannot
 * open the same folder at the same time.
 */
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyMailLogin } from '../core/mail-login';
import { withRequestLabel } from '../platform/request-label';
import { openBackend, type Backend } from '../platform/compose';
import { createConsoleLogger } from '../platform/logger';
import { startMailAuthServer, type MailAuthServer } from '../platform/mail-auth/server';
import { startMailAuthHttp, type MailAuthHttp } from '../platform/mail-auth/http';
import { startSenderMap, type SenderMap } from '../platform/mail-auth/sender-map';
import { lapseDueGrants, senderLogins } from '../core/grants';
import { syncMailAcls } from '../core/mail-acl';
import { ImapAclApplier } from '../platform/mail-auth/imap-acl';
import { isLoopbackAddress } from '../platform/http/safe-request';
import { parseListen } from '../server/config';
import type { MailLoginRequest } from '../core/mail-login';
import { readFile } from 'node:fs/promises';
import { productName } from '../platform/paths';
import { readPolicy } from '../platform/policy';
import type { ResolvedPolicy } from '../core/policy';
import { openOrganisationBackend, organisationFailure, organisationTarget, redactDatabaseUrl } from './organisation';
import { version } from '../../package.json';

export const serveUsage = `Usage: mailwarden serve --data DIR [--socket PATH] [--policy FILE] [--http HOST:PORT --http-token-file FILE]
       mailwarden serve --database URL --server-key-file FILE --socket PATH [--policy FILE] [--http …]

Runs the backend of the data folder DIR without a window and answers mail-server logins
(Dovecot's checkpassword program, an SMTP server's AUTH) on the Unix socket PATH, mode 0600,
by default DIR/mail-auth.sock. Run it as the user the mail server's auth process runs as.
Stops on SIGTERM or SIGINT.

With --database URL (or MAILWARDEN_DATABASE_URL) it answers from the organisation's PostgreSQL
database instead, with the server key every organisation process shares (--server-key-file FILE
or MAILWARDEN_SERVER_KEY); several bridges may answer from one database at once.

With --http 127.0.0.1:PORT and --http-token-file FILE it also answers Dovecot's Lua passdb
(resources/dovecot/mailwarden-passdb.lua) over loopback HTTP, so a login costs no process
start-up; the file holds a token (openssl rand -hex 32) that the passdb sends with each question.

With --sender-map 127.0.0.1:PORT it answers Postfix's smtpd_sender_login_maps
(socketmap:inet:127.0.0.1:PORT:senders): who may use an address as the sender, from the grants
(resources/postfix/README.md).

With --imap-acl HOST:PORT and --imap-acl-password-file FILE it applies the grants on Dovecot as
IMAP ACLs (shared mailboxes that open in mail clients): it logs in as each owner through the
master user --imap-acl-master-user NAME (default mailwarden-acl) whose password FILE holds,
sets or removes the grantee's rights, and retries what fails. STARTTLS is required unless HOST is
loopback; --imap-acl-tls connects with TLS from the start (port 993). Checked every 5 seconds.
`;

/** How often serve brings the mail server's ACLs in line with the grants. */
const mailAclIntervalMs = 5_000;

/** The socket's name inside the data folder when --socket is not given. */
const defaultSocketName = 'mail-auth.sock';

/**
 * `mail.example.edu:143`, `127.0.0.1:143` or `[::1]:143`: a server to connect to; null otherwise.
 * @internal
 */
export function parseServerAddress(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !(port >= 1 && port <= 65_535)) return null;
  return { host: match[1] ?? match[2]!, port };
}

/** Resolves on the first SIGTERM or SIGINT. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

export async function serveCommand(
  argv: readonly string[],
  out: (s: string) => void,
  errOut: (s: string) => void,
  /** Tests stop it with this instead of a signal. */
  until: Promise<unknown> = stopSignal(),
  cwd: string = process.cwd(),
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: 'string' },
      'user-data-dir': { type: 'string' },
      socket: { type: 'string' },
      policy: { type: 'string' },
      database: { type: 'string' },
      'server-key-file': { type: 'string' },
      http: { type: 'string' },
      'http-token-file': { type: 'string' },
      'sender-map': { type: 'string' },
      'imap-acl': { type: 'string' },
      'imap-acl-tls': { type: 'boolean' },
      'imap-acl-master-user': { type: 'string' },
      'imap-acl-password-file': { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const dataOption = text(values.data) ?? text(values['user-data-dir']);
  const keyFile = text(values['server-key-file']);
  // --database, or MAILWARDEN_DATABASE_URL when no --data DIR says otherwise.
  const organisation =
    text(values.database) || !dataOption
      ? organisationTarget({ database: values.database, ...(keyFile ? { 'server-key-file': resolve(cwd, keyFile) } : {}) }, process.env)
      : null;
  if (!dataOption && !organisation) {
    errOut(`mailwarden: serve needs --data DIR or --database URL\n\n${serveUsage}`);
    return 2;
  }
  if (organisation && !text(values.socket)) {
    // There is no data folder to put it in: the admin names the place Dovecot is told of.
    errOut(`mailwarden: serve --database needs --socket PATH\n\n${serveUsage}`);
    return 2;
  }
  const socketPath = resolve(cwd, text(values.socket) ?? join(resolve(cwd, dataOption!), defaultSocketName));
  // With the organisation's database, no data folder is opened; the socket's folder stands in.
  const dataDir = dataOption ? resolve(cwd, dataOption) : dirname(socketPath);
  const policyFile = text(values.policy);
  // --sender-map HOST:PORT: Postfix's smtpd_sender_login_maps over the socketmap protocol.
  let senderMapListen: { host: string; port: number } | null = null;
  if (text(values['sender-map'])) {
    try {
      senderMapListen = parseListen(text(values['sender-map'])!);
    } catch (cause) {
      errOut(`mailwarden: --sender-map: ${(cause as Error).message}\n`);
      return 2;
    }
    if (!isLoopbackAddress(senderMapListen.host)) {
      errOut(`mailwarden: --sender-map listens on loopback only (127.0.0.1 or ::1), not ${senderMapListen.host}\n`);
      return 2;
    }
  }
  // --imap-acl HOST:PORT with --imap-acl-password-file FILE: grants applied as Dovecot ACLs.
  let aclApplier: ImapAclApplier | null = null;
  if (text(values['imap-acl']) || text(values['imap-acl-password-file'])) {
    if (!text(values['imap-acl']) || !text(values['imap-acl-password-file'])) {
      errOut(`mailwarden: --imap-acl and --imap-acl-password-file go together\n\n${serveUsage}`);
      return 2;
    }
    const target = parseServerAddress(text(values['imap-acl'])!);
    if (!target) {
      errOut(`mailwarden: --imap-acl: "${text(values['imap-acl'])}" is not a host and port such as mail.example.edu:143 or 127.0.0.1:143\n`);
      return 2;
    }
    let masterPassword: string;
    try {
      masterPassword = (await readFile(resolve(cwd, text(values['imap-acl-password-file'])!), 'utf8')).trim();
    } catch (cause) {
      errOut(`mailwarden: cannot read the IMAP ACL password file (${(cause as NodeJS.ErrnoException).code ?? 'error'})\n`);
      return 1;
    }
    if (masterPassword.length === 0 || /[\r\n]/.test(masterPassword)) {
      errOut("mailwarden: the IMAP ACL password file must hold one line, the master user's password\n");
      return 1;
    }
    const masterUser = text(values['imap-acl-master-user']) ?? 'mailwarden-acl';
    aclApplier = new ImapAclApplier({ host: target.host, port: target.port, secure: values['imap-acl-tls'] === true, masterUser, masterPassword });
  }
  // --http HOST:PORT with --http-token-file FILE: the loopback endpoint Dovecot's Lua passdb asks.
  let httpListen: { host: string; port: number } | null = null;
  let httpToken: string | null = null;
  if (text(values.http) || text(values['http-token-file'])) {
    if (!text(values.http) || !text(values['http-token-file'])) {
      errOut(`mailwarden: --http and --http-token-file go together\n\n${serveUsage}`);
      return 2;
    }
    try {
      httpListen = parseListen(text(values.http)!);
    } catch (cause) {
      errOut(`mailwarden: --http: ${(cause as Error).message}\n`);
      return 2;
    }
    if (!isLoopbackAddress(httpListen.host)) {
      errOut(`mailwarden: --http listens on loopback only (127.0.0.1 or ::1), not ${httpListen.host}\n`);
      return 2;
    }
    try {
      httpToken = (await readFile(resolve(cwd, text(values['http-token-file'])!), 'utf8')).trim();
    } catch (cause) {
      errOut(`mailwarden: cannot read the token file (${(cause as NodeJS.ErrnoException).code ?? 'error'})\n`);
      return 1;
    }
    if (!/^[A-Za-z0-9._~+/-]{16,256}=*$/.test(httpToken)) {
      errOut(`mailwarden: the token file must hold one token of 16 or more characters (make one with: openssl rand -hex 32)\n`);
      return 1;
    }
  }

  const logger = createConsoleLogger('serve', (line) => errOut(`${line}\n`));
  // The platform's policy as everywhere; a --policy FILE the admin named must be valid as a
  // whole: a mail server answering logins under a half-read policy is worse than not starting.
  let policy: ResolvedPolicy;
  try {
    const read = await readPolicy({ platform: process.platform, ...(policyFile ? { policyFile: resolve(cwd, policyFile) } : {}) }, logger);
    const fileProblems = read.problems.filter((problem) => problem.origin === 'policy-file');
    if (fileProblems.length > 0) {
      for (const problem of fileProblems) errOut(`mailwarden: ${policyFile}: ${problem.path}: ${problem.reason}\n`);
      return 1;
    }
    policy = read;
  } catch (cause) {
    errOut(`mailwarden: ${(cause as Error).message}\n`);
    return 1;
  }

  let backend: Backend;
  const environment = { productName, version, dataDir, shell: 'cli', demo: false, platform: process.platform } as const;
  try {
    backend = organisation
      ? await openOrganisationBackend(environment, logger, { policy }, organisation, process.env)
      : await openBackend(environment, logger, { policy });
  } catch (cause) {
    const failure = organisationFailure(cause);
    if (failure) {
      errOut(`mailwarden: ${failure.message}\n`);
      return failure.exitCode;
    }
    errOut(`mailwarden: cannot open ${dataDir}: ${(cause as Error).message}\n`);
    return 1;
  }
  const verify = (request: MailLoginRequest) => withRequestLabel('mail login', () => verifyMailLogin(backend.core, request));
  let server: MailAuthServer;
  try {
    server = await startMailAuthServer({ socketPath, logger, verify });
  } catch (cause) {
    await backend.close();
    errOut(`mailwarden: cannot answer on ${socketPath}: ${(cause as Error).message}\n`);
    return 1;
  }
  let endpoint: MailAuthHttp | null = null;
  if (httpListen) {
    try {
      endpoint = await startMailAuthHttp({ host: httpListen.host, port: httpListen.port, token: httpToken!, logger, verify });
    } catch (cause) {
      await server.close();
      await backend.close();
      errOut(
        `mailwarden: cannot answer on http://${httpListen.host}:${httpListen.port}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}\n`,
      );
      return 1;
    }
  }
  let senderMap: SenderMap | null = null;
  if (senderMapListen) {
    try {
      senderMap = await startSenderMap({
        host: senderMapListen.host,
        port: senderMapListen.port,
        logger,
        lookup: (sender) => withRequestLabel('sender map', () => senderLogins(backend.core, sender)),
      });
    } catch (cause) {
      await endpoint?.close();
      await server.close();
      await backend.close();
      errOut(
        `mailwarden: cannot answer on ${senderMapListen.host}:${senderMapListen.port}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}\n`,
      );
      return 1;
    }
  }
  // Grants to the mail server: at once, then every few seconds; one round at a time.
  let aclRound: Promise<unknown> | null = null;
  const aclTick = () => {
    if (!aclApplier || aclRound) return;
    const applier = aclApplier;
    aclRound = withRequestLabel('mail server ACLs', () => syncMailAcls(backend.core, applier, { lapse: () => lapseDueGrants(backend.core) }))
      .catch((cause: unknown) => logger.error('mail server ACL round failed', { error: cause instanceof Error ? cause.message : String(cause) }))
      .finally(() => {
        aclRound = null;
      });
  };
  const aclTimer = aclApplier ? setInterval(aclTick, mailAclIntervalMs) : null;
  aclTick();

  out(
    `Mailwarden mail-auth bridge: answering on ${socketPath}\n` +
      (aclApplier ? `Mailwarden shared mailboxes: applying grants as IMAP ACLs on ${text(values['imap-acl'])}\n` : '') +
      (senderMap ? `Mailwarden sender map: answering Postfix on socketmap:inet:${senderMapListen!.host}:${senderMap.port}:senders\n` : '') +
      (endpoint ? `Mailwarden mail-auth bridge: answering Dovecot's Lua passdb on http://${httpListen!.host}:${endpoint.port}/mail-login\n` : '') +
      `${organisation ? `Database: ${redactDatabaseUrl(organisation.url)}` : `Data folder: ${dataDir}`}\n`,
  );
  await until;
  if (aclTimer) clearInterval(aclTimer);
  await aclRound;
  await senderMap?.close();
  await endpoint?.close();
  await server.close();
  await backend.close();
  out('Mailwarden mail-auth bridge: stopped\n');
  return 0;
}
