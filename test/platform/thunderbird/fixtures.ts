/**
 * Thunderbird profiles built from the formats' public documentation (firepwd, NSS pk11sdr.c,
 * toolkit's storage-json, profiles.ini and prefs.js as Thunderbird writes them): these tests run
 * against files made to that format, not against a real Thunderbird, which cannot run here.
 * The DER and crypto below are written out independently of the adapter's own code.
 */
import { createCipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const oct = (b: Buffer) => tlv(0x04, b);
const int = (n: number) => tlv(0x02, n < 0x80 ? Buffer.from([n]) : Buffer.from([n >> 8, n & 0xff]));
const oidBytes: Record<string, string> = {
  pbes2: '2a864886f70d01050d',
  pbkdf2: '2a864886f70d01050c',
  hmacSha256: '2a864886f70d0209',
  aes256: '60864801650304012a',
  des3: '2a864886f70d0307',
};
const oid = (name: keyof typeof oidBytes) => tlv(0x06, Buffer.from(oidBytes[name]!, 'hex'));

function pkcs7(data: Buffer, block: number): Buffer {
  const n = block - (data.length % block);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function cbc(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const c = createCipheriv(name, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** A key4.db PBES2 item: PBKDF2-HMAC-SHA256 over SHA-1(globalSalt || password), AES-256-CBC with NSS's 14-byte IV. */
function pbes2Item(globalSalt: Buffer, password: string, plain: Buffer, iterations = 1): Buffer {
  const entrySalt = randomBytes(32);
  const iv14 = randomBytes(14);
  const hashed = createHash(globalSalt.length === 48 ? 'sha384' : 'sha1')
    .update(Buffer.concat([globalSalt, Buffer.from(password)]))
    .digest();
  const key = pbkdf2Sync(hashed, entrySalt, iterations, 32, 'sha256');
  const iv = Buffer.concat([Buffer.from([0x04, 0x0e]), iv14]);
  const ciphertext = cbc('aes-256-cbc', key, iv, pkcs7(plain, 16));
  const algorithm = seq(
    oid('pbes2'),
    seq(seq(oid('pbkdf2'), seq(oct(entrySalt), int(iterations), int(32), seq(oid('hmacSha256')))), seq(oid('aes256'), oct(iv14))),
  );
  return seq(algorithm, oct(ciphertext));
}

const defaultKeyId = Buffer.from('f8000000000000000000000000000001', 'hex');

export interface KeyDbOptions {
  /** '' for none (the case this app writes in). */
  readonly primaryPassword?: string;
  readonly des3Key?: Buffer | null;
  readonly aesKey?: Buffer | null;
  readonly globalSaltBytes?: 20 | 48;
}

export async function keyDb(options: KeyDbOptions = {}): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  const password = options.primaryPassword ?? '';
  const globalSalt = randomBytes(options.globalSaltBytes ?? 20);
  db.run('CREATE TABLE metaData (id PRIMARY KEY UNIQUE ON CONFLICT REPLACE, item1, item2)');
  db.run('CREATE TABLE nssPrivate (id PRIMARY KEY UNIQUE ON CONFLICT ABORT, a0, a3, a11, a100, a102)');
  db.run("INSERT INTO metaData VALUES ('password', ?, ?)", [globalSalt, pbes2Item(globalSalt, password, Buffer.from('password-check'))]);
  let id = 1;
  for (const key of [options.des3Key === undefined ? des3Key : options.des3Key, options.aesKey ?? null]) {
    if (!key) continue;
    db.run('INSERT INTO nssPrivate VALUES (?, ?, ?, ?, ?, ?)', [
      id++,
      Buffer.from([0, 0, 0, 4]),
      Buffer.from(''),
      pbes2Item(globalSalt, password, key),
      Buffer.from([0, 0, 0, key.length === 24 ? 0x15 : 0x1f]),
      defaultKeyId,
    ]);
  }
  const bytes = db.export();
  db.close();
  return bytes;
}

const des3Key = Buffer.from('0123456789abcdeffedcba9876543210a5a5a5a55a5a5a5a', 'hex');
export const aesKey = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');

/** An SDR blob as PK11SDR_Encrypt writes it (3DES) or NSS 3.113+ with AES. */
function sdr(text: string, algorithm: 'des3' | 'aes256' = 'des3'): string {
  const block = algorithm === 'des3' ? 8 : 16;
  const iv = randomBytes(block);
  const ct = cbc(algorithm === 'des3' ? 'des-ede3-cbc' : 'aes-256-cbc', algorithm === 'des3' ? des3Key : aesKey, iv, pkcs7(Buffer.from(text, 'utf8'), block));
  return seq(oct(defaultKeyId), seq(oid(algorithm), oct(iv)), oct(ct)).toString('base64');
}

export function login(id: number, origin: string, username: string, password: string, algorithm: 'des3' | 'aes256' = 'des3', time = 1_700_000_000_000) {
  return {
    id,
    hostname: origin,
    httpRealm: origin,
    formSubmitURL: null,
    usernameField: '',
    passwordField: '',
    encryptedUsername: sdr(username, algorithm),
    encryptedPassword: sdr(password, algorithm),
    guid: `{00000000-0000-4000-8000-00000000000${id}}`,
    encType: 1,
    timeCreated: time,
    timeLastUsed: time,
    timePasswordChanged: time,
    timesUsed: 1,
    syncCounter: 1,
    everSynced: false,
    encryptedUnknownFields: null,
  };
}

export function loginsJson(logins: ReturnType<typeof login>[]): string {
  return JSON.stringify({ nextId: logins.length + 1, logins, potentiallyVulnerablePasswords: [], dismissedBreachAlertsByLoginGUID: {}, version: 3 });
}

/** prefs.js as Thunderbird writes it: a comment header, then sorted user_pref lines. */
export const prefsJs = `// Mozilla User Preferences

// DO NOT EDIT THIS FILE.
/* Comments like this are accepted too. */
user_pref("mail.account.account1.identities", "id1");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.account.account2.server", "server2");
user_pref("mail.account.account3.identities", "id2");
user_pref("mail.account.account3.server", "server3");
user_pref("mail.accountmanager.accounts", "account1,account3,account2");
user_pref("mail.accountmanager.defaultaccount", "account1");
user_pref("mail.identity.id1.fullName", "\\u5F20\\u4E09 \\"Zhang\\"");
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.useremail", "zhang.san@cstnet.cn");
user_pref("mail.identity.id2.fullName", "Li Si");
user_pref("mail.identity.id2.useremail", "li.si@cstnet.cn");
user_pref("mail.server.server1.hostname", "mail.cstnet.cn");
user_pref("mail.server.server1.port", 993);
user_pref("mail.server.server1.socketType", 3);
user_pref("mail.server.server1.type", "imap");
user_pref("mail.server.server1.userName", "zhang.san@cstnet.cn");
user_pref("mail.server.server2.hostname", "Local Folders");
user_pref("mail.server.server2.type", "none");
user_pref("mail.server.server2.userName", "nobody");
user_pref("mail.server.server3.hostname", "pop.cstnet.cn");
user_pref("mail.server.server3.socketType", 0);
user_pref("mail.server.server3.type", "pop3");
user_pref("mail.server.server3.userName", "li.si@cstnet.cn");
user_pref("mail.smtp.defaultserver", "smtp2");
user_pref("mail.smtpserver.smtp1.hostname", "mail.cstnet.cn");
user_pref("mail.smtpserver.smtp1.port", 994);
user_pref("mail.smtpserver.smtp1.try_ssl", 3);
user_pref("mail.smtpserver.smtp1.username", "zhang.san@cstnet.cn");
user_pref("mail.smtpserver.smtp2.hostname", "smtp.cstnet.cn");
user_pref("mail.smtpserver.smtp2.try_ssl", 2);
user_pref("mail.smtpservers", "smtp1,smtp2");
`;

export interface Fixture {
  readonly base: string;
  readonly root: string;
  readonly profile: string;
  cleanup(): Promise<void>;
}

/** A Linux-style root (`<home>/.thunderbird`) with one relative default profile. */
export async function thunderbirdHome(options: { keyDb?: Uint8Array | null; logins?: string | null; prefs?: string } = {}): Promise<Fixture> {
  const base = await mkdtemp(join(tmpdir(), 'mailwarden-thunderbird-'));
  const root = join(base, '.thunderbird');
  const profile = join(root, 'ab12cd34.default-release');
  await mkdir(profile, { recursive: true });
  await writeFile(
    join(root, 'profiles.ini'),
    '[Install4F96D1932A9F858E]\nDefault=ab12cd34.default-release\nLocked=1\n\n[Profile1]\nName=default\nIsRelative=1\nPath=ef56.default\nDefault=1\n\n[Profile0]\nName=default-release\nIsRelative=1\nPath=ab12cd34.default-release\n\n[General]\nStartWithLastProfile=1\nVersion=2\n',
  );
  await writeFile(join(root, 'installs.ini'), '[4F96D1932A9F858E]\nDefault=ab12cd34.default-release\nLocked=1\n');
  await writeFile(join(profile, 'prefs.js'), options.prefs ?? prefsJs);
  const db = options.keyDb === undefined ? await keyDb() : options.keyDb;
  if (db) await writeFile(join(profile, 'key4.db'), db);
  if (options.logins !== null)
    await writeFile(
      join(profile, 'logins.json'),
      options.logins ??
        loginsJson([login(1, 'imap://mail.cstnet.cn', 'zhang.san@cstnet.cn', 'old-imap-pass'), login(2, 'https://example.org', 'web', 'web-pass')]),
    );
  return { base, root, profile, cleanup: () => rm(base, { recursive: true, force: true }) };
}
