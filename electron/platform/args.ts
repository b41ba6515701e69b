import { parseArgs } from 'node:util';
import { resolve } from 'node:path';

export interface LaunchOptions {
  /** Overrides the data folder (Electron's userData), e.g. for a second profile or tests. */
  readonly userDataDir: string | undefined;
  /** Seed demonstration mailboxes so every screen can be tried at once. */
  readonly demo: boolean;
  /** Browser mode only: the loopback port, 0 for any free one. */
  readonly port: number;
  /** A policy JSON file to apply (tests and development; IT uses the platform's policy place). */
  readonly policyFile: string | undefined;
  /** Where browser mode and the command line save files (an iPhone profile); the Downloads folder by default. */
  readonly downloadsDir: string | undefined;
  /** A Foxmail installation folder to look in besides those found on the system (tests, portable installs). */
  readonly foxmailRoot: string | undefined;
  /** A Thunderbird folder holding profiles.ini to look in besides those found on the system (tests, portable installs). */
  readonly thunderbirdRoot: string | undefined;
  /** `--server URL`: work against this organisation server, as policy `server.url` would (IT's own value wins). */
  readonly server: string | undefined;
  /** `--server-ca FILE`: the CA certificate to pin for it, as policy `server.caFile`. */
  readonly serverCa: string | undefined;
}

/**
 * Reads the flags Mailwarden understands and ignores the rest: Electron and Chromium put their
 * own switches on the same command line.
 */
export function parseLaunchOptions(argv: readonly string[], cwd: string = process.cwd()): LaunchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'user-data-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
      port: { type: 'string' },
      policy: { type: 'string' },
      'downloads-dir': { type: 'string' },
      'foxmail-root': { type: 'string' },
      'thunderbird-root': { type: 'string' },
      server: { type: 'string' },
      'server-ca': { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  const dir = values['user-data-dir'];
  const path = (value: unknown) => (typeof value === 'string' && value.length > 0 ? resolve(cwd, value) : undefined);
  const port = typeof values.port === 'string' ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be 0–65535, got ${String(values.port)}`);
  return {
    userDataDir: typeof dir === 'string' && dir.length > 0 ? resolve(cwd, dir) : undefined,
    demo: values.demo === true,
    port,
    policyFile: path(values.policy),
    downloadsDir: path(values['downloads-dir']),
    foxmailRoot: path(values['foxmail-root']),
    thunderbirdRoot: path(values['thunderbird-root']),
    server: typeof values.server === 'string' && values.server.length > 0 ? values.server : undefined,
    serverCa: path(values['server-ca']),
  };
}
