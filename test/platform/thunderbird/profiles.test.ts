/**
 * The Thunderbird adapter against profiles built to the documented formats (fixtures.ts): not a
 * real Thunderbird, which cannot run here.
 */
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ThunderbirdError } from '../../../electron/core/mail-clients/ports';
import { nodeProfileFiles, type ProfileFiles } from '../../../electron/platform/careful-replace';
import { ThunderbirdLocalProfiles, type ThunderbirdLocatorOptions } from '../../../electron/platform/thunderbird';
import { listProfiles, parseIni } from '../../../electron/platform/thunderbird/ini';
import { candidateRoots, psShowsThunderbird, tasklistShowsThunderbird } from '../../../electron/platform/thunderbird/locate';
import { decryptSdr, openKeyStore } from '../../../electron/platform/thunderbird/nss';
import { parsePrefs } from '../../../electron/platform/thunderbird/prefs';
import { aesKey, keyDb, login, loginsJson, prefsJs, thunderbirdHome, type Fixture } from './fixtures';
import { rejection } from '../../factories/rejection';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

async function setUp(options: Parameters<typeof thunderbirdHome>[0] = {}, locator: ThunderbirdLocatorOptions = {}) {
  const fixture = await thunderbirdHome(options);
  fixtures.push(fixture);
  const profiles = new ThunderbirdLocalProfiles({ platform: 'linux', home: fixture.base, env: {}, isRunning: async () => false, ...locator });
  return { ...fixture, profiles };
}

const refusal = (promise: Promise<unknown>) => rejection(promise, ThunderbirdError);

/** The logins of logins.json, decrypted with the fixture's key4.db. */
async function decryptedLogins(profile: string) {
  const store = await openKeyStore(new Uint8Array(await readFile(join(profile, 'key4.db'))));
  if (store.state !== 'ready') throw new Error('fixture key4.db not ready');
  const data = JSON.parse(await readFile(join(profile, 'logins.json'), 'utf8')) as { logins: Record<string, unknown>[] };
  return data.logins.map((l): Record<string, unknown> & { username: string | null; password: string | null } => ({
    ...l,
    username: decryptSdr(l.encryptedUsername as string, store.keys),
    password: decryptSdr(l.encryptedPassword as string, store.keys),
  }));
}

const zhang = (profile: string) => `${profile}#server1`;
const li = (profile: string) => `${profile}#server3`;

describe('locating profiles', () => {
  it('looks in the per-OS folders', () => {
    expect(candidateRoots('win32', { AppData: 'C:\\Users\\张伟\\AppData\\Roaming' }, 'C:\\Users\\张伟')).toEqual([
      { root: 'C:\\Users\\张伟\\AppData\\Roaming\\Thunderbird', foundBy: 'default-folder' },
    ]);
    expect(candidateRoots('darwin', {}, '/Users/li')).toEqual([{ root: '/Users/li/Library/Thunderbird', foundBy: 'default-folder' }]);
    expect(candidateRoots('linux', {}, '/home/li')).toEqual([
      { root: '/home/li/.thunderbird', foundBy: 'default-folder' },
      { root: '/home/li/snap/thunderbird/common/.thunderbird', foundBy: 'snap' },
      { root: '/home/li/.var/app/org.mozilla.Thunderbird/.thunderbird', foundBy: 'flatpak' },
    ]);
  });

  it('reads profiles.ini: relative and absolute paths, the install default, comments', () => {
    const ini = parseIni(
      '\uFEFF; comment\n[Install1234]\nDefault=Profiles/b.default-release\n[Profile0]\nName=old\nIsRelative=1\nPath=Profiles/a.default\nDefault=1\n[Profile1]\nName=new\nIsRelative=1\nPath=Profiles/b.default-release\n[Profile2]\nName=elsewhere\nIsRelative=0\nPath=D:\\Mail\\tb\n# end\n',
    );
    expect(listProfiles(ini, null)).toEqual([
      { name: 'old', path: 'Profiles/a.default', isRelative: true, isDefault: true },
      { name: 'new', path: 'Profiles/b.default-release', isRelative: true, isDefault: true },
      { name: 'elsewhere', path: 'D:\\Mail\\tb', isRelative: false, isDefault: false },
    ]);
  });

  it('recognises Thunderbird in tasklist and ps output', () => {
    expect(tasklistShowsThunderbird('"thunderbird.exe","4242","Console","1","300,000 K"\r\n')).toBe(true);
    expect(tasklistShowsThunderbird('INFO: No tasks are running which match the specified criteria.')).toBe(false);
    expect(psShowsThunderbird('/usr/lib/thunderbird/thunderbird\n')).toBe(true);
    expect(psShowsThunderbird('/Applications/Thunderbird.app/Contents/MacOS/thunderbird\n')).toBe(true);
    expect(psShowsThunderbird('/usr/bin/bash\nfirefox\n')).toBe(false);
  });

  it('finds the profiles of ~/.thunderbird and their accounts', async () => {
    const { root, profile, profiles } = await setUp();
    const [installation] = await profiles.scan();
    expect(installation).toMatchObject({ root, foundBy: 'default-folder' });
    const found = installation!.profiles.find((p) => p.path === profile)!;
    expect(found).toMatchObject({ name: 'default-release', isDefault: true, running: false, readable: true, passwordStore: 'ready' });
    // The other listed profile has no folder: listed, unreadable, not a crash.
    expect(installation!.profiles.find((p) => p.name === 'default')).toMatchObject({ readable: false, accounts: [] });
    expect(found.accounts).toEqual([
      {
        ref: zhang(profile),
        address: 'zhang.san@cstnet.cn',
        displayName: '张三 "Zhang"',
        protocol: 'imap',
        incoming: { host: 'mail.cstnet.cn', port: 993, security: 'tls' },
        incomingUser: 'zhang.san@cstnet.cn',
        outgoing: { host: 'mail.cstnet.cn', port: 994, security: 'tls' },
        outgoingUser: 'zhang.san@cstnet.cn',
        writable: true,
      },
      {
        ref: li(profile),
        address: 'li.si@cstnet.cn',
        displayName: 'Li Si',
        protocol: 'pop3',
        incoming: { host: 'pop.cstnet.cn', port: 110, security: 'none' },
        incomingUser: 'li.si@cstnet.cn',
        outgoing: { host: 'smtp.cstnet.cn', port: 587, security: 'starttls' },
        outgoingUser: null,
        writable: true,
      },
    ]);
  });

  it('finds nothing where there is no profiles.ini', async () => {
    const { base } = await setUp();
    await rm(join(base, '.thunderbird', 'profiles.ini'));
    expect(await new ThunderbirdLocalProfiles({ platform: 'linux', home: base, env: {}, isRunning: async () => false }).scan()).toEqual([]);
  });
});

describe('prefs.js', () => {
  it('accepts comments, escapes and single quotes', () => {
    const prefs = parsePrefs('# hash comment\nuser_pref("a", "x\\\\y\\x41\\n");\n/* block */ user_pref(\'b\', -5); // tail\nuser_pref("c", true);\n');
    expect(prefs).toEqual(
      new Map<string, unknown>([
        ['a', 'x\\yA\n'],
        ['b', -5],
        ['c', true],
      ]),
    );
  });

  it.each([
    ['a call it does not know', 'user_pref("a", 1);\nlockPref("b", 2);\n'],
    ['an unterminated string', 'user_pref("a, 1);\n'],
    ['an unknown escape', 'user_pref("a", "\\q");\n'],
    ['a missing semicolon', 'user_pref("a", 1)\n'],
  ])('is not understood with %s, and the profile is listed unreadable', async (_what, text) => {
    expect(parsePrefs(text)).toBeNull();
    const { profile, profiles } = await setUp({ prefs: prefsJs + text });
    const found = (await profiles.scan())[0]!.profiles.find((p) => p.path === profile)!;
    expect(found).toMatchObject({ readable: false, accounts: [] });
    expect((await refusal(profiles.writePassword(zhang(profile), 'abcd-efgh-ijkl-mnop'))).reason).toBe('not-found');
  });
});

describe('writing the password', () => {
  const at = new Date('2026-11-23T23:15:00.000Z');

  it('replaces the IMAP login, adds the SMTP one, and keeps a backup of the original', async () => {
    const { profile, profiles } = await setUp(
      {},
      { write: { now: () => at }, logins: { now: () => at.getTime(), guid: () => '{11111111-2222-4333-8444-555555555555}' } },
    );
    const before = await readFile(join(profile, 'logins.json'));
    const result = await profiles.writePassword(zhang(profile), 'abcd-efgh-ijkl-mnop');
    expect(result).toEqual({
      backupPath: join(profile, 'logins.json.mailwarden-20261123T231500Z.bak'),
      logins: [
        { origin: 'imap://mail.cstnet.cn', change: 'replaced' },
        { origin: 'smtp://mail.cstnet.cn', change: 'added' },
      ],
    });
    expect((await readFile(result.backupPath!)).equals(before)).toBe(true);
    const logins = await decryptedLogins(profile);
    expect(logins.map((l) => [l.id, l.hostname, l.httpRealm, l.username, l.password])).toEqual([
      [1, 'imap://mail.cstnet.cn', 'imap://mail.cstnet.cn', 'zhang.san@cstnet.cn', 'abcd-efgh-ijkl-mnop'],
      [2, 'https://example.org', 'https://example.org', 'web', 'web-pass'],
      [3, 'smtp://mail.cstnet.cn', 'smtp://mail.cstnet.cn', 'zhang.san@cstnet.cn', 'abcd-efgh-ijkl-mnop'],
    ]);
    expect(logins[0]).toMatchObject({
      guid: '{00000000-0000-4000-8000-000000000001}',
      timeCreated: 1_700_000_000_000,
      timePasswordChanged: at.getTime(),
      syncCounter: 2,
      encType: 1,
    });
    expect(logins[2]).toMatchObject({
      guid: '{11111111-2222-4333-8444-555555555555}',
      formSubmitURL: null,
      usernameField: '',
      passwordField: '',
      timesUsed: 1,
      everSynced: false,
      encType: 1,
    });
    // The other login's encrypted fields are untouched.
    const original = JSON.parse(before.toString()) as { logins: Record<string, unknown>[]; nextId: number };
    expect(logins[1]!.encryptedPassword).toBe(original.logins[1]!.encryptedPassword);
    expect((JSON.parse(await readFile(join(profile, 'logins.json'), 'utf8')) as { nextId: number }).nextId).toBe(4);
    expect((await readdir(profile)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('adds a mailbox:// login for a POP3 account and writes 3DES blobs when the store is empty', async () => {
    const { profile, profiles } = await setUp({ logins: null });
    expect(await profiles.writePassword(li(profile), 'pop3-client-pass')).toEqual({
      backupPath: null,
      logins: [{ origin: 'mailbox://pop.cstnet.cn', change: 'added' }],
    });
    const [only] = await decryptedLogins(profile);
    expect(only).toMatchObject({ id: 1, hostname: 'mailbox://pop.cstnet.cn', username: 'li.si@cstnet.cn', password: 'pop3-client-pass' });
    // des-ede3-cbc, as PK11SDR_Encrypt writes and every Thunderbird reads.
    expect(Buffer.from(only!.encryptedPassword as string, 'base64').includes(Buffer.from('06082a864886f70d0307', 'hex'))).toBe(true);
  });

  it('writes AES blobs where the profile already does (NSS 3.113+)', async () => {
    const { profile, profiles } = await setUp({
      keyDb: await keyDb({ aesKey }),
      logins: loginsJson([
        login(1, 'imap://mail.cstnet.cn', 'zhang.san@cstnet.cn', 'old', 'des3', 1),
        login(2, 'https://example.org', 'web', 'web-pass', 'aes256', 2),
      ]),
    });
    await profiles.writePassword(zhang(profile), 'new-aes-client-pw');
    const [imap] = await decryptedLogins(profile);
    expect(imap!.password).toBe('new-aes-client-pw');
    expect(Buffer.from(imap!.encryptedPassword as string, 'base64').includes(Buffer.from('060960864801650304012a', 'hex'))).toBe(true);
  });

  it('reads a key4.db with the 48-byte global salt (SHA-384, Firefox 146+)', async () => {
    const { profile, profiles } = await setUp({ keyDb: await keyDb({ globalSaltBytes: 48 }) });
    await profiles.writePassword(zhang(profile), 'sha384-client-pass');
    expect((await decryptedLogins(profile))[0]!.password).toBe('sha384-client-pass');
  });

  it('refuses a profile with a primary password and changes nothing', async () => {
    const { profile, profiles } = await setUp({ keyDb: await keyDb({ primaryPassword: 'hunter2' }) });
    const before = await readFile(join(profile, 'logins.json'));
    expect((await profiles.scan())[0]!.profiles.find((p) => p.path === profile)).toMatchObject({ passwordStore: 'primary-password' });
    expect((await refusal(profiles.writePassword(zhang(profile), 'abcd-efgh-ijkl-mnop'))).reason).toBe('primary-password');
    expect((await readFile(join(profile, 'logins.json'))).equals(before)).toBe(true);
  });

  it('refuses while Thunderbird holds the profile lock, and not for a stale lock', async () => {
    const { profile, base } = await setUp();
    const alive = new Set([4242]);
    const profiles = new ThunderbirdLocalProfiles({
      platform: 'linux',
      home: base,
      env: {},
      runCommand: async () => ({ code: 0, stdout: '/usr/bin/bash\n' }),
      pidAlive: (pid) => alive.has(pid),
    });
    await symlink('127.0.1.1:+4242', join(profile, 'lock'));
    expect((await profiles.scan())[0]!.profiles.find((p) => p.path === profile)!.running).toBe(true);
    expect((await refusal(profiles.writePassword(zhang(profile), 'abcd-efgh-ijkl-mnop'))).reason).toBe('running');
    alive.clear();
    await profiles.writePassword(zhang(profile), 'abcd-efgh-ijkl-mnop');
    expect((await decryptedLogins(profile))[0]!.password).toBe('abcd-efgh-ijkl-mnop');
  });

  it('refuses while a Thunderbird process runs', async () => {
    const { profile, base } = await setUp();
    const profiles = new ThunderbirdLocalProfiles({
      platform: 'linux',
      home: base,
      env: {},
      runCommand: async () => ({ code: 0, stdout: '/usr/lib/thunderbird/thunderbird\n' }),
    });
    expect((await refusal(profiles.writePassword(zhang(profile), 'abcd-efgh-ijkl-mnop'))).reason).toBe('running');
  });

  it.each([
    ['not JSON', '{"nextId": 2, "logins": ['],
    ['of a newer version', JSON.stringify({ nextId: 1, logins: [], version: 4 })],
    [
      'with a login of this server that does not decrypt',
      loginsJson([{ ...login(1, 'imap://mail.cstnet.cn', 'x', 'y'), encryptedUsername: 'MAoECPgAAAAAAAAB' }]),
    ],
    ['with a login of another key', loginsJson([login(1, 'imap://mail.cstnet.cn', 'zhang.san@cstnet.cn', 'old', 'aes256')])],
  ])('refuses a logins.json %s and leaves it as it was', async (_what, text) => {
    const { profile, profiles } = await setUp({ logins: text });
    expect((await refusal(profiles.writePassword(zhang(profile), 'abcd-efgh-ijkl-mnop'))).reason).toBe('unsupported');
    expect(await readFile(join(profile, 'logins.json'), 'utf8')).toBe(text);
    expect(await readdir(profile)).not.toContain(expect.stringMatching(/\.bak$/));
  });

  it('refuses a profile whose key4.db holds no key yet, or is not a key database', async () => {
    const none = await setUp({ keyDb: await keyDb({ des3Key: null }), logins: null });
    expect((await refusal(none.profiles.writePassword(zhang(none.profile), 'abcd-efgh-ijkl-mnop'))).reason).toBe('unsupported');
    const junk = await setUp({ keyDb: new TextEncoder().encode('not sqlite') });
    expect((await refusal(junk.profiles.writePassword(zhang(junk.profile), 'abcd-efgh-ijkl-mnop'))).reason).toBe('unsupported');
  });

  it('never writes a ref a scan does not find', async () => {
    const { profile, profiles } = await setUp();
    expect((await refusal(profiles.writePassword(`${profile}#server9`, 'abcd-efgh-ijkl-mnop'))).reason).toBe('not-found');
    expect((await refusal(profiles.writePassword(`${profile}#server2`, 'abcd-efgh-ijkl-mnop'))).reason).toBe('not-found');
  });

  describe('when a step fails', () => {
    const secret = 'never-in-an-error-9';
    const faulty = (fault: Partial<ProfileFiles>): ProfileFiles => ({ ...nodeProfileFiles, ...fault });

    async function expectRestored(profile: string, before: Buffer, error: ThunderbirdError) {
      expect(error.reason).toBe('write-failed');
      expect(error.message).not.toContain(secret);
      expect(String(error.cause)).not.toContain(secret);
      expect((await readFile(join(profile, 'logins.json'))).equals(before)).toBe(true);
      expect((await readdir(profile)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    }

    it('restores the original when the rename replaced the file and then reported failure', async () => {
      let failed = false;
      const { profiles, ...fixture } = await setUp(
        {},
        {
          write: {
            files: faulty({
              async rename(from, to) {
                await nodeProfileFiles.rename(from, to);
                if (!failed) {
                  failed = true;
                  throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
                }
              },
            }),
          },
        },
      );
      const before = await readFile(join(fixture.profile, 'logins.json'));
      await expectRestored(fixture.profile, before, await refusal(profiles.writePassword(zhang(fixture.profile), secret)));
    });

    it('restores the original when the folder fsync fails', async () => {
      let calls = 0;
      const { profiles, ...fixture } = await setUp(
        {},
        {
          write: {
            files: faulty({
              syncFolder: async (folder) =>
                ++calls === 1 ? Promise.reject(Object.assign(new Error('EIO: fsync'), { code: 'EIO' })) : nodeProfileFiles.syncFolder(folder),
            }),
          },
        },
      );
      const before = await readFile(join(fixture.profile, 'logins.json'));
      await expectRestored(fixture.profile, before, await refusal(profiles.writePassword(zhang(fixture.profile), secret)));
    });

    it('does not replace a logins.json that changed since it was read', async () => {
      const newer = loginsJson([login(1, 'imap://mail.cstnet.cn', 'zhang.san@cstnet.cn', 'changed-by-thunderbird')]);
      const { profiles, ...fixture } = await setUp(
        {},
        {
          write: {
            files: faulty({
              async create(path, bytes, mode) {
                await nodeProfileFiles.create(path, bytes, mode);
                if (path.endsWith('.tmp')) await writeFile(join(fixture.profile, 'logins.json'), newer);
              },
            }),
          },
        },
      );
      expect((await refusal(profiles.writePassword(zhang(fixture.profile), secret))).reason).toBe('write-failed');
      expect(await readFile(join(fixture.profile, 'logins.json'), 'utf8')).toBe(newer);
    });

    it('changes nothing when the backup cannot be made', async () => {
      const { profiles, ...fixture } = await setUp(
        {},
        {
          write: {
            files: faulty({
              create: async (path, bytes, mode) =>
                path.endsWith('.bak') ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) : nodeProfileFiles.create(path, bytes, mode),
            }),
          },
        },
      );
      const before = await readFile(join(fixture.profile, 'logins.json'));
      const error = await refusal(profiles.writePassword(zhang(fixture.profile), secret));
      expect(error.reason).toBe('write-failed');
      expect((await readFile(join(fixture.profile, 'logins.json'))).equals(before)).toBe(true);
    });
  });
});
