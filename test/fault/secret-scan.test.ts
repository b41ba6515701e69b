// Covers test/e2e/secret-scan.ts, the scan the end-to-end run ends with: it must find a secret
// in each form it promises, name the file and kind without the secret, spare only the token's
// `Open:` line, and delete what it scanned.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanRun } from '../e2e/secret-scan';

let work: string;
afterEach(() => rm(work, { recursive: true, force: true }));

async function run(files: Record<string, string>, secrets: { kind: string; value: string }[]) {
  work = await mkdtemp(join(tmpdir(), 'mailwarden-scan-test-'));
  const lists = join(work, 'lists');
  const data = join(work, 'data');
  await mkdir(join(data, 'store'), { recursive: true });
  await mkdir(join(data, 'home'), { recursive: true });
  await mkdir(lists, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(name.endsWith('.log') ? lists : data, name), text);
  await writeFile(join(lists, 'secrets-1.jsonl'), secrets.map((s) => JSON.stringify(s)).join('\n'));
  const targets = [
    { kind: 'data-folder', path: data },
    ...Object.keys(files)
      .filter((n) => n.endsWith('.log'))
      .map((n) => ({ kind: 'host-log', path: join(lists, n) })),
  ];
  await writeFile(join(lists, 'targets-1.jsonl'), targets.map((t) => JSON.stringify(t)).join('\n'));
  const outcome = await scanRun(lists);
  return { ...outcome, data, lists };
}

const password = 'Correct-horse-9';
const token = 'tok_abcdefghijklmnopqrstuvwxyz0123456789ABCD';
const seed = 'JBSWY3DPEHPK3PXPJBSWY3DP';

describe('the end-to-end secret scan', () => {
  it('finds a secret in plain text, base64, hex and JSON escapes, naming the file and kind only', async () => {
    const { hits } = await run(
      {
        'store/a.db': `{"p":"${password}"}`,
        'store/b.db': Buffer.from(seed).toString('base64'),
        'store/c.db': Buffer.from(password).toString('hex'),
        'store/d.db': 'nothing to see',
      },
      [
        { kind: 'password', value: password },
        { kind: 'seed', value: seed },
      ],
    );
    expect(hits.map((hit) => hit.replace(/^.*\/data\//, ''))).toEqual([
      'store/a.db: password at byte 6',
      'store/b.db: seed at byte 0',
      'store/c.db: password at byte 0',
    ]);
    expect(hits.join('\n')).not.toContain(password);
  });

  it('finds a six-digit code standing alone, not inside a longer number', async () => {
    const { hits } = await run({ 'outbox.json': '{"at":1795424123456}', 'log.txt': 'code 123456 sent' }, [{ kind: 'code', value: '123456' }]);
    expect(hits.map((hit) => hit.replace(/^.*\/data\//, ''))).toEqual(['log.txt: code at byte 5']);
  });

  it('does not take six digits inside a sealed line or a hash for a code, but finds one beside a CJK character or punctuation', async () => {
    // A sealed outbox line is base64 of random bytes: a run of six digits between letters is chance.
    const { hits } = await run(
      {
        'sms-outbox.sealed': 'v1:q8Zt0Lw123456Xv/Pm9Q==\nv1:Rk7a123456aZ\n',
        'hash.txt': 'f3a9123456bd',
        'sent.txt': '验证码123456，5分钟内有效',
        'query.txt': 'code=123456&x=1',
        'path.txt': '/codes/123456/verify',
      },
      [{ kind: 'code', value: '123456' }],
    );
    expect(hits.map((hit) => hit.replace(/^.*\/data\//, '')).sort()).toEqual([
      'path.txt: code at byte 7',
      'query.txt: code at byte 5',
      'sent.txt: code at byte 9',
    ]);
  });

  it('keeps a copy of each file it found a secret in, for whoever reads the failure', async () => {
    const { hits } = await run({ 'store/a.db': `{"p":"${password}"}` }, [{ kind: 'password', value: password }]);
    const file = hits[0]!.replace(/: .*$/, '');
    expect(existsSync(join(work, 'evidence', file))).toBe(true);
  });

  it('spares the token only in the host’s Open: line, and the keyring stand-in home', async () => {
    const { hits } = await run(
      {
        'host-1.log': `Open: http://127.0.0.1:4000/#token=${token}\nready`,
        'host-2.log': `Open: http://127.0.0.1:4001/#token=x\nrequest with ${token}`,
        'home/keyring': password,
      },
      [
        { kind: 'token', value: token },
        { kind: 'password', value: password },
      ],
    );
    expect(hits.map((hit) => hit.replace(/^.*\//, ''))).toEqual(['host-2.log: token at byte 13']);
  });

  it('deletes the folders, logs and the list after scanning', async () => {
    const { data, lists } = await run({ 'store/a.db': 'x', 'host-1.log': 'Open: x' }, [{ kind: 'password', value: password }]);
    expect(existsSync(data)).toBe(false);
    expect(existsSync(lists)).toBe(false);
  });
});
