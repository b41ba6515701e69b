/** Client-specific passwords (客户端专用密码, SPEC.md §6). */
import * as v from 'valibot';
import { applyTargets, clientPasswordExpiryDays, mailProtocols } from '../client-password-rules';
import { channels, Empty } from '../channel';


const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

export const ClientPasswordSchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  createdAt: v.number(),
  lastUsedAt: v.nullable(v.number()),
  /** The mail client's network address at its last successful login. */
  lastUsedFrom: v.nullable(v.string()),
  scopes: v.array(v.picklist(mailProtocols)),
  expiresAt: v.nullable(v.number()),
  expired: v.boolean(),
  appliedTo: v.array(v.picklist(applyTargets)),
  /** For the security check-up: not used (or, never used, not created) in the last 90 days. */
  unusedFor90Days: v.boolean(),
});
export type ClientPasswordView = v.InferOutput<typeof ClientPasswordSchema>;

export const clientPasswordsChannels = channels({
  'client-passwords:list': {
    request: Empty,
    response: v.strictObject({
      passwords: v.array(ClientPasswordSchema),
      /** How many the policy allows per mailbox. */
      limit: v.number(),
      /** The expiry the create form preselects (policy, may be recommended); null: never. */
      defaultExpiryDays: v.nullable(v.number()),
    }),
    errors: ['not-signed-in', 'two-factor-required'],
  },
  'client-passwords:create': {
    request: v.strictObject({
      /** 1–32 characters once trimmed; the core checks the count and the characters. */
      name: v.pipe(v.string(), v.maxLength(128)),
      scopes: v.optional(v.pipe(v.array(v.picklist(mailProtocols)), v.minLength(1), v.maxLength(mailProtocols.length))),
      expiresInDays: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(clientPasswordExpiryDays.min), v.maxValue(clientPasswordExpiryDays.max)),
      ),
    }),
    response: v.strictObject({
      ...ClientPasswordSchema.entries,
      /** The 16 characters: shown this once and never again (SPEC.md §6). */
      password: v.string(),
      /** The same in groups of four for reading, `abcd efgh ijkm npqr`; copied without the spaces. */
      grouped: v.string(),
    }),
    errors: ['not-signed-in', 'two-factor-required', 'two-factor-not-enabled', 'name-invalid', 'name-taken', 'limit-reached'],
  },
  'client-passwords:revoke': {
    request: v.strictObject({ id: Id }),
    response: Empty,
    errors: ['not-signed-in', 'two-factor-required', 'not-found'],
  },
  'client-passwords:mark-applied': {
    request: v.strictObject({ id: Id, target: v.picklist(applyTargets) }),
    response: ClientPasswordSchema,
    errors: ['not-signed-in', 'two-factor-required', 'not-found'],
  },
});
