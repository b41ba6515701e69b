/**
 * A grant's optional end date (docs/rules.md §9: 1 day – 6 months ahead), as a person picks it: a
 * calendar day, shared through the end of that day. The backend receives the instant the day
 * after begins (local time), which must lie at least a day and at most six months ahead; the
 * bounds here are a little inside the backend's so a date offered is never refused.
 */
import { addMonths } from '../../../../../electron/shared/grant-rules';

const dayMs = 86_400_000;
/** Room for the seconds between opening the dialog and the backend reading its clock. */
const slackMs = 10 * 60_000;

/** `YYYY-MM-DD` of a local calendar day, as <input type="date"> reads and writes it. */
export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The local calendar day of a `YYYY-MM-DD` value, or null when it is not a real day. */
export function parseIsoDate(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

/** The instant sharing ends for a chosen last day: the start of the following local day. */
export function endsAtOf(value: string): number | null {
  const date = parseIsoDate(value);
  if (!date) return null;
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1).getTime();
}

/** The last day a grant ending at `endsAt` still holds, for display. */
export function lastDayOf(endsAt: number): Date {
  return new Date(endsAt - 1);
}

/** The first and last day that may be chosen now. */
export function endDateBounds(now: number): { min: string; max: string } {
  // The earliest day whose following midnight lies a day (and the slack) ahead: usually tomorrow.
  const min = new Date(now + dayMs + slackMs);
  // The latest day whose following midnight still lies before the six-month limit.
  const limit = addMonths(now, 6) - slackMs;
  const limitDay = new Date(limit);
  const max = new Date(limitDay.getFullYear(), limitDay.getMonth(), limitDay.getDate() - 1);
  return { min: isoDate(min), max: isoDate(max) };
}

/** Whether a chosen day is one the backend accepts now. */
export function endDateValid(value: string, now: number): boolean {
  const endsAt = endsAtOf(value);
  if (endsAt === null) return false;
  return endsAt >= now + dayMs + slackMs && endsAt <= addMonths(now, 6) - slackMs;
}
