/**
 * Foxmail installations on disk, built from the profile layout documented in
 * electron/platform/foxmail/profile-format.ts (and the sources named there). The builder here is
 * written separately from the adapter's parser and codec on purpose: a fixture produced by the
 * adapter's own serializer would prove nothing about the parser.
 *
 * Used by the adapter's tests and by the Playwright specs (through --foxmail-root), so it needs
 * nothing but Node.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FixtureAccount {
  address: string;
  displayName: string;
  password: string;
  protocol?: 'imap' | 'pop3';
  incomingHost?: string;
  incomingPort?: number;
  incomingSsl?: boolean;
  outgoingHost?: string;
  outgoingPort?: number;
  outgoingSsl?: boolean;
  version?: 6 | 7;
}

/** Value types of a v7 record (see profile-format.ts for which are from public sources and which are assumed). */
const recordType = { utf8: 0x100, utf16: 0x08, int: 0x03, bool: 0x0b } as const;

export type FixtureRecord = { key: string; type: 'utf8' | 'utf16'; value: string } | { key: string; type: 'int' | 'bool'; value: number };

const v7Key = [0x7e, 0x46, 0x40, 0x37, 0x25, 0x6d, 0x24, 0x7e]; // '~F@7%m$~'
const v6Key = [0x7e, 0x64, 0x72, 0x61, 0x47, 0x6f, 0x6e, 0x7e]; // '~draGon~'
const firstByteMask = { 6: 0x5a, 7: 0x71 } as const;

/**
 * The stored form of a password: a seed byte, then each character added to the previous stored
 * byte (the seed XOR the first-byte mask for the first one) modulo 255 and XORed with the key,
 * in upper-case hex. `seed` fixes the otherwise free first byte so fixtures are reproducible.
 */
export function encodeFixturePassword(password: string, version: 6 | 7, seed = 0x3c): string {
  if (password === '') return '';
  const key = version === 6 ? v6Key : v7Key;
  const out = [seed & 0xff];
  let previous = (seed & 0xff) ^ firstByteMask[version];
  for (let i = 0; i < password.length; i++) {
    const p = password.charCodeAt(i);
    if (p < 0x20 || p > 0x7e) throw new Error('fixture passwords are printable ASCII');
    let sum = p + previous;
    if (sum > 0xff) sum -= 0xff;
    const stored = sum ^ key[i % key.length]!;
    out.push(stored);
    previous = stored;
  }
  return out.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

/** Inverse of the above, written the way the public recovery tools do it. */
export function decodeFixturePassword(hex: string, version: 6 | 7): string | null {
  if (hex === '') return '';
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null;
  const bytes = hex.match(/../g)!.map((h) => Number.parseInt(h, 16));
  const key = version === 6 ? v6Key : v7Key;
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i++) {
    const previous = i === 0 ? bytes[0]! ^ firstByteMask[version] : bytes[i]!;
    const d = bytes[i + 1]! ^ key[i % key.length]!;
    const e = d - previous < 0 ? d + 255 - previous : d - previous;
    out += String.fromCharCode(e);
  }
  return out;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

/** One v7 record: key length, key, type, then a length-prefixed string or a 32-bit value. */
export function v7Record(record: FixtureRecord): Buffer {
  const key = Buffer.from(record.key, 'latin1');
  const head = [u32(key.length), key, u32(recordType[record.type])];
  switch (record.type) {
    case 'utf8': {
      const body = Buffer.from(record.value, 'utf8');
      return Buffer.concat([...head, u32(body.length), body]);
    }
    case 'utf16': {
      const body = Buffer.from(record.value, 'utf16le');
      return Buffer.concat([...head, u32(body.length / 2), body]);
    }
    case 'int':
    case 'bool':
      return Buffer.concat([...head, u32(record.value)]);
  }
}

function defaults(account: FixtureAccount) {
  const protocol = account.protocol ?? 'imap';
  return {
    protocol,
    incomingHost: account.incomingHost ?? 'mail.cstnet.cn',
    incomingPort: account.incomingPort ?? (protocol === 'imap' ? 993 : 995),
    incomingSsl: account.incomingSsl ?? true,
    outgoingHost: account.outgoingHost ?? 'mail.cstnet.cn',
    outgoingPort: account.outgoingPort ?? 994,
    outgoingSsl: account.outgoingSsl ?? true,
  };
}

/** The records of a Foxmail 7 account profile, in the order Foxmail writes the fields we know of. */
export function v7Records(account: FixtureAccount, seed = 0x3c): FixtureRecord[] {
  const d = defaults(account);
  const pop3 = d.protocol === 'pop3';
  return [
    { key: 'Email', type: 'utf8', value: account.address },
    { key: 'DisplayName', type: 'utf16', value: account.displayName },
    { key: pop3 ? 'POP3Account' : 'Account', type: 'utf8', value: account.address },
    { key: pop3 ? 'POP3Password' : 'Password', type: 'utf8', value: encodeFixturePassword(account.password, 7, seed) },
    { key: 'IncomingServer', type: 'utf8', value: d.incomingHost },
    { key: 'IncomingPort', type: 'int', value: d.incomingPort },
    { key: 'InComingSSL', type: 'bool', value: d.incomingSsl ? 1 : 0 },
    { key: 'OutgoingServer', type: 'utf8', value: d.outgoingHost },
    { key: 'OutgoingPort', type: 'int', value: d.outgoingPort },
    { key: 'OutgoingSSL', type: 'bool', value: d.outgoingSsl ? 1 : 0 },
    // A field the adapter does not interpret: it must come through a password change untouched.
    { key: 'Signature', type: 'utf16', value: `${account.displayName}\r\n中国科学院` },
  ];
}

export function v7ProfileBytes(account: FixtureAccount, seed = 0x3c): Buffer {
  return Buffer.concat(v7Records(account, seed).map(v7Record));
}

/** The compound-file signature a Foxmail 6 Account.stg starts with (its first byte, 0xD0, is how the public tools tell v6 from v7). */
const compoundFileSignature = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/**
 * A Foxmail 6 profile as far as the public tools read one: the compound-file signature, then
 * `Key=Value` lines. Not a complete compound file, which is why the adapter only reads v6.
 */
export function v6ProfileBytes(account: FixtureAccount, seed = 0x3c): Buffer {
  const d = defaults(account);
  const pop3 = d.protocol === 'pop3';
  const lines = [
    `Email=${account.address}`,
    `DisplayName=${account.displayName}`,
    `${pop3 ? 'POP3Account' : 'Account'}=${account.address}`,
    `${pop3 ? 'POP3Password' : 'Password'}=${encodeFixturePassword(account.password, 6, seed)}`,
    `IncomingServer=${d.incomingHost}`,
    `IncomingPort=${d.incomingPort}`,
    `InComingSSL=${d.incomingSsl ? 1 : 0}`,
    `OutgoingServer=${d.outgoingHost}`,
    `OutgoingPort=${d.outgoingPort}`,
    `OutgoingSSL=${d.outgoingSsl ? 1 : 0}`,
  ];
  const header = Buffer.alloc(512);
  compoundFileSignature.copy(header);
  return Buffer.concat([header, Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8')]);
}

/** Where an account's profile lives: Account.rec0 for Foxmail 7, Account.stg for Foxmail 6. */
export function fixtureProfilePath(root: string, account: Pick<FixtureAccount, 'address' | 'version'>): string {
  return join(root, 'Storage', account.address, 'Accounts', account.version === 6 ? 'Account.stg' : 'Account.rec0');
}

/**
 * Creates <root>/Foxmail.exe (an empty marker) and <root>/Storage/<address>/Accounts/Account.rec0
 * per account (Account.stg for a version 6 account); returns the root.
 */
export async function writeFoxmailInstallation(root: string, accounts: FixtureAccount[]): Promise<string> {
  await mkdir(join(root, 'Storage'), { recursive: true });
  await writeFile(join(root, 'Foxmail.exe'), '');
  for (const account of accounts) {
    const path = fixtureProfilePath(root, account);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, account.version === 6 ? v6ProfileBytes(account) : v7ProfileBytes(account));
  }
  return root;
}

/** The password field's raw value of a v7 file, by walking its records; null when the walk fails. */
function v7PasswordHex(bytes: Buffer): string | null {
  let at = 0;
  let found: string | null = null;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) return null;
    const keyLength = bytes.readUInt32LE(at);
    if (keyLength === 0 || at + 4 + keyLength + 4 > bytes.length) return null;
    const key = bytes.toString('latin1', at + 4, at + 4 + keyLength);
    at += 4 + keyLength;
    const type = bytes.readUInt32LE(at);
    at += 4;
    if (type === recordType.int || type === recordType.bool) {
      at += 4;
      continue;
    }
    if (at + 4 > bytes.length) return null;
    const count = bytes.readUInt32LE(at);
    at += 4;
    const size = type === recordType.utf16 ? count * 2 : count;
    if (at + size > bytes.length) return null;
    const value = type === recordType.utf16 ? bytes.toString('utf16le', at, at + size) : bytes.toString('utf8', at, at + size);
    at += size;
    if (key === 'Password' || key === 'POP3Password') found = value;
  }
  return found ?? '';
}

/** Reads back the password stored in that account's profile (decoded), for assertions. */
export async function readFoxmailPassword(root: string, address: string): Promise<string | null> {
  for (const version of [7, 6] as const) {
    let bytes: Buffer;
    try {
      bytes = await readFile(fixtureProfilePath(root, { address, version }));
    } catch {
      continue;
    }
    if (bytes[0] === 0xd0) {
      const match = /(?:^|\n)(?:POP3)?Password=([^\r\n]*)/.exec(bytes.toString('latin1'));
      return match ? decodeFixturePassword(match[1]!, 6) : '';
    }
    const hex = v7PasswordHex(bytes);
    return hex === null ? null : decodeFixturePassword(hex, 7);
  }
  return null;
}
