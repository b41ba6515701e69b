/**
 * The IT import of mailboxes (docs/rules.md §2): a JSON array or an RFC 4180 CSV file, checked
 * row by row against the directory's rules (directory.ts) and then imported all or nothing.
 */
import type { CoreContext } from './context';
import {
  displayNameFits,
  displayNameFor,
  importHashConcurrency,
  isValidAddress,
  mapLimited,
  newMailboxRecord,
  passwordRuleViolation,
  type PasswordRuleCode,
} from './directory';
import { normalizeAddress, type MailboxRecord } from './mailbox';

function mailboxes(core: CoreContext) {
  return core.store.collection<MailboxRecord>('mailboxes');
}

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
    const displayName = displayNameFor(address, row.displayName);
    if (!displayNameFits(displayName)) problems.push({ line: row.line, code: 'display-name-too-long', field: 'displayName' });
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
