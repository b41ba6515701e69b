// Covers electron/core/policy.ts (describePolicy) and the `app:policy` channel in electron/core/handlers.ts.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import { defaultPolicy, describePolicy } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import { contract } from '../../electron/shared/contract';
import { MemorySettingsStore } from '../../electron/store/settings-file';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { fakeMailClientPorts } from '../factories/mail-clients';

describe('describePolicy', () => {
  it('marks every value a default when no key is managed', () => {
    const view = describePolicy(defaultPolicy, []);
    expect(view).toEqual({
      enforceTwoFactor: { value: false, source: 'default' },
      allowedMethods: { value: ['sms', 'totp'], source: 'default' },
      trustedDeviceDays: { value: 7, source: 'default' },
      clientPasswordLimit: { value: 20, source: 'default' },
      passwordChangeRevokesClientPasswords: { value: true, source: 'default' },
      smsGateway: { value: 'outbox', source: 'default' },
    });
    expect(v.is(contract['app:policy'].response, view)).toBe(true);
  });

  it('marks exactly the keys IT set as managed', () => {
    const view = describePolicy({ ...defaultPolicy, enforceTwoFactor: true, trustedDeviceDays: 14 }, ['enforceTwoFactor', 'trustedDeviceDays']);
    expect(view.enforceTwoFactor).toEqual({ value: true, source: 'managed' });
    expect(view.trustedDeviceDays).toEqual({ value: 14, source: 'managed' });
    expect(view.clientPasswordLimit.source).toBe('default');
    expect(view.smsGateway.source).toBe('default');
  });

  it('names only the SMS gateway kind, never its URL or headers', () => {
    const view = describePolicy(
      {
        ...defaultPolicy,
        sms: { kind: 'webhook', url: 'https://sms.example.cn/send', headers: { Authorization: 'Bearer secret' }, bodyTemplate: '{}', timeoutMs: 10_000 },
      },
      ['sms'],
    );
    expect(view.smsGateway).toEqual({ value: 'webhook', source: 'managed' });
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(JSON.stringify(view)).not.toContain('sms.example.cn');
  });
});

describe('app:policy', () => {
  async function dispatchPolicy(managedKeys?: readonly ('enforceTwoFactor' | 'trustedDeviceDays')[]) {
    const { core } = await testCore({ policy: { enforceTwoFactor: true, trustedDeviceDays: 14 } });
    const withKeys = managedKeys ? { ...core, managedPolicyKeys: () => managedKeys } : core;
    const handlers = createHandlers({ mailClients: fakeMailClientPorts(), environment: testEnvironment(), settingsStore: new MemorySettingsStore(), logger: silentLogger, core: withKeys });
    return createDispatcher(handlers, silentLogger)('app:policy', {}, testCall());
  }

  it('answers the policy in force with where each value came from, signed in or not', async () => {
    const result = await dispatchPolicy(['enforceTwoFactor', 'trustedDeviceDays']);
    expect(result).toMatchObject({
      ok: true,
      data: { enforceTwoFactor: { value: true, source: 'managed' }, trustedDeviceDays: { value: 14, source: 'managed' }, clientPasswordLimit: { value: 20, source: 'default' } },
    });
  });

  it('calls every value a default when the shell reports no managed keys', async () => {
    const result = await dispatchPolicy();
    expect(result).toMatchObject({ ok: true, data: { enforceTwoFactor: { value: true, source: 'default' } } });
  });

  it('refuses a request with fields', async () => {
    const { core } = await testCore();
    const handlers = createHandlers({ mailClients: fakeMailClientPorts(), environment: testEnvironment(), settingsStore: new MemorySettingsStore(), logger: silentLogger, core });
    expect(await createDispatcher(handlers, silentLogger)('app:policy', { all: true }, testCall())).toMatchObject({ ok: false, code: 'invalid-request' });
  });
});
