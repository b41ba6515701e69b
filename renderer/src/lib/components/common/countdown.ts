/**
 * Pure helpers of the countdowns (a lockout, a resend, a challenge's or a binding's lapse). Kept
 * free of Svelte and the DOM so test/renderer covers them directly.
 */

/** Whole seconds left until `at` (ms since the epoch), never negative; a started second counts. */
export function secondsLeft(at: number | null | undefined, now: number): number {
  if (at === null || at === undefined) return 0;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * `04:35`, or `1:04:35` past an hour: two digits for minutes and seconds, so the text keeps its
 * width while it ticks (with tabular figures).
 */
export function clockText(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The deadline a `retryAfter` (seconds, from an error) points at, from the moment it arrived. */
export function deadlineAfter(retryAfter: number | undefined, now: number): number | null {
  return retryAfter !== undefined && retryAfter > 0 ? now + retryAfter * 1000 : null;
}

/** The address as the backend compares it: a lockout belongs to the address that earned it. */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
