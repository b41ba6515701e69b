// Covers electron/shared/contract.ts, electron/shared/api.ts and electron/shared/result.ts.
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { camelToKebab, createApi, createApiProxy, kebabToCamel, methodPath } from '../../electron/shared/api';
import { channelGroups, channelNames, contract, genericErrors, isChannel } from '../../electron/shared/contract';
import { errorCodes, isErrorCode } from '../../electron/shared/result';

describe('channel names', () => {
  it.each(channelNames)('%s is namespace:action in kebab-case and round-trips to camelCase', (name) => {
    expect(name).toMatch(/^[a-z]+(-[a-z]+)*:[a-z]+(-[a-z]+)*$/);
    const [namespace, method] = methodPath(name);
    expect(`${camelToKebab(namespace)}:${camelToKebab(method)}`).toBe(name);
  });

  it('converts between kebab and camel case', () => {
    expect(kebabToCamel('two-factor')).toBe('twoFactor');
    expect(kebabToCamel('send-code')).toBe('sendCode');
    expect(camelToKebab('clientPasswords')).toBe('client-passwords');
  });

  it('gathers every namespace and declares no name twice', () => {
    const declared = channelGroups.flatMap((group) => Object.keys(group));
    expect(new Set(declared).size).toBe(declared.length);
    expect(declared.sort()).toEqual([...channelNames].sort());
  });

  it('knows its own channels and nothing else', () => {
    expect(isChannel('app:info')).toBe(true);
    expect(isChannel('app:nope')).toBe(false);
    expect(isChannel('__proto__')).toBe(false);
    expect(isChannel('toString')).toBe(false);
    expect(isChannel(42)).toBe(false);
  });

  it('declares the session each channel needs, and none for what works signed out', () => {
    for (const name of channelNames) expect(['none', 'enrolment', 'full'], name).toContain(contract[name].session);
    const signedOut = channelNames.filter((name) => /^(app|settings|auth|webmail):/.test(name));
    expect(signedOut.filter((name) => contract[name].session !== 'none')).toEqual([]);
    // A session restricted to enrolment may bind a method, and read what it needs for that.
    expect(channelNames.filter((name) => contract[name].session === 'enrolment' && !name.startsWith('two-factor:')).sort()).toEqual([
      'client-passwords:classify',
      'mail-clients:settings',
      'mail-clients:what-will-break',
    ]);
  });

  it('declares only known error codes', () => {
    for (const name of channelNames) for (const code of contract[name].errors) expect(isErrorCode(code)).toBe(true);
    for (const code of genericErrors) expect(errorCodes).toContain(code);
  });
});

describe('request schemas', () => {
  it('accept an empty request where nothing is needed', () => {
    expect(v.is(contract['app:info'].request, {})).toBe(true);
    expect(v.is(contract['settings:get'].request, {})).toBe(true);
  });

  it('refuse unknown keys, including prototype-pollution keys', () => {
    expect(v.is(contract['app:info'].request, { extra: 1 })).toBe(false);
    expect(v.is(contract['settings:update'].request, JSON.parse('{"__proto__": {"admin": true}}'))).toBe(false);
    expect(v.is(contract['settings:update'].request, { constructor: 'x' })).toBe(false);
  });

  it('refuse wrong types and values outside the allowed set', () => {
    const update = contract['settings:update'].request;
    expect(v.is(update, { locale: 'en' })).toBe(true);
    expect(v.is(update, { theme: 'dark', locale: 'system' })).toBe(true);
    expect(v.is(update, { locale: 'fr' })).toBe(false);
    expect(v.is(update, { theme: 1 })).toBe(false);
    expect(v.is(update, null)).toBe(false);
    expect(v.is(update, 'locale=en')).toBe(false);
  });
});

describe('response schemas', () => {
  it('describe what app:info returns', () => {
    const info = {
      productName: 'Mailwarden',
      version: '0.1.0',
      dataDir: '/d',
      backend: 'embedded',
      shell: 'browser',
      demo: false,
      platform: 'linux',
      policySource: { places: [], keys: {} },
    };
    expect(v.is(contract['app:info'].response, info)).toBe(true);
    const managed = { ...info, policySource: { places: ['etc-file'], keys: { enforceTwoFactor: { source: 'enforced', origin: 'etc-file' } } } };
    expect(v.is(contract['app:info'].response, managed)).toBe(true);
    // Only the places a reader knows, and only schema keys.
    expect(v.is(contract['app:info'].response, { ...info, policySource: { places: ['gpo'], keys: {} } })).toBe(false);
    expect(v.is(contract['app:info'].response, { ...info, policySource: { places: [], keys: { enforce2fa: { source: 'enforced' } } } })).toBe(false);
    expect(v.is(contract['app:info'].response, { ...info, backend: 'http' })).toBe(false);
  });
});

describe('createApi', () => {
  it('exposes one frozen method per channel and nothing generic', async () => {
    const transport = vi.fn(async () => ({ ok: true as const, data: 'x' }));
    const api = createApi(channelNames, transport);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.settings)).toBe(true);
    const namespaces = [...new Set(channelNames.map((name) => methodPath(name)[0]))].sort();
    expect(Object.keys(api).sort()).toEqual(namespaces);
    expect(Object.keys(api.settings).sort()).toEqual(['get', 'update']);
    expect('invoke' in api).toBe(false);
    await api.settings.update({ theme: 'dark' });
    expect(transport).toHaveBeenCalledWith('settings:update', { theme: 'dark' });
    await api.app.info();
    expect(transport).toHaveBeenLastCalledWith('app:info', {});
  });
});

describe('createApiProxy', () => {
  it('maps every contract method to its channel without knowing the names', async () => {
    const transport = vi.fn(async () => ({ ok: true as const, data: null }));
    const api = createApiProxy(transport);
    const viaList = createApi(channelNames, vi.fn());
    for (const [namespace, methods] of Object.entries(viaList)) {
      for (const method of Object.keys(methods)) {
        await (api as unknown as Record<string, Record<string, () => Promise<unknown>>>)[namespace]![method]!();
      }
    }
    expect(transport.mock.calls.map((call) => (call as unknown[])[0])).toEqual(channelNames);
  });

  it('cannot be changed by a page script', () => {
    const api = createApiProxy(vi.fn()) as unknown as Record<string, unknown>;
    expect(Reflect.set(api, 'settings', {})).toBe(false);
    expect(Reflect.set(api.settings as object, 'update', () => 0)).toBe(false);
    expect(Reflect.deleteProperty(api, 'app')).toBe(false);
  });

  it('is not mistaken for a promise', () => {
    expect((createApiProxy(vi.fn()) as unknown as { then?: unknown }).then).toBeUndefined();
  });
});
