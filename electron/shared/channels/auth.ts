/**
 * The `auth` namespace (docs/rules.md §2, §3): the mailbox directory of this computer, registering a
 * mailbox, signing in with the 2FA challenge, and signing out.
 */
import * as v from 'valibot';
import { channels } from '../channel';
import { errorCodes } from '../result';

/**
 * Transport bounds only. The address syntax (at most 254) and the password rules (10–128) are
 * checked by the core, which answers with a code the sign-in and register forms can translate.
 */
const AddressInput = v.pipe(v.string(), v.maxLength(320));
export const PasswordInput = v.pipe(v.string(), v.maxLength(1024));

/** A request with nothing in it (declared here: this module loads before the contract's own). */
const NoFields = v.strictObject({});

/** `access-pass`: a temporary access pass from the help desk, for one sign-in (helpdesk issue-access-pass). */
const secondFactors = ['sms', 'totp', 'backup', 'access-pass'] as const;
const SecondFactorSchema = v.picklist(secondFactors);
export type SecondFactor = v.InferOutput<typeof SecondFactorSchema>;

const SignedInSchema = v.strictObject({
  status: v.literal('signed-in'),
  mailbox: v.string(),
  displayName: v.string(),
  /**
   * Policy requires 2FA, the mailbox has none, and its grace period runs until then (ms since
   * the epoch): the page shows a banner with the days left; afterwards enrolment is forced.
   */
  twoFactorGraceEndsAt: v.optional(v.number()),
});

/** Policy enforces 2FA and the mailbox has none: only the binding page may be used. */
const EnrollmentRequiredSchema = v.strictObject({
  status: v.literal('enrollment-required'),
  mailbox: v.string(),
  displayName: v.string(),
});

const CodeRequiredSchema = v.strictObject({
  status: v.literal('code-required'),
  mailbox: v.string(),
  methods: v.array(SecondFactorSchema),
  /** `139****1234`, when a code goes by SMS. */
  maskedPhone: v.optional(v.string()),
  /** When another SMS code may be asked for (ms since the epoch). */
  resendAt: v.optional(v.number()),
  /** Why no SMS went out, when none could: the other methods (or a resend later) still work. */
  smsError: v.optional(v.picklist(errorCodes)),
  /**
   * When the SMS code to enter was sent, if not by this step: a code from an attempt under a
   * minute ago still signs in, and no second one is sent that soon.
   */
  codeSentAt: v.optional(v.number()),
  /** The "trust this device" choice made with the password, so the code page starts with it. */
  trustDevice: v.boolean(),
  /** When this half-finished sign-in lapses and the password has to be entered again. */
  expiresAt: v.number(),
});

/** Where a finished sign-in (or a registration) lands. */
const SessionStartedSchema = v.variant('status', [SignedInSchema, EnrollmentRequiredSchema]);
export type SessionStarted = v.InferOutput<typeof SessionStartedSchema>;

const SignInOutcomeSchema = v.variant('status', [SignedInSchema, EnrollmentRequiredSchema, CodeRequiredSchema]);
export type SignInOutcome = v.InferOutput<typeof SignInOutcomeSchema>;

const AuthStatusSchema = v.variant('status', [
  v.strictObject({ status: v.literal('signed-out') }),
  SignedInSchema,
  EnrollmentRequiredSchema,
  CodeRequiredSchema,
]);
export type AuthStatus = v.InferOutput<typeof AuthStatusSchema>;

const DemoAccountSchema = v.strictObject({
  address: v.string(),
  displayName: v.string(),
  methods: v.array(v.picklist(['sms', 'totp'])),
  /** Public demo data, present only while it is still the seeded password. */
  password: v.optional(v.string()),
  /** Public demo data, present only while the authenticator is still the seeded one. */
  totpSecret: v.optional(v.string()),
});

const DirectorySchema = v.strictObject({
  /** False on a fresh install: the sign-in screen then offers to register a mailbox. */
  hasMailboxes: v.boolean(),
  /**
   * Whether a mailbox may be registered here: on this computer's embedded store, yes; on the
   * organisation's server, no (its mailboxes come from IT's directory).
   */
  registration: v.boolean(),
  /** Demo mode is on: the screen lists the demo accounts. */
  demo: v.boolean(),
  demoAccounts: v.array(DemoAccountSchema),
  /** How long "trust this device" lasts under the policy in force (1–30), for the sign-in form's label. */
  trustedDeviceDays: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(30)),
});

/** One mailbox signed in on this window (docs/rules.md §7.4). */
const SignedInMailboxSchema = v.strictObject({
  mailbox: v.string(),
  displayName: v.string(),
  /** The one every page shows and every channel acts for. */
  active: v.boolean(),
});
export type SignedInMailbox = v.InferOutput<typeof SignedInMailboxSchema>;

const SignedInMailboxesSchema = v.strictObject({
  /** In the order they were signed in. */
  mailboxes: v.array(SignedInMailboxSchema),
  /** How many one window may hold; "add another mailbox" is refused beyond it. */
  limit: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

/** Adding a mailbox: refused before the password is even checked, and again when the sign-in completes. */
const addErrors = ['mailbox-already-signed-in', 'mailbox-limit-reached'] as const;

const codeErrors = ['code-invalid', 'code-expired', 'code-used', 'code-attempts-exceeded', 'code-not-sent'] as const;
const sendErrors = ['send-too-soon', 'send-limit-reached', 'sms-delivery-failed'] as const;
const passwordRuleErrors = ['password-too-short', 'password-too-long', 'password-same-as-address', 'passwords-differ'] as const;

export const authChannels = channels({
  'auth:directory': { session: 'none', request: NoFields, response: DirectorySchema, errors: [] },
  'auth:register': {
    session: 'none',
    request: v.strictObject({
      address: AddressInput,
      password: PasswordInput,
      confirmation: PasswordInput,
      displayName: v.optional(v.pipe(v.string(), v.maxLength(64))),
    }),
    response: SessionStartedSchema,
    errors: ['invalid-address', ...passwordRuleErrors, 'mailbox-exists', ...addErrors],
  },
  'auth:sign-in': {
    session: 'none',
    request: v.strictObject({ address: AddressInput, password: PasswordInput, trustDevice: v.optional(v.boolean()) }),
    response: SignInOutcomeSchema,
    errors: ['sign-in-failed', 'mailbox-locked', ...addErrors],
  },
  'auth:verify-code': {
    session: 'none',
    request: v.strictObject({
      // Six digits, an authenticator code or a backup code; spaces and dashes are allowed in them.
      code: v.pipe(v.string(), v.minLength(1), v.maxLength(32)),
      method: SecondFactorSchema,
      trustDevice: v.boolean(),
    }),
    response: SessionStartedSchema,
    errors: ['sign-in-expired', 'mailbox-locked', 'method-unavailable', 'totp-not-enabled', ...codeErrors, ...addErrors],
  },
  'auth:resend-code': {
    session: 'none',
    request: NoFields,
    response: v.strictObject({ maskedPhone: v.string(), resendAt: v.number(), expiresAt: v.number() }),
    errors: ['sign-in-expired', 'method-unavailable', ...sendErrors],
  },
  'auth:status': { session: 'none', request: NoFields, response: AuthStatusSchema, errors: [] },
  /** Signs out the active mailbox; the first signed in of the others here becomes active. */
  'auth:sign-out': { session: 'none', request: NoFields, response: NoFields, errors: [] },
  /*
   * The account switcher (docs/rules.md §7.4). Level `none`, as the rest of `auth`: they act on
   * this window's own sessions, choosing among them works whatever state the active one is in
   * (restricted to enrolment, or ended elsewhere), and each answers only about this window.
   */
  'auth:mailboxes': { session: 'none', request: NoFields, response: SignedInMailboxesSchema, errors: [] },
  'auth:switch': {
    session: 'none',
    request: v.strictObject({ mailbox: AddressInput }),
    response: SessionStartedSchema,
    errors: ['mailbox-not-signed-in'],
  },
  /** Signs out every mailbox of this window. */
  'auth:sign-out-all': { session: 'none', request: NoFields, response: NoFields, errors: [] },
  /** Drops a half-finished sign-in (adding a mailbox, then changing one's mind) and leaves every session as it is. */
  'auth:cancel-sign-in': { session: 'none', request: NoFields, response: NoFields, errors: [] },
});
