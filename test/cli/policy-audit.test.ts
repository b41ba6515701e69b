// Covers the `policy show`, `policy check` and `audit export` commands of electron/cli/commands.ts.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSince } from '../../electron/cli/audit';
import { runCliCaptured } from '../factories/cli';

const run = runCliCaptured;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailwarden-cli-policy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function policyFile(content: unknown, name = 'policy.json'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('--help', () => {
  it.each([
    [['policy', 'show', '--help'], /Usage: mailwarden policy show/],
    [['policy', 'check', '--help'], /Exit codes: 0 every key is valid, 1 some key is invalid/],
    [['audit', 'export', '-h'], /Usage: mailwarden audit export --since DATE/],
    [['import-mailboxes', '--help'], /Usage: mailwarden import-mailboxes FILE/],
  ])('%j prints that command’s help with exit 0', async (argv, text) => {
    const { code, out } = await run(argv);
    expect(code).toBe(0);
    expect(out).toMatch(text);
    expect(out).toMatch(/Exit codes/);
  });

  it('refuses `policy` without show or check with exit 2', async () => {
    expect(await run(['policy'])).toMatchObject({ code: 2, out: '' });
  });
});

describe('policy show', () => {
  const enforcing = {
    enforced: {
      enforceTwoFactor: true,
      trustedDeviceDays: 40,
      sms: { kind: 'webhook', webhook: { url: 'https://sms.example.cn/?key=s3cr3t', bodyTemplate: '{"t":"{{text}}"}' } },
    },
    recommended: { mailServer: { imap: { port: 143 } } },
  };

  it('prints every key with its value, source and place as a table', async () => {
    const { code, out, err } = await run(['policy', 'show', '--policy', await policyFile(enforcing)]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY\s+VALUE\s+SOURCE\s+PLACE$/);
    expect(lines.find((l) => l.startsWith('enforceTwoFactor '))).toMatch(/^enforceTwoFactor\s+true\s+enforced\s+policy-file$/);
    expect(lines.find((l) => l.startsWith('trustedDeviceDays '))).toMatch(/^trustedDeviceDays\s+7\s+enforced\s+policy-file$/);
    expect(lines.find((l) => l.startsWith('mailServer.imap.port '))).toMatch(/143\s+recommended\s+policy-file$/);
    expect(lines.find((l) => l.startsWith('clientPasswordLimit '))).toMatch(/20\s+default\s+-$/);
    expect(lines.find((l) => l.startsWith('sms.webhook.url '))).toMatch(/\(set, not shown\)\s+enforced/);
    expect(out).not.toContain('s3cr3t');
    expect(err).toBe('mailwarden: policy value ignored: trustedDeviceDays: above 30 (allowed 1–30) (enforced, policy-file)\n');
  });

  it('prints the same as JSON with --json', async () => {
    const { code, out } = await run(['policy', 'show', '--json', '--policy', await policyFile(enforcing)]);
    expect(code).toBe(0);
    const items = (JSON.parse(out) as { items: { key: string; value: unknown; source: string }[] }).items;
    expect(items.find((i) => i.key === 'enforceTwoFactor')).toMatchObject({ value: true, source: 'enforced', origin: 'policy-file' });
    expect(items.find((i) => i.key === 'sms.webhook.url')).toMatchObject({ value: null, set: true });
  });
});

describe('policy check', () => {
  it('passes a valid file with exit 0', async () => {
    const file = await policyFile({ enforceTwoFactor: true, twoFactorGraceDays: 14, allowedMethods: ['totp'] });
    expect(await run(['policy', 'check', file])).toEqual({ code: 0, out: `${file}: valid (3 keys)\n`, err: '' });
  });

  it('names each invalid or unknown key on stderr with exit 1, never the value', async () => {
    const file = await policyFile({
      enforced: { trustedDeviceDays: 0, enforce2fa: true, sms: { webhook: { headers: { Authorization: 'Bearer s3cr3t\n' } } } },
      recommended: { enforceTwoFactor: true },
    });
    const { code, out, err } = await run(['policy', 'check', file]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.trimEnd().split('\n')).toEqual([
      `${file}: enforceTwoFactor: may only be enforced, not recommended (recommended)`,
      `${file}: trustedDeviceDays: below 1 (allowed 1–30)`,
      `${file}: enforce2fa: unknown key`,
      `${file}: sms.webhook.headers: a header value holds a line break`,
    ]);
    expect(err).not.toContain('s3cr3t');
  });

  it('refuses a file that is not JSON, or missing, with exit 1; no FILE is exit 2', async () => {
    const bad = await policyFile('{"enforceTwoFactor": ');
    expect(await run(['policy', 'check', bad])).toEqual({ code: 1, out: '', err: `${bad}: not JSON\n` });
    expect(await run(['policy', 'check', join(dir, 'none.json')])).toMatchObject({ code: 1, err: `${join(dir, 'none.json')}: cannot read (ENOENT)\n` });
    expect((await run(['policy', 'check'])).code).toBe(2);
  });
});

describe('audit export', () => {
  async function seed(): Promise<void> {
    const csv = await policyFile('address,password\n=cmd@example.cn,correct-horse-1\nli.na@example.cn,correct-horse-2\n', 'mailboxes.csv');
    expect((await run(['import-mailboxes', csv, '--user-data-dir', dir])).code).toBe(0);
  }

  it('exports the log as CSV with a header and defused formula cells', async () => {
    await seed();
    const { code, out } = await run(['audit', 'export', '--since', '2000-01-01', '--user-data-dir', dir]);
    expect(code).toBe(0);
    const lines = out.split('\r\n');
    // The byte order mark first: Excel on a Chinese Windows reads the file as UTF-8.
    expect(lines[0]).toBe('\uFEFFtime,mailbox,kind,outcome,device,detail');
    expect(lines.filter((l) => l !== '').length).toBeGreaterThan(1);
    expect(out).toContain(",'=cmd@example.cn,");
    expect(out.endsWith('\r\n')).toBe(true);
  });

  it('exports JSON for one mailbox into a file only its owner can read', async () => {
    await seed();
    const target = join(dir, 'audit.json');
    const { code, err } = await run([
      'audit',
      'export',
      '--since',
      '2000-01-01T00:00:00Z',
      '--format',
      'json',
      '--mailbox',
      'LI.NA@example.cn',
      '--out',
      target,
      '--user-data-dir',
      dir,
    ]);
    expect(code).toBe(0);
    const rows = JSON.parse(await readFile(target, 'utf8')) as { mailbox: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.mailbox))).toEqual(new Set(['li.na@example.cn']));
    expect(err).toMatch(new RegExp(`Exported ${rows.length} events? to `));
    if (process.platform !== 'win32') expect((await stat(target)).mode & 0o777).toBe(0o600);
  });

  it('writes the file whole or not at all: nothing is left beside it, and a folder it cannot write to changes nothing', async () => {
    await seed();
    const target = join(dir, 'audit.csv');
    expect((await run(['audit', 'export', '--since', '2000-01-01', '--out', target, '--user-data-dir', dir])).code).toBe(0);
    expect((await readdir(dir)).filter((name) => name.includes('audit.csv'))).toEqual(['audit.csv']);
    const missing = join(dir, 'no-such-folder', 'audit.csv');
    const { code, err } = await run(['audit', 'export', '--since', '2000-01-01', '--out', missing, '--user-data-dir', dir]);
    expect(code).toBe(1);
    expect(err).toMatch(/cannot write .*no-such-folder.*ENOENT/);
  });

  it('leaves out events before --since', async () => {
    await seed();
    const { out } = await run(['audit', 'export', '--since', '2999-01-01', '--format', 'json', '--user-data-dir', dir]);
    expect(JSON.parse(out)).toEqual([]);
  });

  it.each([
    [['audit', 'export'], /needs --since DATE/],
    [['audit', 'export', '--since', 'yesterday'], /--since must be YYYY-MM-DD/],
    [['audit', 'export', '--since', '2026-02-30'], /--since must be YYYY-MM-DD/],
    [['audit', 'export', '--since', '2026-01-01', '--format', 'xlsx'], /--format must be csv or json/],
    [['audit'], /audit needs 'export'/],
  ])('refuses %j with exit 2', async (argv, message) => {
    const { code, err, out } = await run([...argv, '--user-data-dir', dir]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
  });
});

describe('parseSince', () => {
  it('reads a date as midnight UTC and an ISO time with its offset', () => {
    expect(parseSince('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
    expect(parseSince('2026-01-31T08:00:00+08:00')).toBe(Date.UTC(2026, 0, 31));
    expect(parseSince('2026-01-31T08:00')).toBeNull();
    expect(parseSince('31/01/2026')).toBeNull();
  });
});
