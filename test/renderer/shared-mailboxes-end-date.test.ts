// Covers renderer/src/lib/components/shared-mailboxes/end-date.ts against docs/rules.md §9's rule.
import { describe, expect, it } from 'vitest';
import { endDateBounds, endDateValid, endsAtOf, isoDate, lastDayOf } from '../../renderer/src/lib/components/shared-mailboxes/end-date';

const day = 86_400_000;

/** docs/rules.md §9 as electron/core/grants.ts enforces it (restated: the web project cannot load the core). */
function endDateAllowed(endsAt: number, now: number): boolean {
  const limit = new Date(now);
  const dayOfMonth = limit.getUTCDate();
  limit.setUTCDate(1);
  limit.setUTCMonth(limit.getUTCMonth() + 6);
  limit.setUTCDate(Math.min(dayOfMonth, new Date(Date.UTC(limit.getUTCFullYear(), limit.getUTCMonth() + 1, 0)).getUTCDate()));
  return endsAt >= now + day && endsAt <= limit.getTime();
}

describe('grant end dates', () => {
  it('shares through the chosen day: it ends at the next local midnight', () => {
    const endsAt = endsAtOf('2025-03-10')!;
    expect(new Date(endsAt)).toEqual(new Date(2025, 2, 11));
    expect(isoDate(lastDayOf(endsAt))).toBe('2025-03-10');
    expect(endsAtOf('2025-02-30')).toBeNull();
    expect(endsAtOf('next week')).toBeNull();
  });

  it.each([
    new Date(2025, 0, 31, 9, 0).getTime(),
    new Date(2025, 7, 31, 23, 58).getTime(),
    new Date(2025, 5, 15, 0, 1).getTime(),
    new Date(2024, 1, 29, 12, 0).getTime(),
  ])('offers only days the backend accepts, and the days at its limits (now = %d)', (now) => {
    const { min, max } = endDateBounds(now);
    expect(endDateValid(min, now)).toBe(true);
    expect(endDateValid(max, now)).toBe(true);
    expect(endDateAllowed(endsAtOf(min)!, now + 60_000)).toBe(true);
    expect(endDateAllowed(endsAtOf(max)!, now + 60_000)).toBe(true);
    // A day earlier than min, or later than max, is not offered.
    expect(endDateValid(isoDate(new Date(endsAtOf(min)! - 1.5 * day)), now)).toBe(false);
    expect(endDateValid(isoDate(new Date(endsAtOf(max)! + 0.5 * day)), now)).toBe(false);
    // Six months out, give or take the last day or two.
    expect((endsAtOf(max)! - now) / day).toBeGreaterThan(178);
  });
});
