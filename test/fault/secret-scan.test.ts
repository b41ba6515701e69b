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
  const targets = [{ kind: 'data-folder', path: data }, ...Object.keys(files).filter((n) => n.endsWith('.log')).map((n) => ({ kind: 'host-log', path: join(lists, n) }))];
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
    expect(hits.map((hit) => hit.replace(/^.*\/data\//, ''))).toEqual(['store/a.db: password', 'store/b.db: seed', 'store/c.db: password']);
    expect(hits.join('\n')).not.toContain(password);
  });

  it('finds a six-digit code standing alone, not inside a longer number', async () => {
    const { hits } = await run({ 'outbox.json': '{"at":1795424123456}', 'log.txt': 'code 123456 sent' }, [{ kind: 'code', value: '123456' }]);
    expect(hits.map((hit) => hit.replace(/^.*\/data\//, ''))).toEqual(['log.txt: code']);
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
    expect(hits.map((hit) => hit.replace(/^.*\//, ''))).toEqual(['host-2.log: token']);
  });

  it('deletes the folders, logs and the list after scanning', async () => {
    const { data, lists } = await run({ 'store/a.db': 'x', 'host-1.log': 'Open: x' }, [{ kind: 'password', value: password }]);
    expect(existsSync(data)).toBe(false);
    expect(existsSync(lists)).toBe(false);
  });
});
