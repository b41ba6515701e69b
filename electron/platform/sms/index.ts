/**
 * The SMS gateway the policy names (docs/rules.md §5): the local outbox by default, IT's webhook, or
 * Alibaba Cloud / Tencent Cloud SMS with signed requests.
 */
import type { SmsGateway } from '../../core/context';
import type { SmsGatewayPolicy } from '../../core/policy';
import type { Clock } from '../../core/ports';
import { OutboxSmsGateway, type OutboxEntry, type Sealer } from './outbox';
import { AliyunSmsGateway, TencentSmsGateway } from './signed';
import { WebhookSmsGateway } from './webhook';

export interface SmsGatewayDependencies {
  readonly dataDir: string;
  /** Seals outbox lines with the store's key, so codes never lie in the data folder in plaintext. */
  readonly sealer: Sealer;
  readonly clock: Clock;
  /** Told of each test delivery (the Electron shell shows a notification). */
  readonly onOutbox?: ((entry: OutboxEntry) => void) | undefined;
}

export function createSmsGateway(policy: SmsGatewayPolicy, deps: SmsGatewayDependencies): SmsGateway {
  switch (policy.kind) {
    case 'outbox':
      return new OutboxSmsGateway(deps.dataDir, deps.sealer, deps.clock, deps.onOutbox);
    case 'webhook':
      return new WebhookSmsGateway(policy);
    case 'aliyun':
      return new AliyunSmsGateway(policy, { clock: deps.clock });
    case 'tencent':
      return new TencentSmsGateway(policy, { clock: deps.clock });
  }
}
