/**
 * The organisation server's configuration: a JSON file (`--config FILE`), the environment, and
 * flags, each above the one before. Checked as a whole before anything starts: a server that
 * listens in plain HTTP on a public address, or without knowing its own public address, is worse
 * than one that does not start.
 */
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';
import { isLoopbackAddress } from '../platform/http/safe-request';

export interface ServerLimits {
  /** The largest request body accepted (bytes). */
  readonly maxBodyBytes: number;
  /** API requests handled at once by this process; one more is answered 503 at once. */
  readonly maxInFlight: number;
  /** Requests a minute from one client address, with bursts up to `burst`. */
  readonly requestsPerMinute: number;
  readonly burst: number;
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** The address people open, e.g. https://mailwarden.example.edu: Host and Origin must name it. */
  readonly publicUrl: URL;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** Plain HTTP from a reverse proxy that ends TLS; the client address is the proxy's X-Forwarded-For. */
  readonly behindProxy: boolean;
  readonly database: string;
  readonly serverKeyFile: string | undefined;
  readonly policyFile: string | undefined;
  /** How long a sign-in lasts at most. */
  readonly sessionHours: number;
  /** Database connections of this process. */
  readonly poolSize: number;
  readonly limits: ServerLimits;
}

/** @internal */
export const defaultLimits: ServerLimits = { maxBodyBytes: 64 * 1024, maxInFlight: 64, requestsPerMinute: 600, burst: 120 };

const ConfigFileSchema = v.strictObject({
  listen: v.optional(v.string()),
  publicUrl: v.optional(v.string()),
  tls: v.optional(v.strictObject({ certFile: v.string(), keyFile: v.string() })),
  behindProxy: v.optional(v.boolean()),
  database: v.optional(v.string()),
  serverKeyFile: v.optional(v.string()),
  policyFile: v.optional(v.string()),
  sessionHours: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(24 * 30))),
  poolSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200))),
  limits: v.optional(
    v.strictObject({
      maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024), v.maxValue(16 * 1024 * 1024))),
      maxInFlight: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
      requestsPerMinute: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000))),
      burst: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000))),
    }),
  ),
});
export type ServerConfigFile = v.InferOutput<typeof ConfigFileSchema>;

/** What the command line gave (absent: not given). */
export interface ServerFlags {
  readonly listen?: string;
  readonly publicUrl?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly behindProxy?: boolean;
  readonly database?: string;
  readonly serverKeyFile?: string;
  readonly policyFile?: string;
}

/** The environment variables the server reads, each the same as a flag. */
export const serverEnvironment = {
  listen: 'MAILWARDEN_LISTEN',
  publicUrl: 'MAILWARDEN_PUBLIC_URL',
  tlsCert: 'MAILWARDEN_TLS_CERT_FILE',
  tlsKey: 'MAILWARDEN_TLS_KEY_FILE',
  behindProxy: 'MAILWARDEN_BEHIND_PROXY',
  database: 'MAILWARDEN_DATABASE_URL',
  serverKeyFile: 'MAILWARDEN_SERVER_KEY_FILE',
  policyFile: 'MAILWARDEN_POLICY_FILE',
} as const;

export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
}

/** Parses a config file's text; `path` only for messages and to resolve relative paths. */
export function parseConfigFile(text: string, path: string): ServerConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ServerConfigError(`${path} is not valid JSON`);
  }
  const parsed = v.safeParse(ConfigFileSchema, json);
  if (!parsed.success) {
    const problems = parsed.issues.map((issue) => `${v.getDotPath(issue) ?? '(top level)'}: ${issue.message}`);
    throw new ServerConfigError(`${path}: ${problems.join('; ')}`);
  }
  const base = dirname(resolve(path));
  const file = parsed.output;
  const local = (p: string | undefined) => (p === undefined ? undefined : resolve(base, p));
  return {
    ...file,
    ...(file.tls ? { tls: { certFile: local(file.tls.certFile)!, keyFile: local(file.tls.keyFile)! } } : {}),
    ...(file.serverKeyFile ? { serverKeyFile: local(file.serverKeyFile) } : {}),
    ...(file.policyFile ? { policyFile: local(file.policyFile) } : {}),
  };
}

/** "127.0.0.1:8443", "[::1]:8443", "0.0.0.0:443", ":8443" (every address), "127.0.0.1:0" (any free port). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const host = match ? (match[1] ?? (match[2] || '0.0.0.0')) : '';
  const port = match ? Number(match[3]) : NaN;
  // Port 0: any free port, told at start (tests, and a supervisor that reads it back).
  if (!match || port < 0 || port > 65_535 || (isIP(host) === 0 && host !== 'localhost')) {
    throw new ServerConfigError(`listen: "${text}" is not an address and port such as 127.0.0.1:8443 or 0.0.0.0:443`);
  }
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ServerConfigError(`${serverEnvironment.behindProxy} must be true or false, not "${value}"`);
}

/** The configuration in force: flags over the environment over the file over the defaults. */
export function resolveServerConfig(file: ServerConfigFile, env: NodeJS.ProcessEnv, flags: ServerFlags): ServerConfig {
  const fromEnv = (name: keyof typeof serverEnvironment) => {
    const value = env[serverEnvironment[name]];
    return value === undefined || value === '' ? undefined : value;
  };
  const listen = parseListen(flags.listen ?? fromEnv('listen') ?? file.listen ?? '127.0.0.1:8443');
  const certFile = flags.tlsCert ?? fromEnv('tlsCert') ?? file.tls?.certFile;
  const keyFile = flags.tlsKey ?? fromEnv('tlsKey') ?? file.tls?.keyFile;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ServerConfigError('TLS needs both a certificate and its key (--tls-cert FILE --tls-key FILE)');
  }
  const tls = certFile && keyFile ? { certFile, keyFile } : null;
  const behindProxy = flags.behindProxy ?? flag(fromEnv('behindProxy')) ?? file.behindProxy ?? false;
  const loopback = isLoopbackAddress(listen.host);
  if (!tls && !loopback && !behindProxy) {
    throw new ServerConfigError(
      `plain HTTP on ${listen.host} would send passwords unencrypted: give a certificate (--tls-cert, --tls-key), listen on 127.0.0.1, or say --behind-proxy when a reverse proxy ends TLS in front of it`,
    );
  }
  const publicText = flags.publicUrl ?? fromEnv('publicUrl') ?? file.publicUrl;
  let publicUrl: URL;
  if (publicText === undefined) {
    if (!loopback || behindProxy) throw new ServerConfigError('--public-url is needed: the address people open, e.g. https://mailwarden.example.edu');
    const hostPart = isIP(listen.host) === 6 ? `[${listen.host}]` : listen.host;
    publicUrl = new URL(`${tls ? 'https' : 'http'}://${hostPart}:${listen.port}/`);
  } else {
    try {
      publicUrl = new URL(publicText);
    } catch {
      throw new ServerConfigError(`--public-url: "${publicText}" is not an address such as https://mailwarden.example.edu`);
    }
    if (publicUrl.protocol !== 'https:' && !(publicUrl.protocol === 'http:' && isLoopbackAddress(publicUrl.hostname.replace(/^\[|\]$/g, '')))) {
      throw new ServerConfigError(`--public-url must be https:// (plain http:// only for a loopback address): ${publicText}`);
    }
    if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash || publicUrl.username) {
      throw new ServerConfigError(`--public-url must be an origin with nothing after the host and port: ${publicText}`);
    }
  }
  const database = flags.database ?? fromEnv('database') ?? file.database;
  if (!database) throw new ServerConfigError(`no database: give --database URL, ${serverEnvironment.database} or "database" in the config file`);
  return {
    host: listen.host,
    port: listen.port,
    publicUrl,
    tls,
    behindProxy,
    database,
    serverKeyFile: flags.serverKeyFile ?? fromEnv('serverKeyFile') ?? file.serverKeyFile,
    policyFile: flags.policyFile ?? fromEnv('policyFile') ?? file.policyFile,
    sessionHours: file.sessionHours ?? 12,
    poolSize: file.poolSize ?? 10,
    limits: { ...defaultLimits, ...file.limits },
  };
}
