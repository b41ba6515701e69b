// Covers electron/core/webmail.ts and webmail-backed.ts: the desktop whose mail system's web mail
// manages accounts (docs/rules.md §15). The mail server's login is the authority on a pasted
// client password; nothing is written anywhere before it accepted one, and Mailwarden's own
// account channels say the web mail manages them.
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import { defaultResolvedPolicy } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import { emptyWebmailProfile, pastedClientPassword, type WebmailProfile, type WebmailProfileStore } from '../../electron/core/webmail';
import { createWebmailBackedHandlers } from '../../electron/core/webmail-backed';
import { MemorySettingsStore } from '../factories/settings';
import { testCall } from '../factories/call';
import { testEnvironment } from '../factories/environment';
import { fakeMailClientPorts } from '../factories/mail-clients';

const address = 'zhang.wei@cstnet.cn';
const pasted = 'Abcd Efgh 2345 mnpq';
const plain = 'AbcdEfgh2345mnpq';

function memoryProfiles(initial: WebmailProfile = emptyWebmailProfile): WebmailProfileStore & { current: WebmailProfile } {
  const store = {
    current: initial,
    read: async () => store.current,
    write: async (profile: WebmailProfile) => {
      store.current = profile;
    },
  };
  return store;
}

function setup(
  options: { address?: string | null; choice?: { managedByEnforced: () => boolean; switchTo?: () => Promise<{ ok: true; data: unknown }> } } = {},
) {
  const ports = fakeMailClientPorts();
  const profiles = memoryProfiles({ ...emptyWebmailProfile, address: options.address === undefined ? address : options.address });
  const handlers = createWebmailBackedHandlers({
    environment: testEnvironment({ backend: 'webmail' }),
    settingsStore: new MemorySettingsStore(),
    profiles,
    policy: defaultResolvedPolicy(),
    logger: silentLogger,
    clock: { now: () => Date.UTC(2026, 11, 4) },
    random: { bytes: (n: number) => new Uint8Array(n).fill(7), int: () => 0 } as never,
    mailClients: ports,
    choice: options.choice ?? { managedByEnforced: () => false },
  });
  const dispatch = createDispatcher(handlers, silentLogger);
  const call = testCall();
  return { ports, profiles, call, send: (channel: string, request: unknown = {}) => dispatch(channel, request, call) };
}

describe('a pasted client password', () => {
  it('is the 16 letters or digits the web mail showed, spaces dropped and case kept', () => {
    expect(pastedClientPassword(pasted)).toBe(plain);
    expect(pastedClientPassword('abcd-efgh-2345-mnpq')).toBeNull();
    expect(pastedClientPassword('short')).toBeNull();
  });

  it('is checked by logging in to IMAP and SMTP as the mailbox, and said usable where each accepted it', async () => {
    const { ports, send } = setup();
    ports.answers.smtp = { outcome: 'auth-refused', detail: '535 Authentication failed' };
    const checked = await send('webmail:check-client-password', { password: pasted });
    expect(checked).toMatchObject({ ok: true, data: { imap: { outcome: 'ok' }, smtp: { outcome: 'auth-refused' }, scopes: ['imap', 'pop3'] } });
    expect(ports.tests.map((t) => [t.protocol, t.user, t.secret])).toEqual([
      ['imap', address, plain],
      ['smtp', address, plain],
    ]);
  });

  it('is refused in plain words when every server refuses it, and not when the server cannot be reached', async () => {
    const { ports, send } = setup();
    ports.answers.imap = { outcome: 'auth-refused', detail: 'NO [AUTHENTICATIONFAILED]' };
    ports.answers.smtp = { outcome: 'auth-refused', detail: '535' };
    expect(await send('webmail:check-client-password', { password: pasted })).toMatchObject({ ok: false, code: 'client-password-refused' });
    ports.answers.imap = { outcome: 'cannot-connect', detail: 'ECONNREFUSED' };
    ports.answers.smtp = { outcome: 'cannot-connect', detail: 'ECONNREFUSED' };
    expect(await send('webmail:check-client-password', { password: pasted })).toMatchObject({ ok: true, data: { scopes: [] } });
  });

  it('is refused for its shape before any login', async () => {
    const { ports, send } = setup();
    expect(await send('webmail:check-client-password', { password: 'my main password' })).toMatchObject({ ok: false, code: 'client-password-shape' });
    expect(ports.tests).toEqual([]);
  });

  it('goes into the keychain and Foxmail only once the mail server accepted it, and nowhere when refused', async () => {
    const { ports, send } = setup();
    ports.installations = [
      {
        root: 'C:/Foxmail 7.2',
        version: '7.2',
        running: false,
        foundBy: 'default-folder',
        unreadable: [],
        accounts: [
          {
            ref: 'C:/Foxmail 7.2/Storage/zhang.wei@cstnet.cn/Accounts/Account.rec0',
            address,
            displayName: 'Zhang Wei',
            protocol: 'imap',
            incoming: { host: 'mail.cstnet.cn', port: 993, security: 'tls' },
            outgoing: { host: 'mail.cstnet.cn', port: 994, security: 'tls' },
            profilePath: 'C:/Foxmail 7.2/Storage/zhang.wei@cstnet.cn/Accounts/Account.rec0',
            format: 'rec0',
            writable: true,
          },
        ],
      },
    ];
    const scan = await send('mail-clients:foxmail-scan');
    expect(scan.ok).toBe(true);
    const ref = ports.installations[0]!.accounts[0]!.ref;

    ports.answers.imap = { outcome: 'auth-refused', detail: 'NO' };
    ports.answers.smtp = { outcome: 'auth-refused', detail: '535' };
    expect(await send('mail-clients:keychain-remember', { id: 'Foxmail', password: pasted })).toMatchObject({ ok: false, code: 'client-password-refused' });
    expect(await send('mail-clients:foxmail-apply', { ref, id: 'Foxmail', password: pasted })).toMatchObject({ ok: false, code: 'client-password-refused' });
    expect(ports.keychain.size).toBe(0);
    expect(ports.foxmailPasswords.size).toBe(0);

    ports.answers.imap = { outcome: 'ok', detail: '' };
    ports.answers.smtp = { outcome: 'ok', detail: '' };
    expect(await send('mail-clients:keychain-remember', { id: 'Foxmail', password: pasted })).toMatchObject({ ok: true, data: { name: 'Foxmail' } });
    expect(ports.keychain.get(`${address}/Foxmail`)).toBe(plain);
    expect(await send('mail-clients:foxmail-apply', { ref, id: 'Foxmail', password: pasted })).toMatchObject({ ok: true });
    expect(ports.foxmailPasswords.get(ref)).toBe(plain);
  });

  it('goes into Thunderbird only once the mail server accepted it at the moment of writing, and nowhere when refused', async () => {
    const { ports, send } = setup();
    const ref = '/home/zhang/.thunderbird/ab12.default-release#server1';
    ports.thunderbirdInstallations = [
      {
        root: '/home/zhang/.thunderbird',
        foundBy: 'default-folder',
        profiles: [
          {
            name: 'default-release',
            path: '/home/zhang/.thunderbird/ab12.default-release',
            isDefault: true,
            running: false,
            readable: true,
            passwordStore: 'ready',
            accounts: [
              {
                ref,
                address,
                displayName: 'Zhang Wei',
                protocol: 'imap',
                incoming: { host: 'mail.cstnet.cn', port: 993, security: 'tls' },
                incomingUser: address,
                outgoing: { host: 'mail.cstnet.cn', port: 465, security: 'tls' },
                outgoingUser: address,
                writable: true,
              },
            ],
          },
        ],
      },
    ];
    expect(await send('mail-clients:thunderbird-scan')).toMatchObject({
      ok: true,
      data: { installations: [{ profiles: [{ accounts: [{ ref, thisMailbox: true }] }] }] },
    });

    // Revoked on the web mail (or mistyped): refused, and the profile is not touched.
    ports.answers.imap = { outcome: 'auth-refused', detail: 'NO [AUTHENTICATIONFAILED]' };
    ports.answers.smtp = { outcome: 'auth-refused', detail: '535' };
    expect(await send('mail-clients:thunderbird-apply', { ref, id: 'Thunderbird', password: pasted })).toMatchObject({
      ok: false,
      code: 'client-password-refused',
    });
    // The mail server cannot be reached: not written either, and not called wrong.
    ports.answers.imap = { outcome: 'cannot-connect', detail: 'ECONNREFUSED' };
    ports.answers.smtp = { outcome: 'cannot-connect', detail: 'ECONNREFUSED' };
    expect(await send('mail-clients:thunderbird-apply', { ref, id: 'Thunderbird', password: pasted })).toMatchObject({ ok: false, code: 'server-unreachable' });
    expect(ports.thunderbirdPasswords.size).toBe(0);

    ports.answers.imap = { outcome: 'ok', detail: '' };
    ports.answers.smtp = { outcome: 'ok', detail: '' };
    ports.tests.length = 0;
    expect(await send('mail-clients:thunderbird-apply', { ref, id: 'Thunderbird', password: pasted })).toMatchObject({
      ok: true,
      data: { logins: [{ origin: 'imap://mail.cstnet.cn' }, { origin: 'smtp://mail.cstnet.cn' }] },
    });
    // Checked by a live login as the mailbox at the moment of writing, and written without the spaces.
    expect(ports.tests.map((t) => [t.protocol, t.user, t.secret])).toEqual([
      ['imap', address, plain],
      ['smtp', address, plain],
    ]);
    expect(ports.thunderbirdPasswords.get(ref)).toBe(plain);
  });

  it('needs the address first', async () => {
    const { send } = setup({ address: null });
    expect(await send('webmail:check-client-password', { password: pasted })).toMatchObject({ ok: false, code: 'not-signed-in' });
    expect(await send('mail-clients:keychain-remember', { id: 'Foxmail', password: pasted })).toMatchObject({ ok: false, code: 'not-signed-in' });
  });
});

describe('the address', () => {
  it('is kept normalised; a bad one is refused and changes nothing', async () => {
    const { profiles, send } = setup({ address: null });
    expect(await send('webmail:set-address', { address: 'not an address' })).toMatchObject({ ok: false, code: 'invalid-address' });
    expect(profiles.current.address).toBeNull();
    expect(await send('webmail:set-address', { address: ' Zhang.Wei@CSTNET.cn ' })).toMatchObject({
      ok: true,
      data: { mode: 'webmail', address, webmailUrl: 'https://mail.cstnet.cn/' },
    });
  });

  it('forgets what the checks found when it changes to another mailbox', async () => {
    const { profiles, send } = setup();
    profiles.current = { ...profiles.current, mainPasswordWorked: true, twoFactorOn: true };
    await send('webmail:set-address', { address: 'li.na@cstnet.cn' });
    expect(profiles.current).toMatchObject({ address: 'li.na@cstnet.cn', mainPasswordWorked: false, twoFactorOn: false });
  });
});

describe('whether two-factor is on yet', () => {
  it('is off while the main password logs in, and on once the same check is refused', async () => {
    const { ports, send } = setup();
    expect(await send('webmail:status')).toMatchObject({ ok: true, data: { twoFactor: 'unknown' } });
    expect(await send('webmail:check-two-factor', { password: 'main password' })).toMatchObject({
      ok: true,
      data: { status: { twoFactor: 'off' }, login: { outcome: 'ok' } },
    });
    ports.answers.imap = { outcome: 'auth-refused', detail: 'NO [AUTHENTICATIONFAILED]' };
    expect(await send('webmail:check-two-factor', { password: 'main password' })).toMatchObject({ ok: true, data: { status: { twoFactor: 'on' } } });
  });

  it('stays unknown when the password was never seen to work: a wrong password looks the same', async () => {
    const { ports, send } = setup();
    ports.answers.imap = { outcome: 'auth-refused', detail: 'NO' };
    expect(await send('webmail:check-two-factor', { password: 'typo' })).toMatchObject({
      ok: true,
      data: { status: { twoFactor: 'unknown' }, login: { outcome: 'auth-refused' } },
    });
  });

  it('keeps no password in the profile', async () => {
    const { profiles, send } = setup();
    await send('webmail:check-two-factor', { password: 'main password' });
    expect(JSON.stringify(profiles.current)).not.toContain('main password');
  });
});

describe("Mailwarden's own account channels", () => {
  it('say the web mail manages them, and nobody is signed in to Mailwarden', async () => {
    const { send } = setup();
    expect(await send('auth:status')).toEqual({ ok: true, data: { status: 'signed-out' } });
    expect(await send('client-passwords:list')).toMatchObject({ ok: false, code: 'managed-by-webmail' });
    expect(await send('two-factor:status')).toMatchObject({ ok: false, code: 'managed-by-webmail' });
    // Nor several: the switcher has none to list or choose (docs/rules.md §7.4).
    expect(await send('auth:mailboxes')).toEqual({ ok: true, data: { mailboxes: [], limit: 5 } });
    expect(await send('auth:switch', { mailbox: 'zhang.wei@cstnet.cn' })).toEqual({ ok: false, code: 'mailbox-not-signed-in' });
  });
});

describe('the choice of mode', () => {
  it('is refused where IT enforced it, and switches the desktop otherwise', async () => {
    expect(await setup({ choice: { managedByEnforced: () => true } }).send('webmail:choose', { managedBy: 'mailwarden' })).toMatchObject({
      ok: false,
      code: 'policy-locked',
    });
    const switched: string[] = [];
    const { send } = setup({ choice: { managedByEnforced: () => false, switchTo: async () => (switched.push('mailwarden'), { ok: true, data: {} }) } });
    expect(await send('webmail:choose', { managedBy: 'mailwarden' })).toEqual({ ok: true, data: { managedBy: 'mailwarden' } });
    expect(switched).toEqual(['mailwarden']);
  });
});
