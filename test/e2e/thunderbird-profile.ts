/**
 * A Thunderbird profile on disk for the specs, built to the documented formats
 * (test/platform/thunderbird/fixtures.ts: profiles.ini, prefs.js, key4.db, logins.json) under a
 * folder the host is given with --thunderbird-root; and its saved logins read back as Thunderbird
 * would, with the adapter's own decryption.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decryptSdr, openKeyStore } from '../../electron/platform/thunderbird/nss';
import { keyDb, login, loginsJson, prefsJs } from '../platform/thunderbird/fixtures';

/** One saved login of logins.json, decrypted. */
export interface SavedLogin {
  readonly origin: string;
  readonly username: string | null;
  readonly password: string | null;
}

/** The profile folder of the profile written under `root`. */
export function profileIn(root: string): string {
  return join(root, 'Profiles', 'ab12cd34.default-release');
}

/**
 * Replaces whatever is under `root` with one default profile: the fixture's accounts, its first
 * (IMAP, with an SMTP user name) `address`'s, Li Si's POP3 account another's; `logins` saved in
 * that order, under a key4.db without a primary password.
 */
export async function writeThunderbirdProfile(
  root: string,
  address: string,
  logins: readonly { origin: string; username: string; password: string }[],
): Promise<void> {
  const profile = profileIn(root);
  await rm(root, { recursive: true, force: true });
  await mkdir(profile, { recursive: true });
  await writeFile(
    join(root, 'profiles.ini'),
    '[Profile0]\nName=default-release\nIsRelative=1\nPath=Profiles/ab12cd34.default-release\nDefault=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n',
  );
  await writeFile(join(profile, 'prefs.js'), prefsJs.replaceAll('zhang.san@cstnet.cn', address));
  await writeFile(join(profile, 'key4.db'), await keyDb());
  await writeFile(join(profile, 'logins.json'), loginsJson(logins.map((l, i) => login(i + 1, l.origin, l.username, l.password))));
}

/** logins.json of the profile decrypted with its key4.db, by the adapter's own reader. */
export async function savedLogins(profile: string): Promise<SavedLogin[]> {
  const store = await openKeyStore(new Uint8Array(await readFile(join(profile, 'key4.db'))));
  if (store.state !== 'ready') throw new Error(`key4.db is ${store.state}`);
  const data = JSON.parse(await readFile(join(profile, 'logins.json'), 'utf8')) as {
    logins: { hostname: string; encryptedUsername: string; encryptedPassword: string }[];
  };
  return data.logins.map((l) => ({
    origin: l.hostname,
    username: decryptSdr(l.encryptedUsername, store.keys),
    password: decryptSdr(l.encryptedPassword, store.keys),
  }));
}
