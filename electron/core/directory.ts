/**
 * The mailbox directory of the embedded backend (docs/rules.md §2): registering a mailbox on this
 * computer, the list for IT and the `--demo` seed; the IT import is mailbox-import.ts. The
 * address, password and display-name rules live here because registration, import and password
 * change share them.
 */
import { mainPasswordRules } from '../shared/password-rules';
import { err, ok, type Result } from '../shared/result';
import type { CoreContext } from './context';
import { normalizeAddress, twoFactorMethods, type MailboxRecord } from './mailbox';
import type { TwoFactorMethod } from './policy';

/** The same numbers the registration form shows (electron/shared/password-rules.ts). */
const passwordRules = mainPasswordRules;
const addressMaxLength = 254;
const displayNameMaxLength = 64;

// Dot-atom local part (RFC 5322 without quoted strings or comments, which no mail system here
// hands out) and LDH domain labels; checked after lower-casing, so lower case is enough.
const localPartPattern = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const domainLabelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const topLevelPattern = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** A sane address: dot-atom local part of at most 64, two or more domain labels, at most 254 in all. */
export function isValidAddress(normalized: string): boolean {
  if (normalized.length > addressMaxLength) return false;
  const at = normalized.indexOf('@');
  if (at < 1) return false;
  const local = normalized.slice(0, at);
  const labels = normalized.slice(at + 1).split('.');
  return (
    local.length <= 64 &&
    localPartPattern.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => domainLabelPattern.test(label)) &&
    topLevelPattern.test(labels.at(-1)!)
  );
}

/** Characters as a person counts them (code points after NFC, as the hasher sees the password). */
function characterCount(text: string): number {
  return [...text.normalize('NFC')].length;
}

export type PasswordRuleCode = 'password-too-short' | 'password-too-long' | 'password-same-as-address';

/** The main-password rules of every path that sets one; null when the password is acceptable. */
export function passwordRuleViolation(password: string, normalizedAddress: string): PasswordRuleCode | null {
  const length = characterCount(password);
  if (length < passwordRules.minLength) return 'password-too-short';
  if (length > passwordRules.maxLength) return 'password-too-long';
  // The address is the user name everywhere; as the password it is the first thing guessed.
  if (normalizeAddress(password) === normalizedAddress) return 'password-same-as-address';
  return null;
}

/** The name shown for a mailbox: the one given, trimmed, or else the address's local part. */
export function displayNameFor(address: string, given: string | undefined): string {
  return given?.trim() || address.slice(0, address.indexOf('@'));
}

/** At most 64 characters, counted as a person counts them. */
export function displayNameFits(name: string): boolean {
  return characterCount(name) <= displayNameMaxLength;
}

/** A new mailbox's record: no second factor, nothing failed, password set now. */
export function newMailboxRecord(address: string, displayName: string, passwordHash: string, now: number): MailboxRecord {
  return {
    _id: address,
    address,
    displayName,
    passwordHash,
    createdAt: now,
    passwordChangedAt: now,
    failedSignIns: [],
    lockedUntil: null,
    phone: null,
    totp: null,
    totpPending: null,
    backupCodes: [],
  };
}

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

export async function hasAnyMailbox(core: CoreContext): Promise<boolean> {
  return (await mailboxes(core).find({}, { limit: 1 })).length > 0;
}

export interface Registration {
  readonly address: string;
  readonly password: string;
  readonly confirmation: string;
  readonly displayName?: string | undefined;
}

/**
 * Registers a mailbox on this computer (embedded mode). Checks run cheapest first; the hash is
 * made outside the store lock (scrypt takes a while) and the address is checked again inside it.
 */
export async function registerMailbox(core: CoreContext, registration: Registration, device: string): Promise<Result<MailboxRecord>> {
  const address = normalizeAddress(registration.address);
  if (!isValidAddress(address)) return err('invalid-address', { fields: ['address'] });
  const rule = passwordRuleViolation(registration.password, address);
  if (rule) return err(rule, { fields: ['password'] });
  if (registration.password !== registration.confirmation) return err('passwords-differ', { fields: ['confirmation'] });
  if (await mailboxes(core).get(address)) return err('mailbox-exists', { fields: ['address'] });
  const displayName = displayNameFor(address, registration.displayName);
  const passwordHash = await core.hasher.hash(registration.password);
  return core.store.atomically(async () => {
    if (await mailboxes(core).get(address)) return err('mailbox-exists', { fields: ['address'] });
    const record = await mailboxes(core).insert(newMailboxRecord(address, displayName, passwordHash, core.clock.now()));
    await core.activity.record({ mailbox: address, kind: 'mailbox-registered', device, detail: { source: 'register' } });
    return ok(record);
  });
}

export interface DirectoryEntry {
  readonly address: string;
  readonly displayName: string;
  readonly methods: TwoFactorMethod[];
  readonly createdAt: number;
}

/** Every mailbox, by address: for the IT command line. */
export async function listMailboxes(core: CoreContext): Promise<DirectoryEntry[]> {
  const all = await mailboxes(core).find({}, { sort: { _id: 1 } });
  return all.map((m) => ({ address: m.address, displayName: m.displayName, methods: twoFactorMethods(m), createdAt: m.createdAt }));
}

/**
 * scrypt at the real cost needs 128 MiB and a libuv thread per hash: four at once keeps every
 * thread of Node's default pool busy without holding half a gigabyte more than that.
 */
export const importHashConcurrency = 4;

/** `work` on every item, at most `limit` at once (scrypt hashes: import and demo seed), results in order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------
// Demo seed

const demoDomain = 'demo.mailwarden.cn';

/**
 * Base32 seed of the demo authenticator: public demo data, so a newcomer can add it to an app.
 * @internal
 */
export const demoTotpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

interface DemoMailbox {
  readonly address: string;
  readonly displayName: string;
  /** Public demo data, shown on the sign-in screen in demo mode only. */
  readonly password: string;
  readonly phone?: string;
  readonly totp?: boolean;
}

/**
 * Three people and one public mailbox, covering SMS, authenticator, no 2FA and a shared phone.
 * @internal
 */
export const demoMailboxes: readonly DemoMailbox[] = [
  { address: `zhang.wei@${demoDomain}`, displayName: '张伟', password: 'demo-zhang-2026', phone: '+8613912341234' },
  { address: `li.na@${demoDomain}`, displayName: '李娜', password: 'demo-lina-2026', totp: true },
  { address: `wang.fang@${demoDomain}`, displayName: '王芳', password: 'demo-wang-2026' },
  // Several mailboxes may bind one phone (§4): the office mailbox uses Zhang Wei's.
  { address: `office@${demoDomain}`, displayName: '办公室', password: 'demo-office-2026', phone: '+8613912341234' },
];

/**
 * Seeds the demo mailboxes once: when any of them exists already, nothing is touched, so a
 * second `--demo` start keeps whatever the newcomer changed. Returns how many were created.
 */
export async function seedDemo(core: CoreContext): Promise<number> {
  const addresses = demoMailboxes.map((m) => m.address);
  if ((await mailboxes(core).count({ _id: { $in: addresses } })) > 0) return 0;
  const hashes = await mapLimited(demoMailboxes, importHashConcurrency, (m) => core.hasher.hash(m.password));
  return core.store.atomically(async () => {
    if ((await mailboxes(core).count({ _id: { $in: addresses } })) > 0) return 0;
    const now = core.clock.now();
    for (const [at, demo] of demoMailboxes.entries()) {
      const record = newMailboxRecord(demo.address, demo.displayName, hashes[at]!, now);
      await mailboxes(core).insert({
        ...record,
        phone: demo.phone ? { number: demo.phone, boundAt: now } : null,
        totp: demo.totp ? { secret: demoTotpSecret, confirmedAt: now, lastStep: 0 } : null,
      });
      await core.activity.record({ mailbox: demo.address, kind: 'mailbox-registered', device: 'Mailwarden demo', detail: { source: 'demo' } });
    }
    return demoMailboxes.length;
  });
}

export interface DemoAccount {
  readonly address: string;
  readonly displayName: string;
  readonly methods: TwoFactorMethod[];
  /** Only while it is still the demo password: a changed one is the user's own. */
  readonly password?: string;
  /** Only while the authenticator is still the demo one: a re-enrolled seed is a real secret. */
  readonly totpSecret?: string;
}

/** The demo mailboxes that exist, with their public demo credentials, for the sign-in screen. */
export async function demoAccounts(core: CoreContext): Promise<DemoAccount[]> {
  const found = await mailboxes(core).find({ _id: { $in: demoMailboxes.map((m) => m.address) } });
  const byAddress = new Map(found.map((m) => [m.address, m]));
  return demoMailboxes.flatMap((demo) => {
    const record = byAddress.get(demo.address);
    if (!record) return [];
    return [
      {
        address: record.address,
        displayName: record.displayName,
        methods: twoFactorMethods(record),
        ...(record.passwordChangedAt === record.createdAt ? { password: demo.password } : {}),
        ...(record.totp?.secret === demoTotpSecret ? { totpSecret: demoTotpSecret } : {}),
      },
    ];
  });
}
