const dayMs = 24 * 60 * 60 * 1000;

/** Days left in a 2FA grace period, counting a started day as a whole one; 0 once it has ended. */
export function graceDaysLeft(endsAt: number, now: number): number {
  return Math.max(0, Math.ceil((endsAt - now) / dayMs));
}
