/**
 * How long until something may be done again (a new code, the next try, the mailbox unlocking),
 * said one way everywhere, in words the language's own Intl gives: "42 seconds" / "42秒钟",
 * "29 minutes" / "29分钟", "1 hour, 5 minutes" / "1小时5分钟". Rounded up, so the wait never
 * says less than is left. A timer of something running out (a code's validity) is a clock instead
 * (auth/countdown.ts `clockText`).
 */
export function waitText(totalSeconds: number, locale: string): string {
  const seconds = Math.max(1, Math.ceil(totalSeconds));
  const say = (value: number, unit: string) => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
  if (seconds < 60) return say(seconds, 'second');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return say(minutes, 'minute');
  const parts = [say(Math.floor(minutes / 60), 'hour')];
  if (minutes % 60) parts.push(say(minutes % 60, 'minute'));
  return new Intl.ListFormat(locale, { type: 'unit' }).format(parts);
}
