/** Policies for tests: a resolved policy from a `Policy` value, without the layers a reader produces. */
import { defaultPolicy, policyToValues, type Policy, type PolicySources, type ResolvedPolicy } from '../../electron/core/policy';
import type { PolicyOrigin } from '../../electron/shared/contract';
import { policyPaths, type PolicyPath } from '../../electron/shared/policy-schema';

/** A resolved policy whose values come straight from `policy`, the `locked` paths enforced at `origin`, the rest defaults. */
export function resolvedFromPolicy(policy: Policy, locked: readonly PolicyPath[] = [], origin: PolicyOrigin = 'policy-file'): ResolvedPolicy {
  const sources = Object.fromEntries(
    policyPaths.map((path) => [path, locked.includes(path) ? { source: 'enforced', origin } : { source: 'default' }]),
  ) as unknown as PolicySources;
  return { policy, values: policyToValues(policy), sources };
}

/** The mail server a policy names when it names none: the guide's settings (mail.cstnet.cn, IMAP 993, SMTP 994, POP3 995, all SSL). */
export const defaultMailServer = defaultPolicy.mailServer;
