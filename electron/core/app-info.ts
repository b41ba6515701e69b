import type { AppInfo } from '../shared/contract';

/** Facts about this running installation, fixed at start-up by the shell that hosts the core. */
export interface AppEnvironment {
  readonly productName: string;
  readonly version: string;
  readonly dataDir: string;
  readonly shell: AppInfo['shell'];
  readonly demo: boolean;
  readonly platform: string;
}

export function describeApp(env: AppEnvironment): AppInfo {
  return {
    productName: env.productName,
    version: env.version,
    dataDir: env.dataDir,
    backend: 'embedded',
    shell: env.shell,
    demo: env.demo,
    platform: env.platform,
    // No managed-policy reader exists yet, so the built-in defaults are what is in force.
    policySource: 'defaults',
  };
}
