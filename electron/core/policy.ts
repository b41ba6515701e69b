/**
 * The rules IT may set (SPEC.md §10), as the services read them. Platform readers that fill
 * this from the registry, managed preferences or /etc come in a later release; until then the
 * shells pass the defaults, or a policy.json given on the command line in tests.
 */
import type { PolicyInForce, PolicyValueSource } from '../shared/contract';
import { defaultClientIntegrations, defaultMailServer, type ClientIntegrations, type MailServerSettings } from '../shared/mail-server';

export type TwoFactorMethod = 'sms' | 'totp';

export type SmsGatewayPolicy =
  | { readonly kind: 'outbox' }
  | {
      readonly kind: 'webhook';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      /** JSON with {{phone}} and {{text}} placeholders, filled in JSON-escaped. */
      readonly bodyTemplate: string;
      readonly timeoutMs: number;
    };

export interface Policy {
  /** Mailboxes without a second factor are sent to the binding page after the password. */
  readonly enforceTwoFactor: boolean;
  readonly allowedMethods: readonly TwoFactorMethod[];
  /** How long "trust this device" lasts: 1–30 days, 7 by default (the guide's number). */
  readonly trustedDeviceDays: number;
  /** Client passwords per mailbox: 20 by default. */
  readonly clientPasswordLimit: number;
  /** Whether changing the main password also revokes every client password (default yes). */
  readonly passwordChangeRevokesClientPasswords: boolean;
  readonly sms: SmsGatewayPolicy;
  /** The IMAP, SMTP and POP3 servers mail clients are set up for (the guide's by default). */
  readonly mailServer: MailServerSettings;
  /** Which ways of putting a password into a mail client are offered (all by default). */
  readonly clientIntegrations: ClientIntegrations;
}

export const defaultPolicy: Policy = {
  enforceTwoFactor: false,
  allowedMethods: ['sms', 'totp'],
  trustedDeviceDays: 7,
  clientPasswordLimit: 20,
  passwordChangeRevokesClientPasswords: true,
  sms: { kind: 'outbox' },
  mailServer: defaultMailServer,
  clientIntegrations: defaultClientIntegrations,
};

export const trustedDeviceDaysRange = { min: 1, max: 30 } as const;

export type PolicyKey = keyof Policy;

/** Every key, in the order the settings page lists them. */
export const policyKeys = [
  'enforceTwoFactor',
  'allowedMethods',
  'trustedDeviceDays',
  'clientPasswordLimit',
  'passwordChangeRevokesClientPasswords',
  'sms',
  'mailServer',
  'clientIntegrations',
] as const satisfies readonly PolicyKey[];

/** A policy and the keys an organisation set (and so locks); the rest are the defaults. */
export interface ManagedPolicy {
  readonly policy: Policy;
  readonly managedKeys: readonly PolicyKey[];
}

/** The policy in force as the settings page shows it: each value and whether IT set (and locked) it. */
export function describePolicy(policy: Policy, managedKeys: readonly PolicyKey[]): PolicyInForce {
  const source = (key: PolicyKey): PolicyValueSource => (managedKeys.includes(key) ? 'managed' : 'default');
  return {
    enforceTwoFactor: { value: policy.enforceTwoFactor, source: source('enforceTwoFactor') },
    allowedMethods: { value: [...policy.allowedMethods], source: source('allowedMethods') },
    trustedDeviceDays: { value: policy.trustedDeviceDays, source: source('trustedDeviceDays') },
    clientPasswordLimit: { value: policy.clientPasswordLimit, source: source('clientPasswordLimit') },
    passwordChangeRevokesClientPasswords: {
      value: policy.passwordChangeRevokesClientPasswords,
      source: source('passwordChangeRevokesClientPasswords'),
    },
    smsGateway: { value: policy.sms.kind, source: source('sms') },
  };
}
