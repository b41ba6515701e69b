/**
 * The contract: every channel between the renderer and the backend, declared once.
 *
 * Each entry carries the runtime schema of its request and response; the TypeScript types of
 * both sides are inferred from those schemas, so the renderer's types and the main side's
 * validation cannot drift apart. valibot rather than zod: its functions are tree-shaken one by
 * one, so a schema costs a few hundred bytes instead of zod's ~13 kB floor, and the same
 * module is safe to import anywhere (no Node or DOM globals).
 *
 * Channel names are `namespace:action`, both kebab-case; the API exposed to the renderer
 * turns them into `api.namespace.action()` in camelCase (see ./api.ts).
 */
import * as v from 'valibot';
import { channels, Empty } from './channel';
import type { ErrorCode } from './result';
import { policyPaths } from './policy-schema';
import { authChannels } from './channels/auth';
import { devicesChannels } from './channels/devices';
import { accountChannels } from './channels/account';
import { twoFactorChannels } from './channels/two-factor';
import { clientPasswordsChannels } from './channels/client-passwords';
import { grantsChannels } from './channels/grants';
import { activityChannels } from './channels/activity';
import { mailClientsChannels } from './channels/mail-clients';
import { phoneHandoffChannels } from './channels/phone-handoff';
import { webmailChannels } from './channels/webmail';

const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];

export const LocalePreferenceSchema = v.picklist(['system', ...locales]);
export type LocalePreference = v.InferOutput<typeof LocalePreferenceSchema>;

export const ThemePreferenceSchema = v.picklist(['system', 'light', 'dark']);
export type ThemePreference = v.InferOutput<typeof ThemePreferenceSchema>;

const UserSettingsSchema = v.strictObject({
  locale: LocalePreferenceSchema,
  theme: ThemePreferenceSchema,
});
export type UserSettings = v.InferOutput<typeof UserSettingsSchema>;

/**
 * The places a policy value can come from: the Windows registry (machine, then user), macOS
 * managed preferences (computer-wide, then per user), /etc/mailwarden/policy.json, or a
 * `--policy FILE` given on the command line (tests and development).
 */
const PolicyOriginSchema = v.picklist([
  'registry-hklm',
  'registry-hkcu',
  'managed-preferences',
  'managed-preferences-user',
  'etc-file',
  'policy-file',
  'organisation-server',
]);
export type PolicyOrigin = v.InferOutput<typeof PolicyOriginSchema>;

/**
 * Where one value in force came from: the built-in default, the user's own setting, a value IT
 * recommends (the user may change it where the app has a setting), or one IT enforces (locked).
 */
const PolicyValueSourceSchema = v.picklist(['default', 'user', 'recommended', 'enforced']);
export type PolicyValueSource = v.InferOutput<typeof PolicyValueSourceSchema>;

const PolicyPathSchema = v.picklist(policyPaths);

const PolicySourceInfoSchema = v.strictObject({ source: PolicyValueSourceSchema, origin: v.optional(PolicyOriginSchema) });

/** Where the policy in force came from: the places that set anything, and each key's source. */
const PolicySourceSchema = v.strictObject({
  places: v.array(PolicyOriginSchema),
  keys: v.record(PolicyPathSchema, PolicySourceInfoSchema),
});

const AppInfoSchema = v.strictObject({
  productName: v.string(),
  version: v.string(),
  /** The folder that holds this installation's data (Electron's userData or --user-data-dir). */
  dataDir: v.string(),
  /** Which account-security backend answers: this computer's embedded store, or the organisation's database. */
  backend: v.picklist(['embedded', 'organisation', 'webmail']),
  /** The organisation server this desktop works against, when it does (policy server.url). */
  server: v.optional(v.string()),
  /**
   * Which shell hosts the backend: the Electron app, the loopback browser mode, the CLI, or the
   * organisation server's web page.
   */
  shell: v.picklist(['electron', 'browser', 'cli', 'server']),
  demo: v.boolean(),
  platform: v.string(),
  policySource: PolicySourceSchema,
});
export type AppInfo = v.InferOutput<typeof AppInfoSchema>;

/** One key of the policy in force, as the settings page and `policy show` list it. */
const PolicyItemSchema = v.strictObject({
  key: PolicyPathSchema,
  /** null for secret keys (webhook URL, headers, body): only `set` says whether IT gave one. */
  value: v.nullable(v.union([v.boolean(), v.number(), v.string(), v.array(v.string())])),
  secret: v.boolean(),
  set: v.boolean(),
  source: PolicyValueSourceSchema,
  origin: v.optional(PolicyOriginSchema),
  /** Whether IT may recommend (rather than only enforce) this key. */
  recommendable: v.boolean(),
});
export type PolicyItem = v.InferOutput<typeof PolicyItemSchema>;

/** The policy in force (docs/rules.md §10), every schema key in schema order, each with its source. */
const PolicyInForceSchema = v.strictObject({ items: v.array(PolicyItemSchema) });
export type PolicyInForce = v.InferOutput<typeof PolicyInForceSchema>;

const appChannels = channels({
  'app:info': { session: 'none', request: Empty, response: AppInfoSchema, errors: [] },
  'app:policy': { session: 'none', request: Empty, response: PolicyInForceSchema, errors: [] },
  /**
   * The page shows a secret that is shown once (a client password, backup codes, an
   * authenticator key), or no longer does: the desktop shell protects the window from screen
   * capture meanwhile. `protectedFromCapture` says whether this shell could (a browser tab cannot).
   */
  'app:secret-on-screen': {
    session: 'none',
    request: v.strictObject({ shown: v.boolean() }),
    response: v.strictObject({ protectedFromCapture: v.boolean() }),
    errors: [],
  },
});

const settingsChannels = channels({
  'settings:get': { session: 'none', request: Empty, response: UserSettingsSchema, errors: ['storage-failed'] },
  'settings:update': {
    session: 'none',
    request: v.strictObject({
      locale: v.optional(LocalePreferenceSchema),
      theme: v.optional(ThemePreferenceSchema),
    }),
    response: UserSettingsSchema,
    errors: ['storage-failed'],
  },
});

/**
 * Each namespace's declarations, gathered; a test checks no name is declared twice.
 * @internal
 */
export const channelGroups = [
  appChannels,
  settingsChannels,
  authChannels,
  devicesChannels,
  accountChannels,
  twoFactorChannels,
  clientPasswordsChannels,
  grantsChannels,
  activityChannels,
  mailClientsChannels,
  phoneHandoffChannels,
  webmailChannels,
] as const;

/** Every channel, gathered from the namespace declarations. */
export const contract = {
  ...appChannels,
  ...settingsChannels,
  ...authChannels,
  ...devicesChannels,
  ...accountChannels,
  ...twoFactorChannels,
  ...clientPasswordsChannels,
  ...grantsChannels,
  ...activityChannels,
  ...mailClientsChannels,
  ...phoneHandoffChannels,
  ...webmailChannels,
} as const;

type Contract = typeof contract;
export type Channel = keyof Contract;
export type RequestOf<C extends Channel> = v.InferInput<Contract[C]['request']>;
export type ResponseOf<C extends Channel> = v.InferOutput<Contract[C]['response']>;
/** What the channel needs of the caller's sign-in, as declared beside its schema (see ./channel.ts). */
export type SessionLevelOf<C extends Channel> = Contract[C]['session'];

/**
 * Codes any channel may return: the bridge, the validation and the last-resort guard.
 * @internal
 */
export const genericErrors = ['invalid-request', 'unknown-channel', 'forbidden-sender', 'unauthorized', 'internal'] as const satisfies readonly ErrorCode[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

export const channelNames = Object.keys(contract) as Channel[];
