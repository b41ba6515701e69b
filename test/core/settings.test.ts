// Covers electron/core/settings.ts.
import { describe, expect, it } from 'vitest';
import { SettingsService } from '../../electron/core/settings';
import { MemorySettingsStore } from '../factories/settings';

describe('SettingsService.update', () => {
  it('keeps both of two changes made at the same moment', async () => {
    const service = new SettingsService(new MemorySettingsStore({ locale: 'system', theme: 'system' }));
    const [a, b] = await Promise.all([service.update({ locale: 'en' }), service.update({ theme: 'dark' })]);
    expect(a).toEqual({ locale: 'en', theme: 'system' });
    expect(b).toEqual({ locale: 'en', theme: 'dark' });
    expect(await service.get()).toEqual({ locale: 'en', theme: 'dark' });
  });

  it('keeps every one of fifty pairs of changes at once', async () => {
    const service = new SettingsService(new MemorySettingsStore({ locale: 'system', theme: 'system' }));
    for (let i = 0; i < 50; i += 1) {
      const locale = i % 2 === 0 ? 'zh-CN' : 'en';
      const theme = i % 2 === 0 ? 'light' : 'dark';
      await Promise.all([service.update({ locale }), service.update({ theme })]);
      expect(await service.get()).toEqual({ locale, theme });
    }
  });

  it('goes on after a write that failed, and the failed change is not kept', async () => {
    const store = new MemorySettingsStore({ locale: 'system', theme: 'system' });
    const service = new SettingsService(store);
    const write = store.write.bind(store);
    let fail = true;
    store.write = async (settings) => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      await write(settings);
    };
    const [first, second] = await Promise.allSettled([service.update({ locale: 'en' }), service.update({ theme: 'dark' })]);
    expect(first.status).toBe('rejected');
    expect(second).toEqual({ status: 'fulfilled', value: { locale: 'system', theme: 'dark' } });
    expect(await service.get()).toEqual({ locale: 'system', theme: 'dark' });
  });
});
