/**
 * Everything a core service is given: the ports, the policy in force and the shared services
 * every domain writes to. Built once per backend by the composition root; tests build their own
 * with an in-memory store and a fake clock.
 */
import { ActivityLog } from './activity';
import { lookupSecretScrypt, owaspScrypt, PasswordHasher, type ScryptCost } from './password-hash';
import type { Policy, PolicySources } from './policy';
import type { Clock, Logger, Random } from './ports';
import { MemorySessions, type SessionKeeper } from './sessions';
import { VerifiedSecrets } from './verified-secrets';
import type { Store } from './store';

export interface SmsMessage {
  /** E.164. */
  readonly phone: string;
  /** The whole text, code included. Gateways never log it. */
  readonly text: string;
  /** The code alone, for providers that fill an approved template (Alibaba Cloud, Tencent Cloud). */
  readonly code: string;
  /** How many minutes the code stays valid, for templates that say so. */
  readonly validMinutes: number;
  /** When the code stops working (ms since the epoch): the local outbox shows a lapsed one as such. */
  readonly expiresAt: number;
  /** The mailbox the code is for, so the local outbox can show it to the right person. */
  readonly mailbox: string;
}

/** A message as the local outbox kept it: the text as a phone would show it. */
export interface SmsDelivery extends Pick<SmsMessage, 'phone' | 'text' | 'mailbox'> {
  readonly at: number;
  /** When the code in it stops working; absent in messages an older version kept. */
  readonly expiresAt?: number;
}

/** Delivers one SMS or throws SmsDeliveryError; a failed delivery must not count against limits. */
export interface SmsGateway {
  readonly kind: 'outbox' | 'webhook' | 'aliyun' | 'tencent';
  send(message: SmsMessage): Promise<void>;
  /**
   * The local outbox only: a mailbox's test deliveries, newest first. Embedded mode has no real
   * SMS, so this is how the person reads the code; a real gateway has nothing to show.
   */
  read?(mailbox: string): Promise<readonly SmsDelivery[]>;
}

export class SmsDeliveryError extends Error {
  override readonly name = 'SmsDeliveryError';
}

export interface CoreKeys {
  /** 32 bytes for keyed hashes of codes and lookups (HMAC-SHA-256); never leaves the backend. */
  readonly mac: Uint8Array;
}

export interface CorePorts {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
  readonly sms: SmsGateway;
  readonly keys: CoreKeys;
  readonly logger: Logger;
  readonly policy: () => Policy;
  /** Where each value of `policy()` came from; absent: every value is a default. */
  readonly policySources?: () => PolicySources;
}

export interface CoreContext extends CorePorts {
  readonly activity: ActivityLog;
  readonly sessions: SessionKeeper;
  /** scrypt at the OWASP floor for every stored password, client password and backup code. */
  readonly hasher: PasswordHasher;
  /** For backup codes: random look-up secrets, hashed at their own cost (password-hash.ts `lookupSecretScrypt`). */
  readonly codeHasher: PasswordHasher;
  /** Recent successful mail-login checks, so a client logging in every few minutes skips scrypt. */
  readonly verified: VerifiedSecrets;
}

export interface CoreOptions {
  readonly scrypt?: ScryptCost;
  /** Where sessions are kept: in memory (a desktop) unless given, e.g. StoredSessions for an organisation. */
  readonly sessions?: (ports: CorePorts) => SessionKeeper;
}

export function createCoreContext(ports: CorePorts, options: CoreOptions = {}): CoreContext {
  return {
    ...ports,
    activity: new ActivityLog(ports.store, ports.clock, ports.random),
    sessions: options.sessions?.(ports) ?? new MemorySessions(),
    hasher: new PasswordHasher(ports.random, options.scrypt ?? owaspScrypt),
    // A test's cheaper cost applies to backup codes too, but never raises them above their own.
    codeHasher: new PasswordHasher(ports.random, options.scrypt && options.scrypt.N < lookupSecretScrypt.N ? options.scrypt : lookupSecretScrypt),
    verified: new VerifiedSecrets(ports.keys.mac, ports.clock),
  };
}
