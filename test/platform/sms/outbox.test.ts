// Covers electron/platform/sms/outbox.ts
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmsDeliveryError, type SmsMessage } from '../../../electron/core/context';
import { OutboxSmsGateway, type OutboxEntry } from '../../../electron/platform/sms/outbox';
import { cryptoRandom } from '../../../electron/platform/system';
import { openLine, sealLine } from '../../../electron/store/crypto';
import { FakeClock } from '../../factories/clock';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mailwarden-outbox-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function sealerWith(key: Uint8Array) {
  return { seal: (text: string, purpose: string) => sealLine(key, text, purpose), open: (line: string, purpose: string) => openLine(key, line, purpose) };
}

const key = cryptoRandom.bytes(32);
const alice = 'alice@cstnet.cn';
const text = (code: string) => `【邮件安全助手】验证码 ${code}，5 分钟内有效。Mailwarden code ${code}, valid for 5 minutes.`;
/** A code for alice's phone, valid 5 minutes, as the core hands it to the gateway. */
const toAlice = (code: string, more: Partial<SmsMessage> = {}): SmsMessage => ({
  phone: '+8613912341234',
  mailbox: alice,
  code,
  validMinutes: 5,
  expiresAt: 300_000,
  text: text(code),
  ...more,
});

describe('OutboxSmsGateway', () => {
  it('keeps each message sealed: the code never lies in the data folder in plaintext', async () => {
    const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), new FakeClock());
    await outbox.send(toAlice('123456'));
    const file = await readFile(join(dataDir, 'sms-outbox.log'), 'utf8');
    expect(file.trim().split('\n')).toHaveLength(1);
    expect(file).not.toContain('123456');
    expect(file).not.toContain('13912341234');
    expect(file).not.toContain(alice);
  });

  it("reads a mailbox's messages back, newest first, with their time", async () => {
    const clock = new FakeClock();
    const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), clock);
    const first = clock.now();
    await outbox.send(toAlice('111111', { expiresAt: first + 300_000 }));
    clock.advanceSeconds(60);
    await outbox.send({ phone: '+8613812345678', mailbox: 'bob@cstnet.cn', code: '222222', validMinutes: 5, expiresAt: first + 360_000, text: text('222222') });
    clock.advanceSeconds(60);
    await outbox.send(toAlice('333333', { validMinutes: 3, expiresAt: first + 300_000 }));
    // Each keeps when its code stops working (a resend within a binding lives only to the window's end).
    expect(await outbox.read(alice)).toEqual([
      { phone: '+8613912341234', mailbox: alice, text: text('333333'), at: first + 120_000, expiresAt: first + 300_000 },
      { phone: '+8613912341234', mailbox: alice, text: text('111111'), at: first, expiresAt: first + 300_000 },
    ]);
  });

  it('shows at most the limit asked for, 20 by default', async () => {
    const clock = new FakeClock();
    const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), clock);
    for (let i = 0; i < 22; i += 1) {
      await outbox.send(toAlice(String(i).padStart(6, '0')));
      clock.advanceSeconds(1);
    }
    const all = await outbox.read(alice);
    expect(all).toHaveLength(20);
    expect(all[0]!.text).toBe(text('000021'));
    expect(await outbox.read(alice, 3)).toHaveLength(3);
  });

  it('skips lines it cannot open: torn, tampered or sealed with another key', async () => {
    const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), new FakeClock());
    await outbox.send(toAlice('111111'));
    const file = join(dataDir, 'sms-outbox.log');
    const foreign = sealerWith(cryptoRandom.bytes(32)).seal(JSON.stringify({ phone: '+1', mailbox: alice, text: 'forged', at: 1 }), 'sms-outbox');
    await appendFile(file, `garbage\n${foreign}\nv1:AAAA\n`);
    await outbox.send(toAlice('222222'));
    expect((await outbox.read(alice)).map((e) => e.text)).toEqual([text('222222'), text('111111')]);
  });

  it('reads nothing before the first message', async () => {
    const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), new FakeClock());
    expect(await outbox.read(alice)).toEqual([]);
  });

  it('announces each delivery after it is kept', async () => {
    const seen: OutboxEntry[] = [];
    const clock = new FakeClock();
    const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), clock, (entry) => seen.push(entry));
    await outbox.send(toAlice('123456'));
    expect(seen).toEqual([{ phone: '+8613912341234', mailbox: alice, text: text('123456'), at: clock.now(), expiresAt: 300_000 }]);
  });

  it('reports a folder it cannot write to as a failed delivery, announcing nothing', async () => {
    const blocker = join(dataDir, 'not-a-folder');
    await writeFile(blocker, '');
    const seen: OutboxEntry[] = [];
    const outbox = new OutboxSmsGateway(blocker, sealerWith(key), new FakeClock(), (entry) => seen.push(entry));
    const failure = await outbox.send(toAlice('123456')).then(
      () => null,
      (cause: unknown) => cause,
    );
    expect(failure).toBeInstanceOf(SmsDeliveryError);
    expect((failure as Error).message).toMatch(/^outbox not writable: E[A-Z]+$/);
    expect(seen).toEqual([]);
  });

  describe('keeps a code no longer than it is valid (issue 10, fault 13)', () => {
    const linesOf = async () => (await readFile(join(dataDir, 'sms-outbox.log'), 'utf8')).split('\n').filter(Boolean);

    it('drops every message older than a code’s lifetime from the file when the next one is sent', async () => {
      const clock = new FakeClock();
      const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), clock);
      await outbox.send(toAlice('111111'));
      clock.advanceSeconds(5 * 60 + 1);
      await outbox.send(toAlice('222222'));
      const lines = await linesOf();
      expect(lines).toHaveLength(1);
      expect(sealerWith(key).open(lines[0]!, 'sms-outbox')).toContain('222222');
    });

    it('shows no message past its lifetime, even before anything else is sent', async () => {
      const clock = new FakeClock();
      const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), clock);
      await outbox.send(toAlice('111111'));
      clock.advanceSeconds(4 * 60);
      expect(await outbox.read(alice)).toHaveLength(1);
      clock.advanceSeconds(61);
      expect(await outbox.read(alice)).toEqual([]);
    });

    it('prunes an outbox left from an earlier run when it opens', async () => {
      const clock = new FakeClock();
      await new OutboxSmsGateway(dataDir, sealerWith(key), clock).send(toAlice('111111'));
      clock.advanceSeconds(10 * 60);
      await new OutboxSmsGateway(dataDir, sealerWith(key), clock).prune();
      expect(await linesOf()).toEqual([]);
    });

    it('loses no message when many are sent at once', async () => {
      const outbox = new OutboxSmsGateway(dataDir, sealerWith(key), new FakeClock());
      await Promise.all(Array.from({ length: 20 }, (_, i) => outbox.send(toAlice(String(i).padStart(6, '0')))));
      expect(await linesOf()).toHaveLength(20);
      expect(await outbox.read(alice, 50)).toHaveLength(20);
    });
  });
});
