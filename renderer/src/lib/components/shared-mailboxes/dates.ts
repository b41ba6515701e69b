/** Dates as the shared-mailbox lists show them, in the current language. */
import { getLocale } from '../../paraglide/runtime.js';
import { lastDayOf } from './end-date';

export function formatDay(time: number): string {
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium' }).format(new Date(time));
}

/** The last day a grant still holds (its end instant is the following midnight). */
export function formatLastDay(endsAt: number): string {
  return formatDay(lastDayOf(endsAt).getTime());
}
