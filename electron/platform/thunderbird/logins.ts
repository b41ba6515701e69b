/**
 * logins.json, Thunderbird's (toolkit's) login store, and the change this app makes to it. The
 * shape is toolkit's LoginManagerStorage_json (toolkit/components/passwordmgr/storage-json.sys.mjs,
 * addLogin / modifyLogin) over LoginStore (`{ nextId, logins: [...], potentiallyVulnerablePasswords,
 * dismissedBreachAlertsByLoginGUID, version: 3 }`): each login `{ id, hostname, httpRealm,
 * formSubmitURL, usernameField, passwordField, encryptedUsername, encryptedPassword, guid, encType,
 * timeCreated, timeLastUsed, timePasswordChanged, timesUsed, syncCounter, everSynced,
 * encryptedUnknownFields }`; removed synced logins stay as `{ deleted: true, … }` tombstones.
 *
 * Which login is a mail server's: comm-central nsMsgIncomingServer::GetPasswordWithoutUI looks up
 * `FindLogins(uri, "", uri)` with uri = `<localStoreType>://<hostname>` (the `hostname` pref; the
 * store type is "imap" for IMAP and "mailbox" for POP3 — nsMailboxServer::GetLocalStoreType) and
 * takes the one whose username equals the `userName` pref. Outgoing servers use
 * `smtp://<hostname>` the same way, with the SMTP server's `username`.
 */
import { decryptSdr, encryptSdr, keyIdEquals, parseSdr, defaultKeyId, type SdrKey } from './nss';

/** The highest LoginStore data version this app knows (kDataVersion = 3). */
const knownVersion = 3;
/** encType 1 = nsILoginManagerCrypto.ENCTYPE_SDR. */
const sdrEncType = 1;

export interface LoginTarget {
  /** `imap://host`, `mailbox://host` or `smtp://host`: hostname and httpRealm both. */
  readonly origin: string;
  readonly username: string;
}

export interface LoginsSeams {
  readonly now: () => number;
  readonly randomBytes: (size: number) => Uint8Array;
  /** `{…}` as Services.uuid.generateUUID().toString() gives it. */
  readonly guid: () => string;
}

export interface LoginChange {
  readonly origin: string;
  readonly change: 'replaced' | 'added';
}

export class LoginsNotUnderstood extends Error {}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The store as an object, checked to be one this app understands; a fresh one when there is no file. */
export function parseLogins(text: string | null): Json {
  if (text === null) return { nextId: 1, logins: [], potentiallyVulnerablePasswords: [], dismissedBreachAlertsByLoginGUID: {}, version: knownVersion };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LoginsNotUnderstood('logins.json is not JSON');
  }
  if (!isObject(data) || !Array.isArray(data.logins)) throw new LoginsNotUnderstood('logins.json has no list of logins');
  if (data.version !== undefined && (typeof data.version !== 'number' || data.version > knownVersion))
    throw new LoginsNotUnderstood('logins.json is of a newer version than this app knows');
  if (!Number.isSafeInteger(data.nextId) || (data.nextId as number) < 1) throw new LoginsNotUnderstood('logins.json has no valid nextId');
  for (const login of data.logins as unknown[]) {
    if (!isObject(login)) throw new LoginsNotUnderstood('a login is not an object');
    if (login.deleted === true) continue;
    if (typeof login.hostname !== 'string' || typeof login.encryptedUsername !== 'string' || typeof login.encryptedPassword !== 'string') {
      throw new LoginsNotUnderstood('a login lacks its origin or encrypted fields');
    }
    if (!Number.isSafeInteger(login.id) || (login.id as number) >= (data.nextId as number))
      throw new LoginsNotUnderstood('a login has an id the store would reuse');
  }
  return data;
}

function liveLogins(store: Json): Json[] {
  return (store.logins as Json[]).filter((l) => l.deleted !== true);
}

function matches(login: Json, origin: string): boolean {
  return login.hostname === origin && login.httpRealm === origin;
}

function newest(logins: readonly Json[]): Json | undefined {
  const time = (l: Json) => (typeof l.timePasswordChanged === 'number' ? l.timePasswordChanged : typeof l.timeCreated === 'number' ? l.timeCreated : 0);
  return [...logins].sort((a, b) => time(b) - time(a))[0];
}

/**
 * The key a new blob is written with: that of the profile's newest login (the form this
 * Thunderbird writes and therefore reads), proven by decrypting it; with no login yet, NSS's
 * default 3DES key, which every Thunderbird reads, else its AES key.
 */
export function chooseKey(store: Json, keys: readonly SdrKey[]): SdrKey {
  const latest = newest(liveLogins(store).filter((l) => l.encType === sdrEncType));
  if (latest) {
    const blob = parseSdr(latest.encryptedPassword as string);
    const key = blob && keys.find((k) => k.algorithm === blob.algorithm && keyIdEquals(k.id, blob.keyId));
    if (!key || decryptSdr(latest.encryptedPassword as string, keys) === null || decryptSdr(latest.encryptedUsername as string, keys) === null) {
      throw new LoginsNotUnderstood('the newest login does not decrypt with the keys in key4.db');
    }
    return key;
  }
  const key =
    keys.find((k) => k.algorithm === 'des3' && keyIdEquals(k.id, defaultKeyId)) ??
    keys.find((k) => k.algorithm === 'des3') ??
    keys.find((k) => k.algorithm === 'aes256' && keyIdEquals(k.id, defaultKeyId));
  if (!key) throw new LoginsNotUnderstood('key4.db holds no key for saved passwords yet (Thunderbird makes one when it first saves a password)');
  return key;
}

/** The logins of `target` that Thunderbird would use (decrypted username equal); throws when one of its origin does not decrypt. */
function loginsOf(store: Json, target: LoginTarget, keys: readonly SdrKey[]): Json[] {
  const found: Json[] = [];
  for (const login of liveLogins(store)) {
    if (!matches(login, target.origin)) continue;
    if (login.encType !== sdrEncType) throw new LoginsNotUnderstood('a login of this server is not SDR-encrypted');
    const username = decryptSdr(login.encryptedUsername as string, keys);
    if (username === null || decryptSdr(login.encryptedPassword as string, keys) === null) {
      throw new LoginsNotUnderstood('a login of this server does not decrypt with the keys in key4.db');
    }
    if (username === target.username) found.push(login);
  }
  return found;
}

/**
 * logins.json's new text with `password` set for every target: each existing login replaced as
 * modifyLogin does (new blob, timePasswordChanged, syncCounter + 1), a missing one added as
 * addLogin does. Serialized as JSONFile writes it (JSON.stringify, no indentation).
 */
export function withPassword(
  text: string | null,
  targets: readonly LoginTarget[],
  password: string,
  keys: readonly SdrKey[],
  seams: LoginsSeams,
): { text: string; changes: LoginChange[] } {
  const store = parseLogins(text);
  const key = chooseKey(store, keys);
  const iv = () => seams.randomBytes(key.algorithm === 'des3' ? 8 : 16);
  const now = seams.now();
  const changes: LoginChange[] = [];
  for (const target of targets) {
    const existing = loginsOf(store, target, keys);
    for (const login of existing) {
      login.encryptedPassword = encryptSdr(password, key, iv());
      // Re-encrypted too, so both fields use the same key as Thunderbird's own modifyLogin does.
      login.encryptedUsername = encryptSdr(target.username, key, iv());
      login.encType = sdrEncType;
      login.timePasswordChanged = now;
      if (typeof login.syncCounter === 'number') login.syncCounter += 1;
    }
    if (existing.length > 0) {
      changes.push({ origin: target.origin, change: 'replaced' });
      continue;
    }
    const id = store.nextId as number;
    store.nextId = id + 1;
    (store.logins as Json[]).push({
      id,
      hostname: target.origin,
      httpRealm: target.origin,
      formSubmitURL: null,
      usernameField: '',
      passwordField: '',
      encryptedUsername: encryptSdr(target.username, key, iv()),
      encryptedPassword: encryptSdr(password, key, iv()),
      guid: seams.guid(),
      encType: sdrEncType,
      timeCreated: now,
      timeLastUsed: now,
      timePasswordChanged: now,
      timesUsed: 1,
      syncCounter: 1,
      everSynced: false,
      encryptedUnknownFields: null,
    });
    changes.push({ origin: target.origin, change: 'added' });
  }
  return { text: JSON.stringify(store), changes };
}

/** Whether `text` gives every target exactly `password` (the check after writing). */
export function holdsPassword(text: string, targets: readonly LoginTarget[], password: string, keys: readonly SdrKey[]): boolean {
  try {
    const store = parseLogins(text);
    return targets.every((target) => {
      const logins = loginsOf(store, target, keys);
      return logins.length > 0 && logins.every((l) => decryptSdr(l.encryptedPassword as string, keys) === password);
    });
  } catch {
    return false;
  }
}
