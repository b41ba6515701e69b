/** Dates on the two-factor page, in the language on screen. */
import { getLocale } from '../../paraglide/runtime.js';

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}
