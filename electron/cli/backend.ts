/**
 * What a command works on: this computer's data folder (or a read-only snapshot of it), or the
 * organisation's database when the command was pointed at one (./organisation.ts).
 */
import type { AppEnvironment } from '../core/app-info';
import type { LaunchOptions } from '../platform/args';
import { openBackend, type Backend } from '../platform/compose';
import { deviceLabel } from '../platform/device';
import { createConsoleLogger } from '../platform/logger';
import { defaultDataDir, productName } from '../platform/paths';
import { readPolicy, type PolicySourcesOptions } from '../platform/policy';
import { DataFolderInUseError } from '../store/folder-lock';
import type { CliOptions } from './command-line';
import { openOrganisationBackend, organisationFailure } from './organisation';
import { version } from '../../package.json';

/**
 * Runs `work` on the data folder's backend. `access: 'read'` opens a snapshot without the writer's
 * lock (electron/store/open.ts `openSnapshot`), so it works while the app or `serve` runs.
 */
export async function withBackend(
  options: CliOptions,
  errOut: (s: string) => void,
  work: (backend: Backend) => Promise<number>,
  access: 'read' | 'write' = 'write',
): Promise<number> {
  const logger = createConsoleLogger('cli', (line) => errOut(`${line}\n`));
  const policy = await readPolicy(policyOptions(options), logger);
  let backend: Backend;
  const { organisation } = options;
  try {
    backend = organisation
      ? await openOrganisationBackend(environmentOf(options), logger, { policy }, organisation, process.env)
      : await openBackend(environmentOf(options), logger, { policy, readOnly: access === 'read' });
  } catch (cause) {
    const failure = organisationFailure(cause);
    if (failure) {
      errOut(`mailwarden: ${failure.message}\n`);
      return failure.exitCode;
    }
    const hint =
      cause instanceof DataFolderInUseError
        ? ' Quit the Mailwarden app and stop `mailwarden serve` for this folder, then try again (reading commands — info, list-mailboxes, audit export — work meanwhile).'
        : '';
    errOut(`mailwarden: cannot open the data folder: ${cause instanceof Error ? cause.message : String(cause)}.${hint}\n`);
    return 1;
  }
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

/** A snapshot for the commands that only read (withBackend's 'read'). */
export const readBackend = (options: CliOptions, errOut: (s: string) => void, work: (backend: Backend) => Promise<number>) =>
  withBackend(options, errOut, work, 'read');

export const environmentOf = (options: LaunchOptions): AppEnvironment => ({
  productName,
  version,
  dataDir: options.userDataDir ?? defaultDataDir(),
  shell: 'cli',
  demo: options.demo,
  platform: process.platform,
});

/** The device a logged command names: this computer and the CLI's version. */
export const cliDeviceName = () => `${deviceLabel()} / mailwarden CLI ${version}`;

/** Where this computer's managed policy is read from (and --policy FILE). */
export function policyOptions(options: LaunchOptions): PolicySourcesOptions {
  return { platform: process.platform, ...(options.policyFile ? { policyFile: options.policyFile } : {}) };
}
