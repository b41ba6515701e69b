/** The security activity log's reading side (docs/rules.md §11). */
import * as v from 'valibot';
import { channels } from '../channel';

/**
 * A kind's shape only: the list of kinds grows with the services in the core, which the contract
 * may not import, so the handler checks membership and answers `invalid-request` like the schema.
 */
const ActivityKindName = v.pipe(v.string(), v.maxLength(48), v.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/));

const ActivityEventSchema = v.strictObject({
  id: v.string(),
  at: v.number(),
  kind: v.string(),
  outcome: v.picklist(['success', 'failure']),
  /** "Windows · LAB-PC-07 / Chrome 131", or "IMAP from 203.0.113.5" for a mail client. */
  device: v.string(),
  /** Non-secret particulars: a client-password name, a grantee, a masked phone, a reason. */
  detail: v.record(v.string(), v.union([v.string(), v.number()])),
});
export type ActivityEventView = v.InferOutput<typeof ActivityEventSchema>;

export const activityChannels = channels({
  'activity:list': {
    session: 'full',
    request: v.strictObject({
      kind: v.optional(ActivityKindName),
      /** The `nextCursor` of the previous page. */
      before: v.optional(v.pipe(v.string(), v.maxLength(96))),
      limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200))),
    }),
    response: v.strictObject({
      /** Newest first. */
      events: v.array(ActivityEventSchema),
      nextCursor: v.nullable(v.string()),
    }),
    errors: ['not-signed-in', 'two-factor-required'],
  },
});
