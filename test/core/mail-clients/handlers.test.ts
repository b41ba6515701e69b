// Covers electron/core/mail-clients/handlers.ts: the rules on top of the machine's ports (fakes
// here; the real adapters are tested in test/platform against the real keychain, files, servers).
import { parse } from 'plist';
import { describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../../electron/core/dispatch';
import { createHandlers } from '../../../electron/core/handlers';
import type { FoxmailAccount, FoxmailInstallation } from '../../../electron/core/mail-clients/ports';
import { silentLogger } from '../../../electron/core/ports';
import { profileDeleteOfferMs, type MailServerSettings } from '../../../electron/shared/mail-server';
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
  const ports = fakeMailClientPorts();
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
  return { ref, address, displayName: address, protocol: 'imap', incoming: endpoint, outgoing: { ...endpoint, port: 994 }, profilePath: ref, format: 'rec0', writable };
}

function installation(...accounts: FoxmailAccount[]): FoxmailInstallation {
  return { root: 'C:\\Foxmail 7.2', version: '7.2', running: false, foundBy: 'registry', accounts, unreadable: [] };
}

describe('mail-clients:settings', () => {
  it('gives the policy\'s servers, the full address as user name, and a card whose QR holds the same text', async () => {
    const mailServer: MailServerSettings = {
      imap: { host: 'imap.example.cn', port: 143, security: 'starttls' },
      smtp: { host: 'smtp.example.cn', port: 587, security: 'starttls' },
      pop3: { host: 'pop.example.cn', port: 995, security: 'tls' },
    };
    const { dispatch } = await setup({ policy: { mailServer } });
    const result = await dispatch('mail-clients:settings', {});
    expect(result.ok).toBe(true);
    expect(result.data).toMatchObject({ address: alice, ...mailServer, offered: { keychain: true, foxmail: true, iphoneProfile: true } });
    expect(result.data.card.text).toBe(
      [`Email: ${alice}`, `User: ${alice}`, 'IMAP: imap.example.cn:143 STARTTLS', 'POP3: pop.example.cn:995 SSL/TLS', 'SMTP: smtp.example.cn:587 STARTTLS'].join('\n'),
    );
    expect(result.data.card.qrSvg).toMatch(/^<svg[^>]*viewBox/);
  });

  it('defaults to the guide\'s server and tells which integrations policy turned off', async () => {
    const { dispatch } = await setup({ policy: { clientIntegrations: { keychain: false, foxmail: true, iphoneProfile: false } } });
    const result = await dispatch('mail-clients:settings', {});
    expect(result.data.imap).toEqual(defaultMailServer.imap);
    expect(result.data.smtp).toEqual({ host: 'mail.cstnet.cn', port: 994, security: 'tls' });
    expect(result.data.offered).toEqual({ keychain: false, foxmail: true, iphoneProfile: false });
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

  it('does not let one mailbox remember or find another mailbox\'s password', async () => {
    const t = await setup();
    const created = await newClientPassword(t.dispatch);
    const bobCall = testCall({ connection: 'bob' });
    await signIn(t.core, bobCall, bob);
    expect(await t.dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password }, bobCall)).toMatchObject({ ok: false, code: 'not-found' });
    await t.dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password });
    expect(await t.dispatch('mail-clients:keychain-list', {}, bobCall)).toEqual({ ok: true, data: { names: [] } });
  });

  it('says clearly when no keychain can be reached, and changes nothing', async () => {
    const { dispatch, ports } = await setup();
    const created = await newClientPassword(dispatch);
    ports.keychainDown = true;
    expect(await dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password })).toMatchObject({ ok: false, code: 'keychain-unavailable' });
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
    const { dispatch } = await setup({ policy: { clientIntegrations: { keychain: false, foxmail: true, iphoneProfile: true } } });
    const created = await newClientPassword(dispatch);
    expect(await dispatch('mail-clients:keychain-remember', { id: created.id, password: created.password })).toMatchObject({ ok: false, code: 'integration-disabled' });
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

  it('never decodes another mailbox\'s stored password', async () => {
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
    expect(await dispatch('mail-clients:foxmail-apply', { ref: '/etc/passwd', id: created.id, password: created.password })).toMatchObject({ code: 'not-found' });
    expect(await dispatch('mail-clients:foxmail-apply', { ref: 'known', id: created.id, password: 'abcdabcdabcdabcd' })).toMatchObject({ code: 'password-mismatch' });
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
    expect(await dispatch('mail-clients:foxmail-apply', { ref: 'bob', id: created.id, password: created.password })).toMatchObject({ ok: false, code: 'foxmail-other-mailbox' });
    expect(ports.foxmailPasswords.has('bob')).toBe(false);
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('what-will-break lists, before 2FA is on, only this mailbox\'s accounts that hold the main password', async () => {
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
    const { dispatch, ports } = await setup({ policy: { clientIntegrations: { keychain: true, foxmail: false, iphoneProfile: true } } });
    ports.installations = [installation(foxmailAccount(alice, 'main'))];
    ports.foxmailPasswords.set('main', defaultTestPassword);
    expect(await dispatch('mail-clients:foxmail-scan', {})).toMatchObject({ ok: false, code: 'integration-disabled' });
    expect(await dispatch('mail-clients:what-will-break', {})).toEqual({ ok: true, data: { accounts: [] } });
  });
});

describe('the iPhone profile', () => {
  it('saves a profile without the password, offers to delete it 10 minutes later, and deletes it by its id', async () => {
    const { dispatch, ports, clock } = await setup();
    const result = await dispatch('mail-clients:iphone-profile-save', { includePassword: false });
    expect(result).toMatchObject({ ok: true, data: { path: `/saved/${alice}.mobileconfig`, includesPassword: false, deleteOfferAt: clock.now() + profileDeleteOfferMs } });
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
    expect(await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.id, password: 'x'.repeat(16) })).toMatchObject({ ok: false, code: 'password-mismatch' });
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
    expect(await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.id, password: created.password })).toMatchObject({ ok: false, code: 'save-cancelled' });
    ports.files.cancel = false;
    ports.files.fail = true;
    expect(await dispatch('mail-clients:iphone-profile-save', { includePassword: true, id: created.id, password: created.password })).toMatchObject({ ok: false, code: 'save-failed' });
    expect(await appliedTo(dispatch, created.id)).toEqual([]);
  });

  it('does not let another session delete a profile it did not save', async () => {
    const { dispatch, ports, carolCall } = await setup();
    const result = await dispatch('mail-clients:iphone-profile-save', { includePassword: false });
    expect(await dispatch('mail-clients:iphone-profile-delete', { fileId: result.data.fileId }, carolCall)).toMatchObject({ ok: false, code: 'not-found' });
    expect(ports.files.saved.size).toBe(1);
  });
});

describe('mail-clients:test-connection', () => {
  it('tests IMAP and SMTP at the policy\'s servers as the signed-in address, spaces taken out of a client password', async () => {
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
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'keychain', name: 'nothing here' } })).toMatchObject({ ok: false, code: 'not-found' });
    expect(ports.tests).toHaveLength(2);
    ports.keychainDown = true;
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'keychain', name: 'Foxmail 办公室' } })).toMatchObject({ ok: false, code: 'keychain-unavailable' });
  });

  it('refuses an empty password and an unknown secret kind before anything is tested', async () => {
    const { dispatch, ports } = await setup();
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: '' } })).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await dispatch('mail-clients:test-connection', { secret: { kind: 'file', path: '/etc/shadow' } })).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(ports.tests).toHaveLength(0);
  });
});


describe('the Foxmail scan\'s cost', () => {
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
