/**
 * Every date and duration the pages show, in the current language: Intl does the word order and
 * plurals, so no message needs a plural form. One module, so a list and a card never write the
 * same moment two ways. (The sign-in screen's test delivery formats its one time itself: this
 * module is shared by the pages loaded after sign-in, and kept out of the first script.)
 */
import { getLocale } from '../paraglide/runtime.js';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** "2025年3月4日 14:05" / "Mar 4, 2025, 2:05 PM". */
export function formatDateTime(ms: number, locale: string = getLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** "2025年3月4日" / "Mar 4, 2025": a day without its time. */
export function formatDay(ms: number, locale: string = getLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(ms);
}

/**
 * "2026年12月31日星期四" / "Thursday, December 31, 2026": a chosen day said in full, in the app's
 * language, beside a native date field whose own format follows the browser's language instead.
 */
export function formatFullDay(ms: number, locale: string = getLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full' }).format(ms);
}

/** The same moment as an ISO string, for `<time datetime>`. */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * "in 6 days" / "6天后", "in 5 hours", "in 3 minutes" until `at`; "1 day ago" once it is past.
 * Days are rounded, so a trust made a moment ago still reads as the policy's 7 days.
 */
export function relativeTo(at: number, now: number, locale: string = getLocale()): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  const diff = at - now;
  const size = Math.abs(diff);
  if (size >= dayMs) return format.format(Math.round(diff / dayMs), 'day');
  if (size >= hourMs) return format.format(Math.round(diff / hourMs), 'hour');
  const minutes = Math.round(diff / minuteMs);
  return format.format(minutes === 0 ? (diff >= 0 ? 1 : -1) : minutes, 'minute');
}
