// Covers electron/core/mail-clients/handlers.ts: the rules on top of the machine's ports (fakes
// here; the real adapters are tested in test/platform against the real keychain, files, servers).
import { parse } from 'plist';
import { describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../../electron/core/dispatch';
import { createHandlers } from '../../../electron/core/handlers';
import type {
  FoxmailAccount,
  FoxmailInstallation,
  ThunderbirdAccount,
  ThunderbirdInstallation,
  ThunderbirdProfile,
} from '../../../electron/core/mail-clients/ports';
import { silentLogger } from '../../../electron/core/ports';
import { openedProfileRemoveMs, profileDeleteOfferMs, type MailServerSettings } from '../../../electron/shared/mail-server';
import { defaultMailServer } from '../../factories/policy';
import { MemorySettingsStore } from '../../factories/settings';
import { testCall } from '../../factories/call';
import { testCore } from '../../factories/core';
import { testEnvironment } from '../../factories/environment';
import { fakeMailClientPorts } from '../../factories/mail-clients';
import { createMailbox, defaultTestPassword, signIn } from '../../factories/mailbox';

const alice = 'alice@cstnet.cn';
const bob = 'bob@cstnet.cn';
const carol = 'carol@cstnet.cn';

type Dispatch = (channel: string, request: unknown, call?: ReturnType<typeof testCall>) => Promise<{ ok: boolean; code?: string; data?: any }>;

/** Alice (phone bound) and Carol (no 2FA yet) signed in; Bob exists. */
async function setup(options: Parameters<typeof testCore>[0] = {}) {
  const t = await testCore(options);
  await createMailbox(t.core, { address: alice, phone: '+8613912345678', displayName: '张伟' });
  await createMailbox(t.core, { address: bob, phone: '+8613912345679' });
  await createMailbox(t.core, { address: carol });
  const ports = fakeMailClientPorts(t.clock);
  const dispatcher = createDispatcher(
    createHandlers({ mailClients: ports, environment: testEnvironment(), settingsStore: new MemorySettingsStore(), logger: silentLogger, core: t.core }),
    silentLogger,
  );
  const call = testCall();
  await signIn(t.core, call, alice);
  const carolCall = testCall({ connection: 'carol-connection' });
  await signIn(t.core, carolCall, carol);
  const dispatch: Dispatch = (channel, request, c = call) => dispatcher(channel, request, c) as never;
  return { ...t, ports, call, carolCall, dispatch };
}

async function newClientPassword(dispatch: Dispatch, name = 'Foxmail 办公室'): Promise<{ id: string; password: string; grouped: string }> {
  const result = await dispatch('client-passwords:create', { name });
  if (!result.ok) throw new Error(`create failed: ${result.code}`);
  return result.data;
}

async function appliedTo(dispatch: Dispatch, id: string): Promise<string[]> {
  const list = await dispatch('client-passwords:list', {});
  return list.data.passwords.find((p: { id: string }) => p.id === id).appliedTo;
}

function foxmailAccount(address: string, ref: string, writable = true): FoxmailAccount {
  const endpoint = { host: 'mail.cstnet.cn', port: 993, security: 'tls' as const };
  return {
    ref,
    address,
    displayName: address,
    protocol: 'imap',
    incoming: endpoint,
    outgoing: { ...endpoint, port: 994 },
    profilePath: ref,
    format: 'rec0',
    writable,
  };
}

function installation(...accounts: FoxmailAccount[]): FoxmailInstallation {
  return { root: 'C:\\Foxmail 7.2', version: '7.2', running: false, foundBy: 'registry', accounts, unreadable: [] };
}

const profileFolder = '/home/zhang/.thunderbird/ab12.default-release';

function thunderbirdAccount(address: string, server: string, overrides: Partial<ThunderbirdAccount> = {}): ThunderbirdAccount {
  const endpoint = { host: 'mail.cstnet.cn', port: 993, security: 'tls' as const };
  return {
    ref: `${profileFolder}#${server}`,
    address,
    displayName: address,
    protocol: 'imap',
    incoming: endpoint,
    incomingUser: address,
    outgoing: { ...endpoint, port: 994 },
    outgoingUser: address,
    writable: true,
    ...overrides,
  };
}

function thunderbirdInstallation(accounts: ThunderbirdAccount[], profile: Partial<ThunderbirdProfile> = {}): ThunderbirdInstallation {
  return {
    root: '/home/zhang/.thunderbird',
    foundBy: 'default-folder',
    profiles: [{ name: 'default-release', path: profileFolder, isDefault: true, running: false, readable: true, passwordStore: 'ready', accounts, ...profile }],
  };
}

describe('mail-clients:settings', () => {
  it("gives the policy's servers, the full address as user name, and a card whose QR holds the same text", async () => {
    const mailServer: MailServerSettings = {
      imap: { host: 'imap.example.cn', port: 143, security: 'starttls' },
      smtp: { host: 'smtp.example.cn', port: 587, security: 'starttls' },
      pop3: { host: 'pop.example.cn', port: 995, security: 'tls' },
    };
    const { dispatch } = await setup({ policy: { mailServer } });
    const result = await dispatch('mail-clients:settings', {});
    expect(result.ok).toBe(true);
    expect(result.data).toMatchObject({
      address: alice,
      ...mailServer,
      offered: { keychain: true, foxmail: true, thunderbird: true, iphoneProfile: true, outlook: true },
    });
    expect(result.data.card.text).toBe(
      [
        `Email: ${alice}`,
        `User: ${alice}`,
        'IMAP: imap.example.cn:143 STARTTLS',
        'POP3: pop.example.cn:995 SSL/TLS',
        'SMTP: smtp.example.cn:587 STARTTLS',
      ].join('\n'),
    );
    expect(result.data.card.qrSvg).toMatch(/^<svg[^>]*viewBox/);
  });

  it("defaults to the guide's server and tells which integrations policy turned off", async () => {
    const { dispatch } = await setup({
      policy: { clientIntegrations: { keychain: false, foxmail: true, thunderbird: false, iphoneProfile: false, outlook: false } },
    });
    const result = await dispatch('mail-clients:settings', {});
    expect(result.data.imap).toEqual(defaultMailServer.imap);
    expect(result.data.smtp).toEqual({ host: 'mail.cstnet.cn', port: 994, security: 'tls' });
    expect(result.data.offered).toEqual({ keychain: false, foxmail: true, thunderbird: false, iphoneProfile: false, outlook: false, phoneHandoff: false });
  });

  it('draws the card again when the policy changes its servers, and reuses it otherwise', async () => {
    const { dispatch, setPolicy } = await setup();
    const first = await dispatch('mail-clients:settings', {});
    const again = await dispatch('mail-clients:settings', {});
    expect(again.data.card).toEqual(first.data.card);
    setPolicy({ mailServer: { ...defaultMailServer, imap: { host: 'imap.example.cn', port: 993, security: 'tls' } } });
    const changed = await dispatch('mail-clients:settings', {});
    expect(changed.data.card.text).toContain('IMAP: imap.example.cn:993');
    expect(changed.data.card.qrSvg).not.toBe(first.data.card.qrSvg);
  });

  it('is refused without a session', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('mail-clients:settings', {}, testCall({ connection: 'nobody' }))).toMatchObject({ ok: false, code: 'not-signed-in' });
  });
});

describe('the system keychain', () => {
  it('remembers a client password under its name after checking it is the real one, and marks it applied', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    const result = await dispatch('mail-clients:keychain-remember', { id: created.id, password: created.grouped });
    expect(result).toEqual({ ok: true, data: { name: 'Foxmail 办公室' } });
    // Stored as the mail server wants it: no spaces.
    expect(ports.keychain.get(`${alice}/Foxmail 办公室`)).toBe(created.password);
    expect(await appliedTo(dispatch, created.id)).toEqual(['keychain']);
    expect(await dispatch('mail-clients:keychain-list', {})).toEqual({ ok: true, data: { names: ['Foxmail 办公室'] } });
  });

  it('refuses a password that is not the one generated for that entry, and stores nothing', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    const other = await newClientPassword(dispatch, 'iPhone');
    for (const password of [other.password, 'not a client password', created.password.slice(0, 15)]) {
      expect(await dispatch('mail-clients:keychain-remember', { id: created.id, password })).toMatchObject({ ok: false, code: 'password-mismatch' });
    }
    expect(ports.keychain.size).toBe(0);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it("does not let one mailbox remember or find another mailbox's password", async () => {
    const t = await setup();
    const created = await newClientPassword(t.dispatch);
    const bobCall = testCall({ connection: 'bob' });
    await signIn(t.core, bobCall, bob);
    expect(await t.dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password }, bobCall)).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    await t.dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password });
    expect(await t.dispatch('mail-clients:keychain-list', {}, bobCall)).toEqual({ ok: true, data: { names: [] } });
  });

  it('says clearly when no keychain can be reached, and changes nothing', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    ports.keychainDown = true;
    expect(await dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'keychain-unavailable',
    });
    expect(await dispatch('mail-clients:keychain-list', {})).toMatchObject({ ok: false, code: 'keychain-unavailable' });
    expect(await dispatch('mail-clients:keychain-forget', { name: 'x' })).toMatchObject({ ok: false, code: 'keychain-unavailable' });
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('forgets a remembered name, and says not-found for one it does not hold', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    await dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password });
    expect(await dispatch('mail-clients:keychain-forget', { name: 'Foxmail 办公室' })).toEqual({ ok: true, data: {} });
    expect(ports.keychain.size).toBe(0);
    expect(await dispatch('mail-clients:keychain-forget', { name: 'Foxmail 办公室' })).toMatchObject({ ok: false, code: 'not-found' });
  });

  it('is not offered when policy turns it off', async () => {
    const { dispatch } = await setup({
      policy: { clientIntegrations: { keychain: false, foxmail: true, thunderbird: true, iphoneProfile: true, outlook: true } },
    });
    const created = await newClientPassword(dispatch);
    expect(await dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'integration-disabled',
    });
    expect(await dispatch('mail-clients:keychain-list', {})).toMatchObject({ ok: false, code: 'integration-disabled' });
  });
});

describe('Foxmail', () => {
  it('lists accounts and tells, for this mailbox only, whether each holds the main password, a client password or none', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    ports.installations = [
      installation(
        foxmailAccount(alice, 'main'),
        foxmailAccount('ALICE@cstnet.cn', 'client'),
        foxmailAccount(alice, 'empty'),
        foxmailAccount(alice, 'garbled'),
        foxmailAccount(alice, 'other'),
        foxmailAccount(bob, 'bob'),
      ),
    ];
    ports.foxmailPasswords.set('main', defaultTestPassword);
    ports.foxmailPasswords.set('client', created.password);
    ports.foxmailPasswords.set('empty', '');
    ports.foxmailPasswords.set('garbled', null);
    ports.foxmailPasswords.set('other', 'an old password');
    ports.foxmailPasswords.set('bob', defaultTestPassword);
    const result = await dispatch('mail-clients:foxmail-scan', {});
    const stored = Object.fromEntries(result.data.installations[0].accounts.map((a: { ref: string; storedPassword: string }) => [a.ref, a.storedPassword]));
    expect(stored).toEqual({ main: 'main-password', client: 'client-password', empty: 'none', garbled: 'unknown', other: 'other', bob: 'not-this-mailbox' });
  });

  it("never decodes another mailbox's stored password", async () => {
    const { dispatch, ports } = await setup();
    const reads: string[] = [];
    const read = ports.foxmail.readPassword.bind(ports.foxmail);
    (ports.foxmail as { readPassword: typeof read }).readPassword = async (ref) => {
      reads.push(ref);
      return read(ref);
    };
    ports.installations = [installation(foxmailAccount(bob, 'bob'), foxmailAccount(alice, 'alice'))];
    await dispatch('mail-clients:foxmail-scan', {});
    expect(reads).toEqual(['alice']);
  });

  it('writes a checked client password into an account the scan found, and marks it applied', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    ports.installations = [installation(foxmailAccount(alice, 'C:\\Foxmail 7.2\\Storage\\alice@cstnet.cn\\Accounts\\Account.rec0'))];
    const ref = (await dispatch('mail-clients:foxmail-scan', {})).data.installations[0].accounts[0].ref;
    const result = await dispatch('mail-clients:foxmail-apply', { ref, id: created.id, password: created.grouped });
    expect(result).toEqual({ ok: true, data: { backupPath: `${ref}.bak` } });
    expect(ports.foxmailPasswords.get(ref)).toBe(created.password);
    expect(await appliedTo(dispatch, created.id)).toEqual(['foxmail']);
  });

  it('refuses a profile the last scan did not list, a wrong password, and passes each refusal on with its own code', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    ports.installations = [installation(foxmailAccount(alice, 'known'))];
    expect(await dispatch('mail-clients:foxmail-apply', { ref: 'known', id: created.id, password: created.password })).toMatchObject({ code: 'not-found' });
    await dispatch('mail-clients:foxmail-scan', {});
    expect(await dispatch('mail-clients:foxmail-apply', { ref: '/etc/passwd', id: created.id, password: created.password })).toMatchObject({
      code: 'not-found',
    });
    expect(await dispatch('mail-clients:foxmail-apply', { ref: 'known', id: created.id, password: 'abcdabcdabcdabcd' })).toMatchObject({
      code: 'password-mismatch',
    });
    for (const [refusal, code] of [
      ['running', 'foxmail-running'],
      ['unsupported', 'foxmail-unsupported'],
      ['write-failed', 'foxmail-write-failed'],
      ['not-found', 'not-found'],
    ] as const) {
      ports.foxmailRefusal = refusal;
      expect(await dispatch('mail-clients:foxmail-apply', { ref: 'known', id: created.id, password: created.password })).toMatchObject({ ok: false, code });
    }
    expect(ports.foxmailPasswords.has('known')).toBe(false);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('refuses to write this mailbox’s client password into an account the scan marked as another mailbox’s, even when asked directly', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    ports.installations = [installation(foxmailAccount(alice, 'alice'), foxmailAccount(bob, 'bob'))];
    const accounts = (await dispatch('mail-clients:foxmail-scan', {})).data.installations[0].accounts as { ref: string; storedPassword: string }[];
    expect(accounts.find((account) => account.ref === 'bob')?.storedPassword).toBe('not-this-mailbox');
    // The page hides the button; a request made without the page must meet the same refusal.
    expect(await dispatch('mail-clients:foxmail-apply', { ref: 'bob', id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'foxmail-other-mailbox',
    });
    expect(ports.foxmailPasswords.has('bob')).toBe(false);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it("what-will-break lists, before 2FA is on, only this mailbox's accounts that hold the main password", async () => {
    const { dispatch, ports, carolCall } = await setup();
    ports.installations = [installation(foxmailAccount(carol, 'carol-main'), foxmailAccount(carol, 'carol-other'), foxmailAccount(bob, 'bob-main'))];
    ports.foxmailPasswords.set('carol-main', defaultTestPassword);
    ports.foxmailPasswords.set('carol-other', 'something else');
    ports.foxmailPasswords.set('bob-main', defaultTestPassword);
    const result = await dispatch('mail-clients:what-will-break', {}, carolCall);
    expect(result.ok).toBe(true);
    expect(result.data.accounts.map((a: { ref: string }) => a.ref)).toEqual(['carol-main']);
  });

  it('what-will-break answers an enrolment-only session (2FA enforced, nothing bound yet)', async () => {
    const t = await setup({ policy: { enforceTwoFactor: true } });
    const enrolling = testCall({ connection: 'enrolling' });
    await t.core.sessions.start(enrolling, { mailbox: carol, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now(), enrollmentRequired: true });
    t.ports.installations = [installation(foxmailAccount(carol, 'carol-main'))];
    t.ports.foxmailPasswords.set('carol-main', defaultTestPassword);
    expect((await t.dispatch('mail-clients:what-will-break', {}, enrolling)).data.accounts).toHaveLength(1);
    expect(await t.dispatch('mail-clients:foxmail-scan', {}, enrolling)).toMatchObject({ ok: false, code: 'two-factor-required' });
  });

  it('is not offered when policy turns it off', async () => {
    const { dispatch, ports } = await setup({
      policy: { clientIntegrations: { keychain: true, foxmail: false, thunderbird: true, iphoneProfile: true, outlook: true } },
    });
    ports.installations = [installation(foxmailAccount(alice, 'main'))];
    ports.foxmailPasswords.set('main', defaultTestPassword);
    expect(await dispatch('mail-clients:foxmail-scan', {})).toMatchObject({ ok: false, code: 'integration-disabled' });
    expect(await dispatch('mail-clients:what-will-break', {})).toEqual({ ok: true, data: { accounts: [] } });
  });
});

describe('Thunderbird', () => {
  it('lists each profile with why it can or cannot be written, and marks whose each account is', async () => {
    const { dispatch, ports } = await setup();
    ports.thunderbirdInstallations = [
      {
        root: '/home/zhang/.thunderbird',
        foundBy: 'default-folder',
        profiles: [
          {
            name: 'work',
            path: '/p/work',
            isDefault: true,
            running: false,
            readable: true,
            passwordStore: 'ready',
            accounts: [
              thunderbirdAccount('ALICE@cstnet.cn', 'server1', { ref: '/p/work#server1' }),
              thunderbirdAccount(bob, 'server2', { ref: '/p/work#server2' }),
              // Alice's address, but signing in as Bob: the password would go into Bob's login.
              thunderbirdAccount(alice, 'server3', { ref: '/p/work#server3', incomingUser: bob }),
              thunderbirdAccount(alice, 'server4', { ref: '/p/work#server4', outgoingUser: bob }),
              thunderbirdAccount(alice, 'server5', { ref: '/p/work#server5', outgoing: null, outgoingUser: null }),
            ],
          },
          {
            name: 'open',
            path: '/p/open',
            isDefault: false,
            running: true,
            readable: true,
            passwordStore: 'ready',
            accounts: [thunderbirdAccount(alice, 'server1', { ref: '/p/open#server1' })],
          },
          {
            name: 'locked',
            path: '/p/locked',
            isDefault: false,
            running: false,
            readable: true,
            passwordStore: 'primary-password',
            accounts: [thunderbirdAccount(alice, 'server1', { ref: '/p/locked#server1', writable: false })],
          },
          { name: 'odd', path: '/p/odd', isDefault: false, running: false, readable: true, passwordStore: 'unsupported', accounts: [] },
          { name: 'broken', path: '/p/broken', isDefault: false, running: false, readable: false, passwordStore: 'unsupported', accounts: [] },
        ],
      },
    ];
    const result = await dispatch('mail-clients:thunderbird-scan', {});
    expect(result.ok).toBe(true);
    const [installation] = result.data.installations;
    expect(installation).toMatchObject({ root: '/home/zhang/.thunderbird', foundBy: 'default-folder' });
    expect(
      installation.profiles.map((p: { name: string; running: boolean; readable: boolean; passwordStore: string }) => [
        p.name,
        p.running,
        p.readable,
        p.passwordStore,
      ]),
    ).toEqual([
      ['work', false, true, 'ready'],
      ['open', true, true, 'ready'],
      ['locked', false, true, 'primary-password'],
      ['odd', false, true, 'unsupported'],
      ['broken', false, false, 'unsupported'],
    ]);
    const mine = Object.fromEntries(installation.profiles[0].accounts.map((a: { ref: string; thisMailbox: boolean }) => [a.ref, a.thisMailbox]));
    expect(mine).toEqual({ '/p/work#server1': true, '/p/work#server2': false, '/p/work#server3': false, '/p/work#server4': false, '/p/work#server5': true });
    expect(installation.profiles[0].accounts[4].outgoing).toBeNull();
    // User names are not part of what the page is told.
    expect(installation.profiles[0].accounts[0]).not.toHaveProperty('incomingUser');
    expect(installation.profiles[2].accounts[0]).toMatchObject({ thisMailbox: true, writable: false });
  });

  it('writes a checked client password into an account the scan found, marks it applied, and logs no secret', async () => {
    const lines: string[] = [];
    const record = (message: string, fields?: Record<string, unknown>) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
    const { dispatch, ports } = await setup({ logger: { info: record, warn: record, error: record } });
    const created = await newClientPassword(dispatch, 'Thunderbird 办公室');
    ports.thunderbirdInstallations = [thunderbirdInstallation([thunderbirdAccount(alice, 'server1')])];
    const ref = (await dispatch('mail-clients:thunderbird-scan', {})).data.installations[0].profiles[0].accounts[0].ref;
    const result = await dispatch('mail-clients:thunderbird-apply', { ref, id: created.id, password: created.grouped });
    expect(result).toEqual({
      ok: true,
      data: {
        backupPath: `${profileFolder}/logins.json.bak`,
        logins: [
          { origin: 'imap://mail.cstnet.cn', change: 'replaced' },
          { origin: 'smtp://mail.cstnet.cn', change: 'replaced' },
        ],
      },
    });
    // Spaces taken out: Thunderbird is given the password the mail server checks.
    expect(ports.thunderbirdPasswords.get(ref)).toBe(created.password);
    expect(await appliedTo(dispatch, created.id)).toEqual(['thunderbird']);
    expect(lines.some((line) => line.startsWith('thunderbird profile updated'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(created.password);
      expect(line).not.toContain(created.grouped);
    }
  });

  it('takes refs only from this mailbox’s last scan, and checks the password before anything is written', async () => {
    const { dispatch, ports, carolCall } = await setup();
    const created = await newClientPassword(dispatch);
    const writes: string[] = [];
    const write = ports.thunderbird.writePassword.bind(ports.thunderbird);
    (ports.thunderbird as { writePassword: typeof write }).writePassword = async (ref, password) => {
      writes.push(ref);
      return write(ref, password);
    };
    const known = `${profileFolder}#server1`;
    ports.thunderbirdInstallations = [thunderbirdInstallation([thunderbirdAccount(alice, 'server1')])];
    // Not scanned yet.
    expect(await dispatch('mail-clients:thunderbird-apply', { ref: known, id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    await dispatch('mail-clients:thunderbird-scan', {});
    // A path the scan never listed.
    expect(await dispatch('mail-clients:thunderbird-apply', { ref: '/etc#server1', id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    // Alice's scan is not Carol's.
    expect(await dispatch('mail-clients:thunderbird-apply', { ref: known, id: created.id, password: created.password }, carolCall)).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    // Not the password generated for that entry; not a client password's shape.
    expect(await dispatch('mail-clients:thunderbird-apply', { ref: known, id: created.id, password: 'abcdabcdabcdabcd' })).toMatchObject({
      ok: false,
      code: 'password-mismatch',
    });
    expect(await dispatch('mail-clients:thunderbird-apply', { ref: known, id: created.id, password: defaultTestPassword })).toMatchObject({ ok: false });
    expect(writes).toEqual([]);
    expect(ports.thunderbirdPasswords.size).toBe(0);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('passes each refusal of the profile on with its own code, and marks nothing', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    const ref = `${profileFolder}#server1`;
    ports.thunderbirdInstallations = [thunderbirdInstallation([thunderbirdAccount(alice, 'server1')])];
    await dispatch('mail-clients:thunderbird-scan', {});
    for (const [refusal, code] of [
      ['running', 'thunderbird-running'],
      ['primary-password', 'thunderbird-primary-password'],
      ['unsupported', 'thunderbird-unsupported'],
      ['write-failed', 'thunderbird-write-failed'],
      ['not-found', 'not-found'],
    ] as const) {
      ports.thunderbirdRefusal = refusal;
      expect(await dispatch('mail-clients:thunderbird-apply', { ref, id: created.id, password: created.password })).toMatchObject({ ok: false, code });
    }
    expect(ports.thunderbirdPasswords.size).toBe(0);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('refuses to write this mailbox’s client password into another mailbox’s account, even when asked directly', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    const bobs = thunderbirdAccount(bob, 'server2');
    const signsInAsBob = thunderbirdAccount(alice, 'server3', { incomingUser: bob });
    ports.thunderbirdInstallations = [thunderbirdInstallation([thunderbirdAccount(alice, 'server1'), bobs, signsInAsBob])];
    await dispatch('mail-clients:thunderbird-scan', {});
    for (const account of [bobs, signsInAsBob]) {
      expect(await dispatch('mail-clients:thunderbird-apply', { ref: account.ref, id: created.id, password: created.password })).toMatchObject({
        ok: false,
        code: 'thunderbird-other-mailbox',
      });
    }
    expect(ports.thunderbirdPasswords.size).toBe(0);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('is not offered when policy turns it off', async () => {
    const { dispatch, ports } = await setup({
      policy: { clientIntegrations: { keychain: true, foxmail: true, thunderbird: false, iphoneProfile: true, outlook: true } },
    });
    const created = await newClientPassword(dispatch);
    ports.thunderbirdInstallations = [thunderbirdInstallation([thunderbirdAccount(alice, 'server1')])];
    expect(await dispatch('mail-clients:thunderbird-scan', {})).toMatchObject({ ok: false, code: 'integration-disabled' });
    expect(await dispatch('mail-clients:thunderbird-apply', { ref: `${profileFolder}#server1`, id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'integration-disabled',
    });
    expect((await dispatch('mail-clients:settings', {})).data.offered.thunderbird).toBe(false);
  });

  it('needs a session with 2FA', async () => {
    const t = await setup({ policy: { enforceTwoFactor: true } });
    const enrolling = testCall({ connection: 'enrolling' });
    await t.core.sessions.start(enrolling, { mailbox: carol, signedInAt: t.clock.now(), passwordCheckedAt: t.clock.now(), enrollmentRequired: true });
    expect(await t.dispatch('mail-clients:thunderbird-scan', {}, enrolling)).toMatchObject({ ok: false, code: 'two-factor-required' });
    expect(await t.dispatch('mail-clients:thunderbird-scan', {}, testCall({ connection: 'nobody' }))).toMatchObject({ ok: false, code: 'not-signed-in' });
  });
});

describe('the iPhone profile', () => {
  it('saves a profile without the password, offers to delete it 10 minutes later, and deletes it by its id', async () => {
    const { dispatch, ports, clock } = await setup();
    const result = await dispatch('mail-clients:iphone-profile-save', { includePassword: false });
    expect(result).toMatchObject({
      ok: true,
      data: { path: `/saved/${alice}.mobileconfig`, includesPassword: false, deleteOfferAt: clock.now() + profileDeleteOfferMs },
    });
    const profile = parse(new TextDecoder().decode(ports.files.saved.get(result.data.path))) as { PayloadContent: Record<string, unknown>[] };
    expect(profile.PayloadContent[0]).toMatchObject({ EmailAddress: alice, EmailAccountName: '张伟', IncomingMailServerUsername: alice });
    expect(profile.PayloadContent[0]).not.toHaveProperty('IncomingPassword');

    expect(await dispatch('mail-clients:iphone-profile-delete', { fileId: result.data.fileId })).toEqual({ ok: true, data: {} });
    expect(ports.files.saved.size).toBe(0);
    expect(await dispatch('mail-clients:iphone-profile-delete', { fileId: result.data.fileId })).toMatchObject({ ok: false, code: 'not-found' });
  });

  it('puts a checked client password in only when asked, and marks it applied', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch, 'iPhone');
    expect(await dispatch('mail-clients:iphone-profile-save', { includePassword: true })).toMatchObject({ ok: false, code: 'password-mismatch' });
    expect(await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.id, password: 'x'.repeat(16) })).toMatchObject({
      ok: false,
      code: 'password-mismatch',
    });
    expect(ports.files.saved.size).toBe(0);
    const result = await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.id, password: created.grouped });
    expect(result.data.includesPassword).toBe(true);
    const profile = parse(new TextDecoder().decode(ports.files.saved.get(result.data.path))) as { PayloadContent: Record<string, unknown>[] };
    expect(profile.PayloadContent[0]).toMatchObject({ IncomingPassword: created.password, OutgoingPasswordSameAsIncomingPassword: true });
    expect(await appliedTo(dispatch, created.id)).toEqual(['iphone-profile']);
  });

  it('sets an IMAP-only client password for the incoming server only', async () => {
    const { dispatch, ports } = await setup();
    const created = await dispatch('client-passwords:create', { name: 'iPhone', scopes: ['imap'] });
    const result = await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.data.id, password: created.data.password });
    const profile = parse(new TextDecoder().decode(ports.files.saved.get(result.data.path))) as { PayloadContent: Record<string, unknown>[] };
    expect(profile.PayloadContent[0]).toMatchObject({ IncomingPassword: created.data.password, OutgoingPasswordSameAsIncomingPassword: false });
    expect(profile.PayloadContent[0]).not.toHaveProperty('OutgoingPassword');
  });

  it('reports a cancelled dialog and a failed write apart, and marks nothing', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch, 'iPhone');
    ports.files.cancel = true;
    expect(await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'save-cancelled',
    });
    ports.files.cancel = false;
    ports.files.fail = true;
    expect(await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.id, password: created.password })).toMatchObject({
      ok: false,
      code: 'save-failed',
    });
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('does not let another session delete a profile it did not save', async () => {
    const { dispatch, ports, carolCall } = await setup();
    const result = await dispatch('mail-clients:iphone-profile-save', { includePassword: false });
    expect(await dispatch('mail-clients:iphone-profile-delete', { fileId: result.data.fileId }, carolCall)).toMatchObject({ ok: false, code: 'not-found' });
    expect(ports.files.saved.size).toBe(1);
  });
});

describe('the profile opened on this computer (Mail on a Mac)', () => {
  const profileOf = (contents: Uint8Array | undefined) => parse(new TextDecoder().decode(contents)) as { PayloadContent: Record<string, unknown>[] };

  it('is written to a private temporary file, opened, and removed 10 minutes later, not before', async () => {
    const { dispatch, ports, clock } = await setup();
    const result = await dispatch('mail-clients:mac-profile-open', { includePassword: false });
    expect(result).toEqual({ ok: true, data: { includesPassword: false, removeAt: clock.now() + openedProfileRemoveMs } });
    expect(ports.opener.opened).toHaveLength(1);
    const { path, contents } = ports.opener.opened[0]!;
    expect(path).toMatch(new RegExp(`/${alice}\\.mobileconfig$`));
    // What the OS was handed is this mailbox's profile, already on disk when it was opened.
    expect(profileOf(contents).PayloadContent[0]).toMatchObject({ EmailAddress: alice, EmailAccountName: '张伟', IncomingMailServerUsername: alice });
    expect(profileOf(contents).PayloadContent[0]).not.toHaveProperty('IncomingPassword');

    clock.advance(openedProfileRemoveMs - 1);
    expect(ports.temporary.written.has(path)).toBe(true);
    clock.advance(1);
    await Promise.resolve();
    expect(ports.temporary.written.size).toBe(0);
  });

  it('holds a client password only when asked and only once it is checked, and marks it applied', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch, 'Mac');
    expect(await dispatch('mail-clients:mac-profile-open', { includePassword: true, id: created.id, password: 'x'.repeat(16) })).toMatchObject({
      ok: false,
      code: 'password-mismatch',
    });
    expect(await dispatch('mail-clients:mac-profile-open', { includePassword: true })).toMatchObject({ ok: false, code: 'password-mismatch' });
    expect(ports.opener.opened).toEqual([]);
    expect(ports.temporary.written.size).toBe(0);

    const result = await dispatch('mail-clients:mac-profile-open', { includePassword: true, id: created.id, password: created.grouped });
    expect(result).toMatchObject({ ok: true, data: { includesPassword: true } });
    expect(profileOf(ports.opener.opened[0]!.contents).PayloadContent[0]).toMatchObject({
      IncomingPassword: created.password,
      OutgoingPasswordSameAsIncomingPassword: true,
    });
    expect(await appliedTo(dispatch, created.id)).toEqual(['iphone-profile']);
  });

  it('is removed at once when the OS cannot open it, says so, and marks nothing', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch, 'Mac');
    ports.opener.fail = true;
    expect(await dispatch('mail-clients:mac-profile-open', { includePassword: true, id: created.id, password: created.password })).toEqual({
      ok: false,
      code: 'open-failed',
    });
    expect(ports.opener.opened).toHaveLength(1);
    expect(ports.temporary.written.size).toBe(0);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('opens nothing when the file cannot be written', async () => {
    const { dispatch, ports } = await setup();
    ports.temporary.failWrite = true;
    expect(await dispatch('mail-clients:mac-profile-open', { includePassword: false })).toEqual({ ok: false, code: 'save-failed' });
    expect(ports.opener.opened).toEqual([]);
  });

  it('is not offered when policy turns the profile off, and needs a session with 2FA', async () => {
    const off = await setup({ policy: { clientIntegrations: { keychain: true, foxmail: true, thunderbird: true, iphoneProfile: false, outlook: true } } });
    expect(await off.dispatch('mail-clients:mac-profile-open', { includePassword: false })).toMatchObject({ ok: false, code: 'integration-disabled' });
    expect(off.ports.opener.opened).toEqual([]);
    const { dispatch, ports } = await setup();
    expect(await dispatch('mail-clients:mac-profile-open', { includePassword: false }, testCall({ connection: 'nobody' }))).toMatchObject({
      ok: false,
      code: 'not-signed-in',
    });
    expect(ports.opener.opened).toEqual([]);
  });
});

describe('mail-clients:test-connection', () => {
  it("tests IMAP and SMTP at the policy's servers as the signed-in address, spaces taken out of a client password", async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    const result = await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: created.grouped } });
    expect(result).toEqual({
      ok: true,
      data: { imap: { outcome: 'ok', endpoint: defaultMailServer.imap, detail: '' }, smtp: { outcome: 'ok', endpoint: defaultMailServer.smtp, detail: '' } },
    });
    expect(ports.tests.map((t) => [t.protocol, t.user, t.secret])).toEqual([
      ['imap', alice, created.password],
      ['smtp', alice, created.password],
    ]);
  });

  it('says "main password" when the refused secret is the main password of a mailbox with 2FA on', async () => {
    const { dispatch, ports } = await setup();
    ports.answers.imap = { outcome: 'auth-refused', detail: 'NO [AUTHENTICATIONFAILED]' };
    ports.answers.smtp = { outcome: 'auth-refused', detail: '535 Authentication failed' };
    const result = await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: defaultTestPassword } });
    expect(result.data.imap).toMatchObject({ outcome: 'main-password', detail: 'NO [AUTHENTICATIONFAILED]' });
    expect(result.data.smtp).toMatchObject({ outcome: 'main-password' });
    // Any other refused password is just refused.
    const other = await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: 'wrong password' } });
    expect(other.data.imap.outcome).toBe('auth-refused');
  });

  it('reports a refused main password as plainly refused while 2FA is off', async () => {
    const { dispatch, ports, carolCall } = await setup();
    ports.answers.imap = { outcome: 'auth-refused', detail: 'NO' };
    const result = await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: defaultTestPassword } }, carolCall);
    expect(result.data.imap.outcome).toBe('auth-refused');
  });

  it('passes other outcomes through, each with its endpoint', async () => {
    const { dispatch, ports } = await setup();
    ports.answers.imap = { outcome: 'tls-mismatch', detail: 'wrong version number' };
    ports.answers.smtp = { outcome: 'timeout', detail: 'ETIMEDOUT' };
    const result = await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: 'x' } });
    expect(result.data.imap).toEqual({ outcome: 'tls-mismatch', endpoint: defaultMailServer.imap, detail: 'wrong version number' });
    expect(result.data.smtp).toEqual({ outcome: 'timeout', endpoint: defaultMailServer.smtp, detail: 'ETIMEDOUT' });
  });

  it('uses a password remembered in the keychain without it ever crossing to the renderer', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    await dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password });
    const result = await dispatch('mail-clients:test-connection', { secret: { kind: 'keychain', name: 'Foxmail 办公室' } });
    expect(JSON.stringify(result)).not.toContain(created.password);
    expect(ports.tests[0]!.secret).toBe(created.password);
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'keychain', name: 'nothing here' } })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(ports.tests).toHaveLength(2);
    ports.keychainDown = true;
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'keychain', name: 'Foxmail 办公室' } })).toMatchObject({
      ok: false,
      code: 'keychain-unavailable',
    });
  });

  it('refuses an empty password and an unknown secret kind before anything is tested', async () => {
    const { dispatch, ports } = await setup();
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: '' } })).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'file', path: '/etc/shadow' } })).toMatchObject({
      ok: false,
      code: 'invalid-request',
    });
    expect(ports.tests).toHaveLength(0);
  });
});

describe("the Foxmail scan's cost", () => {
  it('checks a password several profiles share once, not once per profile', async () => {
    const { dispatch, ports, core, carolCall } = await setup();
    ports.installations = [installation(foxmailAccount(carol, 'office'), foxmailAccount(carol, 'home'), foxmailAccount(carol, 'laptop'))];
    for (const ref of ['office', 'home', 'laptop']) ports.foxmailPasswords.set(ref, defaultTestPassword);
    const verify = vi.spyOn(core.hasher, 'verify');
    const result = await dispatch('mail-clients:what-will-break', {}, carolCall);
    expect(result.data.accounts).toHaveLength(3);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
