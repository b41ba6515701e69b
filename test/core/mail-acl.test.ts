// Covers electron/core/mail-acl.ts: what the grants want on the mail server, and the sync that
// brings the server in line (the real Dovecot side is test/platform/mail-auth/imap-acl.test.ts).
// The applier here records what it was told, or fails on demand, as a mail server would.
import { describe, expect, it } from 'vitest';
import { addGrant, changeGrant, lapseDueGrants, listGivenGrants, revokeGrant } from '../../electron/core/grants';
import { imapRights, MailAclError, retryDelayMs, syncMailAcls, type MailAclApplier } from '../../electron/core/mail-acl';
import { testCall } from '../factories/call';
import { testCore } from '../factories/core';
import { createMailbox } from '../factories/mailbox';

const owner = 'gonggong@cstnet.cn';
const colleague = 'li.na@cstnet.cn';

function recordingServer() {
  const told: string[] = [];
  const server = {
    told,
    down: false,
    /** Runs once, in the middle of the next apply (a grant changed while the server was being told). */
    during: null as null | (() => Promise<void>),
    async apply(owner: string, grantee: string, rights: string) {
      if (server.during) {
        const work = server.during;
        server.during = null;
        await work();
      }
      if (server.down) throw new MailAclError('connect ECONNREFUSED 127.0.0.1:143');
      told.push(`${owner} ${grantee} ${rights || '(none)'}`);
    },
  } satisfies MailAclApplier & Record<string, unknown>;
  return server;
}

async function setup(mailServerAcls = true) {
  const t = await testCore({ policy: { mailServerAcls } });
  await createMailbox(t.core, { address: owner });
  await createMailbox(t.core, { address: colleague });
  const server = recordingServer();
  const sync = () => syncMailAcls(t.core, server, { lapse: () => lapseDueGrants(t.core) });
  return { ...t, server, sync };
}

describe('the rights each level is given on the mail server', () => {
  it('follows docs/rules.md §9: read-only and send on behalf see and read; send as also keeps seen state and deletes', () => {
    expect(imapRights('read-only')).toBe('lr');
    expect(imapRights('send-on-behalf')).toBe('lr');
    expect(imapRights('send-as')).toBe('lrste');
  });
});

describe('bringing the mail server in line with the grants', () => {
  it('tells the server each change once, and nothing when nothing changed for it', async () => {
    const { core, server, sync } = await setup();
    const added = await addGrant(core, owner, testCall(), { grantee: colleague, level: 'read-only' });
    if (!added.ok) throw new Error(added.code);
    await sync();
    await changeGrant(core, owner, testCall(), { id: added.data.id, level: 'send-on-behalf' });
    await sync();
    await changeGrant(core, owner, testCall(), { id: added.data.id, level: 'send-as' });
    await sync();
    await revokeGrant(core, owner, testCall(), added.data.id);
    await sync();
    await sync();
    expect(server.told).toEqual([`${owner} ${colleague} lr`, `${owner} ${colleague} lrste`, `${owner} ${colleague} (none)`]);
  });

  it('never tells the server of a grant revoked before it was applied', async () => {
    const { core, server, sync } = await setup();
    const added = await addGrant(core, owner, testCall(), { grantee: colleague, level: 'send-as' });
    if (!added.ok) throw new Error(added.code);
    await revokeGrant(core, owner, testCall(), added.data.id);
    expect(await sync()).toEqual({ applied: 0, failed: 0 });
    expect(server.told).toEqual([]);
  });

  it('keeps a change made while the server was being told, and applies it next round', async () => {
    const { core, server, sync } = await setup();
    const added = await addGrant(core, owner, testCall(), { grantee: colleague, level: 'read-only' });
    if (!added.ok) throw new Error(added.code);
    server.during = async () => {
      await changeGrant(core, owner, testCall(), { id: added.data.id, level: 'send-as' });
    };
    await sync();
    expect((await listGivenGrants(core, owner))[0]!.mailServer).toEqual({ state: 'pending', error: null });
    await sync();
    expect(server.told).toEqual([`${owner} ${colleague} lr`, `${owner} ${colleague} lrste`]);
    expect((await listGivenGrants(core, owner))[0]!.mailServer).toEqual({ state: 'applied', error: null });
  });

  it('retries a failure after a growing wait, and shows it to the owner meanwhile', async () => {
    expect([1, 2, 3, 4, 5, 9].map(retryDelayMs)).toEqual([10_000, 30_000, 60_000, 300_000, 900_000, 900_000]);
    const { core, clock, server, sync } = await setup();
    await addGrant(core, owner, testCall(), { grantee: colleague, level: 'read-only' });
    server.down = true;
    expect(await sync()).toEqual({ applied: 0, failed: 1 });
    expect((await listGivenGrants(core, owner))[0]!.mailServer).toEqual({ state: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:143' });
    clock.advance(9_999);
    expect(await sync()).toEqual({ applied: 0, failed: 0 });
    clock.advance(1);
    expect(await sync()).toEqual({ applied: 0, failed: 1 });
    clock.advance(29_999);
    expect(await sync()).toEqual({ applied: 0, failed: 0 });
    server.down = false;
    clock.advance(1);
    expect(await sync()).toEqual({ applied: 1, failed: 0 });
    expect((await listGivenGrants(core, owner))[0]!.mailServer).toEqual({ state: 'applied', error: null });
  });

  it('ends a lapsed grant on the server though no page was opened', async () => {
    const { core, clock, server, sync } = await setup();
    await addGrant(core, owner, testCall(), { grantee: colleague, level: 'read-only', endsAt: clock.now() + 86_400_000 });
    await sync();
    clock.advance(86_400_000);
    await sync();
    expect(server.told).toEqual([`${owner} ${colleague} lr`, `${owner} ${colleague} (none)`]);
    expect(await listGivenGrants(core, owner)).toEqual([]);
  });

  it('says nothing of the mail server on the page when policy does not have it open shared mailboxes', async () => {
    const { core } = await setup(false);
    const added = await addGrant(core, owner, testCall(), { grantee: colleague, level: 'read-only' });
    expect(added.ok && added.data.mailServer).toBeUndefined();
  });
});
