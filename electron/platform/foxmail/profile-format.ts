/**
 * Reading and re-writing a Foxmail account profile (`Storage/<address>/Accounts/Account.rec0`,
 * Foxmail 7; `Account.stg`, Foxmail 6). Foxmail does not document the format. What is relied on
 * here, and where it comes from:
 *
 * Version: a file whose first byte is 0xD0 (the OLE compound-file signature D0 CF 11 E0 …) is a
 * Foxmail 6 profile, anything else Foxmail 7 — rapid7/metasploit-framework
 * `modules/post/windows/gather/credentials/foxmail.rb` (`file[0] == "\xD0"`),
 * jacobsoo/FoxmailRecovery `Foxmail Password Recovery/Foxmail Password Recovery/frmMain.cs`.
 *
 * Foxmail 7 record, little-endian, records back to back:
 *
 *     u32 keyLength | key (ASCII) | u32 type | value
 *     type 0x100: u32 byteCount | UTF-8 bytes
 *     type 0x008: u32 charCount | UTF-16LE (2 × charCount bytes)
 *     int / bool: u32 value                 (ports; SSL as 0 or 1)
 *
 * - "8 bytes between a string key and its value" and "int/bool values 4 bytes after the key,
 *   port little-endian (\xd1\x01 = 465), SSL \x01\x00 = true": metasploit foxmail.rb (value
 *   offset 9 after the key's last character for strings, 5 for ports and SSL) and its author's
 *   write-up (blog.kali-team.cn, "Foxmail" post).
 * - The u32 key length before the key and the two string types, 0x100 = UTF-8 with a byte count
 *   and 8 = UTF-16 with a character count: a decompiled recovery routine published on GitHub
 *   (`parseRecFileStrings`, which matches `BitConverter.GetBytes(256)` / `GetBytes(8)` and checks
 *   the Int32 before the key equals its length).
 * - Key names Email, Account / Password (IMAP), POP3Account / POP3Password (POP3),
 *   IncomingServer, IncomingPort, InComingSSL, OutgoingServer, OutgoingPort, OutgoingSSL: the
 *   same sources.
 *
 * ASSUMED, not found in any public source: the type codes of int and bool records (0x03 and
 * 0x0B, as VARIANT's VT_I4 and VT_BOOL, which is also where 8 = VT_BSTR would come from), the
 * key `DisplayName` (UTF-16), and that a file is nothing but records. The kali-team write-up
 * reports real 7.2 files of ~2 MB holding the account data four times over; that container is
 * not documented anywhere we could find. The consequence is deliberate: such a file does not
 * parse strictly, so it is listed (from a tolerant scan, as the public tools read it) but marked
 * unwritable, and the person gets the manual steps instead. Only a file this module understands
 * to the last byte is ever rewritten.
 *
 * Foxmail 6: a compound file whose account stream holds `Key=Value` lines (metasploit reads the
 * value 2 bytes after the key; PacktPublishing/Mastering-Metasploit-Third-Edition
 * `modules/post/chapter-2/foxmail_decrypt.rb` splits lines on "=" and reads `POP3Password`).
 * The compound-file container is not parsed here, so v6 profiles are read, never written.
 */
import { concatBytes } from '../bytes';
import { decodePassword, type FoxmailVersion } from './codec';

const recordTypes = { utf8: 0x100, utf16: 0x08, int: 0x03, bool: 0x0b } as const;
type RecordKind = keyof typeof recordTypes;

const kindOfType = new Map<number, RecordKind>(Object.entries(recordTypes).map(([kind, code]) => [code, kind as RecordKind]));

/** Bounds that no genuine profile comes near; past them a file is not one we understand. */
const maxKeyLength = 256;
const maxValueBytes = 1 << 20;

export interface V7Record {
  readonly key: string;
  readonly kind: RecordKind;
  /** The value's bytes as stored (without the count): kept raw so re-serializing is exact. */
  readonly raw: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16 = new TextDecoder('utf-16le');

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function isKeyByte(b: number): boolean {
  return b > 0x20 && b < 0x7f && b !== 0x3d;
}

/** One record at `at`, or null when the bytes there are not a well-formed record. */
function recordAt(bytes: Uint8Array, at: number): { record: V7Record; end: number } | null {
  if (at + 4 > bytes.length) return null;
  const keyLength = u32(bytes, at);
  if (keyLength === 0 || keyLength > maxKeyLength || at + 4 + keyLength + 4 > bytes.length) return null;
  const keyBytes = bytes.subarray(at + 4, at + 4 + keyLength);
  if (!keyBytes.every(isKeyByte)) return null;
  let cursor = at + 4 + keyLength;
  const kind = kindOfType.get(u32(bytes, cursor));
  if (!kind) return null;
  cursor += 4;
  let size: number;
  if (kind === 'int' || kind === 'bool') {
    size = 4;
  } else {
    if (cursor + 4 > bytes.length) return null;
    const count = u32(bytes, cursor);
    size = kind === 'utf16' ? count * 2 : count;
    if (size > maxValueBytes) return null;
    cursor += 4;
  }
  if (cursor + size > bytes.length) return null;
  const raw = bytes.subarray(cursor, cursor + size);
  if (kind === 'utf8') {
    try {
      utf8.decode(raw);
    } catch {
      return null;
    }
  }
  return { record: { key: String.fromCharCode(...keyBytes), kind, raw }, end: cursor + size };
}

/**
 * Every byte as records, or null when any byte is not accounted for.
 * @internal
 */
export function parseV7Records(bytes: Uint8Array): V7Record[] | null {
  if (bytes.length === 0 || bytes[0] === 0xd0) return null;
  const records: V7Record[] = [];
  let at = 0;
  while (at < bytes.length) {
    const next = recordAt(bytes, at);
    if (!next) return null;
    records.push(next.record);
    at = next.end;
  }
  return records;
}

export function serializeV7Records(records: readonly V7Record[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const word = (value: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value, true);
    return b;
  };
  for (const record of records) {
    parts.push(
      word(record.key.length),
      Uint8Array.from(record.key, (c) => c.charCodeAt(0)),
      word(recordTypes[record.kind]),
    );
    if (record.kind === 'utf8') parts.push(word(record.raw.length));
    if (record.kind === 'utf16') parts.push(word(record.raw.length / 2));
    parts.push(record.raw);
  }
  return concatBytes(parts);
}

function textOf(record: V7Record): string | null {
  if (record.kind === 'utf8') return utf8.decode(record.raw);
  if (record.kind === 'utf16') return utf16.decode(record.raw);
  return null;
}

function numberOf(record: V7Record): number | null {
  return record.kind === 'int' || record.kind === 'bool' ? u32(record.raw, 0) : null;
}

export interface EndpointFields {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
}

export interface ProfileSummary {
  readonly version: FoxmailVersion;
  readonly address: string | null;
  readonly displayName: string | null;
  readonly protocol: 'imap' | 'pop3';
  readonly incoming: EndpointFields;
  readonly outgoing: EndpointFields;
  /** The stored password field as written (hex), '' when empty or absent. */
  readonly passwordHex: string;
  /** Present when every byte was understood and the password may be replaced. */
  readonly records: readonly V7Record[] | null;
  /** Why the file may not be written, for the log (never holds a value from the file). */
  readonly unwritableBecause: string | null;
}

const passwordKeys = ['Password', 'POP3Password'] as const;

interface FieldSet {
  text(key: string): string | null;
  number(key: string): number | null;
}

function summarize(
  version: FoxmailVersion,
  fields: FieldSet,
  protocol: 'imap' | 'pop3',
  passwordHex: string,
): Omit<ProfileSummary, 'records' | 'unwritableBecause'> {
  const endpoint = (server: string, port: string, ssl: string): EndpointFields => ({
    host: fields.text(server) ?? '',
    port: fields.number(port) ?? 0,
    ssl: (fields.number(ssl) ?? 0) === 1,
  });
  const account = fields.text(protocol === 'pop3' ? 'POP3Account' : 'Account');
  return {
    version,
    address: fields.text('Email') ?? account,
    displayName: fields.text('DisplayName'),
    protocol,
    incoming: endpoint('IncomingServer', 'IncomingPort', 'InComingSSL'),
    outgoing: endpoint('OutgoingServer', 'OutgoingPort', 'OutgoingSSL'),
    passwordHex,
  };
}

/** Why a fully parsed v7 file still may not be written, or null. */
function strictProblems(records: readonly V7Record[]): string | null {
  const seen = new Set<string>();
  for (const record of records) {
    if (seen.has(record.key)) return `the field ${record.key} appears more than once`;
    seen.add(record.key);
  }
  const byKey = new Map(records.map((r) => [r.key, r]));
  const passwords = passwordKeys.filter((k) => byKey.has(k));
  if (passwords.length !== 1) return passwords.length === 0 ? 'no password field' : 'both an IMAP and a POP3 password field';
  const password = byKey.get(passwords[0]!)!;
  if (password.kind !== 'utf8' && password.kind !== 'utf16') return 'the password field is not text';
  if (decodePassword(textOf(password)!, 7) === null) return 'the stored password does not decode';
  if (!byKey.has('Email')) return 'no Email field';
  const expected: Record<string, readonly RecordKind[]> = {
    Email: ['utf8', 'utf16'],
    Account: ['utf8', 'utf16'],
    POP3Account: ['utf8', 'utf16'],
    DisplayName: ['utf8', 'utf16'],
    IncomingServer: ['utf8', 'utf16'],
    OutgoingServer: ['utf8', 'utf16'],
    IncomingPort: ['int'],
    OutgoingPort: ['int'],
    InComingSSL: ['bool'],
    OutgoingSSL: ['bool'],
  };
  for (const [key, kinds] of Object.entries(expected)) {
    const record = byKey.get(key);
    if (record && !kinds.includes(record.kind)) return `the field ${key} has an unexpected type`;
  }
  for (const key of ['IncomingPort', 'OutgoingPort']) {
    const port = byKey.has(key) ? numberOf(byKey.get(key)!) : null;
    if (port !== null && (port < 1 || port > 65535)) return `the field ${key} is not a port`;
  }
  for (const key of ['InComingSSL', 'OutgoingSSL']) {
    const flag = byKey.has(key) ? numberOf(byKey.get(key)!) : null;
    if (flag !== null && flag !== 0 && flag !== 1) return `the field ${key} is not 0 or 1`;
  }
  return null;
}

function fieldsOf(records: readonly V7Record[]): FieldSet {
  // The first occurrence wins, as in the public readers.
  const byKey = new Map<string, V7Record>();
  for (const record of records) if (!byKey.has(record.key)) byKey.set(record.key, record);
  return {
    text: (key) => {
      const record = byKey.get(key);
      return record ? textOf(record) : null;
    },
    number: (key) => {
      const record = byKey.get(key);
      return record ? numberOf(record) : null;
    },
  };
}

/**
 * Records found anywhere in a file that is not records end to end (a container we do not know,
 * or damage), as the public tools find them: enough to list the account, never to write.
 */
function scanV7Records(bytes: Uint8Array): V7Record[] {
  const found: V7Record[] = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    const next = recordAt(bytes, at);
    if (next) {
      found.push(next.record);
      at = next.end;
    } else {
      at++;
    }
  }
  return found;
}

function protocolOf(fields: FieldSet): 'imap' | 'pop3' {
  return fields.text('Password') === null && fields.text('POP3Password') !== null ? 'pop3' : 'imap';
}

function readV7(bytes: Uint8Array): ProfileSummary | null {
  const records = parseV7Records(bytes);
  const usable = records ?? scanV7Records(bytes);
  const fields = fieldsOf(usable);
  const protocol = protocolOf(fields);
  const passwordHex = fields.text(protocol === 'pop3' ? 'POP3Password' : 'Password') ?? '';
  const summary = summarize(7, fields, protocol, passwordHex);
  if (summary.address === null && usable.length === 0) return null;
  const problem = records ? strictProblems(records) : 'the file has bytes outside the records we know';
  return { ...summary, records: problem ? null : records, unwritableBecause: problem };
}

function readV6(bytes: Uint8Array): ProfileSummary {
  const text = new TextDecoder('utf-8').decode(bytes);
  const values = new Map<string, string>();
  for (const match of text.matchAll(/(?:^|[\r\n\0])([A-Za-z][A-Za-z0-9]*)=([^\r\n\0]*)/g)) {
    if (!values.has(match[1]!)) values.set(match[1]!, match[2]!);
  }
  const fields: FieldSet = {
    text: (key) => values.get(key) ?? null,
    number: (key) => {
      const value = values.get(key);
      return value !== undefined && /^\d{1,5}$/.test(value) ? Number(value) : null;
    },
  };
  const protocol = protocolOf(fields);
  const passwordHex = fields.text(protocol === 'pop3' ? 'POP3Password' : 'Password') ?? '';
  return { ...summarize(6, fields, protocol, passwordHex), records: null, unwritableBecause: 'Foxmail 6 profiles are only read' };
}

/** What a profile file holds; null when nothing in it looks like a Foxmail account. */
export function readProfile(bytes: Uint8Array): ProfileSummary | null {
  if (bytes.length === 0) return null;
  return bytes[0] === 0xd0 ? readV6(bytes) : readV7(bytes);
}

/** The records with the password field's value replaced by `hex`, keeping its type. */
export function withPasswordHex(records: readonly V7Record[], hex: string): V7Record[] {
  return records.map((record) => {
    if (!(passwordKeys as readonly string[]).includes(record.key)) return record;
    const raw = record.kind === 'utf16' ? new Uint8Array(Buffer.from(hex, 'utf16le')) : new Uint8Array(Buffer.from(hex, 'latin1'));
    return { ...record, raw };
  });
}
