/**
 * The mailbox directory of the embedded backend (docs/rules.md §2): registering a mailbox on this
 * computer, the IT import (JSON or CSV, all-or-nothing) and the `--demo` seed. The address and
 * password rules live here because registration, import and password change share them.
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

function defaultDisplayName(address: string): string {
  return address.slice(0, address.indexOf('@'));
}

/** @internal */
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
  const displayName = registration.displayName?.trim() || defaultDisplayName(address);
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

// ---------------------------------------------------------------------------------------------
// IT import

/** One mailbox to import. `line`: the CSV line its record starts on, or its 1-based position in a JSON array. */
interface ImportRow {
  readonly line: number;
  readonly address: string;
  readonly password: string;
  readonly displayName?: string | undefined;
}

export type ImportProblemCode =
  | 'not-json'
  | 'not-an-array'
  | 'not-an-object'
  | 'missing-field'
  | 'unknown-field'
  | 'csv-syntax'
  | 'bad-header'
  | 'wrong-field-count'
  | 'no-rows'
  | 'invalid-address'
  | 'duplicate-address'
  | 'mailbox-exists'
  | 'display-name-too-long'
  | PasswordRuleCode;

/** `line` 0 means the file as a whole. */
export interface ImportProblem {
  readonly line: number;
  readonly code: ImportProblemCode;
  /** The field or column concerned, when there is one. Never a value: passwords are in the file. */
  readonly field?: string;
}

export interface ParsedImport {
  readonly rows: ImportRow[];
  readonly problems: ImportProblem[];
}

const importFields = ['address', 'password', 'displayName'] as const;

/** `[{ "address": …, "password": …, "displayName"?: … }, …]` */
export function parseMailboxJson(text: string): ParsedImport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { rows: [], problems: [{ line: 0, code: 'not-json' }] };
  }
  if (!Array.isArray(parsed)) return { rows: [], problems: [{ line: 0, code: 'not-an-array' }] };
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  parsed.forEach((entry: unknown, index) => {
    const line = index + 1;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ line, code: 'not-an-object' });
      return;
    }
    const record = entry as Record<string, unknown>;
    const before = problems.length;
    for (const key of Object.keys(record)) {
      if (!(importFields as readonly string[]).includes(key)) problems.push({ line, code: 'unknown-field', field: key });
    }
    for (const key of ['address', 'password'] as const) {
      if (typeof record[key] !== 'string') problems.push({ line, code: 'missing-field', field: key });
    }
    if (record.displayName !== undefined && typeof record.displayName !== 'string') problems.push({ line, code: 'missing-field', field: 'displayName' });
    if (problems.length > before) return;
    rows.push({ line, address: record.address as string, password: record.password as string, displayName: record.displayName as string | undefined });
  });
  return { rows, problems };
}

/** @internal */
export interface CsvRecord {
  /** The line the record starts on (a quoted field may span lines). */
  readonly line: number;
  readonly fields: string[];
}

/**
 * RFC 4180: comma-separated, CRLF or LF between records, fields in double quotes may hold
 * commas, line breaks and doubled quotes. Written here rather than taken from a package: the
 * grammar is small, and an importer of passwords should not pull in a dependency for it. A UTF-8
 * byte-order mark (Excel writes one) is skipped; blank lines are ignored.
 * @internal
 */
export function parseCsv(text: string): { records: CsvRecord[] } | { error: ImportProblem } {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = '';
  let quotedField = false;

  const endRecord = () => {
    fields.push(field);
    // A line with nothing on it is not a record.
    if (!(fields.length === 1 && fields[0] === '' && !quotedField)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    quotedField = false;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '' && !quotedField) {
      quotedField = true;
      const start = line;
      i += 1;
      for (;;) {
        if (i >= text.length) return { error: { line: start, code: 'csv-syntax' } };
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (q === '\n') line += 1;
        field += q;
        i += 1;
      }
      const after = text[i];
      if (after !== undefined && after !== ',' && after !== '\n' && after !== '\r') return { error: { line, code: 'csv-syntax' } };
      continue;
    }
    if (c === '"') return { error: { line, code: 'csv-syntax' } };
    if (c === ',') {
      fields.push(field);
      field = '';
      quotedField = false;
      i += 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
      continue;
    }
    field += c;
    i += 1;
  }
  if (field !== '' || fields.length > 0 || quotedField) endRecord();
  return { records };
}

/** A CSV with the header `address,password,displayName` (displayName optional, any column order). */
export function parseMailboxCsv(text: string): ParsedImport {
  const parsed = parseCsv(text);
  if ('error' in parsed) return { rows: [], problems: [parsed.error] };
  const [header, ...body] = parsed.records;
  if (!header) return { rows: [], problems: [{ line: 0, code: 'no-rows' }] };
  const columns = header.fields.map((name) => name.trim());
  const index = (name: string) => columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  const unknown = columns.find((c) => !importFields.some((f) => f.toLowerCase() === c.toLowerCase()));
  const duplicated = columns.some((c, at) => columns.findIndex((o) => o.toLowerCase() === c.toLowerCase()) !== at);
  if (unknown !== undefined || duplicated || index('address') < 0 || index('password') < 0) {
    return { rows: [], problems: [{ line: header.line, code: 'bad-header', ...(unknown !== undefined ? { field: unknown } : {}) }] };
  }
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  const at = { address: index('address'), password: index('password'), displayName: index('displayName') };
  for (const record of body) {
    if (record.fields.length !== columns.length) {
      problems.push({ line: record.line, code: 'wrong-field-count' });
      continue;
    }
    const displayName = at.displayName >= 0 ? record.fields[at.displayName] : undefined;
    rows.push({ line: record.line, address: record.fields[at.address]!, password: record.fields[at.password]!, displayName: displayName || undefined });
  }
  return { rows, problems };
}

export type ImportOutcome = { readonly ok: true; readonly imported: string[] } | { readonly ok: false; readonly problems: ImportProblem[] };

/**
 * scrypt at the real cost needs 128 MiB and a libuv thread per hash: four at once keeps every
 * thread of Node's default pool busy without holding half a gigabyte more than that.
 */
export const importHashConcurrency = 4;

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
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

/**
 * Imports mailboxes for IT, all or nothing: every row is checked first and every bad row is
 * reported by its line; nothing is written while any row is bad, so a half-imported file never
 * has to be untangled by hand.
 */
export interface ImportProgress {
  /** Passwords hashed so far, of `total` (the slow part: one scrypt each). */
  readonly hashed: number;
  readonly total: number;
}

export interface ImportOptions {
  /** Told after each password is hashed (the command line prints a line a second from it). */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Passwords hashed at once; the command line passes this machine's cores. */
  readonly concurrency?: number;
}

export async function importMailboxes(core: CoreContext, parsed: ParsedImport, device: string, options: ImportOptions = {}): Promise<ImportOutcome> {
  const problems = [...parsed.problems];
  const seen = new Set<string>();
  const accepted: { line: number; address: string; password: string; displayName: string }[] = [];
  for (const row of parsed.rows) {
    const address = normalizeAddress(row.address);
    const before = problems.length;
    if (!isValidAddress(address)) problems.push({ line: row.line, code: 'invalid-address', field: 'address' });
    else if (seen.has(address)) problems.push({ line: row.line, code: 'duplicate-address', field: 'address' });
    else if (await mailboxes(core).get(address)) problems.push({ line: row.line, code: 'mailbox-exists', field: 'address' });
    seen.add(address);
    const rule = passwordRuleViolation(row.password, address);
    if (rule) problems.push({ line: row.line, code: rule, field: 'password' });
    const displayName = row.displayName?.trim() || defaultDisplayName(address);
    if (characterCount(displayName) > displayNameMaxLength) problems.push({ line: row.line, code: 'display-name-too-long', field: 'displayName' });
    if (problems.length === before) accepted.push({ line: row.line, address, password: row.password, displayName });
  }
  if (parsed.rows.length === 0 && problems.length === 0) problems.push({ line: 0, code: 'no-rows' });
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };

  let hashed = 0;
  const hashes = await mapLimited(accepted, Math.max(1, options.concurrency ?? importHashConcurrency), async (row) => {
    const hash = await core.hasher.hash(row.password);
    hashed += 1;
    options.onProgress?.({ hashed, total: accepted.length });
    return hash;
  });
  return core.store.atomically(async (): Promise<ImportOutcome> => {
    // Nothing else writes while this runs, so a mailbox registered during the hashing is caught here.
    const taken: ImportProblem[] = [];
    for (const row of accepted) {
      if (await mailboxes(core).get(row.address)) taken.push({ line: row.line, code: 'mailbox-exists', field: 'address' });
    }
    if (taken.length > 0) return { ok: false, problems: taken };
    const now = core.clock.now();
    for (const [at, row] of accepted.entries()) {
      await mailboxes(core).insert(newMailboxRecord(row.address, row.displayName, hashes[at]!, now));
      await core.activity.record({ mailbox: row.address, kind: 'mailbox-registered', device, detail: { source: 'import' } });
    }
    return { ok: true, imported: accepted.map((row) => row.address) };
  });
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
