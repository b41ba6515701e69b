// Covers electron/core/dispatch.ts and electron/core/handlers.ts.
import { describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import type { Handlers } from '../../electron/core/handler-types';
import { StorageError, type Logger, type SettingsStore } from '../../electron/core/ports';
import { MemorySettingsStore } from '../factories/settings';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { fakeMailClientPorts } from '../factories/mail-clients';

function recordingLogger(): Logger & { lines: unknown[] } {
  const lines: unknown[] = [];
  const push = (message: string, fields?: Record<string, unknown>) => lines.push({ message, ...fields });
  return { lines, info: push, warn: push, error: push };
}

async function setup(store: SettingsStore = new MemorySettingsStore()) {
  const logger = recordingLogger();
  const { core } = await testCore();
  const handlers = createHandlers({ mailClients: fakeMailClientPorts(), environment: testEnvironment(), settingsStore: store, logger, core });
  const dispatcher = createDispatcher(handlers, logger);
  return { logger, handlers, dispatch: (channel: unknown, request: unknown) => dispatcher(channel, request, testCall()) };
}

describe('dispatch', () => {
  it('answers a valid request with the service value', async () => {
    const { dispatch } = await setup();
    const result = await dispatch('app:info', {});
    expect(result).toEqual({ ok: true, data: expect.objectContaining({ backend: 'embedded', dataDir: '/tmp/mailwarden-test', version: '9.9.9' }) });
  });

  it('refuses an unknown channel without calling anything', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('app:delete-everything', {})).toEqual({ ok: false, code: 'unknown-channel' });
    expect(await dispatch('constructor', {})).toEqual({ ok: false, code: 'unknown-channel' });
    expect(await dispatch(undefined, {})).toEqual({ ok: false, code: 'unknown-channel' });
  });

  it('never lets a malformed request reach the service', async () => {
    const store = new MemorySettingsStore();
    const write = vi.spyOn(store, 'write');
    const read = vi.spyOn(store, 'read');
    const { dispatch } = await setup(store);
    const result = await dispatch('settings:update', { locale: 'klingon', theme: 'dark' });
    expect(result).toEqual({ ok: false, code: 'invalid-request', fields: ['locale'] });
    expect(read).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
    expect(await dispatch('settings:update', 'theme=dark')).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('settings:update', { theme: 'dark', role: 'admin' })).toMatchObject({ ok: false, code: 'invalid-request' });
    // Arrays and class instances are objects too; a request is only ever a plain JSON object.
    expect(await dispatch('settings:update', [])).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('settings:get', new Date())).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('settings:get', null)).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it('turns a bug in a handler into `internal` and logs no request data', async () => {
    const logger = recordingLogger();
    const handlers = {
      'app:info': async () => {
        throw new TypeError('boom secret-value');
      },
    } as unknown as Handlers;
    const dispatch = createDispatcher(handlers, logger);
    expect(await dispatch('app:info', {}, testCall())).toEqual({ ok: false, code: 'internal' });
    expect(JSON.stringify(logger.lines)).not.toContain('secret-value');
    expect(logger.lines).toEqual([{ message: 'handler failed', channel: 'app:info', error: 'TypeError' }]);
  });

  it('reports a store that fails as `storage-failed`, leaving the settings as they were', async () => {
    const store = new MemorySettingsStore({ locale: 'en', theme: 'light' });
    vi.spyOn(store, 'write').mockRejectedValue(new StorageError('disk full'));
    const { dispatch } = await setup(store);
    expect(await dispatch('settings:update', { theme: 'dark' })).toEqual({ ok: false, code: 'storage-failed' });
    expect(await dispatch('settings:get', {})).toEqual({ ok: true, data: { locale: 'en', theme: 'light' } });
  });
});

describe('settings', () => {
  it('starts from the defaults and keeps what is changed', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('settings:get', {})).toEqual({ ok: true, data: { locale: 'system', theme: 'system' } });
    expect(await dispatch('settings:update', { locale: 'en' })).toEqual({ ok: true, data: { locale: 'en', theme: 'system' } });
    expect(await dispatch('settings:update', { theme: 'dark' })).toEqual({ ok: true, data: { locale: 'en', theme: 'dark' } });
    expect(await dispatch('settings:get', {})).toEqual({ ok: true, data: { locale: 'en', theme: 'dark' } });
  });

  it('does not rewrite the store when nothing changes', async () => {
    const store = new MemorySettingsStore();
    const write = vi.spyOn(store, 'write');
    const { dispatch } = await setup(store);
    await dispatch('settings:update', { locale: 'system' });
    await dispatch('settings:update', {});
    expect(write).not.toHaveBeenCalled();
  });
});
