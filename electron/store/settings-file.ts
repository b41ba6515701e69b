import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { LocalePreferenceSchema, ThemePreferenceSchema, type UserSettings } from '../shared/contract';
import { defaultUserSettings } from '../shared/defaults';
import { StorageError, type Logger, type SettingsStore } from '../core/ports';
import { writeFileAtomic } from './atomic-file';

/** @internal */
export const settingsFileName = 'settings.json';

/**
 * User settings as one small JSON file in the data folder. A missing file means defaults; an
 * unreadable or invalid one is logged and replaced by defaults rather than stopping the app,
 * because losing a language choice is better than not starting.
 */
export class SettingsFile implements SettingsStore {
  readonly path: string;
  /**
   * What the file holds, once read or written: this process alone writes the data folder (its
   * lock, store/folder-lock.ts), so each settings:get and settings:update need not read it again.
   */
  private known: UserSettings | null = null;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.path = join(dataDir, settingsFileName);
  }

  async read(): Promise<UserSettings> {
    if (this.known === null) this.known = await this.readFile();
    return { ...this.known };
  }

  private async readFile(): Promise<UserSettings> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { ...defaultUserSettings };
      throw new StorageError(`cannot read settings: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.logger.warn('settings file is not JSON; using defaults', { path: this.path });
      return { ...defaultUserSettings };
    }
    // Keep what is valid, default what is not, so one bad key does not reset the rest.
    const stored = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const settings: UserSettings = {
      locale: v.is(LocalePreferenceSchema, stored.locale) ? stored.locale : defaultUserSettings.locale,
      theme: v.is(ThemePreferenceSchema, stored.theme) ? stored.theme : defaultUserSettings.theme,
    };
    if (settings.locale !== stored.locale || settings.theme !== stored.theme) {
      this.logger.warn('settings file has invalid values; using defaults for them', { path: this.path });
    }
    return settings;
  }

  async write(settings: UserSettings): Promise<void> {
    try {
      await writeFileAtomic(this.path, `${JSON.stringify(settings, null, 2)}\n`);
    } catch (cause) {
      throw new StorageError(`cannot write settings: ${(cause as NodeJS.ErrnoException).code ?? 'unknown'}`);
    }
    this.known = { ...settings };
  }
}
