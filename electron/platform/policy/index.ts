/**
 * The policy in force for a shell: this platform's place (registry, managed preferences or
 * /etc/mailwarden/policy.json), plus a `--policy FILE` for tests and development, merged by the
 * core's rules (defaults < user < recommended < enforced). The platform's place always wins
 * over a `--policy` file, so a command-line flag can add rules but never lift IT's.
 */
import { userInfo } from 'node:os';
import { resolvePolicy, type PolicyLayer, type PolicyProblem, type ResolvedPolicy } from '../../core/policy';
import { checkPolicyValue } from '../../shared/policy-check';
import type { PolicyPath } from '../../shared/policy-schema';
import type { Logger } from '../../core/ports';
import { linuxPolicyPath, policyJsonLayers } from './json-file';
import { managedPreferencesLayers } from './managed-preferences';
import { registryPolicyLayers } from './registry';
import { windowsRegistry, type RegistryReader } from '../windows-registry';

export interface PolicySourcesOptions {
  readonly platform: NodeJS.Platform;
  /** `--policy FILE`: read as a policy JSON file on any OS, below the platform's place. */
  readonly policyFile?: string;
  /** The registry to read; this machine's by default (tests give one as data). */
  readonly registry?: RegistryReader;
  /** Tests: the managed-preferences folder and user. */
  readonly managedPreferences?: { readonly dir: string; readonly user: string };
  /** Tests: where the Linux policy file is. */
  readonly linuxPolicyPath?: string;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/** Every layer, lowest precedence first. Never throws: a broken place is a locked layer. */
export async function readPolicyLayers(options: PolicySourcesOptions, logger: Logger): Promise<PolicyLayer[]> {
  const layers: PolicyLayer[] = [];
  if (options.policyFile) layers.push(...(await policyJsonLayers(options.policyFile, 'policy-file', logger)));
  try {
    switch (options.platform) {
      case 'win32':
        layers.push(...registryPolicyLayers(options.registry ?? windowsRegistry));
        break;
      case 'darwin':
        layers.push(...(await managedPreferencesLayers(options.managedPreferences ?? { user: currentUser() })));
        break;
      default:
        layers.push(...(await policyJsonLayers(options.linuxPolicyPath ?? linuxPolicyPath, 'etc-file', logger)));
    }
  } catch (cause) {
    // A reader bug must not start the app with IT's rules lifted.
    logger.error('policy reader failed', { platform: options.platform, error: cause instanceof Error ? cause.message : String(cause) });
    layers.push({
      level: 'enforced',
      origin: options.platform === 'win32' ? 'registry-hklm' : options.platform === 'darwin' ? 'managed-preferences' : 'etc-file',
      entries: [],
      unreadable: 'the reader failed',
    });
  }
  return layers;
}

/**
 * `--server URL` and `--server-ca FILE` (browser mode, development, tests): as if a policy file
 * below every platform place had set server.url and server.caFile, so IT's own values still win.
 */
export function launchServerLayer(server: string | undefined, serverCa: string | undefined): PolicyLayer[] {
  const entries = [...(server ? [{ path: 'server.url', value: server }] : []), ...(serverCa ? [{ path: 'server.caFile', value: serverCa }] : [])];
  if (entries.length === 0) return [];
  for (const entry of entries) {
    const checked = checkPolicyValue(entry.path as PolicyPath, entry.value);
    if (!checked.ok) throw new RangeError(`--${entry.path === 'server.url' ? 'server' : 'server-ca'}: ${checked.reason}`);
  }
  return [{ level: 'enforced', origin: 'policy-file', entries }];
}

/** The merged policy for a shell, with where each value came from and what was ignored. */
export async function readPolicy(options: PolicySourcesOptions, logger: Logger): Promise<ResolvedPolicy & { readonly problems: readonly PolicyProblem[] }> {
  return resolvePolicy(await readPolicyLayers(options, logger), logger);
}
