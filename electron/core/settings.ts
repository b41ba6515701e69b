import type { RequestOf, UserSettings } from '../shared/contract';
import type { SettingsStore } from './ports';

/**
 * The person's own settings. An update reads, merges and writes the whole file, so updates run
 * one at a time: two at once (a language and a theme) would otherwise each write over the other.
 * This queue is the only lock settings have and it never waits on the store's lock, so it adds no
 * lock order (see electron/store/LOCKS.md).
 */
export class SettingsService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: SettingsStore) {}

  get(): Promise<UserSettings> {
    return this.store.read();
  }

  update(change: RequestOf<'settings:update'>): Promise<UserSettings> {
    const work = async (): Promise<UserSettings> => {
      const current = await this.store.read();
      const next: UserSettings = {
        locale: change.locale ?? current.locale,
        theme: change.theme ?? current.theme,
      };
      if (next.locale !== current.locale || next.theme !== current.theme) await this.store.write(next);
      return next;
    };
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
