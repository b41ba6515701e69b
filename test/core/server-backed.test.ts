// Covers electron/core/server-backed.ts and the remote half of electron/core/mail-clients/authority.ts:
// a desktop that works against the organisation server. The "server" here is the real core with
// its real handlers and dispatcher, reached through a JSON round trip as over the wire; the
// HTTP line itself is tested in test/platform/organisation-client.test.ts.
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatch';
import { createHandlers } from '../../electron/core/handlers';
import type { ServerCall } from '../../electron/core/mail-clients/authority';
import type { FoxmailAccount } from '../../electron/core/mail-clients/ports';
import { resolvePolicy, type PolicyLayer } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import { createServerBackedHandlers, isDesktopChannel, serverPolicyMaxAgeMs, ServerPolicy } from '../../electron/core/server-backed';
import { channelNames } from '../../electron/shared/contract';
import { err } from '../../electron/shared/result';
import { MemorySettingsStore } from '../factories/settings';
import { cryptoRandom } from '../../electron/platform/system';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { testEnvironment } from '../factories/environment';
import { fakeMailClientPorts } from '../factories/mail-clients';
import { createMailbox, defaultTestPassword, signIn } from '../factories/mailbox';

const alice = 'alice@cstnet.cn';
type Answer = { ok: boolean; code?: string; data?: any };

/** What IT put on the server: its mail server, a 3-day trusted device, and an SMS gateway with a secret URL. */
const serverLayers: PolicyLayer[] = [
  {
    level: 'enforced',
    origin: 'etc-file',
    entries: [
      { path: 'mailServer.imap.host', value: 'imap.example.edu.cn' },
      { path: 'trustedDeviceDays', value: 3 },
      { path: 'sms.kind', value: 'webhook' },
      { path: 'sms.webhook.url', value: 'https://sms.example.cn/send?token=gateway-secret-123' },
      { path: 'sms.webhook.bodyTemplate', value: '{"to":"{{phone}}","text":"{{text}}"}' },
      // The server's own page offers no keychain: that is the server's computer, not this one.
      { path: 'clientIntegrations.keychain', value: false },
    ],
  },
];

async function setup(options: { desktopLayers?: PolicyLayer[] } = {}) {
  const resolved = resolvePolicy(serverLayers, silentLogger);
  const t = await testCore({ policy: resolved.policy });
  await createMailbox(t.core, { address: alice, phone: '+8613912345678', displayName: '张伟' });
  const serverCore = { ...t.core, policySources: () => resolved.sources };
  const serverDispatch = createDispatcher(
    createHandlers({
      mailClients: fakeMailClientPorts(),
      environment: testEnvironment({ shell: 'server' }),
      settingsStore: new MemorySettingsStore(),
      logger: silentLogger,
      core: serverCore,
    }),
    silentLogger,
  );
  const wire = { up: true, calls: [] as string[] };
  const server: ServerCall = async (channel, request, call) => {
    wire.calls.push(channel);
    if (!wire.up) return err('server-unreachable');
    const answer = await serverDispatch(channel, JSON.parse(JSON.stringify(request)), { ...call, connection: `server:${call.connection}` });
    return JSON.parse(JSON.stringify(answer));
  };
  const ports = fakeMailClientPorts();
  const policy = new ServerPolicy(options.desktopLayers ?? [], server, t.clock, silentLogger);
  const desktop = createDispatcher(
    createServerBackedHandlers({
      environment: testEnvironment({ backend: 'organisation', server: 'https://mailwarden.example.edu.cn' }),
      settingsStore: new MemorySettingsStore(),
      logger: silentLogger,
      clock: t.clock,
      random: cryptoRandom,
      server,
      policy,
      mailClients: ports,
    }),
    silentLogger,
  );
  const call = testCall({ connection: 'window:1' });
  const dispatch = (channel: string, request: unknown = {}, c = call) => desktop(channel, request, c) as Promise<Answer>;
  return { ...t, ports, wire, call, dispatch, serverCall: (c = call) => ({ ...c, connection: `server:${c.connection}` }) };
}

describe('a desktop against the organisation server', () => {
  it('answers its own channels itself and sends every other one to the server', async () => {
    for (const channel of channelNames) {
      const own = channel.startsWith('app:') || channel.startsWith('settings:') || channel.startsWith('mail-clients:') || channel.startsWith('webmail:');
      expect(isDesktopChannel(channel), channel).toBe(own);
    }
    const { dispatch, wire } = await setup();
    expect((await dispatch('settings:update', { locale: 'en' })).data).toEqual({ locale: 'en', theme: 'system' });
    expect(wire.calls).not.toContain('settings:update');
    expect((await dispatch('auth:status')).data).toEqual({ status: 'signed-out' });
    expect(wire.calls).toContain('auth:status');
  });

  it("signs in on the server: the session is the server's, per window", async () => {
    const { dispatch, core, call } = await setup();
    const started = await dispatch('auth:sign-in', { address: alice, password: defaultTestPassword });
    expect(started.data).toMatchObject({ status: 'code-required', maskedPhone: expect.stringContaining('****') });
    expect((await dispatch('auth:status', {}, testCall({ connection: 'window:2' }))).data).toEqual({ status: 'signed-out' });
    await signIn(core, { ...call, connection: `server:${call.connection}` }, alice);
    expect((await dispatch('auth:status')).data).toMatchObject({ status: 'signed-in', mailbox: alice });
  });

  it('holds several mailboxes per window on the server, and switches between them there (docs/rules.md §7.4)', async () => {
    const { dispatch, core, call, wire } = await setup();
    const colleague = 'li.na@cstnet.cn';
    await createMailbox(core, { address: colleague, displayName: '李娜' });
    await signIn(core, { ...call, connection: `server:${call.connection}` }, alice);
    expect((await dispatch('auth:sign-in', { address: colleague, password: defaultTestPassword })).data).toMatchObject({
      status: 'signed-in',
      mailbox: colleague,
    });
    expect((await dispatch('auth:mailboxes')).data).toMatchObject({
      mailboxes: [
        { mailbox: alice, active: false },
        { mailbox: colleague, active: true },
      ],
      limit: 5,
    });
    expect((await dispatch('auth:switch', { mailbox: alice })).data).toMatchObject({ status: 'signed-in', mailbox: alice });
    expect(wire.calls).toEqual(expect.arrayContaining(['auth:mailboxes', 'auth:switch']));
    // Another window of this desktop is another connection on the server: nothing of this one's.
    expect((await dispatch('auth:mailboxes', {}, testCall({ connection: 'window:2' }))).data).toEqual({ mailboxes: [], limit: 5 });
    expect(await dispatch('auth:switch', { mailbox: alice }, testCall({ connection: 'window:2' }))).toMatchObject({ ok: false, code: 'mailbox-not-signed-in' });
  });

  it("takes the server's rules, keeps this computer's own keys, and never receives the SMS gateway's secrets", async () => {
    const desktopLayers: PolicyLayer[] = [
      {
        level: 'enforced',
        origin: 'registry-hklm',
        // A desktop rule about a server key means nothing here; one about this computer holds.
        entries: [
          { path: 'trustedDeviceDays', value: 30 },
          { path: 'clientIntegrations.foxmail', value: false },
        ],
      },
    ];
    const { dispatch, core, serverCall } = await setup({ desktopLayers });
    await signIn(core, serverCall(), alice);
    const policy = await dispatch('app:policy');
    const item = (key: string) => policy.data.items.find((entry: { key: string }) => entry.key === key);
    expect(item('mailServer.imap.host')).toMatchObject({ value: 'imap.example.edu.cn', source: 'enforced', origin: 'organisation-server' });
    expect(item('trustedDeviceDays')).toMatchObject({ value: 3, origin: 'organisation-server' });
    expect(item('clientIntegrations.foxmail')).toMatchObject({ value: false, origin: 'registry-hklm' });
    // The server turned the keychain off for its own page; this computer's policy did not.
    expect(item('clientIntegrations.keychain')).toMatchObject({ value: true, source: 'default' });
    expect(item('sms.kind')).toMatchObject({ value: 'webhook' });
    expect(item('sms.webhook.url')).toMatchObject({ secret: true, value: null, set: true, origin: 'organisation-server' });
    expect(JSON.stringify(policy)).not.toContain('gateway-secret-123');
    const settings = await dispatch('mail-clients:settings');
    expect(settings.data).toMatchObject({ imap: { host: 'imap.example.edu.cn' }, offered: { keychain: true, foxmail: false } });
  });

  it('asks the server for its rules again once they are older than five minutes', async () => {
    const { dispatch, wire, clock, core, serverCall } = await setup();
    await signIn(core, serverCall(), alice);
    await dispatch('mail-clients:settings');
    const asked = () => wire.calls.filter((channel) => channel === 'app:policy').length;
    expect(asked()).toBe(1);
    await dispatch('mail-clients:settings');
    expect(asked()).toBe(1);
    clock.advance(serverPolicyMaxAgeMs);
    await dispatch('mail-clients:settings');
    expect(asked()).toBe(2);
  });

  it('says plainly when the server cannot be reached, and shows nothing from before', async () => {
    const { dispatch, wire, clock, core, serverCall } = await setup();
    await signIn(core, serverCall(), alice);
    expect((await dispatch('mail-clients:settings')).ok).toBe(true);
    wire.up = false;
    expect(await dispatch('client-passwords:list')).toEqual({ ok: false, code: 'server-unreachable' });
    expect(await dispatch('auth:status')).toEqual({ ok: false, code: 'server-unreachable' });
    clock.advance(serverPolicyMaxAgeMs);
    expect(await dispatch('mail-clients:settings')).toEqual({ ok: false, code: 'server-unreachable' });
    expect(await dispatch('app:policy')).toEqual({ ok: false, code: 'server-unreachable' });
    // What the app is and where it points still shows, so the person can tell IT.
    const info = await dispatch('app:info');
    expect(info.data).toMatchObject({ backend: 'organisation', server: 'https://mailwarden.example.edu.cn' });
    wire.up = true;
    expect((await dispatch('mail-clients:settings')).ok).toBe(true);
  });
});

describe('mail-client work on this computer, decided by the server', () => {
  async function withPassword() {
    const t = await setup();
    await signIn(t.core, t.serverCall(), alice);
    const created = await t.dispatch('client-passwords:create', { name: 'Foxmail 办公室' });
    expect(created.ok).toBe(true);
    return { ...t, id: created.data.id as string, password: created.data.password as string, grouped: created.data.grouped as string };
  }

  it("remembers a client password in this computer's keychain once the server confirmed it, and the server notes where", async () => {
    const { dispatch, ports, id, grouped, password } = await withPassword();
    expect(await dispatch('mail-clients:keychain-remember', { id, password: grouped })).toEqual({ ok: true, data: { name: 'Foxmail 办公室' } });
    expect(ports.keychain.get(`${alice}/Foxmail 办公室`)).toBe(password);
    const list = await dispatch('client-passwords:list');
    expect(list.data.passwords[0].appliedTo).toEqual(['keychain']);
  });

  it('writes nothing when the server says the password is not that one', async () => {
    const { dispatch, ports, id, password } = await withPassword();
    const wrong = password.slice(0, 15) + (password.endsWith('a') ? 'b' : 'a');
    expect(await dispatch('mail-clients:keychain-remember', { id, password: wrong })).toEqual({ ok: false, code: 'password-mismatch' });
    expect(await dispatch('mail-clients:keychain-remember', { id: 'not-an-id', password })).toEqual({ ok: false, code: 'not-found' });
    expect(ports.keychain.size).toBe(0);
  });

  it('writes nothing while the server cannot be reached', async () => {
    const { dispatch, ports, id, password, wire } = await withPassword();
    wire.up = false;
    expect(await dispatch('mail-clients:keychain-remember', { id, password })).toEqual({ ok: false, code: 'server-unreachable' });
    expect(ports.keychain.size).toBe(0);
  });

  it("tells each Foxmail account's stored password by asking the server once, never decoding another mailbox's", async () => {
    const { dispatch, ports, password, wire } = await withPassword();
    const endpoint = { host: 'mail.cstnet.cn', port: 993, security: 'tls' as const };
    const account = (address: string, ref: string): FoxmailAccount => ({
      ref,
      address,
      displayName: address,
      protocol: 'imap',
      incoming: endpoint,
      outgoing: endpoint,
      profilePath: ref,
      format: 'rec0',
      writable: true,
    });
    ports.installations = [
      {
        root: 'C:\\Foxmail 7.2',
        version: '7.2',
        running: false,
        foundBy: 'registry',
        accounts: [account(alice, 'a'), account(alice, 'b'), account(alice, 'c'), account('bob@cstnet.cn', 'd')],
        unreadable: [],
      },
    ];
    ports.foxmailPasswords.set('a', defaultTestPassword);
    ports.foxmailPasswords.set('b', password);
    ports.foxmailPasswords.set('c', defaultTestPassword);
    ports.foxmailPasswords.set('d', 'bobs-own-password');
    const before = wire.calls.filter((channel) => channel === 'client-passwords:classify').length;
    const scan = await dispatch('mail-clients:foxmail-scan');
    expect(scan.data.installations[0].accounts.map((entry: { storedPassword: string }) => entry.storedPassword)).toEqual([
      'main-password',
      'client-password',
      'main-password',
      'not-this-mailbox',
    ]);
    expect(wire.calls.filter((channel) => channel === 'client-passwords:classify').length - before).toBe(1);
  });

  it('explains a refused main password in the connection test when the server says 2FA is on', async () => {
    const { dispatch, ports } = await withPassword();
    ports.answers.imap = { outcome: 'auth-refused', detail: 'AUTHENTICATIONFAILED' };
    const tested = await dispatch('mail-clients:test-connection', { secret: { kind: 'typed', password: defaultTestPassword } });
    expect(tested.data.imap.outcome).toBe('main-password');
    expect(tested.data.smtp.outcome).toBe('ok');
  });
});
