/**
 * `mailwarden server`: the organisation server. The same contract and core handlers as the
 * desktop, over HTTPS, on the organisation's PostgreSQL database; it serves the renderer as a web
 * page too. Runs with plain Node (`node out/main/cli.js server …`), no Electron needed. Several
 * processes may serve one database behind a load balancer: every rule and every sign-in lives in
 * the database (StoredSessions), none in a process.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silentLogger, type Clock } from '../core/ports';
import { resolvePolicy, type PolicyLayer } from '../core/policy';
import { StoredSessions } from '../core/sessions';
import { createConsoleLogger } from '../platform/logger';
import { productName } from '../platform/paths';
import { readPolicyLayers } from '../platform/policy';
import { readOrganisationPolicy } from '../core/organisation-policy';
import { loadServerKey, ServerKeyError, serverKeyVariable, type OpenedOrganisationStore } from '../postgres/open';
import { deriveKey } from '../store/crypto';
import { parseConfigFile, resolveServerConfig, ServerConfigError, serverEnvironment, type ServerConfig, type ServerConfigFile } from '../server/config';
import { takePhoneHandoff } from '../core/phone-handoff';
import { startOrganisationServer, type RunningOrganisationServer, type ServerTimeouts } from '../server/http';
import { assembleOrganisationBackend, openOrganisationDatabase, organisationFailure, redactDatabaseUrl } from './organisation';
import { version } from '../../package.json';

export const serverUsage = `Usage: mailwarden server [--config FILE] [options]

Runs the organisation server: every desktop, every browser and the mail server ask it, and it
keeps 2FA, client passwords, trusted devices, shared mailboxes and the security log in the
organisation's PostgreSQL database. It also serves the app as a web page at its public address.
Stops gracefully on SIGTERM or SIGINT: requests in flight finish, then the database pool closes.

Options (each also in the config file, and in the environment variable named):
  --config FILE           A JSON file with any of the settings below (docs/it-deployment.md)
  --listen HOST:PORT      The address to listen on; default 127.0.0.1:8443      ${serverEnvironment.listen}
  --public-url URL        The address people open, e.g. https://mailwarden.example.edu; the Host
                          and Origin of every request must name it                ${serverEnvironment.publicUrl}
  --tls-cert FILE         The certificate chain (PEM)                              ${serverEnvironment.tlsCert}
  --tls-key FILE          Its private key (PEM)                                    ${serverEnvironment.tlsKey}
  --behind-proxy          Plain HTTP from a reverse proxy that ends TLS; the client address is
                          the last X-Forwarded-For entry                           ${serverEnvironment.behindProxy}
  --database URL          The organisation's PostgreSQL database                   ${serverEnvironment.database}
  --server-key-file FILE  The server key every process shares (or the key itself in
                          ${serverKeyVariable}); make one with: openssl rand -base64 32
  --policy FILE           A policy file below the one stored with \`mailwarden policy set\`, which
                          every process applies at start (policy.json format)    ${serverEnvironment.policyFile}
  --data-dir DIR          Where the SMS test outbox is kept when no gateway is set; default .
  --help                  Print this help

Without a certificate it speaks plain HTTP, which it allows only on a loopback address or with
--behind-proxy, and it says so when it starts. GET /health answers 200 while the database
answers, 503 otherwise and while stopping, for a load balancer.
Exit codes: 0 stopped, 1 could not start, 2 the command line or config file was wrong.
`;

const flagNames = ['config', 'listen', 'public-url', 'tls-cert', 'tls-key', 'behind-proxy', 'database', 'server-key-file', 'policy', 'data-dir', 'help'];

/** Resolves on the first SIGTERM or SIGINT. */
function stopSignal(): Promise<unknown> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolveStop(undefined);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * The built renderer (out/renderer). This module may be bundled into out/main/cli.js itself or
 * into a shared chunk under out/main/chunks, so the folder is looked for from both.
 */
function builtRendererDir(): string {
  const candidates = ['../renderer', '../../renderer'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  return candidates.find((dir) => existsSync(`${dir}/index.html`)) ?? candidates[0]!;
}

export interface ServerCommandHooks {
  /** Tests stop it with this instead of a signal. */
  readonly until?: Promise<unknown>;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Told the port once it listens (a test asks for port 0). */
  readonly onListening?: (port: number) => void;
  readonly clock?: Clock;
  readonly timeouts?: Partial<ServerTimeouts>;
  /** The built renderer; out/renderer beside this build by default. */
  readonly rendererDir?: string;
}

export async function serverCommand(
  argv: readonly string[],
  out: (s: string) => void,
  errOut: (s: string) => void,
  hooks: ServerCommandHooks = {},
): Promise<number> {
  const cwd = hooks.cwd ?? process.cwd();
  const env = hooks.env ?? process.env;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        listen: { type: 'string' },
        'public-url': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'behind-proxy': { type: 'boolean' },
        database: { type: 'string' },
        'server-key-file': { type: 'string' },
        policy: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (cause) {
    errOut(`mailwarden: ${(cause as Error).message}\nOptions: ${flagNames.map((name) => `--${name}`).join(' ')}\n\n${serverUsage}`);
    return 2;
  }
  if (values.help) {
    out(serverUsage);
    return 0;
  }
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const path = (name: string) => (text(name) === undefined ? undefined : resolve(cwd, text(name)!));

  let config: ServerConfig;
  try {
    let file: ServerConfigFile = {};
    const configPath = path('config');
    if (configPath) {
      let raw: string;
      try {
        raw = await readFile(configPath, 'utf8');
      } catch (cause) {
        throw new ServerConfigError(`cannot read the config file ${configPath} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      file = parseConfigFile(raw, configPath);
    }
    config = resolveServerConfig(file, env, {
      ...(text('listen') ? { listen: text('listen') } : {}),
      ...(text('public-url') ? { publicUrl: text('public-url') } : {}),
      ...(path('tls-cert') ? { tlsCert: path('tls-cert') } : {}),
      ...(path('tls-key') ? { tlsKey: path('tls-key') } : {}),
      ...(values['behind-proxy'] ? { behindProxy: true } : {}),
      ...(text('database') ? { database: text('database') } : {}),
      ...(path('server-key-file') ? { serverKeyFile: path('server-key-file') } : {}),
      ...(path('policy') ? { policyFile: path('policy') } : {}),
    });
  } catch (cause) {
    if (!(cause instanceof ServerConfigError)) throw cause;
    errOut(`mailwarden: ${cause.message}\n`);
    return 2;
  }

  const logger = createConsoleLogger('server', (line) => errOut(`${line}\n`));
  let tls: { cert: Buffer; key: Buffer } | null = null;
  if (config.tls) {
    try {
      tls = { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) };
    } catch (cause) {
      errOut(
        `mailwarden: cannot read the certificate or its key (${(cause as NodeJS.ErrnoException).code ?? 'error'}): ${config.tls.certFile}, ${config.tls.keyFile}\n`,
      );
      return 1;
    }
  }

  let serverKey: Uint8Array;
  try {
    serverKey = await loadServerKey({ ...(config.serverKeyFile ? { file: config.serverKeyFile } : {}), env });
  } catch (cause) {
    if (!(cause instanceof ServerKeyError)) throw cause;
    errOut(`mailwarden: ${cause.message}\n`);
    return 1;
  }

  // The organisation's policy: a --policy file and this machine's place, as every shell reads
  // them, under the policy stored in the database (policy set), which every process shares;
  // then what a web page cannot do: reach the mail clients of the computer it is opened on.
  // The store is opened once: its stored policy is read from it, then the backend runs on it.
  let database: OpenedOrganisationStore;
  try {
    database = await openOrganisationDatabase(config.database, serverKey, logger, config.poolSize);
  } catch (cause) {
    const failure = organisationFailure(cause);
    if (!failure) throw cause;
    errOut(`mailwarden: ${failure.message}\n`);
    return failure.exitCode;
  }
  const layers: PolicyLayer[] = await readPolicyLayers({ platform: process.platform, ...(config.policyFile ? { policyFile: config.policyFile } : {}) }, logger);
  const stored = await readOrganisationPolicy(database.store);
  if (stored) layers.push(...stored.layers);
  // The web page cannot save a profile on the server's disk, but a phone can fetch one by QR
  // wherever the organisation allows iPhone profiles (docs/rules.md §8.9).
  const phoneProfiles = resolvePolicy(layers, silentLogger).policy.clientIntegrations.iphoneProfile;
  /** The public address; listening on port 0 (tests), the port is known only once it listens. */
  let handoffBase = config.publicUrl;
  layers.push({
    level: 'enforced',
    origin: 'organisation-server',
    entries: [
      'clientIntegrations.keychain',
      'clientIntegrations.foxmail',
      'clientIntegrations.thunderbird',
      'clientIntegrations.iphoneProfile',
      'clientIntegrations.outlook',
    ].map((key) => ({ path: key, value: false })),
  });
  const policy = resolvePolicy(layers, logger);
  const fileProblems = policy.problems.filter((problem) => problem.origin === 'policy-file');
  if (fileProblems.length > 0) {
    for (const problem of fileProblems) errOut(`mailwarden: ${config.policyFile}: ${problem.path}: ${problem.reason}\n`);
    await database.store.close();
    return 1;
  }

  const environment = { productName, version, dataDir: path('data-dir') ?? cwd, shell: 'server', demo: false, platform: process.platform } as const;
  const store = database.store;
  const backend = await assembleOrganisationBackend(
    environment,
    logger,
    {
      policy,
      ...(hooks.clock ? { clock: hooks.clock } : {}),
      // A phone fetches its profile by QR from the public address (docs/rules.md §8.9).
      ...(phoneProfiles ? { phoneHandoffBase: () => handoffBase } : {}),
      sessions: (ports) => new StoredSessions(ports.store, ports.keys.mac, ports.clock, { sessionLifetimeMs: config.sessionHours * 3_600_000 }),
    },
    database,
    serverKey,
  );

  let server: RunningOrganisationServer;
  try {
    server = await startOrganisationServer({
      dispatch: backend.dispatch,
      host: config.host,
      port: config.port,
      publicUrl: config.publicUrl,
      tls,
      behindProxy: config.behindProxy,
      limits: config.limits,
      ...(hooks.timeouts ? { timeouts: hooks.timeouts } : {}),
      connectionKey: deriveKey(serverKey, 'connections'),
      rendererDir: hooks.rendererDir ?? builtRendererDir(),
      logger,
      healthy: () => store.ping(),
      phoneProfiles: (token, device) => takePhoneHandoff(backend.core, token, device),
      ...(hooks.clock ? { now: () => hooks.clock!.now() } : {}),
    });
  } catch (cause) {
    await backend.close();
    errOut(`mailwarden: cannot listen on ${config.host}:${config.port} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})\n`);
    return 1;
  }
  hooks.onListening?.(server.port);
  if (config.publicUrl.port === '0') {
    handoffBase = new URL(config.publicUrl);
    handoffBase.port = String(server.port);
  }

  const scheme = tls ? 'https' : 'http';
  const lines = [
    `Mailwarden organisation server ${version}: listening on ${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.port}`,
    `Public address: ${config.publicUrl.origin}`,
    `Database: ${redactDatabaseUrl(config.database)}`,
  ];
  if (!tls) {
    lines.push(
      config.behindProxy
        ? 'Plain HTTP, behind a reverse proxy: the proxy must end TLS and be the only way in.'
        : 'Plain HTTP on a loopback address: reachable from this computer only.',
    );
  }
  if (policy.policy.sms.kind === 'outbox') {
    lines.push(`SMS: no gateway in the policy, so codes go to the test outbox in ${environment.dataDir} and are shown on the page. For tests only.`);
  }
  out(`${lines.join('\n')}\n`);

  await (hooks.until ?? stopSignal());
  out('Mailwarden organisation server: stopping (finishing requests in flight)\n');
  await server.stop();
  await backend.close();
  out('Mailwarden organisation server: stopped\n');
  return 0;
}
