/**
 * The security activity log (SPEC.md §11): every security event with time, mailbox, device and
 * outcome. Written by every service through `ActivityLog.record`; kept 180 days or 10,000 events
 * per mailbox, whichever is smaller.
 */
import { randomId } from './ids';
import type { Clock, Random } from './ports';
import type { Collection, Store, StoredRecord } from './store';

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
  'device-trusted',
  'device-removed',
  'grant-added',
  'grant-changed',
  'grant-removed',
  'policy-applied',
] as const;

export type ActivityKind = (typeof activityKinds)[number];
export type ActivityOutcome = 'success' | 'failure';

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

export const activityRetention = { days: 180, perMailbox: 10_000 } as const;

export interface ActivityEvent {
  readonly mailbox: string;
  readonly kind: ActivityKind;
  readonly outcome?: ActivityOutcome;
  readonly device: string;
  readonly detail?: Readonly<Record<string, string | number>>;
}

export class ActivityLog {
  private readonly events: Collection<ActivityRecord>;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    this.events = store.collection<ActivityRecord>('activity');
  }

  async record(event: ActivityEvent): Promise<ActivityRecord> {
    return this.events.insert({
      _id: randomId(this.random),
      mailbox: event.mailbox,
      kind: event.kind,
      outcome: event.outcome ?? 'success',
      at: this.clock.now(),
      device: event.device,
      detail: event.detail ?? {},
    });
  }
}
