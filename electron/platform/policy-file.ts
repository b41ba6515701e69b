/**
 * A policy given as a JSON file with `--policy FILE` (browser mode, the command line, tests).
 * The platform readers IT uses (registry, managed preferences, /etc/mailwarden/policy.json) come
 * in a later release and will share this validation. Keys left out keep their defaults; a file
 * with an unknown key or a value out of range is refused as a whole, naming the key.
 */
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { connectionSecurities } from '../shared/mail-server';
import { defaultPolicy, policyKeys, trustedDeviceDaysRange, type ManagedPolicy, type Policy, type PolicyKey } from '../core/policy';

const SmsSchema = v.variant('kind', [
  v.strictObject({ kind: v.literal('outbox') }),
  v.strictObject({
    kind: v.literal('webhook'),
    url: v.pipe(v.string(), v.url(), v.startsWith('https://')),
    headers: v.optional(v.record(v.string(), v.string()), {}),
    bodyTemplate: v.string(),
    timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(500), v.maxValue(60_000)), 10_000),
  }),
]);

const Endpoint = v.strictObject({
  host: v.pipe(v.string(), v.minLength(1), v.maxLength(253), v.regex(/^[A-Za-z0-9.-]+$/)),
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535)),
  security: v.picklist(connectionSecurities),
});

const PolicyFileSchema = v.strictObject({
  enforceTwoFactor: v.optional(v.boolean()),
  allowedMethods: v.optional(v.pipe(v.array(v.picklist(['sms', 'totp'])), v.minLength(1))),
  trustedDeviceDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(trustedDeviceDaysRange.min), v.maxValue(trustedDeviceDaysRange.max))),
  clientPasswordLimit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
  passwordChangeRevokesClientPasswords: v.optional(v.boolean()),
  sms: v.optional(SmsSchema),
  mailServer: v.optional(v.strictObject({ imap: Endpoint, smtp: Endpoint, pop3: Endpoint })),
  clientIntegrations: v.optional(v.strictObject({ keychain: v.boolean(), foxmail: v.boolean(), iphoneProfile: v.boolean() })),
});

export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

export function parsePolicy(json: unknown): Policy {
  return parseManagedPolicy(json).policy;
}

/** The policy a file gives, with the keys it set: those are managed, the settings page locks them. */
export function parseManagedPolicy(json: unknown): ManagedPolicy {
  // valibot's object schemas accept arrays; a policy is only ever a JSON object.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PolicyFileError('invalid policy: not an object');
  const parsed = v.safeParse(PolicyFileSchema, json);
  if (!parsed.success) {
    const keys = [...new Set(parsed.issues.map((issue) => v.getDotPath(issue) ?? '(top level)'))];
    throw new PolicyFileError(`invalid policy: ${keys.join(', ')}`);
  }
  const defined = Object.fromEntries(Object.entries(parsed.output).filter(([, value]) => value !== undefined));
  const managedKeys = policyKeys.filter((key: PolicyKey) => Object.hasOwn(defined, key));
  return { policy: { ...defaultPolicy, ...defined } as Policy, managedKeys };
}

export async function readPolicyFile(path: string): Promise<Policy> {
  return (await readManagedPolicy(path)).policy;
}

export async function readManagedPolicy(path: string): Promise<ManagedPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PolicyFileError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`);
  }
  try {
    return parseManagedPolicy(JSON.parse(text));
  } catch (cause) {
    if (cause instanceof PolicyFileError) throw new PolicyFileError(`${path}: ${cause.message}`);
    throw new PolicyFileError(`${path}: not JSON`);
  }
}
