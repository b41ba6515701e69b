// Covers electron/shared/policy-schema.ts: the one description of every policy key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPolicyValue } from '../../electron/shared/policy-check';
import { defaultPolicyValues, pathOfRegistryName, policyPaths, policySchema, registryNameOf, type PolicyPath } from '../../electron/shared/policy-schema';

const root = join(import.meta.dirname, '../..');
const messages = (locale: string) => JSON.parse(readFileSync(join(root, 'messages/policy', `${locale}.json`), 'utf8')) as Record<string, string>;
const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

describe('policy schema', () => {
  it('has the keys the issue asks for', () => {
    expect(policyPaths).toEqual(
      expect.arrayContaining([
        'serverHost',
        'mailServer.imap.host',
        'mailServer.smtp.port',
        'mailServer.pop3.security',
        'enforceTwoFactor',
        'twoFactorGraceDays',
        'allowedMethods',
        'trustedDeviceDays',
        'clientPasswordLimit',
        'clientPasswordDefaultExpiryDays',
        'passwordChangeRevokesClientPasswords',
        'sms.kind',
        'sms.webhook.url',
        'sms.webhook.headers',
        'sms.webhook.bodyTemplate',
        'clientIntegrations.keychain',
        'clientIntegrations.foxmail',
        'clientIntegrations.thunderbird',
        'clientIntegrations.iphoneProfile',
        'clientIntegrations.outlook',
        'updates.enabled',
        'updates.feedUrl',
      ]),
    );
  });

  it('names every registry value by the documented rule, uniquely, and finds the key back case-insensitively', () => {
    for (const path of policyPaths) {
      expect(policySchema[path].registryName, path).toBe(registryNameOf(path));
      expect(pathOfRegistryName(policySchema[path].registryName.toUpperCase())).toBe(path);
    }
    expect(new Set(policyPaths.map((p) => policySchema[p].registryName.toLowerCase())).size).toBe(policyPaths.length);
    expect(registryNameOf('mailServer.imap.host')).toBe('MailServerImapHost');
    expect(pathOfRegistryName('Nonsense')).toBeUndefined();
  });

  it('gives every key a title and description in both languages', () => {
    for (const path of policyPaths) {
      const spec = policySchema[path];
      for (const locale of ['zh-CN', 'en'] as const) {
        expect(spec.title[locale].length, `${path} ${locale}`).toBeGreaterThan(0);
        expect(spec.description[locale].length, `${path} ${locale}`).toBeGreaterThan(0);
      }
    }
  });

  it('keeps the settings page labels equal to the schema titles', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const texts = messages(locale);
      for (const path of policyPaths)
        expect(texts[`policy_key_${snake(policySchema[path].registryName)}`], `${path} ${locale}`).toBe(policySchema[path].title[locale]);
    }
  });

  it('accepts each default (the webhook URL and body are empty until a webhook is chosen)', () => {
    const defaults = defaultPolicyValues();
    const needsWebhook: PolicyPath[] = ['sms.webhook.url', 'sms.webhook.bodyTemplate'];
    for (const path of policyPaths) expect(checkPolicyValue(path, defaults[path]).ok, path).toBe(!needsWebhook.includes(path));
  });

  it('marks the keys that may hold credentials secret, and security keys enforce-only', () => {
    expect(policyPaths.filter((p) => policySchema[p].secret)).toEqual([
      'sms.webhook.url',
      'sms.webhook.headers',
      'sms.webhook.bodyTemplate',
      'sms.provider.accessKeyId',
      'sms.provider.accessKeySecret',
    ]);
    for (const path of ['enforceTwoFactor', 'allowedMethods', 'trustedDeviceDays', 'sms.kind', 'updates.enabled', 'updates.feedUrl'] as const) {
      expect(policySchema[path].recommendable, path).toBe(false);
    }
    expect(policySchema['mailServer.imap.port'].recommendable).toBe(true);
  });
});
