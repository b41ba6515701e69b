import type { Locale, LocalePreference } from './contract';

/**
 * 'system' follows the OS (or browser) language list in order of preference: the first Chinese
 * or English entry decides; a list with neither falls back to English, the more widely read of
 * the two for a user whose system speaks a third language.
 */
export function resolveLocale(preference: LocalePreference, systemLanguages: readonly string[]): Locale {
  if (preference !== 'system') return preference;
  for (const tag of systemLanguages) {
    const language = tag.toLowerCase().split(/[-_]/)[0];
    if (language === 'zh') return 'zh-CN';
    if (language === 'en') return 'en';
  }
  return 'en';
}
