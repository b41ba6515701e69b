import type { RequestOf, UserSettings } from '../shared/contract';
import type { SettingsStore } from './ports';

export class SettingsService {
  constructor(private readonly store: SettingsStore) {}

  get(): Promise<UserSettings> {
    return this.store.read();
  }

  async update(change: RequestOf<'settings:update'>): Promise<UserSettings> {
    const current = await this.store.read();
    const next: UserSettings = {
      locale: change.locale ?? current.locale,
      theme: change.theme ?? current.theme,
    };
    if (next.locale !== current.locale || next.theme !== current.theme) await this.store.write(next);
    return next;
  }
}
