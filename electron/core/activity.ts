/**
 * The security activity log (docs/rules.md §11): every security event with time, mailbox, device and
 * outcome. Written by every service through `ActivityLog.record`; kept 180 days or 10,000 events
 * per mailbox, whichever is smaller; read newest first through `activity:list`.
 */
import { randomId } from './ids';
import type { MailboxRecord } from './mailbox';
import { cachedUntilFailure } from './promise-cache';
import type { Clock, Random } from './ports';
import type { Collection, Store, StoredRecord } from './store';

/** @internal */
export const activityKinds = [
  'sign-in',
  'sign-in-failed',
  'mailbox-locked',
  'mailbox-registered',
  'code-sent',
  'code-send-failed',
  'code-rejected',
  'phone-bound',
  'phone-changed',
  'phone-unbound',
  'totp-enrolled',
  'totp-removed',
  'backup-codes-generated',
  'backup-code-used',
  'password-changed',
  'client-password-created',
  'client-password-used',
  'client-password-rejected',
  'client-password-revoked',
  /** A one-time link to a phone profile was shown (phone-handoff.ts): detail { name }. */
  'phone-profile-offered',
  /** A phone fetched it: device is the phone's browser; detail { name }. */
  'phone-profile-fetched',
  'device-trusted',
  'device-removed',
  /** Sessions signed out from another (trusted-devices.ts): detail { label, client, address? } or { count }. */
  'sessions-ended',
  'grant-added',
  'grant-changed',
  'grant-removed',
  'policy-applied',
  /** The help desk acted on the mailbox (core/helpdesk.ts): detail { action, by }. */
  'helpdesk-action',
] as const;

export type ActivityKind = (typeof activityKinds)[number];

export function isActivityKind(value: string): value is ActivityKind {
  return (activityKinds as readonly string[]).includes(value);
}

type ActivityOutcome = 'success' | 'failure';

export interface ActivityRecord extends StoredRecord {
  readonly mailbox: string;
  readonly kind: ActivityKind;
  readonly outcome: ActivityOutcome;
  readonly at: number;
  /** "Windows · LAB-PC-07 / Chrome 131", or the mail client's address for IMAP/SMTP events. */
  readonly device: string;
  /** Non-secret particulars a person needs to read the event: a client-password name, a masked phone. */
  readonly detail: Readonly<Record<string, string | number>>;
}

/** @internal */
export const activityRetention = { days: 180, perMailbox: 10_000 } as const;
/** @internal */
export const activityPageSize = { default: 50, max: 200 } as const;

const dayMs = 86_400_000;

export interface ActivityEvent {
  readonly mailbox: string;
  readonly kind: ActivityKind;
  readonly outcome?: ActivityOutcome;
  readonly device: string;
  readonly detail?: Readonly<Record<string, string | number>>;
}

export interface ActivityQuery {
  readonly kind?: ActivityKind;
  /** The `nextCursor` of the previous page: only events older than it are returned. */
  readonly before?: string;
  readonly limit?: number;
}

export interface ActivityPage {
  /** Newest first. */
  readonly events: readonly ActivityRecord[];
  /** Pass as `before` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** What the log knows of one mailbox's events without asking the store: kept in step by record(). */
interface Tally {
  count: number;
  /** Time of the oldest event, or +Infinity when there is none. */
  oldestAt: number;
}

/**
 * A cursor names the last event shown, `<at>.<id>`: events are ordered by time and then by id,
 * so a page boundary inside one millisecond neither repeats nor skips an event.
 */
function cursorOf(event: ActivityRecord): string {
  return `${event.at}.${event._id}`;
}

function parseCursor(cursor: string): { at: number; id: string } | null {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(cursor);
  return match ? { at: Number(match[1]), id: match[2]! } : null;
}

export class ActivityLog {
  private readonly events: Collection<ActivityRecord>;
  private readonly mailboxes: Collection<MailboxRecord>;
  private readonly tallies = new Map<string, Promise<Tally>>();
  private sequence = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    // Only handles: nedb loads the activity datastore on its first use, never when the app opens.
    this.events = store.collection<ActivityRecord>('activity');
    this.mailboxes = store.collection<MailboxRecord>('mailboxes');
  }

  /**
   * A fixed-width counter, then randomness: ids sort in insertion order, so events of the same
   * millisecond (a sign-in and the device it trusted) still list newest first.
   */
  private nextId(): string {
    this.sequence += 1;
    return `${this.sequence.toString(36).padStart(8, '0')}${randomId(this.random, 12)}`;
  }

  /**
   * Appends one event and keeps the mailbox inside the retention rule. The common case costs one
   * insert: the store is asked for a count only when the tally says a limit is crossed.
   *
   * The log has no lock of its own: it runs in `store.atomically`, which joins the caller's block
   * when there is one. A queue of its own, taken inside some blocks and outside others, is what
   * once let a request holding the store wait on the log while the log waited on the store.
   */
  record(event: ActivityEvent): Promise<ActivityRecord> {
    return this.store.atomically(async () => {
      const tally = await this.tally(event.mailbox);
      const record = await this.events.insert({
        _id: this.nextId(),
        mailbox: event.mailbox,
        kind: event.kind,
        outcome: event.outcome ?? 'success',
        at: this.clock.now(),
        device: event.device,
        detail: event.detail ?? {},
      });
      tally.count += 1;
      tally.oldestAt = Math.min(tally.oldestAt, record.at);
      if (tally.count > activityRetention.perMailbox || tally.oldestAt < this.cutoff()) await this.pruneMailbox(event.mailbox);
      return record;
    });
  }

  /**
   * Records the event unless one of the same kind, outcome and device (and the same values of
   * the `sameDetail` keys the event carries) was recorded for the mailbox within `windowMs`: a
   * mail client polling every few minutes would otherwise push months of history out of the
   * 10,000-event window in days. Returns whether it recorded.
   */
  recordUnlessRecent(event: ActivityEvent, windowMs: number, sameDetail: readonly string[] = []): Promise<boolean> {
    const detail = event.detail ?? {};
    // Looked up and written in one block, so two clients at once cannot both log the same event.
    return this.store.atomically(async () => {
      const recent = await this.events.count({
        mailbox: event.mailbox,
        kind: event.kind,
        outcome: event.outcome ?? 'success',
        device: event.device,
        ...Object.fromEntries(sameDetail.filter((key) => detail[key] !== undefined).map((key) => [`detail.${key}`, detail[key]])),
        at: { $gt: this.clock.now() - windowMs },
      });
      if (recent > 0) return false;
      await this.record(event);
      return true;
    });
  }

  /** One page of a mailbox's events, newest first, after applying the retention rule to it. */
  async list(mailbox: string, query: ActivityQuery = {}): Promise<ActivityPage | null> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? activityPageSize.default), 1), activityPageSize.max);
    const before = query.before === undefined ? undefined : parseCursor(query.before);
    if (before === null) return null;
    // Reading is also when an old history is trimmed: nothing past the rule is ever shown.
    await this.prune(mailbox);
    const base = { mailbox, ...(query.kind ? { kind: query.kind } : {}) };
    const newestFirst = { at: -1, _id: -1 } as const;
    let page: ActivityRecord[] = [];
    if (before) {
      // The rest of the millisecond the cursor stopped in, then everything older.
      page = await this.events.find({ ...base, at: before.at, _id: { $lt: before.id } }, { sort: { _id: -1 }, limit: limit + 1 });
    }
    if (page.length <= limit) {
      const older = before ? { ...base, at: { $lt: before.at } } : base;
      page = page.concat(await this.events.find(older, { sort: newestFirst, limit: limit + 1 - page.length }));
    }
    const events = page.slice(0, limit);
    return { events, nextCursor: page.length > limit ? cursorOf(events[events.length - 1]!) : null };
  }

  /**
   * Applies the retention rule to one mailbox, or to every mailbox in the directory and every
   * event past 180 days when none is named. Returns how many events it removed.
   */
  prune(mailbox?: string): Promise<number> {
    return this.store.atomically(async () => {
      if (mailbox !== undefined) return this.pruneMailbox(mailbox);
      let removed = await this.events.remove({ at: { $lt: this.cutoff() } });
      for (const { _id } of await this.mailboxes.find({})) removed += await this.pruneMailbox(_id);
      return removed;
    });
  }

  private cutoff(): number {
    return this.clock.now() - activityRetention.days * dayMs;
  }

  private tally(mailbox: string): Promise<Tally> {
    return cachedUntilFailure(this.tallies, mailbox, () => this.countFromStore(mailbox));
  }

  private async countFromStore(mailbox: string): Promise<Tally> {
    const count = await this.events.count({ mailbox });
    const [oldest] = await this.events.find({ mailbox }, { sort: { at: 1 }, limit: 1 });
    return { count, oldestAt: oldest?.at ?? Number.POSITIVE_INFINITY };
  }

  /**
   * Removes what the rule no longer keeps, judged from the store itself rather than the tally,
   * and restarts the tally from what remains. (A caller's `store.atomically` that fails may put
   * removed events back; the store stays the truth, and the next prune or listing trims them.)
   */
  private async pruneMailbox(mailbox: string): Promise<number> {
    const aged = await this.events.remove({ mailbox, at: { $lt: this.cutoff() } });
    const count = await this.events.count({ mailbox });
    const excess = Math.max(count - activityRetention.perMailbox, 0);
    // One read finds both the events to drop and the oldest one that stays.
    const oldest = await this.events.find({ mailbox }, { sort: { at: 1, _id: 1 }, limit: excess + 1 });
    const drop = oldest.slice(0, excess).map((e) => e._id);
    const dropped = drop.length > 0 ? await this.events.remove({ _id: { $in: drop } }) : 0;
    this.tallies.set(mailbox, Promise.resolve({ count: count - dropped, oldestAt: oldest[excess]?.at ?? Number.POSITIVE_INFINITY }));
    return aged + dropped;
  }
}
