/** The last day a grant holds, as the shared-mailbox lists show it. */
import { formatDay } from '../../i18n/dates';
import { lastDayOf } from './end-date';

export { formatDay };

/** The last day a grant still holds (its end instant is the following midnight). */
export function formatLastDay(endsAt: number): string {
  return formatDay(lastDayOf(endsAt).getTime());
}
