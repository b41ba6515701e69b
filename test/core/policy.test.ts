// Covers electron/core/policy.ts (Policy from the schema, resolvePolicy, describePolicy) and the
// `app:policy` / `app:info` channels in electron/core/handlers.ts.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import {
  defaultPolicy,
  describePolicy,
  policyFromValues,
  policyToValues,
  resolvePolicy,
  type PolicyLayer,
  type PolicySources,
} from '../../electron/core/policy';
import { silentLogger, type Logger } from '../../electron/core/ports';
import { contract, type PolicyInForce } from '../../electron/shared/contract';
import { defaultPolicyValues } from '../../electron/shared/policy-schema';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { coreHandlers } from '../factories/dispatch';

function recordingLogger() {
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const logger: Logger = { info() {}, warn: (message, fields) => warnings.push({ message, fields }), error() {} };
  return { logger, warnings };
}

const enforced = (entries: Record<string, unknown>, origin: PolicyLayer['origin'] = 'etc-file'): PolicyLayer => ({
  level: 'enforced',
  origin,
  entries: Object.entries(entries).map(([path, value]) => ({ path, value })),
});
const recommended = (entries: Record<string, unknown>, origin: PolicyLayer['origin'] = 'etc-file'): PolicyLayer => ({
  ...enforced(entries, origin),
  level: 'recommended',
});

const webhook = {
  'sms.kind': 'webhook',
  'sms.webhook.url': 'https://sms.example.cn/send?token=url-secret',
  'sms.webhook.headers': { Authorization: 'Bearer header-secret' },
  'sms.webhook.bodyTemplate': '{"to":"{{phone}}","text":"{{text}}"}',
};

describe('Policy from the schema', () => {
  it('builds the defaults the services have always used from the schema', () => {
    expect(defaultPolicy).toMatchObject({
      enforceTwoFactor: false,
      twoFactorGraceDays: 0,
      allowedMethods: ['sms', 'totp'],
      trustedDeviceDays: 7,
      clientPasswordLimit: 20,
      clientPasswordDefaultExpiryDays: null,
      passwordChangeRevokesClientPasswords: true,
      sms: { kind: 'outbox' },
      mailServer: { imap: { host: 'mail.cstnet.cn', port: 993, security: 'tls' }, smtp: { port: 994 }, pop3: { port: 995 } },
      clientIntegrations: { keychain: true, foxmail: true, thunderbird: true, iphoneProfile: true, outlook: true },
      updates: { enabled: true, feedUrl: null },
    });
  });

  it('converts to flat values and back without losing anything', () => {
    const resolved = resolvePolicy([enforced({ ...webhook, 'mailServer.smtp.port': 465, 'updates.feedUrl': 'https://updates.example.cn/' })], silentLogger);
    expect(policyFromValues(policyToValues(resolved.policy))).toEqual(resolved.policy);
    expect(policyToValues(defaultPolicy)).toEqual(defaultPolicyValues());
  });
});

describe('resolvePolicy', () => {
  it('layers defaults < user < recommended < enforced, and records each source and place', () => {
    const { policy, sources } = resolvePolicy(
      [
        recommended({ 'mailServer.imap.port': 143, 'mailServer.imap.security': 'starttls', clientPasswordDefaultExpiryDays: 90 }, 'registry-hkcu'),
        enforced({ 'mailServer.imap.port': 993, trustedDeviceDays: 14 }, 'registry-hklm'),
      ],
      silentLogger,
      { 'mailServer.imap.security': 'none', 'clientIntegrations.foxmail': false },
    );
    expect(policy.mailServer.imap).toEqual({ host: 'mail.cstnet.cn', port: 993, security: 'starttls' });
    expect(policy.trustedDeviceDays).toBe(14);
    expect(policy.clientPasswordDefaultExpiryDays).toBe(90);
    expect(policy.clientIntegrations.foxmail).toBe(false);
    expect(sources['mailServer.imap.port']).toEqual({ source: 'enforced', origin: 'registry-hklm' });
    expect(sources['mailServer.imap.security']).toEqual({ source: 'recommended', origin: 'registry-hkcu' });
    expect(sources['clientIntegrations.foxmail']).toEqual({ source: 'user' });
    expect(sources.enforceTwoFactor).toEqual({ source: 'default' });
  });

  it('lets a later layer of the same level win (machine over user policy)', () => {
    const { policy, sources } = resolvePolicy(
      [enforced({ trustedDeviceDays: 3 }, 'registry-hkcu'), enforced({ trustedDeviceDays: 21 }, 'registry-hklm')],
      silentLogger,
    );
    expect(policy.trustedDeviceDays).toBe(21);
    expect(sources.trustedDeviceDays.origin).toBe('registry-hklm');
  });

  it('keeps an enforced key with an invalid value locked at the default, with a warning naming the key', () => {
    const { logger, warnings } = recordingLogger();
    const { policy, sources, problems } = resolvePolicy(
      [recommended({ 'mailServer.imap.port': 143 }), enforced({ trustedDeviceDays: 31, clientPasswordLimit: 'ten', 'mailServer.imap.port': 0 })],
      logger,
    );
    expect(policy.trustedDeviceDays).toBe(7);
    expect(policy.clientPasswordLimit).toBe(20);
    // Not the recommended 143: an enforced key IT got wrong does not fall through to a weaker layer.
    expect(policy.mailServer.imap.port).toBe(993);
    expect(sources.trustedDeviceDays).toEqual({ source: 'enforced', origin: 'etc-file' });
    expect(sources['mailServer.imap.port']).toEqual({ source: 'enforced', origin: 'etc-file' });
    expect(problems.map((p) => p.path)).toEqual(['trustedDeviceDays', 'clientPasswordLimit', 'mailServer.imap.port']);
    expect(warnings.map((w) => w.fields?.['key'])).toEqual(['trustedDeviceDays', 'clientPasswordLimit', 'mailServer.imap.port']);
    expect(warnings[0]!.fields?.['reason']).toBe('above 30 (allowed 1–30)');
  });

  it('ignores an invalid recommended value: the key stays free', () => {
    const { policy, sources, problems } = resolvePolicy([recommended({ 'mailServer.imap.port': 70000 })], silentLogger);
    expect(policy.mailServer.imap.port).toBe(993);
    expect(sources['mailServer.imap.port']).toEqual({ source: 'default' });
    expect(problems).toHaveLength(1);
  });

  it('refuses to take an enforce-only key as a recommendation', () => {
    const { policy, sources, problems } = resolvePolicy([recommended({ enforceTwoFactor: false, trustedDeviceDays: 30 })], silentLogger);
    expect(policy.trustedDeviceDays).toBe(7);
    expect(sources.trustedDeviceDays.source).toBe('default');
    expect(problems.map((p) => [p.path, p.reason])).toEqual([
      ['enforceTwoFactor', 'may only be enforced, not recommended'],
      ['trustedDeviceDays', 'may only be enforced, not recommended'],
    ]);
  });

  it('reports unknown keys and goes on with the rest', () => {
    const { logger, warnings } = recordingLogger();
    const { policy } = resolvePolicy([enforced({ enforce2fa: true, enforceTwoFactor: true })], logger);
    expect(policy.enforceTwoFactor).toBe(true);
    expect(warnings).toEqual([
      { message: 'policy value ignored', fields: { key: 'enforce2fa', origin: 'etc-file', level: 'enforced', reason: 'unknown key' } },
    ]);
  });

  it('never writes a secret value to the log, valid or not', () => {
    const { logger, warnings } = recordingLogger();
    resolvePolicy(
      [enforced({ ...webhook, 'sms.webhook.headers': { Authorization: 'Bearer header-secret\r\nX: y' }, 'sms.webhook.url': 'http://url-secret.example' })],
      logger,
    );
    // Both invalid, then the webhook is left without a URL: three warnings, no value in any.
    expect(warnings.map((w) => w.fields?.['key'])).toEqual(['sms.webhook.url', 'sms.webhook.headers', 'sms.webhook.url']);
    expect(JSON.stringify(warnings)).not.toMatch(/header-secret|url-secret/);
  });

  it('builds a webhook gateway from its keys', () => {
    const { policy } = resolvePolicy([enforced(webhook)], silentLogger);
    expect(policy.sms).toEqual({
      kind: 'webhook',
      url: 'https://sms.example.cn/send?token=url-secret',
      headers: { Authorization: 'Bearer header-secret' },
      bodyTemplate: '{"to":"{{phone}}","text":"{{text}}"}',
      timeoutMs: 10_000,
    });
  });

  it('reads an Alibaba Cloud or Tencent Cloud gateway, and falls back to the outbox when one lacks what it needs', () => {
    const aliyun = {
      'sms.kind': 'aliyun',
      'sms.provider.accessKeyId': 'LTAI5tExample',
      'sms.provider.accessKeySecret': 'secret-value',
      'sms.provider.signName': '邮件安全助手',
      'sms.provider.templateId': 'SMS_12345678',
    };
    expect(resolvePolicy([enforced(aliyun)], silentLogger).policy.sms).toEqual({
      kind: 'aliyun',
      accessKeyId: 'LTAI5tExample',
      accessKeySecret: 'secret-value',
      signName: '邮件安全助手',
      templateId: 'SMS_12345678',
      sdkAppId: '',
      region: '',
      templateParams: 'code',
    });
    // Tencent Cloud also needs its SMS application.
    const tencent = resolvePolicy([enforced({ ...aliyun, 'sms.kind': 'tencent' })], silentLogger);
    expect(tencent.policy.sms).toEqual({ kind: 'outbox' });
    expect(tencent.problems.map((p) => [p.path, p.reason])).toEqual([['sms.provider.sdkAppId', 'required when sms.kind is tencent']]);
    const { 'sms.provider.accessKeySecret': _secret, ...withoutSecret } = aliyun;
    expect(resolvePolicy([enforced(withoutSecret)], silentLogger).problems.map((p) => p.path)).toEqual(['sms.provider.accessKeySecret']);
    // A key with a space in it is refused as a value, before any request is signed with it.
    expect(resolvePolicy([enforced({ ...aliyun, 'sms.provider.accessKeyId': 'has space' })], silentLogger).problems.map((p) => p.path)).toContain(
      'sms.provider.accessKeyId',
    );
  });

  it('falls back to the local outbox, still locked, when a webhook lacks its URL', () => {
    const { policy, sources, problems } = resolvePolicy([enforced({ 'sms.kind': 'webhook', 'sms.webhook.bodyTemplate': '{}' })], silentLogger);
    expect(policy.sms).toEqual({ kind: 'outbox' });
    expect(sources['sms.kind'].source).toBe('enforced');
    expect(problems.map((p) => [p.path, p.reason])).toEqual([['sms.webhook.url', 'required when sms.kind is webhook']]);
  });

  it('locks every key at its default when a place exists but cannot be read', () => {
    const { logger, warnings } = recordingLogger();
    const { policy, sources } = resolvePolicy(
      [
        recommended({ 'mailServer.imap.port': 143 }),
        { level: 'enforced', origin: 'etc-file', entries: [], unreadable: '/etc/mailwarden/policy.json: not JSON' },
      ],
      logger,
    );
    expect(policy).toEqual(defaultPolicy);
    expect(Object.values(sources).every((s) => s.source === 'enforced' && s.origin === 'etc-file')).toBe(true);
    expect(warnings[0]!.fields?.['reason']).toMatch(/not JSON; every key is locked/);
  });
});

describe('describePolicy', () => {
  it('lists every schema key with its value and source, in schema order, as the contract says', () => {
    const view = describePolicy(resolvePolicy([], silentLogger));
    expect(view.items.map((i) => i.key)).toEqual(Object.keys(defaultPolicyValues()));
    expect(view.items.find((i) => i.key === 'trustedDeviceDays')).toEqual({
      key: 'trustedDeviceDays',
      value: 7,
      secret: false,
      set: true,
      source: 'default',
      recommendable: false,
    });
    expect(v.is(contract['app:policy'].response, view)).toBe(true);
  });

  it('says whether a secret is set but never what it is', () => {
    const view = describePolicy(resolvePolicy([enforced(webhook)], silentLogger));
    expect(view.items.find((i) => i.key === 'sms.webhook.headers')).toMatchObject({
      value: null,
      secret: true,
      set: true,
      source: 'enforced',
      origin: 'etc-file',
    });
    expect(view.items.find((i) => i.key === 'sms.kind')).toMatchObject({ value: 'webhook', source: 'enforced' });
    expect(JSON.stringify(view)).not.toMatch(/header-secret|url-secret|sms\.example\.cn|\{\{phone/);
  });
});

describe('app:policy and app:info', () => {
  async function dispatcher(sources?: PolicySources) {
    const { core } = await testCore({ policy: { enforceTwoFactor: true, trustedDeviceDays: 14 } });
    const withSources = sources ? { ...core, policySources: () => sources } : core;
    const handlers = coreHandlers(withSources);
    return createDispatcher(handlers, silentLogger);
  }

  it('answers the policy in force with where each value came from, signed in or not', async () => {
    const { sources } = resolvePolicy([enforced({ enforceTwoFactor: true, trustedDeviceDays: 14 }, 'registry-hklm')], silentLogger);
    const result = await (await dispatcher(sources))('app:policy', {}, testCall());
    if (!result.ok) throw new Error('app:policy failed');
    const { items } = result.data as PolicyInForce;
    expect(items.find((i) => i.key === 'trustedDeviceDays')).toMatchObject({ value: 14, source: 'enforced', origin: 'registry-hklm' });
    expect(items.find((i) => i.key === 'clientPasswordLimit')).toMatchObject({ value: 20, source: 'default' });
  });

  it('app:info names the places that set anything and each key’s source', async () => {
    const { sources } = resolvePolicy(
      [recommended({ 'mailServer.imap.port': 143 }, 'managed-preferences'), enforced({ enforceTwoFactor: true }, 'managed-preferences-user')],
      silentLogger,
    );
    const result = await (await dispatcher(sources))('app:info', {}, testCall());
    expect(result).toMatchObject({
      ok: true,
      data: {
        policySource: {
          places: ['managed-preferences', 'managed-preferences-user'],
          keys: { enforceTwoFactor: { source: 'enforced', origin: 'managed-preferences-user' }, 'mailServer.imap.port': { source: 'recommended' } },
        },
      },
    });
  });

  it('calls every value a default when the shell reports no sources', async () => {
    const result = await (await dispatcher())('app:info', {}, testCall());
    expect(result).toMatchObject({ ok: true, data: { policySource: { places: [] } } });
  });

  it('refuses a request with fields', async () => {
    expect(await (await dispatcher())('app:policy', { all: true }, testCall())).toMatchObject({ ok: false, code: 'invalid-request' });
  });
});
