/**
 * Thunderbird's password store without Thunderbird: the key in key4.db (NSS's SQLite key
 * database) and the "secret decoder ring" (SDR) blobs in logins.json. Only read here; key4.db is
 * never written. What is relied on, and where it comes from:
 *
 * key4.db (SQLite): table `metaData`, row id = 'password': item1 = global salt, item2 = DER
 * `SEQUENCE { AlgorithmIdentifier, OCTET STRING ciphertext }` of "password-check" (plus PKCS#7
 * padding); table `nssPrivate`: a11 = CKA_VALUE (the SDR key, encrypted the same way), a102 =
 * CKA_ID. lclevy/firepwd `firepwd.py` (getKey: `SELECT item1,item2 FROM metadata WHERE id =
 * 'password'`, `SELECT a11,a102 FROM nssPrivate`, check against `password-check\x02\x02`).
 *
 * Two password-based encryptions (PBE) protect item2 and a11:
 * - PBES2 (OID 1.2.840.113549.1.5.13) with PBKDF2 (1.2.840.113549.1.5.12, PRF hmacWithSHA256
 *   1.2.840.113549.2.9, salt, iterations, key length 32) and AES-256-CBC
 *   (2.16.840.1.101.3.4.1.42). The PBKDF2 password is HASH(globalSalt || primaryPassword), with
 *   HASH = SHA-1 for a 20-byte global salt and SHA-384 for the 48-byte one Firefox 146+ writes
 *   (hashcat/hashcat PR #4663 "Mozilla key4.db SHA384", issue #4585). NSS stores a 14-byte IV
 *   OCTET STRING and the cipher's IV is that element's DER encoding, `04 0E` + 14 bytes (firepwd's
 *   `iv = b'\x04\x0e' + …`; hashcat's example IVs all begin 040e).
 * - The older pbeWithSha1AndTripleDES-CBC (1.2.840.113549.1.12.5.1.3, params SEQUENCE { salt,
 *   iterations }), key and IV derived as in firepwd's decrypt3DES (the key3.db scheme).
 * With no primary password, primaryPassword is empty; when "password-check" does not come out,
 * a primary password is set (or the scheme changed): the app then never writes.
 *
 * SDR blob (logins.json encryptedUsername / encryptedPassword, base64): DER
 * `SEQUENCE { OCTET STRING keyId, AlgorithmIdentifier { OID, OCTET STRING iv }, OCTET STRING
 * ciphertext }`, PKCS#7 padding added before a CBC cipher without padding — NSS
 * `lib/pk11wrap/pk11sdr.c` (template, padBlock/unpadBlock, default keyId F8000000…01). That file
 * encrypts with CKM_DES3_CBC (des-ede3-cbc 1.2.840.113549.3.7, 8-byte IV, 24-byte key) or
 * CKM_AES_CBC, and decrypts either. Firefox 144 (NSS 3.113+) started writing AES-256-CBC
 * (2.16.840.1.101.3.4.1.42, 16-byte IV, a second, 32-byte key in nssPrivate): unode/firefox_decrypt
 * issue #120, moonD4rk/HackBrowserData issues #489/#493, duckduckgo/apple-browsers PR #2264
 * ("Firefox 144 now stores both 3DES (24-byte) and AES-256 (32-byte) keys"). Older NSS (so
 * Thunderbird ESR before that) cannot decrypt AES blobs, so a write copies the form the profile's
 * own newest login uses (see logins.ts).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import initSqlJs from 'sql.js';
import { concatBytes } from '../bytes';
import { decodeDer, der, integer, octets, oid, seq, type DerNode } from './der';

const oids = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  pbeSha1TripleDes: '1.2.840.113549.1.12.5.1.3',
} as const;

/** NSS's default SDR key id (pk11sdr.c `keyID`). */
export const defaultKeyId = Uint8Array.from([0xf8, ...new Array<number>(14).fill(0), 0x01]);

type SdrAlgorithm = 'des3' | 'aes256';

export interface SdrKey {
  readonly id: Uint8Array;
  readonly algorithm: SdrAlgorithm;
  readonly key: Uint8Array;
}

export type KeyStore =
  | { readonly state: 'ready'; readonly keys: readonly SdrKey[] }
  | { readonly state: 'primary-password' }
  /** `why` is for the log and never holds a value from the file. */
  | { readonly state: 'unsupported'; readonly why: string };

/** Bounds no real key4.db comes near (NSS uses 1 iteration without a primary password, 10,000 with one). */
const maxIterations = 1_000_000;
const maxKeyDbBytes = 64 * 1024 * 1024;

/** PKCS#7 padding as pk11sdr.c's unpadBlock checks it: 1…blockSize bytes, all equal to their count. */
function unpad(data: Uint8Array, blockSize: number): Uint8Array | null {
  if (data.length === 0 || data.length % blockSize !== 0) return null;
  const count = data[data.length - 1]!;
  if (count === 0 || count > blockSize) return null;
  for (let i = data.length - count; i < data.length; i++) if (data[i] !== count) return null;
  return data.subarray(0, data.length - count);
}

function pad(data: Uint8Array, blockSize: number): Uint8Array {
  const count = blockSize - (data.length % blockSize);
  return concatBytes([data, new Uint8Array(count).fill(count)]);
}

function cbc(name: 'aes-256-cbc' | 'des-ede3-cbc', decrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | null {
  try {
    const cipher = decrypt ? createDecipheriv(name, key, iv) : createCipheriv(name, key, iv);
    cipher.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
  } catch {
    return null;
  }
}

/** The Mozilla 3DES PBE (firepwd decrypt3DES). */
function mozilla3DesDecrypt(globalSalt: Uint8Array, password: Uint8Array, entrySalt: Uint8Array, data: Uint8Array): Uint8Array | null {
  if (entrySalt.length > 20) return null;
  const sha1 = (...parts: Uint8Array[]) => createHash('sha1').update(concatBytes(parts)).digest();
  const hmac = (key: Uint8Array, ...parts: Uint8Array[]) => createHmac('sha1', key).update(concatBytes(parts)).digest();
  const hp = sha1(globalSalt, password);
  const pes = concatBytes([entrySalt, new Uint8Array(20 - entrySalt.length)]);
  const chp = sha1(hp, entrySalt);
  const k1 = hmac(chp, pes, entrySalt);
  const tk = hmac(chp, pes);
  const k2 = hmac(chp, tk, entrySalt);
  const k = concatBytes([k1, k2]);
  return cbc('des-ede3-cbc', true, k.subarray(0, 24), k.subarray(k.length - 8), data);
}

/**
 * Decrypts a key4.db PBE item (item2 or a11) with `primaryPassword`: the plaintext without its
 * padding; 'wrong' when the scheme is understood but the result is not (a wrong password);
 * 'unsupported' when the DER or the algorithms are not the ones above.
 */
function decryptPbeItem(item: Uint8Array, globalSalt: Uint8Array, primaryPassword: string): Uint8Array | 'wrong' | 'unsupported' {
  const top = seq(decodeDer(item) ?? undefined, 2);
  const algorithm = seq(top?.[0], 2);
  const ciphertext = octets(top?.[1]);
  if (!top || !algorithm || !ciphertext) return 'unsupported';
  const password = new TextEncoder().encode(primaryPassword);
  const scheme = oid(algorithm[0]);
  if (scheme === oids.pbeSha1TripleDes) {
    const params = seq(algorithm[1], 2);
    const salt = octets(params?.[0]);
    const iterations = integer(params?.[1]);
    if (!salt || iterations !== 1 || ciphertext.length % 8 !== 0) return 'unsupported';
    const plain = mozilla3DesDecrypt(globalSalt, password, salt, ciphertext);
    const unpadded = plain && unpad(plain, 8);
    return unpadded ?? 'wrong';
  }
  if (scheme !== oids.pbes2) return 'unsupported';
  const pbes2 = seq(algorithm[1], 2);
  const kdf = seq(pbes2?.[0], 2);
  const kdfParams = seq(kdf?.[1]);
  const cipher = seq(pbes2?.[1], 2);
  if (!kdf || !kdfParams || !cipher || oid(kdf[0]) !== oids.pbkdf2 || oid(cipher[0]) !== oids.aes256Cbc) return 'unsupported';
  // PBKDF2-params: salt, iterationCount, keyLength, prf (RFC 8018 A.2; NSS writes all four).
  if (kdfParams.length !== 4) return 'unsupported';
  const salt = octets(kdfParams[0]);
  const iterations = integer(kdfParams[1]);
  const keyLength = integer(kdfParams[2]);
  const prf = seq(kdfParams[3]);
  if (!salt || iterations === null || iterations < 1 || iterations > maxIterations || keyLength !== 32) return 'unsupported';
  if (!prf || oid(prf[0]) !== oids.hmacWithSha256 || (prf.length === 2 && prf[1]!.tag !== 'null') || prf.length > 2) return 'unsupported';
  const ivNode = cipher[1] as DerNode;
  if (octets(ivNode)?.length !== 14 || ivNode.bytes.length !== 16) return 'unsupported';
  const hash = globalSalt.length === 20 ? 'sha1' : globalSalt.length === 48 ? 'sha384' : null;
  if (!hash || ciphertext.length === 0 || ciphertext.length % 16 !== 0) return 'unsupported';
  const hashed = createHash(hash)
    .update(concatBytes([globalSalt, password]))
    .digest();
  const key = pbkdf2Sync(hashed, salt, iterations, 32, 'sha256');
  const plain = cbc('aes-256-cbc', true, key, ivNode.bytes, ciphertext);
  return (plain && unpad(plain, 16)) ?? 'wrong';
}

const passwordCheck = new TextEncoder().encode('password-check');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function blob(value: unknown): Uint8Array | null {
  return value instanceof Uint8Array ? value : null;
}

let sqlJs: ReturnType<typeof initSqlJs> | null = null;

/**
 * Opens key4.db's bytes (a copy in memory: the file on disk is never opened by SQLite) and
 * recovers the SDR keys when no primary password is set.
 */
export async function openKeyStore(bytes: Uint8Array): Promise<KeyStore> {
  if (bytes.length > maxKeyDbBytes) return { state: 'unsupported', why: 'key4.db is larger than any key database' };
  let SQL: Awaited<ReturnType<typeof initSqlJs>>;
  try {
    sqlJs ??= initSqlJs();
    SQL = await sqlJs;
  } catch (cause) {
    sqlJs = null;
    throw new Error('the SQLite module could not be loaded', { cause });
  }
  let db: InstanceType<typeof SQL.Database> | null = null;
  try {
    db = new SQL.Database(bytes);
    const meta = db.exec("SELECT item1, item2 FROM metaData WHERE id = 'password'");
    const row = meta[0]?.values;
    if (!row || row.length !== 1) return { state: 'unsupported', why: 'key4.db has no password-check entry' };
    const globalSalt = blob(row[0]![0]);
    const check = blob(row[0]![1]);
    if (!globalSalt || !check) return { state: 'unsupported', why: 'the password-check entry is not understood' };
    const checked = decryptPbeItem(check, globalSalt, '');
    if (checked === 'unsupported') return { state: 'unsupported', why: 'the password-check encryption is not understood' };
    if (checked === 'wrong' || !sameBytes(checked, passwordCheck)) return { state: 'primary-password' };
    const keys: SdrKey[] = [];
    for (const [value, id] of db.exec('SELECT a11, a102 FROM nssPrivate WHERE a11 IS NOT NULL')[0]?.values ?? []) {
      const encrypted = blob(value);
      const keyId = blob(id);
      if (!encrypted || !keyId) continue;
      const key = decryptPbeItem(encrypted, globalSalt, '');
      // Other private objects (certificate keys) are not SDR keys; only the two symmetric lengths are.
      if (key === 'wrong' || key === 'unsupported') continue;
      if (key.length === 24) keys.push({ id: new Uint8Array(keyId), algorithm: 'des3', key: new Uint8Array(key) });
      if (key.length === 32) keys.push({ id: new Uint8Array(keyId), algorithm: 'aes256', key: new Uint8Array(key) });
    }
    return { state: 'ready', keys };
  } catch {
    return { state: 'unsupported', why: 'key4.db is not a key database this app understands' };
  } finally {
    db?.close();
  }
}

export interface SdrBlob {
  readonly keyId: Uint8Array;
  readonly algorithm: SdrAlgorithm;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseSdr(text: string): SdrBlob | null {
  if (!base64.test(text) || text.length % 4 !== 0) return null;
  const top = seq(decodeDer(new Uint8Array(Buffer.from(text, 'base64'))) ?? undefined, 3);
  const keyId = octets(top?.[0]);
  const alg = seq(top?.[1], 2);
  const ciphertext = octets(top?.[2]);
  const iv = octets(alg?.[1]);
  if (!keyId || !alg || !ciphertext || !iv) return null;
  const algorithm = oid(alg[0]) === oids.desEde3Cbc ? 'des3' : oid(alg[0]) === oids.aes256Cbc ? 'aes256' : null;
  if (algorithm === 'des3' && iv.length === 8 && ciphertext.length > 0 && ciphertext.length % 8 === 0) return { keyId, algorithm, iv, ciphertext };
  if (algorithm === 'aes256' && iv.length === 16 && ciphertext.length > 0 && ciphertext.length % 16 === 0) return { keyId, algorithm, iv, ciphertext };
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text an SDR blob holds, with the key its id names (as PK11SDR_Decrypt finds it first); null when it does not decrypt. */
export function decryptSdr(text: string, keys: readonly SdrKey[]): string | null {
  const parsed = parseSdr(text);
  if (!parsed) return null;
  const key = keys.find((k) => k.algorithm === parsed.algorithm && sameBytes(k.id, parsed.keyId));
  if (!key) return null;
  const plain = cbc(parsed.algorithm === 'des3' ? 'des-ede3-cbc' : 'aes-256-cbc', true, key.key, parsed.iv, parsed.ciphertext);
  const unpadded = plain && unpad(plain, parsed.algorithm === 'des3' ? 8 : 16);
  if (!unpadded) return null;
  try {
    return utf8.decode(unpadded);
  } catch {
    return null;
  }
}

/** An SDR blob of `text` as PK11SDR_EncryptWithMechanism writes it, base64 as logins.json holds it. */
export function encryptSdr(text: string, key: SdrKey, iv: Uint8Array): string {
  const block = key.algorithm === 'des3' ? 8 : 16;
  if (iv.length !== block) throw new Error('wrong IV length');
  const ciphertext = cbc(key.algorithm === 'des3' ? 'des-ede3-cbc' : 'aes-256-cbc', false, key.key, iv, pad(new TextEncoder().encode(text), block));
  if (!ciphertext) throw new Error('the cipher is not available');
  const algorithm = der.sequence(der.oid(key.algorithm === 'des3' ? oids.desEde3Cbc : oids.aes256Cbc), der.octets(iv));
  return Buffer.from(der.sequence(der.octets(key.id), algorithm, der.octets(ciphertext))).toString('base64');
}

export function keyIdEquals(a: Uint8Array, b: Uint8Array): boolean {
  return sameBytes(a, b);
}
