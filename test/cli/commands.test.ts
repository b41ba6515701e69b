// Covers electron/cli/commands.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/commands';
import { version } from '../../package.json';

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

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
      expect(JSON.parse(out)).toMatchObject({ productName: 'Mailwarden', version, dataDir: dir, backend: 'embedded', shell: 'cli', policySource: 'defaults' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown command or a bad flag with exit 2 on stderr', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toContain("unknown command 'frobnicate'");
    const badPort = await run(['info', '--port', 'x']);
    expect(badPort.code).toBe(2);
    expect(badPort.err).toContain('--port');
  });

  it('prints usage with exit 2 when no command is given', async () => {
    const { code, err } = await run([]);
    expect(code).toBe(2);
    expect(err).toMatch(/^Usage:/);
  });
});
