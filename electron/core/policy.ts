/**
 * The rules IT may set (docs/rules.md §10), as the services read them, and how the layers that set
 * them are merged: defaults < user settings < recommended policy < enforced policy.
 *
 * Every key is declared once in electron/shared/policy-schema.ts. `Policy` is the nested shape
 * the services use; `policyFromValues` and `policyToValues` convert to and from the schema's flat
 * values, so the compiler checks that every schema key lands in `Policy` and back, and
 * `defaultPolicy` is built from the schema's defaults rather than kept a second time.
 *
 * Readers (electron/platform/policy/…) only map their native values (registry, plist, JSON) onto
 * schema paths; `resolvePolicy` runs the one validation per key, logs what it ignores, and
 * decides what is locked.
 */
import type { PolicyInForce, PolicyOrigin, PolicyValueSource } from '../shared/contract';
import type { ClientIntegrations, MailServerSettings } from '../shared/mail-server';
import { checkPolicyValue } from '../shared/policy-check';
import { defaultPolicyValues, isPolicyPath, policyPaths, policySchema, type PolicyPath, type PolicyValues } from '../shared/policy-schema';
import type { Logger } from './ports';

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
    }
  | SignedSmsProviderPolicy;

/** Alibaba Cloud SMS or Tencent Cloud SMS: requests signed with the account's key (platform/sms). */
export interface SignedSmsProviderPolicy {
  readonly kind: 'aliyun' | 'tencent';
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly signName: string;
  readonly templateId: string;
  /** Tencent Cloud only. */
  readonly sdkAppId: string;
  /** Empty: the provider's default region. */
  readonly region: string;
  /** The variables of the approved template: the code, or the code and the minutes it stays valid. */
  readonly templateParams: 'code' | 'code-minutes';
}

export interface UpdatesPolicy {
  /** Off: the updater is not created at all (IT ships new versions itself). */
  readonly enabled: boolean;
  /** The generic feed's https:// URL; null: the feed the build was published with. */
  readonly feedUrl: string | null;
}

interface OrganisationServerPolicy {
  /** The organisation server the desktop works against; null: this computer's embedded store. */
  readonly url: string | null;
  /** A pinned CA certificate file (PEM) for it; null: the system's CAs. */
  readonly caFile: string | null;
}

/**
 * Who manages two-factor, client passwords, devices and sharing: Mailwarden itself (this
 * computer's store or the organisation server), or the mail system's own web mail, with
 * Mailwarden as the guide and the mail-client half (docs/rules.md §15).
 */
export type AccountsManagedBy = 'mailwarden' | 'webmail';

export interface CrashReportsPolicy {
  /** Where crash dumps are uploaded; null: kept on the computer, never uploaded. */
  readonly uploadUrl: string | null;
}

export interface Policy {
  /** The web mail and account service host; the app's links open only this host. */
  readonly serverHost: string;
  readonly mailServer: MailServerSettings;
  /** Grants are applied on the mail server as IMAP ACLs (serve --imap-acl), and the pages show whether they are yet. */
  readonly mailServerAcls: boolean;
  /** Mailboxes without a second factor are sent to the binding page after the password. */
  readonly enforceTwoFactor: boolean;
  /** Days a mailbox may still sign in without 2FA, counted from its first sign-in under the rule; 0: none. */
  readonly twoFactorGraceDays: number;
  readonly allowedMethods: readonly TwoFactorMethod[];
  /** The issuer authenticator apps show for this mail system: policy's name, else the mail system host. */
  readonly totpIssuer: string;
  /** How long "trust this device" lasts: 1–30 days, 7 by default (the guide's number). */
  readonly trustedDeviceDays: number;
  /** Client passwords per mailbox: 20 by default. */
  readonly clientPasswordLimit: number;
  /** The expiry the create form preselects; null: never. */
  readonly clientPasswordDefaultExpiryDays: number | null;
  /** Whether changing the main password also revokes every client password (default yes). */
  readonly passwordChangeRevokesClientPasswords: boolean;
  readonly sms: SmsGatewayPolicy;
  readonly clientIntegrations: ClientIntegrations;
  readonly updates: UpdatesPolicy;
  readonly crashReports: CrashReportsPolicy;
  readonly organisationServer: OrganisationServerPolicy;
  readonly accountsManagedBy: AccountsManagedBy;
}

/**
 * The nested shape from the schema's flat values. A webhook gateway without a URL or body is refused earlier (`crossKeyProblems`).
 * @internal
 */
export function policyFromValues(values: PolicyValues): Policy {
  const endpoint = (protocol: 'imap' | 'smtp' | 'pop3') => ({
    host: values[`mailServer.${protocol}.host`],
    port: values[`mailServer.${protocol}.port`],
    security: values[`mailServer.${protocol}.security`],
  });
  return {
    serverHost: values.serverHost,
    mailServer: { imap: endpoint('imap'), smtp: endpoint('smtp'), pop3: endpoint('pop3') },
    mailServerAcls: values['mailServer.sharedMailboxes'],
    enforceTwoFactor: values.enforceTwoFactor,
    twoFactorGraceDays: values.twoFactorGraceDays,
    allowedMethods: [...values.allowedMethods],
    totpIssuer: values.totpIssuer === '' ? values.serverHost : values.totpIssuer,
    trustedDeviceDays: values.trustedDeviceDays,
    clientPasswordLimit: values.clientPasswordLimit,
    clientPasswordDefaultExpiryDays: values.clientPasswordDefaultExpiryDays === 0 ? null : values.clientPasswordDefaultExpiryDays,
    passwordChangeRevokesClientPasswords: values.passwordChangeRevokesClientPasswords,
    sms: smsFromValues(values),
    clientIntegrations: {
      keychain: values['clientIntegrations.keychain'],
      foxmail: values['clientIntegrations.foxmail'],
      thunderbird: values['clientIntegrations.thunderbird'],
      iphoneProfile: values['clientIntegrations.iphoneProfile'],
      outlook: values['clientIntegrations.outlook'],
    },
    updates: { enabled: values['updates.enabled'], feedUrl: values['updates.feedUrl'] === '' ? null : values['updates.feedUrl'] },
    crashReports: { uploadUrl: values['crashReports.uploadUrl'] === '' ? null : values['crashReports.uploadUrl'] },
    organisationServer: {
      url: values['server.url'] === '' ? null : values['server.url'],
      caFile: values['server.caFile'] === '' ? null : values['server.caFile'],
    },
    accountsManagedBy: values['accounts.managedBy'],
  };
}

function smsFromValues(values: PolicyValues): SmsGatewayPolicy {
  const kind = values['sms.kind'];
  if (kind === 'webhook') {
    return {
      kind: 'webhook',
      url: values['sms.webhook.url'],
      headers: { ...values['sms.webhook.headers'] },
      bodyTemplate: values['sms.webhook.bodyTemplate'],
      timeoutMs: values['sms.webhook.timeoutMs'],
    };
  }
  if (kind === 'aliyun' || kind === 'tencent') {
    return {
      kind,
      accessKeyId: values['sms.provider.accessKeyId'],
      accessKeySecret: values['sms.provider.accessKeySecret'],
      signName: values['sms.provider.signName'],
      templateId: values['sms.provider.templateId'],
      sdkAppId: values['sms.provider.sdkAppId'],
      region: values['sms.provider.region'],
      templateParams: values['sms.provider.templateParams'],
    };
  }
  return { kind: 'outbox' };
}

/** The schema's flat values of a policy (the inverse of `policyFromValues`). */
export function policyToValues(policy: Policy): PolicyValues {
  const defaults = defaultPolicyValues();
  const webhook = policy.sms.kind === 'webhook' ? policy.sms : null;
  const provider = policy.sms.kind === 'aliyun' || policy.sms.kind === 'tencent' ? policy.sms : null;
  return {
    serverHost: policy.serverHost,
    'mailServer.imap.host': policy.mailServer.imap.host,
    'mailServer.imap.port': policy.mailServer.imap.port,
    'mailServer.imap.security': policy.mailServer.imap.security,
    'mailServer.smtp.host': policy.mailServer.smtp.host,
    'mailServer.smtp.port': policy.mailServer.smtp.port,
    'mailServer.smtp.security': policy.mailServer.smtp.security,
    'mailServer.pop3.host': policy.mailServer.pop3.host,
    'mailServer.pop3.port': policy.mailServer.pop3.port,
    'mailServer.pop3.security': policy.mailServer.pop3.security,
    'mailServer.sharedMailboxes': policy.mailServerAcls,
    enforceTwoFactor: policy.enforceTwoFactor,
    twoFactorGraceDays: policy.twoFactorGraceDays,
    allowedMethods: [...policy.allowedMethods],
    // The host itself is the default, shown as empty (as set by nobody).
    totpIssuer: policy.totpIssuer === policy.serverHost ? '' : policy.totpIssuer,
    trustedDeviceDays: policy.trustedDeviceDays,
    clientPasswordLimit: policy.clientPasswordLimit,
    clientPasswordDefaultExpiryDays: policy.clientPasswordDefaultExpiryDays ?? 0,
    passwordChangeRevokesClientPasswords: policy.passwordChangeRevokesClientPasswords,
    'sms.kind': policy.sms.kind,
    'sms.webhook.url': webhook?.url ?? defaults['sms.webhook.url'],
    'sms.webhook.headers': webhook ? { ...webhook.headers } : defaults['sms.webhook.headers'],
    'sms.webhook.bodyTemplate': webhook?.bodyTemplate ?? defaults['sms.webhook.bodyTemplate'],
    'sms.webhook.timeoutMs': webhook?.timeoutMs ?? defaults['sms.webhook.timeoutMs'],
    'sms.provider.accessKeyId': provider?.accessKeyId ?? defaults['sms.provider.accessKeyId'],
    'sms.provider.accessKeySecret': provider?.accessKeySecret ?? defaults['sms.provider.accessKeySecret'],
    'sms.provider.signName': provider?.signName ?? defaults['sms.provider.signName'],
    'sms.provider.templateId': provider?.templateId ?? defaults['sms.provider.templateId'],
    'sms.provider.sdkAppId': provider?.sdkAppId ?? defaults['sms.provider.sdkAppId'],
    'sms.provider.region': provider?.region ?? defaults['sms.provider.region'],
    'sms.provider.templateParams': provider?.templateParams ?? defaults['sms.provider.templateParams'],
    'clientIntegrations.keychain': policy.clientIntegrations.keychain,
    'clientIntegrations.foxmail': policy.clientIntegrations.foxmail,
    'clientIntegrations.thunderbird': policy.clientIntegrations.thunderbird,
    'clientIntegrations.iphoneProfile': policy.clientIntegrations.iphoneProfile,
    'clientIntegrations.outlook': policy.clientIntegrations.outlook,
    'updates.enabled': policy.updates.enabled,
    'updates.feedUrl': policy.updates.feedUrl ?? '',
    'crashReports.uploadUrl': policy.crashReports.uploadUrl ?? '',
    'accounts.managedBy': policy.accountsManagedBy,
    'server.url': policy.organisationServer.url ?? '',
    'server.caFile': policy.organisationServer.caFile ?? '',
  };
}

export const defaultPolicy: Policy = policyFromValues(defaultPolicyValues());

export const trustedDeviceDaysRange = { min: policySchema.trustedDeviceDays.min, max: policySchema.trustedDeviceDays.max } as const;

// ---------------------------------------------------------------------------------------------
// Layers and their merge

/** One place's policy at one level, as a reader found it: schema paths (or unknown names) and native-mapped values. */
export interface PolicyLayer {
  readonly level: 'recommended' | 'enforced';
  readonly origin: PolicyOrigin;
  readonly entries: readonly { readonly path: string; readonly value: unknown }[];
  /**
   * Set when the place exists but could not be read or parsed (malformed JSON, a plist that is
   * not one): which keys IT meant to lock is unknown, so every key is locked at its default.
   */
  readonly unreadable?: string;
}

/** Where a value in force came from. */
interface PolicyValueSourceInfo {
  readonly source: PolicyValueSource;
  /** The place that set it; absent for defaults and user settings. */
  readonly origin?: PolicyOrigin;
}

export type PolicySources = Readonly<Record<PolicyPath, PolicyValueSourceInfo>>;

/** The policy in force, with where each value came from. Enforced keys are locked. */
export interface ResolvedPolicy {
  readonly policy: Policy;
  readonly values: PolicyValues;
  readonly sources: PolicySources;
}

/** Something `resolvePolicy` ignored, for the log and `policy check`. Never holds a value. */
export interface PolicyProblem {
  readonly path: string;
  readonly origin: PolicyOrigin;
  readonly level: PolicyLayer['level'];
  readonly reason: string;
}

const smsPaths = policyPaths.filter((path) => path.startsWith('sms.'));

/** Rules across keys: a webhook gateway needs a URL and a body. Returns the paths at fault and why. */
function crossKeyProblems(values: PolicyValues): { path: PolicyPath; reason: string }[] {
  const problems: { path: PolicyPath; reason: string }[] = [];
  const kind = values['sms.kind'];
  if (kind === 'aliyun' || kind === 'tencent') {
    const required: PolicyPath[] = ['sms.provider.accessKeyId', 'sms.provider.accessKeySecret', 'sms.provider.signName', 'sms.provider.templateId'];
    if (kind === 'tencent') required.push('sms.provider.sdkAppId');
    for (const path of required) if (values[path] === '') problems.push({ path, reason: `required when sms.kind is ${kind}` });
    return problems;
  }
  if (kind !== 'webhook') return [];
  if (values['sms.webhook.url'] === '') problems.push({ path: 'sms.webhook.url', reason: 'required when sms.kind is webhook' });
  if (values['sms.webhook.bodyTemplate'] === '') problems.push({ path: 'sms.webhook.bodyTemplate', reason: 'required when sms.kind is webhook' });
  return problems;
}

/** Validates one layer key by key: what it validly sets, and what it got wrong. */
function checkPolicyLayer(layer: PolicyLayer): { values: Partial<Record<PolicyPath, unknown>>; invalid: PolicyPath[]; problems: PolicyProblem[] } {
  const values: Partial<Record<PolicyPath, unknown>> = {};
  const invalid: PolicyPath[] = [];
  const problems: PolicyProblem[] = [];
  const problem = (path: string, reason: string) => problems.push({ path, origin: layer.origin, level: layer.level, reason });
  for (const { path, value } of layer.entries) {
    if (!isPolicyPath(path)) {
      problem(path, 'unknown key');
      continue;
    }
    if (layer.level === 'recommended' && !policySchema[path].recommendable) {
      problem(path, 'may only be enforced, not recommended');
      continue;
    }
    const checked = checkPolicyValue(path, value);
    if (checked.ok) values[path] = checked.value;
    else {
      invalid.push(path);
      problem(path, checked.reason);
    }
  }
  return { values, invalid, problems };
}

/**
 * Merges defaults < user settings < recommended layers < enforced layers (within a level, later
 * layers win). A value that fails its check is ignored with a warning naming the key (never the
 * value: a webhook header may hold a provider's token). An enforced key with an invalid value
 * stays locked at the default: IT meant to lock it, and a typo must not hand it to the user.
 */
export function resolvePolicy(
  layers: readonly PolicyLayer[],
  logger: Logger,
  user: Partial<Record<PolicyPath, unknown>> = {},
): ResolvedPolicy & { readonly problems: readonly PolicyProblem[] } {
  const defaults = defaultPolicyValues();
  const values: Record<string, unknown> = { ...defaults };
  const sources: Record<string, PolicyValueSourceInfo> = Object.fromEntries(policyPaths.map((path) => [path, { source: 'default' }]));
  const problems: PolicyProblem[] = [];

  for (const [path, value] of Object.entries(user)) {
    if (isPolicyPath(path) && checkPolicyValue(path, value).ok) {
      values[path] = value;
      sources[path] = { source: 'user' };
    }
  }
  const ordered = [...layers.filter((l) => l.level === 'recommended'), ...layers.filter((l) => l.level === 'enforced')];
  for (const layer of ordered) {
    if (layer.unreadable !== undefined) {
      problems.push({ path: '*', origin: layer.origin, level: layer.level, reason: `${layer.unreadable}; every key is locked at its default` });
      if (layer.level === 'enforced') {
        for (const path of policyPaths) {
          values[path] = defaults[path];
          sources[path] = { source: 'enforced', origin: layer.origin };
        }
      }
      continue;
    }
    const checked = checkPolicyLayer(layer);
    problems.push(...checked.problems);
    for (const [path, value] of Object.entries(checked.values)) {
      values[path] = value;
      sources[path] = { source: layer.level, origin: layer.origin };
    }
    if (layer.level === 'enforced') {
      for (const path of checked.invalid) {
        values[path] = defaults[path];
        sources[path] = { source: 'enforced', origin: layer.origin };
      }
    }
  }
  // A webhook without its URL or body cannot send: the whole gateway falls back to the default
  // (the local outbox), keeping each key's lock as it was.
  for (const fault of crossKeyProblems(values as unknown as PolicyValues)) {
    const origin = sources['sms.kind']?.origin ?? 'policy-file';
    problems.push({ path: fault.path, origin, level: sources['sms.kind']?.source === 'recommended' ? 'recommended' : 'enforced', reason: fault.reason });
    for (const path of smsPaths) values[path] = defaults[path];
  }
  for (const { path, origin, level, reason } of problems) {
    logger.warn('policy value ignored', { key: path, origin, level, reason });
  }
  const flat = values as unknown as PolicyValues;
  return { policy: policyFromValues(flat), values: flat, sources: sources as PolicySources, problems };
}

/** Every value a default: no policy anywhere. */
export function defaultResolvedPolicy(): ResolvedPolicy {
  return resolvePolicy([], { info() {}, warn() {}, error() {} });
}

const allDefault = Object.fromEntries(policyPaths.map((path) => [path, { source: 'default' }])) as unknown as PolicySources;

/** Where each value in force came from, as the core was told; every value a default when not told. */
export function policySourcesOf(core: { readonly policySources?: () => PolicySources }): PolicySources {
  return core.policySources?.() ?? allDefault;
}

/**
 * The policy in force as the settings page and `policy show` see it: every key with its value
 * and source. Secret values (webhook URL, headers, body) are never sent: only whether one is set.
 */
export function describePolicy(resolved: ResolvedPolicy): PolicyInForce {
  const defaults = defaultPolicyValues();
  return {
    items: policyPaths.map((path) => {
      const spec = policySchema[path];
      const value = resolved.values[path];
      const info = resolved.sources[path];
      const base = { key: path, source: info.source, ...(info.origin ? { origin: info.origin } : {}), recommendable: spec.recommendable };
      if (spec.secret) {
        const set = JSON.stringify(value) !== JSON.stringify(defaults[path]);
        return { ...base, secret: true, value: null, set };
      }
      return { ...base, secret: false, value: Array.isArray(value) ? [...(value as string[])] : (value as boolean | number | string), set: true };
    }),
  };
}
