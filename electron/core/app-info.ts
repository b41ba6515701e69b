import type { AppInfo, PolicyOrigin } from '../shared/contract';
import { policyPaths } from '../shared/policy-schema';
import type { PolicySources } from './policy';

/** Facts about this running installation, fixed at start-up by the shell that hosts the core. */
export interface AppEnvironment {
  readonly productName: string;
  readonly version: string;
  readonly dataDir: string;
  readonly shell: AppInfo['shell'];
  readonly demo: boolean;
  readonly platform: string;
  /** The embedded store when absent. */
  readonly backend?: AppInfo['backend'];
  /** The organisation server a desktop works against (policy server.url). */
  readonly server?: string;
}

/** `sources`: where each policy value in force came from (the merged policy's record). */
export function describeApp(env: AppEnvironment, sources: PolicySources): AppInfo {
  const places = [...new Set(policyPaths.flatMap((path) => sources[path].origin ?? []))] as PolicyOrigin[];
  return {
    productName: env.productName,
    version: env.version,
    dataDir: env.dataDir,
    backend: env.backend ?? 'embedded',
    ...(env.server ? { server: env.server } : {}),
    shell: env.shell,
    demo: env.demo,
    platform: env.platform,
    policySource: { places, keys: { ...sources } },
  };
}
