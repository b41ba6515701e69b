/**
 * The app's first frame is static HTML (renderer/index.html: the header bar and the mark, no
 * words), painted before any script runs. So that it already wears the person's theme and
 * language, the shell that serves index.html writes them on its <html> element from the saved
 * settings: `lang` always, `data-theme` when the person chose light or dark (with "system" the
 * stylesheet follows the OS, as the app then does). The organisation server's page keeps its
 * settings in the browser and serves the file as built.
 */
import type { Locale, UserSettings } from '../shared/contract';
import { resolveLocale } from '../shared/locale';

export interface FirstFrame {
  readonly lang: Locale;
  readonly theme: 'light' | 'dark' | null;
}

export function firstFrameOf(settings: UserSettings, systemLanguages: readonly string[]): FirstFrame {
  return { lang: resolveLocale(settings.locale, systemLanguages), theme: settings.theme === 'system' ? null : settings.theme };
}

/** The languages of an Accept-Language header, most preferred first (browser mode: the browser's own). */
export function acceptedLanguages(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(/q=([\d.]+)/.exec(params.join(';'))?.[1] ?? '1');
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((entry) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(entry.tag) && entry.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
}

/** index.html with the frame's language and theme on <html>; anything else is left as built. */
export function withFirstFrame(html: string, frame: FirstFrame): string {
  return html.replace(/<html lang="[^"]*">/, `<html lang="${frame.lang}"${frame.theme ? ` data-theme="${frame.theme}"` : ''}>`);
}
