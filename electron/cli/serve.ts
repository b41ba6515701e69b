/**
 * `mailwarden serve --data DIR [--socket PATH] [--policy FILE]`: the backend without a window,
 * answering a mail server's login checks on a Unix socket (electron/platform/mail-auth) until
 * SIGTERM or SIGINT. The data folder is locked while it runs (store/open.ts), so the app cannot
 * open the same folder at the same time.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyMailLogin } from '../core/mail-login';
import { withRequestLabel } from '../platform/request-label';
import { openBackend, type Backend } from '../platform/compose';
import { createConsoleLogger } from '../platform/logger';
import { startMailAuthServer, type MailAuthServer } from '../platform/mail-auth/server';
import { productName } from '../platform/paths';
import { readPolicy } from '../platform/policy';
import type { ResolvedPolicy } from '../core/policy';
import { version } from '../../package.json';

export const serveUsage = `Usage: mailwarden serve --data DIR [--socket PATH] [--policy FILE]

Runs the backend of the data folder DIR without a window and answers mail-server logins
(Dovecot's checkpassword program, an SMTP server's AUTH) on the Unix socket PATH, mode 0600,
by default DIR/mail-auth.sock. Run it as the user the mail server's auth process runs as.
Stops on SIGTERM or SIGINT.
`;

/** The socket's name inside the data folder when --socket is not given. */
export const defaultSocketName = 'mail-auth.sock';

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
    options: { data: { type: 'string' }, 'user-data-dir': { type: 'string' }, socket: { type: 'string' }, policy: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const dataOption = text(values.data) ?? text(values['user-data-dir']);
  if (!dataOption) {
    errOut(`mailwarden: serve needs --data DIR\n\n${serveUsage}`);
    return 2;
  }
  const dataDir = resolve(cwd, dataOption);
  const socketPath = resolve(cwd, text(values.socket) ?? join(dataDir, defaultSocketName));
  const policyFile = text(values.policy);

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
  try {
    backend = await openBackend({ productName, version, dataDir, shell: 'cli', demo: false, platform: process.platform }, logger, { policy });
  } catch (cause) {
    errOut(`mailwarden: cannot open ${dataDir}: ${(cause as Error).message}\n`);
    return 1;
  }
  let server: MailAuthServer;
  try {
    server = await startMailAuthServer({ socketPath, logger, verify: (request) => withRequestLabel('mail login', () => verifyMailLogin(backend.core, request)) });
  } catch (cause) {
    await backend.close();
    errOut(`mailwarden: cannot answer on ${socketPath}: ${(cause as Error).message}\n`);
    return 1;
  }
  out(`Mailwarden mail-auth bridge: answering on ${socketPath}\nData folder: ${dataDir}\n`);
  await until;
  await server.close();
  await backend.close();
  out('Mailwarden mail-auth bridge: stopped\n');
  return 0;
}
