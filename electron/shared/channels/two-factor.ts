/**
 * Two-factor methods (docs/rules.md §4, §5): binding, changing and unbinding a phone, an authenticator
 * app (TOTP), backup codes, the password re-check those changes need, and the local test outbox.
 */
import * as v from 'valibot';
import { channels, Empty } from '../channel';

/** Long enough for `+86 139-1234-5678` or `0086 139 1234 5678`; the core decides what is valid. */
const PhoneInputSchema = v.pipe(v.string(), v.maxLength(32));

/** SMS and authenticator codes: exactly six ASCII digits (the page strips spaces before sending). */
const SixDigitsSchema = v.pipe(v.string(), v.regex(/^\d{6}$/));

const PasswordSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(1024));

const TimestampSchema = v.pipe(v.number(), v.integer(), v.minValue(0));

const TwoFactorMethodSchema = v.picklist(['sms', 'totp']);

const TwoFactorStatusSchema = v.strictObject({
  /** The methods bound, in the order sms, totp. */
  methods: v.array(TwoFactorMethodSchema),
  /** The bound phone, masked (`139****1234`): the full number never leaves the backend. */
  phone: v.nullable(v.strictObject({ masked: v.string(), boundAt: TimestampSchema })),
  totp: v.nullable(v.strictObject({ enrolledAt: TimestampSchema })),
  backupCodes: v.strictObject({
    left: v.pipe(v.number(), v.integer(), v.minValue(0)),
    /** 0 when none were ever generated (or 2FA was switched off since). */
    total: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  /** Whether the organisation's policy requires a second factor, and which it allows. */
  enforced: v.boolean(),
  allowedMethods: v.array(TwoFactorMethodSchema),
  /** False while policy enforces 2FA and removing a method would leave none. */
  canUnbind: v.boolean(),
  /** True when changing or removing a method will first ask for the mailbox password again. */
  passwordRecheckNeeded: v.boolean(),
  /** The method a sign-in asks for first when both are bound (two-factor:set-preferred-method). */
  preferredMethod: TwoFactorMethodSchema,
  /** A phone code still waiting to be entered, so a reopened page can resume its countdown. */
  pendingPhone: v.nullable(v.strictObject({ masked: v.string(), expiresAt: TimestampSchema, windowEndsAt: TimestampSchema, resendAt: TimestampSchema })),
});
export type TwoFactorStatus = v.InferOutput<typeof TwoFactorStatusSchema>;

const CodeSentSchema = v.strictObject({
  /** Where the code went, masked. */
  masked: v.string(),
  expiresAt: TimestampSchema,
  /** The earliest moment “resend” may be pressed. */
  resendAt: TimestampSchema,
  /** The end of the binding window (`距离绑定超时`); the flow restarts after it. */
  windowEndsAt: TimestampSchema,
});
export type CodeSent = v.InferOutput<typeof CodeSentSchema>;

const TotpEnrolmentSchema = v.strictObject({
  /** otpauth:// URI for the QR code; shown once, at enrolment. */
  uri: v.string(),
  /** The base32 seed for typing into an app by hand. */
  secret: v.string(),
  /** The URI as an SVG QR code. */
  qrSvg: v.string(),
});
export type TotpEnrolment = v.InferOutput<typeof TotpEnrolmentSchema>;

const BackupCodesSchema = v.strictObject({
  /** `xxxx-xxxx`, shown this once; only their hashes are kept. */
  codes: v.array(v.string()),
});

const OutboxSchema = v.strictObject({
  /** `outbox`: test deliveries kept on this computer; any other: real SMS, nothing to show here. */
  gateway: v.picklist(['outbox', 'webhook', 'aliyun', 'tencent']),
  /** Newest first; `expiresAt`: when the code in the message stops working. */
  messages: v.array(v.strictObject({ at: TimestampSchema, masked: v.string(), text: v.string(), expiresAt: TimestampSchema })),
});

export const twoFactorChannels = channels({
  'two-factor:status': { session: 'enrolment', request: Empty, response: TwoFactorStatusSchema, errors: ['not-signed-in'] },
  'two-factor:start-phone-binding': {
    session: 'enrolment',
    request: v.strictObject({ phone: PhoneInputSchema }),
    response: CodeSentSchema,
    errors: [
      'not-signed-in',
      'method-not-allowed',
      'phone-already-bound',
      'password-recheck-required',
      'phone-invalid',
      'send-too-soon',
      'send-limit-reached',
      'sms-delivery-failed',
    ],
  },
  'two-factor:confirm-phone-binding': {
    session: 'enrolment',
    request: v.strictObject({ code: SixDigitsSchema }),
    response: TwoFactorStatusSchema,
    errors: [
      'not-signed-in',
      'method-not-allowed',
      'phone-already-bound',
      'password-recheck-required',
      'code-not-sent',
      'code-invalid',
      'code-expired',
      'code-used',
      'code-attempts-exceeded',
    ],
  },
  'two-factor:start-phone-change': {
    session: 'enrolment',
    request: v.strictObject({ phone: PhoneInputSchema }),
    response: CodeSentSchema,
    errors: [
      'not-signed-in',
      'method-not-allowed',
      'phone-not-bound',
      'password-recheck-required',
      'phone-invalid',
      'phone-unchanged',
      'send-too-soon',
      'send-limit-reached',
      'sms-delivery-failed',
    ],
  },
  'two-factor:confirm-phone-change': {
    session: 'enrolment',
    request: v.strictObject({ code: SixDigitsSchema }),
    response: TwoFactorStatusSchema,
    errors: [
      'not-signed-in',
      'method-not-allowed',
      'phone-not-bound',
      'password-recheck-required',
      'code-not-sent',
      'code-invalid',
      'code-expired',
      'code-used',
      'code-attempts-exceeded',
    ],
  },
  'two-factor:unbind-phone': {
    session: 'enrolment',
    request: Empty,
    response: TwoFactorStatusSchema,
    errors: ['not-signed-in', 'phone-not-bound', 'password-recheck-required', 'enforcement-requires-method'],
  },
  'two-factor:recheck-password': {
    session: 'enrolment',
    request: v.strictObject({ password: PasswordSchema }),
    response: v.strictObject({ passwordCheckedAt: TimestampSchema }),
    errors: ['not-signed-in', 'password-incorrect', 'mailbox-locked'],
  },
  'two-factor:start-totp': {
    session: 'enrolment',
    request: Empty,
    response: TotpEnrolmentSchema,
    errors: ['not-signed-in', 'method-not-allowed', 'totp-already-enabled', 'password-recheck-required'],
  },
  'two-factor:confirm-totp': {
    session: 'enrolment',
    request: v.strictObject({ code: SixDigitsSchema }),
    response: TwoFactorStatusSchema,
    errors: ['not-signed-in', 'method-not-allowed', 'totp-already-enabled', 'totp-not-started', 'password-recheck-required', 'code-invalid'],
  },
  'two-factor:remove-totp': {
    session: 'enrolment',
    request: Empty,
    response: TwoFactorStatusSchema,
    errors: ['not-signed-in', 'totp-not-enabled', 'password-recheck-required', 'enforcement-requires-method'],
  },
  'two-factor:set-preferred-method': {
    session: 'enrolment',
    request: v.strictObject({ method: TwoFactorMethodSchema }),
    response: TwoFactorStatusSchema,
    errors: ['not-signed-in', 'method-unavailable'],
  },
  'two-factor:generate-backup-codes': {
    session: 'enrolment',
    request: Empty,
    response: BackupCodesSchema,
    errors: ['not-signed-in', 'two-factor-not-enabled', 'password-recheck-required'],
  },
  /** Also read while a sign-in waits for its code (the challenge's mailbox): the handler asks itself. */
  'two-factor:outbox': {
    session: 'none',
    // `signIn`: read for the sign-in under way on this window (adding a mailbox while another is
    // signed in), not for the signed-in mailbox (docs/rules.md §7.4).
    request: v.strictObject({ signIn: v.optional(v.boolean()) }),
    response: OutboxSchema,
    errors: ['not-signed-in'],
  },
});
