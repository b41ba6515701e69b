/**
 * The name a client password made for one Foxmail account gets ("Foxmail zhang.wei@cstnet.cn"),
 * within the name rule of docs/rules.md §6 (1–32 characters, unique per mailbox). Pure, so
 * test/renderer covers it without a page.
 */
import { nameLength, nameMaxLength } from '../client-passwords/labels';

/**
 * The name for the `attempt`-th try (1 first): a taken name gets " 2", " 3", … A name too long
 * for the rule is cut, and marked with "…" so it does not read as a whole address.
 */
export function foxmailPasswordName(address: string, attempt = 1, max = nameMaxLength): string {
  const suffix = attempt > 1 ? ` ${attempt}` : '';
  const base = `Foxmail ${address.trim()}`;
  if (nameLength(base) + suffix.length <= max) return `${base}${suffix}`;
  const kept = [...base.normalize('NFC')]
    .slice(0, max - suffix.length - 1)
    .join('')
    .trimEnd();
  return `${kept}…${suffix}`;
}

/** How many names to try before giving up: more than a mailbox may hold (the policy's limit is 20 by default). */
export const foxmailNameAttempts = 30;

/** Milliseconds from `now` until `at`, never negative: a timer for a moment already past runs at once. */
export function msUntil(at: number, now: number): number {
  return Math.max(0, at - now);
}
