/**
 * The display language. Paraglide's message functions ask `getLocale()` each time they run;
 * pointing it at this reactive state makes every `m.key()` in a template re-render when the
 * language changes.
 */
import type { Locale, LocalePreference } from '../../../../electron/shared/contract';
import type { Err } from '../../../../electron/shared/result';
import { api } from '../api/bridge';
import { overwriteGetLocale } from '../paraglide/runtime.js';
import { PersistedChoice } from '../state/persisted-choice.svelte';
import { resolveLocale } from '../../../../electron/shared/locale';

class I18n {
  readonly #choice = new PersistedChoice<LocalePreference>('system', async (locale) => {
    const result = await api.settings.update({ locale });
    return result.ok ? { ok: true, data: result.data.locale } : result;
  });
  #languages = $state.raw<readonly string[]>(navigator.languages);
  readonly locale: Locale = $derived(resolveLocale(this.#choice.value, this.#languages));

  get preference(): LocalePreference {
    return this.#choice.value;
  }

  /** Switches at once and saves the choice; on failure the saved language comes back. */
  choose(preference: LocalePreference): Promise<Err | null> {
    return this.#choice.choose(preference);
  }

  start(preference: LocalePreference): () => void {
    this.#choice.reset(preference);
    overwriteGetLocale(() => this.locale);
    const onLanguageChange = () => (this.#languages = navigator.languages);
    window.addEventListener('languagechange', onLanguageChange);
    const stopEffects = $effect.root(() => {
      $effect(() => {
        document.documentElement.lang = this.locale;
      });
    });
    return () => {
      window.removeEventListener('languagechange', onLanguageChange);
      stopEffects();
    };
  }
}

export const i18n = new I18n();
