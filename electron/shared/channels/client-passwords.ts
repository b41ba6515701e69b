/** Client-specific passwords (客户端专用密码, docs/rules.md §6). */
import * as v from 'valibot';
import { applyTargets, clientPasswordExpiryDays, mailProtocols } from '../client-password-rules';
import { channels, Empty } from '../channel';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

const ClientPasswordSchema = v.strictObject({
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

/** What a password found in a mail client's settings is to the signed-in mailbox. */
const storedSecretVerdicts = ['client-password', 'main-password', 'other'] as const;
export type StoredSecretVerdict = (typeof storedSecretVerdicts)[number];

/** Passwords told apart in one request: one Foxmail scan rarely holds more than a few. */
export const classifyLimit = 8;

export const clientPasswordsChannels = channels({
  'client-passwords:list': {
    session: 'full',
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
    session: 'full',
    request: v.strictObject({
      /** 1–32 characters once trimmed; the core checks the count and the characters. */
      name: v.pipe(v.string(), v.maxLength(128)),
      scopes: v.optional(v.pipe(v.array(v.picklist(mailProtocols)), v.minLength(1), v.maxLength(mailProtocols.length))),
      expiresInDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(clientPasswordExpiryDays.min), v.maxValue(clientPasswordExpiryDays.max))),
    }),
    response: v.strictObject({
      ...ClientPasswordSchema.entries,
      /** The 16 characters: shown this once and never again (docs/rules.md §6). */
      password: v.string(),
      /** The same in groups of four for reading, `abcd efgh ijkm npqr`; copied without the spaces. */
      grouped: v.string(),
    }),
    errors: ['not-signed-in', 'two-factor-required', 'two-factor-not-enabled', 'name-invalid', 'name-taken', 'limit-reached'],
  },
  'client-passwords:revoke': {
    session: 'full',
    request: v.strictObject({ id: Id }),
    response: Empty,
    errors: ['not-signed-in', 'two-factor-required', 'not-found'],
  },
  /**
   * Whether `password` is this mailbox's client password `id`, before a desktop writes it into a
   * keychain, a mail client or a profile (the desktop holds no hashes when it works against the
   * organisation server). Nothing is recorded; mark-applied follows once it is written.
   */
  'client-passwords:verify': {
    session: 'full',
    request: v.strictObject({ id: Id, password: v.pipe(v.string(), v.maxLength(128)) }),
    response: v.strictObject({
      id: v.string(),
      name: v.string(),
      /** What it may be used for: an iPhone profile sets the password only for those servers. Absent from older servers: all. */
      scopes: v.optional(v.array(v.picklist(mailProtocols))),
    }),
    errors: ['not-signed-in', 'two-factor-required', 'not-found', 'password-mismatch'],
  },
  /**
   * What each password found in this computer's mail clients is to the signed-in mailbox, and
   * whether the mailbox has 2FA on (a main password then stops working in mail clients). Asked
   * before 2FA is on too (what will break), so an enrolment-only session may ask.
   */
  'client-passwords:classify': {
    session: 'enrolment',
    request: v.strictObject({ secrets: v.pipe(v.array(v.pipe(v.string(), v.maxLength(1024))), v.minLength(1), v.maxLength(classifyLimit)) }),
    response: v.strictObject({ verdicts: v.array(v.picklist(storedSecretVerdicts)), twoFactor: v.boolean() }),
    errors: ['not-signed-in'],
  },
  'client-passwords:mark-applied': {
    session: 'full',
    request: v.strictObject({ id: Id, target: v.picklist(applyTargets) }),
    response: ClientPasswordSchema,
    errors: ['not-signed-in', 'two-factor-required', 'not-found'],
  },
});
