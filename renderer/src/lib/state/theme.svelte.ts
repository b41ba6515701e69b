/**
 * Light or dark. 'system' follows the OS setting live; the resolved theme is written to
 * `<html data-theme>`, which app.css keys its colours on.
 */
import type { ThemePreference } from '../../../../electron/shared/contract';
import type { Err } from '../../../../electron/shared/result';
import { api } from '../api/bridge';
import { PersistedChoice } from './persisted-choice.svelte';

type ResolvedTheme = 'light' | 'dark';

class Theme {
  readonly #choice = new PersistedChoice<ThemePreference>('system', async (theme) => {
    const result = await api.settings.update({ theme });
    return result.ok ? { ok: true, data: result.data.theme } : result;
  });
  #systemDark = $state(false);
  readonly resolved: ResolvedTheme = $derived(this.#choice.value === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#choice.value);

  get preference(): ThemePreference {
    return this.#choice.value;
  }

  /** Switches at once and saves the choice; on failure the saved theme comes back. */
  choose(preference: ThemePreference): Promise<Err | null> {
    return this.#choice.choose(preference);
  }

  start(preference: ThemePreference): () => void {
    this.#choice.reset(preference);
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = media.matches;
    const onChange = (event: MediaQueryListEvent) => (this.#systemDark = event.matches);
    media.addEventListener('change', onChange);
    const stopEffects = $effect.root(() => {
      $effect(() => {
        document.documentElement.dataset.theme = this.resolved;
      });
    });
    return () => {
      media.removeEventListener('change', onChange);
      stopEffects();
    };
  }
}

export const theme = new Theme();
