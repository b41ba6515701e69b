import type { SettingsStore } from '../../electron/core/ports';
import type { UserSettings } from '../../electron/shared/contract';
import { defaultUserSettings } from '../../electron/shared/defaults';

/** User settings held in memory: for tests that must not touch the disk. */
export class MemorySettingsStore implements SettingsStore {
  constructor(private settings: UserSettings = { ...defaultUserSettings }) {}
  async read(): Promise<UserSettings> {
    return { ...this.settings };
  }
  async write(settings: UserSettings): Promise<void> {
    this.settings = { ...settings };
  }
}
