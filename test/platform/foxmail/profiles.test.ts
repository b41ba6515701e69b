import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FoxmailError } from '../../../electron/core/mail-clients/ports';
import { parseV7Records, serializeV7Records } from '../../../electron/platform/foxmail/profile-format';
import { nodeProfileFiles, type ProfileFiles } from '../../../electron/platform/careful-replace';
import {
  fixtureProfilePath,
  readFoxmailPassword,
  v6ProfileBytes,
  v7ProfileBytes,
  v7Record,
  v7Records,
  type FixtureAccount,
  type FixtureRecord,
} from '../../factories/foxmail';
import { accountFolder, bytesOf, installation, type Installation } from './helpers';
import { rejection } from '../../factories/rejection';

const accounts: FixtureAccount[] = [
  { address: 'zhang.san@cstnet.cn', displayName: '张三', password: 'abcd-efgh-ijkl-mnop'.slice(0, 16) },
  {
    address: 'li.si@cstnet.cn',
    displayName: '李四（研究所）',
    password: 'x',
    protocol: 'pop3',
    incomingHost: 'pop.cstnet.cn',
    incomingPort: 110,
    incomingSsl: false,
  },
  { address: 'empty@cstnet.cn', displayName: 'Nobody', password: '' },
  { address: 'long@cstnet.cn', displayName: 'Long 長い', password: 'A1b2C3d4E5f6G7h8I9j0-K1l2M3n4O5p6Q7r8S9t', outgoingPort: 465 },
  { address: 'old@cstnet.cn', displayName: '王五', password: 'legacy-pass', version: 6, protocol: 'pop3' },
];

let current: Installation | undefined;
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

async function setUp(options: Parameters<typeof installation>[1] = {}): Promise<Installation> {
  current = await installation(accounts, options);
  return current;
}

function refOf(root: string, address: string): string {
  const account = accounts.find((a) => a.address === address)!;
  return fixtureProfilePath(root, account);
}

const refusal = (promise: Promise<unknown>) => rejection(promise, FoxmailError);

describe('fixture files follow the documented layout', () => {
  it.each(accounts.filter((a) => a.version !== 6))('re-serializes $address byte for byte', (account) => {
    const bytes = v7ProfileBytes(account);
    const records = parseV7Records(bytes);
    expect(records).not.toBeNull();
    expect(Buffer.from(serializeV7Records(records!)).equals(bytes)).toBe(true);
  });
});

describe('scanning an installation', () => {
  it('lists every account with its servers, ports, TLS and whether it can be changed', async () => {
    const { root, profiles } = await setUp();
    const [found, ...others] = await profiles.scan();
    expect(others).toEqual([]);
    expect(found).toMatchObject({ root, version: '7.2', running: false, foundBy: 'environment' });
    const byAddress = new Map(found!.accounts.map((a) => [a.address, a]));
    expect([...byAddress.keys()].sort()).toEqual(accounts.map((a) => a.address).sort());
    expect(byAddress.get('zhang.san@cstnet.cn')).toEqual({
      ref: refOf(root, 'zhang.san@cstnet.cn'),
      address: 'zhang.san@cstnet.cn',
      displayName: '张三',
      protocol: 'imap',
      incoming: { host: 'mail.cstnet.cn', port: 993, security: 'tls' },
      outgoing: { host: 'mail.cstnet.cn', port: 994, security: 'tls' },
      profilePath: refOf(root, 'zhang.san@cstnet.cn'),
      format: 'rec0',
      writable: true,
    });
    expect(byAddress.get('li.si@cstnet.cn')).toMatchObject({
      displayName: '李四（研究所）',
      protocol: 'pop3',
      incoming: { host: 'pop.cstnet.cn', port: 110, security: 'none' },
      writable: true,
    });
    expect(byAddress.get('long@cstnet.cn')!.outgoing.port).toBe(465);
    expect(byAddress.get('old@cstnet.cn')).toMatchObject({ displayName: '王五', protocol: 'pop3', format: 'stg', writable: false });
  });

  it('says so while Foxmail runs', async () => {
    const { profiles } = await setUp({ isRunning: async () => true });
    expect((await profiles.scan())[0]!.running).toBe(true);
  });

  it('finds nothing where there is no Storage folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mailwarden-nofoxmail-'));
    try {
      const { FoxmailLocalProfiles } = await import('../../../electron/platform/foxmail');
      expect(await new FoxmailLocalProfiles({ extraRoots: [empty], isRunning: async () => false }).scan()).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('names the account folders whose profile it could not read or understand, instead of "no accounts"', async () => {
    const { root, profiles } = await setUp();
    // A profile that is not a Foxmail profile at all, one that cannot be opened, and a folder with no profile.
    await mkdir(join(root, 'Storage', 'wang.wu@cstnet.cn', 'Accounts'), { recursive: true });
    await writeFile(join(root, 'Storage', 'wang.wu@cstnet.cn', 'Accounts', 'Account.rec0'), 'not a profile');
    await mkdir(join(root, 'Storage', 'zhao.liu@cstnet.cn', 'Accounts', 'Account.rec0'), { recursive: true });
    await mkdir(join(root, 'Storage', 'empty-folder'), { recursive: true });
    const [scanned] = await profiles.scan();
    expect(scanned!.unreadable).toEqual(['wang.wu@cstnet.cn', 'zhao.liu@cstnet.cn']);
    expect(scanned!.accounts.map((a) => a.address)).not.toContain('wang.wu@cstnet.cn');
    expect(scanned!.accounts.length).toBeGreaterThan(0);
  });

  it('lists a damaged profile as unwritable instead of failing', async () => {
    const { root, profiles } = await setUp();
    const path = refOf(root, 'zhang.san@cstnet.cn');
    await writeFile(path, Buffer.concat([await bytesOf(path), Buffer.from([0x00, 0x01])]));
    const account = (await profiles.scan())[0]!.accounts.find((a) => a.ref === path)!;
    expect(account).toMatchObject({ address: 'zhang.san@cstnet.cn', displayName: '张三', writable: false });
    // Still read as the public tools read it.
    expect(await profiles.readPassword(path)).toBe('abcd-efgh-ijkl-m');
  });
});

describe('reading the stored password', () => {
  it('decodes passwords of every length, v7 and v6', async () => {
    const { root, profiles } = await setUp();
    await profiles.scan();
    for (const account of accounts) expect(await profiles.readPassword(refOf(root, account.address))).toBe(account.password);
  });

  it("answers '' when none is stored and null when the stored value is not a password", async () => {
    const { root, profiles } = await setUp();
    const path = refOf(root, 'zhang.san@cstnet.cn');
    const records = v7Records(accounts[0]!).map((r): FixtureRecord => (r.key === 'Password' ? { key: r.key, type: 'utf8', value: 'NOT-HEX' } : r));
    await writeFile(path, Buffer.concat(records.map(v7Record)));
    await profiles.scan();
    expect(await profiles.readPassword(refOf(root, 'empty@cstnet.cn'))).toBe('');
    expect(await profiles.readPassword(path)).toBeNull();
  });

  it('reads only profiles a scan finds', async () => {
    const { profiles } = await setUp();
    const elsewhere = await mkdtemp(join(tmpdir(), 'mailwarden-stray-'));
    try {
      const stray = join(elsewhere, 'Account.rec0');
      await writeFile(stray, v7ProfileBytes(accounts[0]!));
      expect((await refusal(profiles.readPassword(stray))).reason).toBe('not-found');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('writing the password', () => {
  const at = new Date('2026-11-23T23:15:00.000Z');

  it('replaces it, keeps every other byte, and leaves a timestamped backup of the original', async () => {
    const { root, profiles } = await setUp({ write: { now: () => at } });
    const path = refOf(root, 'zhang.san@cstnet.cn');
    const before = await bytesOf(path);
    const others = await Promise.all(accounts.slice(1).map((a) => bytesOf(refOf(root, a.address))));
    const { backupPath } = await profiles.writePassword(path, 'wxyz-2345-abcd-6789');
    expect(backupPath).toBe(`${path}.mailwarden-20261123T231500Z.bak`);
    expect((await bytesOf(backupPath)).equals(before)).toBe(true);
    expect(await profiles.readPassword(path)).toBe('wxyz-2345-abcd-6789');
    expect(await readFoxmailPassword(root, 'zhang.san@cstnet.cn')).toBe('wxyz-2345-abcd-6789');
    const was = parseV7Records(before)!;
    const now = parseV7Records(await bytesOf(path))!;
    expect(now.map((r) => r.key)).toEqual(was.map((r) => r.key));
    now.forEach((record, i) => {
      if (record.key !== 'Password') expect(Buffer.from(record.raw).equals(Buffer.from(was[i]!.raw))).toBe(true);
    });
    for (const [i, account] of accounts.slice(1).entries()) expect((await bytesOf(refOf(root, account.address))).equals(others[i]!)).toBe(true);
    expect(await accountFolder(root, 'zhang.san@cstnet.cn')).toEqual(['Account.rec0', 'Account.rec0.mailwarden-20261123T231500Z.bak']);
  });

  it.each([
    ['', 'empty'],
    ['q', 'one character'],
    ['0123456789abcdef', '16 characters'],
    ['0123456789abcdef0123456789ABCDEF!@#$%^&*', '40 characters'],
  ])('stores %j (%s) in an IMAP and a POP3 profile', async (password) => {
    const { root, profiles } = await setUp();
    for (const address of ['zhang.san@cstnet.cn', 'li.si@cstnet.cn']) {
      await profiles.writePassword(refOf(root, address), password);
      expect(await readFoxmailPassword(root, address)).toBe(password);
      expect(await profiles.readPassword(refOf(root, address))).toBe(password);
    }
  });

  it('keeps every backup when written twice in the same second', async () => {
    const { root, profiles } = await setUp({ write: { now: () => at } });
    const path = refOf(root, 'long@cstnet.cn');
    const first = await profiles.writePassword(path, 'first-client-pass');
    const second = await profiles.writePassword(path, 'second-client-pass');
    expect(second.backupPath).not.toBe(first.backupPath);
    expect(await readFoxmailPassword(root, 'long@cstnet.cn')).toBe('second-client-pass');
    expect(await accountFolder(root, 'long@cstnet.cn')).toHaveLength(3);
  });

  it('refuses while Foxmail runs and changes nothing', async () => {
    let running = true;
    const { root, profiles } = await setUp({ isRunning: async () => running });
    const path = refOf(root, 'zhang.san@cstnet.cn');
    const before = await bytesOf(path);
    expect((await refusal(profiles.writePassword(path, 'new-pass-1234'))).reason).toBe('running');
    expect((await bytesOf(path)).equals(before)).toBe(true);
    expect(await accountFolder(root, 'zhang.san@cstnet.cn')).toEqual(['Account.rec0']);
    running = false;
    await profiles.writePassword(path, 'new-pass-1234');
    expect(await readFoxmailPassword(root, 'zhang.san@cstnet.cn')).toBe('new-pass-1234');
  });

  it.each([
    ['a trailing byte', (b: Buffer) => Buffer.concat([b, Buffer.from([0])])],
    ['a record of an unknown type', (b: Buffer) => Buffer.concat([b, Buffer.from([3, 0, 0, 0, 0x58, 0x59, 0x5a, 0x77, 0, 0, 0, 1, 0, 0, 0])])],
    ['a duplicated field', (b: Buffer) => Buffer.concat([b, v7Record({ key: 'Email', type: 'utf8', value: 'x@y.cn' })])],
    [
      'a port out of range',
      () => Buffer.concat(v7Records(accounts[0]!).map((r) => v7Record(r.key === 'IncomingPort' ? { key: r.key, type: 'int', value: 70000 } : r))),
    ],
  ])('refuses a file with %s and leaves it as it was', async (_what, damage) => {
    const { root, profiles } = await setUp();
    const path = refOf(root, 'zhang.san@cstnet.cn');
    const damaged = damage(await bytesOf(path));
    await writeFile(path, damaged);
    expect((await profiles.scan())[0]!.accounts.find((a) => a.ref === path)!.writable).toBe(false);
    expect((await refusal(profiles.writePassword(path, 'new-pass-1234'))).reason).toBe('unsupported');
    expect((await bytesOf(path)).equals(damaged)).toBe(true);
    expect(await accountFolder(root, 'zhang.san@cstnet.cn')).toEqual(['Account.rec0']);
  });

  it('refuses a Foxmail 6 profile and a password Foxmail cannot store', async () => {
    const { root, profiles } = await setUp();
    const old = refOf(root, 'old@cstnet.cn');
    expect((await refusal(profiles.writePassword(old, 'new-pass-1234'))).reason).toBe('unsupported');
    expect((await bytesOf(old)).equals(v6ProfileBytes(accounts[4]!))).toBe(true);
    const path = refOf(root, 'zhang.san@cstnet.cn');
    expect((await refusal(profiles.writePassword(path, '中文密码'))).reason).toBe('unsupported');
    expect(await accountFolder(root, 'zhang.san@cstnet.cn')).toEqual(['Account.rec0']);
  });

  it('never writes a path a scan does not find', async () => {
    const { profiles } = await setUp();
    const elsewhere = await mkdtemp(join(tmpdir(), 'mailwarden-stray-'));
    try {
      const stray = join(elsewhere, 'Storage', 'a@b.cn', 'Accounts', 'Account.rec0');
      await mkdir(join(stray, '..'), { recursive: true });
      const bytes = v7ProfileBytes(accounts[0]!);
      await writeFile(stray, bytes);
      expect((await refusal(profiles.writePassword(stray, 'new-pass-1234'))).reason).toBe('not-found');
      expect((await bytesOf(stray)).equals(bytes)).toBe(true);
      expect(await readdir(join(stray, '..'))).toEqual(['Account.rec0']);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  describe('when a step fails', () => {
    const secret = 'never-in-an-error-9';

    function faulty(fault: Partial<ProfileFiles>): ProfileFiles {
      return { ...nodeProfileFiles, ...fault };
    }

    /** Files whose create fails with `error` for a path ending in `suffix` (the temp file, the backup). */
    function failingCreate(suffix: string, error: Error): ProfileFiles {
      return faulty({
        async create(path, bytes, mode) {
          if (path.endsWith(suffix)) throw error;
          return nodeProfileFiles.create(path, bytes, mode);
        },
      });
    }

    async function expectRestored(setup: Installation, path: string, before: Buffer, error: FoxmailError) {
      expect(error.reason).toBe('write-failed');
      expect(error.message).not.toContain(secret);
      expect(String(error.cause)).not.toContain(secret);
      expect((await bytesOf(path)).equals(before)).toBe(true);
      expect(await readFoxmailPassword(setup.root, 'zhang.san@cstnet.cn')).toBe(accounts[0]!.password);
      const names = await accountFolder(setup.root, 'zhang.san@cstnet.cn');
      expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    }

    it('restores the original when the rename replaced the file and then reported failure', async () => {
      const setup = await setUp({
        write: {
          files: faulty({
            async rename(from, to) {
              await nodeProfileFiles.rename(from, to);
              if (to.endsWith('Account.rec0') && !from.includes('restore')) {
                // Fail once, after replacing: the restore's own rename must then work.
                this.rename = nodeProfileFiles.rename;
                throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
              }
            },
          }),
        },
      });
      const path = refOf(setup.root, 'zhang.san@cstnet.cn');
      const before = await bytesOf(path);
      await expectRestored(setup, path, before, await refusal(setup.profiles.writePassword(path, secret)));
    });

    it('restores the original when the written file does not read back', async () => {
      let reads = 0;
      const setup = await setUp({
        write: {
          files: faulty({
            async read(path) {
              const bytes = await nodeProfileFiles.read(path);
              // The 4th read is the re-read after the rename: pretend the disk returned other bytes.
              return ++reads === 4 ? bytes.subarray(0, bytes.length - 1) : bytes;
            },
          }),
        },
      });
      const path = refOf(setup.root, 'zhang.san@cstnet.cn');
      const before = await bytesOf(path);
      await expectRestored(setup, path, before, await refusal(setup.profiles.writePassword(path, secret)));
    });

    it('leaves the file untouched when the temp file cannot be written', async () => {
      const setup = await setUp({
        write: {
          files: failingCreate('.tmp', Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })),
        },
      });
      const path = refOf(setup.root, 'zhang.san@cstnet.cn');
      const before = await bytesOf(path);
      await expectRestored(setup, path, before, await refusal(setup.profiles.writePassword(path, secret)));
    });

    it('does not replace a profile that changed since it was read', async () => {
      let reads = 0;
      const newer = v7ProfileBytes({ ...accounts[0]!, password: 'changed-by-foxmail' });
      const setup = await setUp({
        write: {
          files: faulty({
            async read(path) {
              // The 3rd read is the check just before the rename: Foxmail has written meanwhile.
              if (++reads === 3) await writeFile(path, newer);
              return nodeProfileFiles.read(path);
            },
          }),
        },
      });
      const path = refOf(setup.root, 'zhang.san@cstnet.cn');
      const error = await refusal(setup.profiles.writePassword(path, secret));
      expect(error.reason).toBe('write-failed');
      expect((await bytesOf(path)).equals(newer)).toBe(true);
    });

    it('changes nothing when the backup cannot be made', async () => {
      const setup = await setUp({
        write: {
          files: failingCreate('.bak', Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })),
        },
      });
      const path = refOf(setup.root, 'zhang.san@cstnet.cn');
      const before = await bytesOf(path);
      const error = await refusal(setup.profiles.writePassword(path, secret));
      expect(error.reason).toBe('write-failed');
      expect((await bytesOf(path)).equals(before)).toBe(true);
      expect(await accountFolder(setup.root, 'zhang.san@cstnet.cn')).toEqual(['Account.rec0']);
    });
  });
});
