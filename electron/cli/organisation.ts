/**
 * The IT commands against the organisation's database instead of a data folder:
 * `--database URL` (or MAILWARDEN_DATABASE_URL, which keeps a password in the URL out of the
 * shell's history and the process list) with the server key every organisation process shares
 * (`--server-key-file FILE` or MAILWARDEN_SERVER_KEY, electron/postgres/open.ts).
 */
import type { AppEnvironment } from '../core/app-info';
import type { Logger } from '../core/ports';
import { assembleBackend, type Backend, type BackendOptions } from '../platform/compose';
import { loadServerKey, openOrganisationStore, ServerKeyError, serverKeyVariable, type OpenedOrganisationStore } from '../postgres/open';
import { deriveKey, openLine, sealLine } from '../store/crypto';

export const databaseVariable = 'MAILWARDEN_DATABASE_URL';

export interface OrganisationTarget {
  readonly url: string;
  readonly serverKeyFile: string | undefined;
}

/** The database the command line was pointed at, if any: the flag wins over the environment. */
export function organisationTarget(flags: { database?: unknown; 'server-key-file'?: unknown }, env: NodeJS.ProcessEnv): OrganisationTarget | null {
  const url = typeof flags.database === 'string' && flags.database !== '' ? flags.database : env[databaseVariable];
  if (!url) return null;
  return { url, serverKeyFile: typeof flags['server-key-file'] === 'string' && flags['server-key-file'] !== '' ? flags['server-key-file'] : undefined };
}

/** The URL with its password replaced, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a database URL that does not parse)';
  }
}

class OrganisationOpenError extends Error {
  override readonly name = 'OrganisationOpenError';
  constructor(
    message: string,
    /** 2: the command line was wrong (no server key given); 1: the database or key failed. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** The message and exit code of a failure to open the organisation's backend; null for any other error. */
export function organisationFailure(cause: unknown): { message: string; exitCode: 1 | 2 } | null {
  if (cause instanceof OrganisationOpenError) return { message: cause.message, exitCode: cause.exitCode };
  if (cause instanceof ServerKeyError) return { message: cause.message, exitCode: 1 };
  return null;
}

/** The same backend as a desktop's, on the organisation's PostgreSQL store. */
export async function openOrganisationBackend(
  environment: AppEnvironment,
  logger: Logger,
  options: BackendOptions,
  target: OrganisationTarget,
  env: NodeJS.ProcessEnv,
): Promise<Backend> {
  if (!target.serverKeyFile && !env[serverKeyVariable]) {
    throw new OrganisationOpenError(`the organisation's database needs its server key: --server-key-file FILE or ${serverKeyVariable}`, 2);
  }
  const serverKey = await loadServerKey({ ...(target.serverKeyFile ? { file: target.serverKeyFile } : {}), env });
  const opened = await openOrganisationDatabase(target.url, serverKey, logger, 4);
  return assembleOrganisationBackend(environment, logger, options, opened, serverKey);
}

/** The organisation's store, with a failure told without the URL's password. */
export async function openOrganisationDatabase(url: string, serverKey: Uint8Array, logger: Logger, poolSize: number): Promise<OpenedOrganisationStore> {
  try {
    return await openOrganisationStore({ url, serverKey, logger, poolSize });
  } catch (cause) {
    // The driver's message may quote the URL, password and all: say only what failed and where.
    const code = (cause as { code?: unknown }).code;
    throw new OrganisationOpenError(`cannot open the organisation's database ${redactDatabaseUrl(url)}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

/** The core, its handlers and the dispatcher over an opened organisation store; closing the backend closes the store. */
export function assembleOrganisationBackend(
  environment: AppEnvironment,
  logger: Logger,
  options: BackendOptions,
  opened: OpenedOrganisationStore,
  serverKey: Uint8Array,
): Promise<Backend> {
  const fileKey = deriveKey(serverKey, 'files');
  return assembleBackend({ ...environment, backend: 'organisation' }, logger, options, {
    store: opened.store,
    keys: opened.keys,
    sealer: { seal: (text, purpose) => sealLine(fileKey, text, purpose), open: (line, purpose) => openLine(fileKey, line, purpose) },
    close: () => opened.store.close(),
  });
}
