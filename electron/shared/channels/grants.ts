/** Shared mailboxes (共享邮箱, docs/rules.md §9): grants given, grants received, and their changes. */
import * as v from 'valibot';
import { channels, Empty } from '../channel';
import { grantLevels } from '../grant-rules';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const Address = v.pipe(v.string(), v.minLength(3), v.maxLength(254));
/** Epoch milliseconds; the core checks it lies between 1 day and 6 months ahead. */
const EndsAt = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8_640_000_000_000_000));

/**
 * Whether the mail server honours the grant yet (policy mailServer.sharedMailboxes): `applied`,
 * the mailbox opens in the grantee's mail client; `pending`, not yet told; `failed`, the last
 * attempt failed and another follows (`error`: the mail server's words, for IT).
 */
const mailServerStates = ['applied', 'pending', 'failed'] as const;
const MailServerStateSchema = v.strictObject({ state: v.picklist(mailServerStates), error: v.nullable(v.string()) });
export type MailServerStateView = v.InferOutput<typeof MailServerStateSchema>;

const GrantGivenSchema = v.strictObject({
  id: v.string(),
  grantee: v.string(),
  granteeName: v.string(),
  level: v.picklist(grantLevels),
  createdAt: v.number(),
  changedAt: v.number(),
  endsAt: v.nullable(v.number()),
  /** Absent when the mail server is not set to open shared mailboxes. */
  mailServer: v.optional(MailServerStateSchema),
});
export type GrantGivenView = v.InferOutput<typeof GrantGivenSchema>;

const SharedMailboxSchema = v.strictObject({
  id: v.string(),
  owner: v.string(),
  ownerName: v.string(),
  level: v.picklist(grantLevels),
  endsAt: v.nullable(v.number()),
  /** Shared since the grantee last looked at the list (grants:acknowledge). */
  isNew: v.boolean(),
  mailServer: v.optional(MailServerStateSchema),
});
export type SharedMailboxView = v.InferOutput<typeof SharedMailboxSchema>;

export const grantsChannels = channels({
  'grants:list-given': {
    session: 'full',
    request: Empty,
    response: v.strictObject({ grants: v.array(GrantGivenSchema) }),
    errors: ['not-signed-in', 'two-factor-required'],
  },
  'grants:list-shared-with-me': {
    session: 'full',
    request: Empty,
    response: v.strictObject({ mailboxes: v.array(SharedMailboxSchema) }),
    errors: ['not-signed-in', 'two-factor-required'],
  },
  'grants:add': {
    session: 'full',
    request: v.strictObject({ grantee: Address, level: v.picklist(grantLevels), endsAt: v.optional(EndsAt) }),
    response: GrantGivenSchema,
    errors: ['not-signed-in', 'two-factor-required', 'grant-self', 'end-date-invalid', 'mailbox-unknown', 'grant-exists'],
  },
  'grants:change': {
    session: 'full',
    request: v.strictObject({
      id: Id,
      level: v.picklist(grantLevels),
      /** Omitted keeps the end date; null removes it. */
      endsAt: v.optional(v.nullable(EndsAt)),
    }),
    response: GrantGivenSchema,
    errors: ['not-signed-in', 'two-factor-required', 'not-found', 'end-date-invalid'],
  },
  'grants:revoke': {
    session: 'full',
    request: v.strictObject({ id: Id }),
    response: Empty,
    errors: ['not-signed-in', 'two-factor-required', 'not-found'],
  },
  /** The grantee ends a share made with them. */
  'grants:decline': {
    session: 'full',
    request: v.strictObject({ id: Id }),
    response: Empty,
    errors: ['not-signed-in', 'two-factor-required', 'not-found'],
  },
  /** The grantee has seen these shares: they are no longer announced as new. */
  'grants:acknowledge': {
    session: 'full',
    request: v.strictObject({ ids: v.pipe(v.array(Id), v.maxLength(200)) }),
    response: Empty,
    errors: ['not-signed-in', 'two-factor-required'],
  },
});
