// Covers electron/postgres/open.ts: where the organisation's server key comes from, and what is refused.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServerKey, serverKeyVariable } from '../../electron/postgres/open';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function keyFile(text: string, mode: number): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mailwarden-key-'));
  folders.push(folder);
  const file = join(folder, 'server.key');
  await writeFile(file, text, { mode });
  await chmod(file, mode);
  return file;
}

describe('loadServerKey', () => {
  const key = randomBytes(32);

  it('reads a key file only its owner can read, with or without a trailing newline', async () => {
    expect(Buffer.from(await loadServerKey({ file: await keyFile(`${key.toString('base64')}\n`, 0o600) }))).toEqual(key);
    expect(Buffer.from(await loadServerKey({ file: await keyFile(key.toString('base64'), 0o400) }))).toEqual(key);
  });

  it.runIf(process.platform !== 'win32')('refuses a key file other users can read, and says how to fix it', async () => {
    const file = await keyFile(key.toString('base64'), 0o644);
    await expect(loadServerKey({ file })).rejects.toThrow(/open to other users \(mode 644\); run: chmod 600/);
  });

  it('takes the key from the environment when no file is given; the file wins when both are', async () => {
    const env = { [serverKeyVariable]: key.toString('base64') };
    expect(Buffer.from(await loadServerKey({ env }))).toEqual(key);
    const other = randomBytes(32);
    expect(Buffer.from(await loadServerKey({ env, file: await keyFile(other.toString('base64'), 0o600) }))).toEqual(other);
  });

  it('refuses a key of the wrong size, text that is not base64, a missing file and no key at all, never echoing the text', async () => {
    await expect(loadServerKey({ env: { [serverKeyVariable]: randomBytes(16).toString('base64') } })).rejects.toThrow(
      /32 random bytes in base64 \(make one with: openssl rand -base64 32\)/,
    );
    const notKey = `${key.toString('base64').slice(0, 40)}!!${key.toString('base64').slice(42)}`;
    const error = (await loadServerKey({ env: { [serverKeyVariable]: notKey } }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/32 random bytes/);
    expect(error.message).not.toContain(notKey.slice(0, 20));
    await expect(loadServerKey({ file: '/nonexistent/server.key' })).rejects.toThrow(/cannot be read \(ENOENT\)/);
    await expect(loadServerKey({ env: {} })).rejects.toThrow(/no server key: give --server-key-file FILE or set MAILWARDEN_SERVER_KEY/);
  });
});
