// Covers electron/platform/mail-auth/sender-map.ts and core/grants.ts `senderLogins` (issue 12,
// item 4, the envelope half): Postfix's own `postmap -q` asks the socketmap as smtpd_sender_login_maps
// would. The owner and colleagues it shares with at send-on-behalf or send-as may use its address;
// read-only may not; a level change, a revoke and a lapsed end date apply to the next question.
// Then what is not a well-formed question: cut off, never a crash.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGrant, changeGrant, revokeGrant, senderLogins } from '../../../electron/core/grants';
import { silentLogger } from '../../../electron/core/ports';
import { netstring, readNetstring, startSenderMap, type SenderMap } from '../../../electron/platform/mail-auth/sender-map';
import { testCall } from '../../factories/call';
import { testCore, type TestCore } from '../../factories/core';
import { createMailbox } from '../../factories/mailbox';

const postmap = '/usr/sbin/postmap';
const owner = 'gonggong@cstnet.cn';
const onBehalf = 'li.na@cstnet.cn';
const readOnly = 'wang.fang@cstnet.cn';
const sendAs = 'zhao.lei@cstnet.cn';

let t: TestCore;
let map: SenderMap;
/**
 * postmap's own configuration folder: the machine's /etc/postfix holds no main.cf when Postfix
 * was installed with "No configuration" (as `npm run setup` installs it), and postmap then stops.
 */
let conf: string;

beforeAll(async () => {
  conf = await mkdtemp(join(tmpdir(), 'mailwarden-postmap-'));
  await writeFile(join(conf, 'main.cf'), 'compatibility_level = 3.6\n');
  t = await testCore();
  for (const address of [owner, onBehalf, readOnly, sendAs]) await createMailbox(t.core, { address, phone: '+8613912345678' });
  map = await startSenderMap({ host: '127.0.0.1', port: 0, logger: silentLogger, lookup: (sender) => senderLogins(t.core, sender) });
});
afterAll(async () => {
  await map?.close();
  await rm(conf, { recursive: true, force: true });
});

/** `postmap -q KEY socketmap:…`: the value, or null when Postfix says not found (exit 1). */
function query(key: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    execFile(postmap, ['-c', conf, '-q', key, `socketmap:inet:127.0.0.1:${map.port}:senders`], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error && (error as { code?: number }).code === 1 && stderr === '') return resolve(null);
      if (error) return reject(new Error(`postmap failed: ${stderr || error.message}`));
      resolve(stdout.trim());
    });
  });
}

describe.skipIf(!existsSync(postmap))(`Postfix asking who may send as an address${existsSync(postmap) ? '' : ' (skipped: postfix is not installed)'}`, () => {
  it('answers the owner and the colleagues who may compose, never read-only; nobody for an unknown address', async () => {
    const call = testCall();
    for (const [grantee, level] of [
      [onBehalf, 'send-on-behalf'],
      [readOnly, 'read-only'],
      [sendAs, 'send-as'],
    ] as const) {
      expect((await addGrant(t.core, owner, call, { grantee, level })).ok).toBe(true);
    }
    expect(await query(owner)).toBe(`${owner}, ${onBehalf}, ${sendAs}`);
    expect(await query('GongGong@CSTNET.cn')).toBe(`${owner}, ${onBehalf}, ${sendAs}`);
    expect(await query(onBehalf)).toBe(onBehalf);
    expect(await query('nobody@cstnet.cn')).toBeNull();
  });

  it('follows a level change, a revoke and a lapsed end date at the next question', async () => {
    const call = testCall();
    const given = await t.core.store.collection<{ _id: string; grantee: string }>('grants').find({ owner });
    const idOf = (grantee: string) => given.find((g) => g.grantee === grantee)!._id;
    expect((await changeGrant(t.core, owner, call, { id: idOf(readOnly), level: 'send-on-behalf' })).ok).toBe(true);
    expect(await query(owner)).toBe(`${owner}, ${onBehalf}, ${readOnly}, ${sendAs}`);
    expect((await revokeGrant(t.core, owner, call, idOf(onBehalf))).ok).toBe(true);
    expect(await query(owner)).toBe(`${owner}, ${readOnly}, ${sendAs}`);
    // Ends tomorrow; the day after, it no longer counts.
    expect((await changeGrant(t.core, owner, call, { id: idOf(sendAs), level: 'send-as', endsAt: t.core.clock.now() + 86_400_000 })).ok).toBe(true);
    t.clock.advanceDays(2);
    expect(await query(owner)).toBe(`${owner}, ${readOnly}`);
  });
});

describe('what is not a well-formed question', () => {
  /** Sends raw bytes; resolves with what came back once the server closed, or once `done` says it is all there. */
  function raw(bytes: Buffer, done: (got: string) => boolean = () => false): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(map.port, '127.0.0.1');
      let got = '';
      // A bound only: every case ends on the server's close or on the reply it waits for.
      const timer = setTimeout(() => socket.destroy(), 5000);
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString();
        if (done(got)) socket.destroy();
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(got);
      });
      socket.on('error', () => undefined);
      socket.write(bytes);
    });
  }

  it('cuts off a connection that sends garbage, a huge length or a missing comma, and goes on answering', async () => {
    expect(await raw(Buffer.from('hello world'))).toBe('');
    expect(await raw(Buffer.from('99999999:x,'))).toBe('');
    expect(await raw(Buffer.from('5:abcdeX'))).toBe('');
    expect(await raw(Buffer.from([0xff, 0xfe, 0x00]))).toBe('');
    expect(await raw(netstring(`senders ${owner}`), (got) => got.endsWith(','))).toMatch(/^\d+:OK /);
  });

  it('answers an unknown map name PERM and a key with spaces NOTFOUND, several on one connection', async () => {
    const reply = await raw(
      Buffer.concat([netstring('aliases x@y.cn'), netstring('senders a b@c.cn'), netstring(`senders ${owner}`)]),
      (got) => got.includes(':OK ') && got.endsWith(','),
    );
    const first = readNetstring(Buffer.from(reply));
    expect(first).not.toBe('bad');
    expect(first && first !== 'bad' ? first.text : '').toBe('PERM unknown map');
    expect(reply).toContain('9:NOTFOUND ,');
  });
});
