// Covers electron/cli/commands.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../factories/cli';
import { version } from '../../package.json';

const run = runCliCaptured;

describe('mailwarden CLI', () => {
  it('prints help with exit 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: mailwarden/);
  });

  it('prints app info for a data folder as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-'));
    try {
      const { code, out, err } = await run(['info', '--user-data-dir', dir]);
      expect(err).not.toMatch(/"level":"error"/);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ productName: 'Mailwarden', version, dataDir: dir, backend: 'embedded', shell: 'cli' });
      expect(JSON.parse(out).policySource.keys.enforceTwoFactor).toEqual({ source: 'default' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("prints the Thunderbird autoconfig file for a domain from the policy's servers", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-'));
    try {
      const policy = join(dir, 'policy.json');
      await writeFile(policy, JSON.stringify({ mailServer: { imap: { host: 'imap.example.edu.cn', port: 143, security: 'starttls' } } }));
      const { code, out, err } = await run(['autoconfig', '--domain', 'example.edu.cn', '--name', 'Example University', '--policy', policy]);
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<clientConfig version="1.1">/);
      expect(out).toContain('<emailProvider id="example.edu.cn">');
      expect(out).toContain('<displayName>Example University</displayName>');
      expect(out).toMatch(/<incomingServer type="imap">\s*<hostname>imap.example.edu.cn<\/hostname>\s*<port>143<\/port>\s*<socketType>STARTTLS<\/socketType>/);
      // What the policy left out keeps the guide's server.
      expect(out).toMatch(/<outgoingServer type="smtp">\s*<hostname>mail.cstnet.cn<\/hostname>\s*<port>994<\/port>\s*<socketType>SSL<\/socketType>/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses autoconfig without a mail domain, or with an address in its place, with exit 2', async () => {
    const none = await run(['autoconfig']);
    expect(none).toMatchObject({ code: 2, out: '' });
    expect(none.err).toContain('autoconfig needs --domain');
    const address = await run(['autoconfig', '--domain', 'zhang.wei@cstnet.cn']);
    expect(address).toMatchObject({ code: 2, out: '' });
    expect(address.err).toContain("'zhang.wei@cstnet.cn' is not one");
  });

  it('refuses an unknown command or a bad flag with exit 2 on stderr', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toContain("unknown command 'frobnicate'");
    const badPort = await run(['info', '--port', 'x']);
    expect(badPort.code).toBe(2);
    expect(badPort.err).toContain('--port');
  });

  it('takes the command wherever the flags are', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-'));
    try {
      const { code, out } = await run(['--user-data-dir', dir, 'info']);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ dataDir: dir });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints usage with exit 2 when no command is given', async () => {
    const { code, err } = await run([]);
    expect(code).toBe(2);
    expect(err).toMatch(/^Usage:/);
  });

  describe('mailboxes', () => {
    async function inFolder(work: (dir: string) => Promise<void>) {
      const dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-'));
      try {
        await work(dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    it('imports a CSV file at the real scrypt cost and lists the mailboxes', async () => {
      await inFolder(async (dir) => {
        const file = join(dir, 'staff.csv');
        await writeFile(file, 'address,password,displayName\r\nZhang.Wei@cstnet.cn,"first, password",张伟\r\nli.na@cstnet.cn,second-password,\r\n');
        const imported = await run(['import-mailboxes', file, '--user-data-dir', dir]);
        expect(imported).toMatchObject({ code: 0, out: 'Imported 2 mailboxes.\n' });
        expect(imported.err).not.toMatch(/"level":"error"/);
        // How far it got, on stderr: at least the closing line, with a rate.
        expect(imported.err).toMatch(/^mailwarden: hashed 2 of 2 passwords \(\d+\/s\)$/m);

        const listed = await run(['list-mailboxes', '--user-data-dir', dir]);
        expect(listed.code).toBe(0);
        expect(JSON.parse(listed.out)).toEqual([
          { address: 'li.na@cstnet.cn', displayName: 'li.na', methods: [], createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
          { address: 'zhang.wei@cstnet.cn', displayName: '张伟', methods: [], createdAt: expect.any(String) },
        ]);
        expect(listed.out).not.toContain('password');
      });
    }, 30_000);

    it('imports a JSON file', async () => {
      await inFolder(async (dir) => {
        const file = join(dir, 'staff.json');
        await writeFile(file, JSON.stringify([{ address: 'wang.fang@cstnet.cn', password: 'a third password', displayName: '王芳' }]));
        expect(await run(['import-mailboxes', file, '--user-data-dir', dir])).toMatchObject({ code: 0, out: 'Imported 1 mailbox.\n' });
        expect(JSON.parse((await run(['list-mailboxes', '--user-data-dir', dir])).out)).toMatchObject([
          { address: 'wang.fang@cstnet.cn', displayName: '王芳' },
        ]);
      });
    }, 30_000);

    it('reports every bad row with exit 1 and imports nothing', async () => {
      await inFolder(async (dir) => {
        const file = join(dir, 'staff.csv');
        await writeFile(file, 'address,password\ngood@cstnet.cn,good-password-1\nnot-an-address,good-password-2\nshort@cstnet.cn,short\n');
        const result = await run(['import-mailboxes', file, '--user-data-dir', dir]);
        expect(result.code).toBe(1);
        expect(result.out).toBe('');
        expect(result.err).toContain(`${file}: line 3: not a valid mail address (address)`);
        expect(result.err).toContain(`${file}: line 4: the password is shorter than 10 characters (password)`);
        expect(result.err).toContain('nothing was imported (2 problems)');
        expect(result.err).not.toContain('good-password');
        expect(JSON.parse((await run(['list-mailboxes', '--user-data-dir', dir])).out)).toEqual([]);
      });
    });

    it('names JSON entries by position and whole-file problems by the file', async () => {
      await inFolder(async (dir) => {
        const json = join(dir, 'staff.json');
        await writeFile(json, '[{"address":"a@cstnet.cn"}]');
        expect((await run(['import-mailboxes', json, '--user-data-dir', dir])).err).toContain(
          `${json}: entry 1: a required text field is missing or not text (password)`,
        );
        await writeFile(json, '{ not json');
        expect((await run(['import-mailboxes', json, '--user-data-dir', dir])).err).toContain(`${json}: the file is not valid JSON`);
      });
    });

    it('needs a file it can read', async () => {
      await inFolder(async (dir) => {
        const missing = await run(['import-mailboxes', '--user-data-dir', dir]);
        expect(missing.code).toBe(2);
        expect(missing.err).toContain('import-mailboxes needs a FILE');
        const unreadable = await run(['import-mailboxes', join(dir, 'nope.csv'), '--user-data-dir', dir]);
        expect(unreadable).toMatchObject({ code: 1, out: '' });
        expect(unreadable.err).toContain('cannot read');
        expect(unreadable.err).toContain('ENOENT');
      });
    });

    it('seeds the demo mailboxes with --demo', async () => {
      await inFolder(async (dir) => {
        const listed = await run(['list-mailboxes', '--demo', '--user-data-dir', dir]);
        expect(JSON.parse(listed.out).map((m: { address: string }) => m.address)).toEqual([
          'li.na@demo.mailwarden.cn',
          'office@demo.mailwarden.cn',
          'wang.fang@demo.mailwarden.cn',
          'zhang.wei@demo.mailwarden.cn',
        ]);
      });
    }, 30_000);
  });
});
