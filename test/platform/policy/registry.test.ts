// Covers electron/platform/policy/registry.ts over a registry given as data (the reader's own
// native calls are covered on Windows): what Group Policy writes becomes the policy layers.
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../electron/core/policy';
import { silentLogger } from '../../../electron/core/ports';
import { registryLayers, registryPolicyLayers } from '../../../electron/platform/policy/registry';
import type { Hive, RegistryReader } from '../../../electron/platform/windows-registry';
import { fixedRegistryReader, registryKeyOf } from '../../factories/registry';

// What Group Policy writes for the machine: values, a Recommended subkey, a list subkey for a map.
const hklm = registryKeyOf({
  EnforceTwoFactor: 1,
  TwoFactorGraceDays: 14,
  AllowedMethods: ['totp', 'sms'],
  TrustedDeviceDays: 31,
  MailServerImapHost: 'imap.example.edu.cn',
  MailServerImapSecurity: 'starttls',
  SmsKind: 'webhook',
  SmsWebhookUrl: 'https://sms.example.cn/send',
  SmsWebhookBodyTemplate: '{"to":"{{phone}}","text":"{{text}}"}',
  UpdatesEnabled: 0,
  NotAPolicy: 'x',
  Recommended: { MailServerSmtpPort: 465, ClientIntegrationsFoxmail: 0, ClientPasswordLimit: 10 },
  SmsWebhookHeaders: { Authorization: 'Bearer s3cr3t-token', 'X-Tenant': 'lab' },
});
const hkcu = registryKeyOf({
  TrustedDeviceDays: 3,
  ClientPasswordLimit: 5,
  ServerHost: 'webmail.example.edu.cn',
  Recommended: { MailServerSmtpPort: 587, ClientPasswordDefaultExpiryDays: 90 },
});
const policyKey = 'Software\\Policies\\Mailwarden';

/** A registry that remembers what was asked. */
function recording(reader: RegistryReader) {
  const asked: string[] = [];
  return {
    asked,
    reader: { read: (hive: Hive, path: string, depth?: number) => (asked.push(`${hive}\\${path}`), reader.read(hive, path, depth)) } satisfies RegistryReader,
  };
}

describe('registryLayers', () => {
  it('maps value names to schema keys, numbers to numbers and booleans, multi-strings to lists, the headers subkey to a map', () => {
    const layers = registryLayers(hklm, 'registry-hklm');
    expect(layers.map((l) => l.level)).toEqual(['recommended', 'enforced']);
    const enforced = Object.fromEntries(layers[1]!.entries.map((e) => [e.path, e.value]));
    expect(enforced).toMatchObject({
      enforceTwoFactor: true,
      twoFactorGraceDays: 14,
      allowedMethods: ['totp', 'sms'],
      trustedDeviceDays: 31,
      'mailServer.imap.host': 'imap.example.edu.cn',
      'updates.enabled': false,
      'sms.webhook.headers': { Authorization: 'Bearer s3cr3t-token', 'X-Tenant': 'lab' },
      NotAPolicy: 'x',
    });
    expect(Object.fromEntries(layers[0]!.entries.map((e) => [e.path, e.value]))).toEqual({
      'mailServer.smtp.port': 465,
      'clientIntegrations.foxmail': false,
      clientPasswordLimit: 10,
    });
  });

  it('gives nothing for an empty key', () => {
    expect(registryLayers(registryKeyOf({}), 'registry-hkcu')).toEqual([]);
  });
});

describe('registryPolicyLayers', () => {
  it('asks for the user key, then the machine key', () => {
    const { reader, asked } = recording(fixedRegistryReader({}));
    expect(registryPolicyLayers(reader)).toEqual([]);
    expect(asked).toEqual([`HKCU\\${policyKey}`, `HKLM\\${policyKey}`]);
  });

  it('merges machine over user, enforced over recommended; invalid values stay locked at the default', () => {
    const reader = fixedRegistryReader({ [`HKLM\\${policyKey}`]: hklm, [`HKCU\\${policyKey}`]: hkcu });
    const { policy, sources, problems } = resolvePolicy(registryPolicyLayers(reader), silentLogger);
    // HKLM sets 31 (out of range): locked at the default 7, not HKCU's 3.
    expect(policy.trustedDeviceDays).toBe(7);
    expect(sources.trustedDeviceDays).toEqual({ source: 'enforced', origin: 'registry-hklm' });
    // Only HKCU sets these: enforced from the user hive.
    expect(policy.clientPasswordLimit).toBe(5);
    expect(sources.clientPasswordLimit).toEqual({ source: 'enforced', origin: 'registry-hkcu' });
    expect(policy.serverHost).toBe('webmail.example.edu.cn');
    // Both recommend an SMTP port: the machine's wins.
    expect(policy.mailServer.smtp.port).toBe(465);
    expect(sources['mailServer.smtp.port']).toEqual({ source: 'recommended', origin: 'registry-hklm' });
    expect(policy.clientPasswordDefaultExpiryDays).toBe(90);
    expect(policy.mailServer.imap).toEqual({ host: 'imap.example.edu.cn', port: 993, security: 'starttls' });
    expect(policy.allowedMethods).toEqual(['totp', 'sms']);
    expect(policy.sms).toMatchObject({ kind: 'webhook', headers: { Authorization: 'Bearer s3cr3t-token', 'X-Tenant': 'lab' } });
    expect(policy.updates.enabled).toBe(false);
    expect(policy.twoFactorGraceDays).toBe(14);
    expect(problems.map((p) => `${p.origin}:${p.path}:${p.reason}`)).toEqual([
      // A limit is enforce-only: HKLM's Recommended value is refused.
      'registry-hklm:clientPasswordLimit:may only be enforced, not recommended',
      'registry-hklm:trustedDeviceDays:above 30 (allowed 1–30)',
      'registry-hklm:NotAPolicy:unknown key',
    ]);
  });

  it('refuses a value of the wrong registry type', () => {
    const reader = fixedRegistryReader({ [`HKLM\\${policyKey}`]: registryKeyOf({ EnforceTwoFactor: 'true', TrustedDeviceDays: 2 }) });
    const { policy, sources, problems } = resolvePolicy(registryPolicyLayers(reader), silentLogger);
    expect(policy.enforceTwoFactor).toBe(false);
    expect(sources.enforceTwoFactor.source).toBe('enforced');
    expect(policy.trustedDeviceDays).toBe(2);
    expect(problems.map((p) => [p.path, p.reason])).toEqual([['enforceTwoFactor', 'expected true or false']]);
  });

  it('locks every key at its default when a key exists but cannot be read', () => {
    const reader = fixedRegistryReader({ [`HKLM\\${policyKey}`]: new Error('Access is denied.') });
    const layers = registryPolicyLayers(reader);
    expect(layers).toEqual([
      { level: 'enforced', origin: 'registry-hklm', entries: [], unreadable: `HKLM\\${policyKey} could not be read (Access is denied.)` },
    ]);
    expect(resolvePolicy(layers, silentLogger).sources.enforceTwoFactor).toEqual({ source: 'enforced', origin: 'registry-hklm' });
  });
});

describe('on a Chinese Windows (issue 10, fault 3)', () => {
  it('a missing HKCU key is no policy: nothing is locked, and HKLM’s Recommended values stay recommended', () => {
    // The normal case: IT sets machine policy only. reg.exe said so in CP936 text, which was taken
    // for a failure; the registry API says "not found", whatever the language.
    const reader = fixedRegistryReader({ [`HKLM\\${policyKey}`]: registryKeyOf({ Recommended: { MailServerSmtpPort: 465 } }) });
    const layers = registryPolicyLayers(reader);
    expect(layers.some((layer) => layer.unreadable)).toBe(false);
    const { policy, sources } = resolvePolicy(layers, silentLogger);
    expect(policy.mailServer.smtp.port).toBe(465);
    expect(sources['mailServer.smtp.port']).toEqual({ source: 'recommended', origin: 'registry-hklm' });
    expect(sources.enforceTwoFactor).toEqual({ source: 'default' });
  });

  it('keeps Chinese values as written', () => {
    const reader = fixedRegistryReader({ [`HKLM\\${policyKey}`]: registryKeyOf({ TotpIssuer: '院邮件系统' }) });
    expect(resolvePolicy(registryPolicyLayers(reader), silentLogger).policy.totpIssuer).toBe('院邮件系统');
  });
});
