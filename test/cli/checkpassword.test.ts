// Covers electron/cli/checkpassword.ts, the program Dovecot runs for each login: bundled the way
// the build ships it and run as its own process, with the credentials on fd 3, a recording reply
// program, and a mail-auth socket answered by a stand-in for verifyMailLogin.
import { spawn } from 'node:child_process';
import { chmod, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailLoginRequest, MailLoginResult } from '../../electron/core/mail-login';
import { startMailAuthServer, type MailAuthServer } from '../../electron/platform/mail-auth/server';
import { bundleForNode, projectRoot, recordingLogger, removeFolder, tempFolder } from '../factories/store';

const secret = 'abcdefghijkmnpqr';

let work: string;
let program: string;
let replyScript: string;
let server: MailAuthServer | undefined;
let socketPath: string;
let asked: MailLoginRequest[];
let verify: (request: MailLoginRequest) => Promise<MailLoginResult>;
let case_ = 0;

beforeAll(async () => {
  work = await tempFolder('checkpassword');
  program = await bundleForNode(join(projectRoot, 'electron/cli/checkpassword.ts'), join(work, 'bundle'));
  // Stands in for Dovecot's checkpassword-reply: records what it was given, answers on fd 4.
  replyScript = join(work, 'reply.sh');
  await writeFile(replyScript, '#!/bin/sh\nenv > "$1"\nprintf "user=%s\\t" "$USER" >&4\nexit "${2:-0}"\n');
  await chmod(replyScript, 0o755);
}, 30_000);
afterAll(() => removeFolder(work));

beforeEach(async () => {
  asked = [];
  verify = async (r) => (r.secret === secret ? { ok: true, via: 'client-password', name: 'Foxmail' } : { ok: false, reason: 'wrong' });
  socketPath = join(work, `auth-${(case_ += 1)}.sock`);
  server = await startMailAuthServer({
    socketPath,
    logger: recordingLogger(),
    verify: (r) => {
      asked.push(r);
      return verify(r);
    },
  });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  /** What the reply program wrote on fd 4 (Dovecot's end). */
  readonly fd4: string;
  /** The reply program's environment, or null when it did not run. */
  readonly replyEnv: Record<string, string> | null;
}

/** Runs the program as Dovecot would: `program [args] reply record-file [exit]`, `input` on fd 3. */
async function run(input: Buffer | string, env: Record<string, string>, args: string[] = [`--socket=${socketPath}`], replyExit?: number): Promise<Run> {
  const inputFile = join(work, `input-${case_}`);
  const record = join(work, `record-${case_}`);
  await writeFile(inputFile, input);
  const fd3 = await open(inputFile, 'r');
  try {
    const child = spawn(process.execPath, [program, ...args, replyScript, record, ...(replyExit === undefined ? [] : [String(replyExit)])], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'ignore', 'pipe', fd3.fd, 'pipe'],
    });
    let stderr = '';
    let fd4 = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    (child.stdio[4] as Readable).setEncoding('utf8').on('data', (chunk: string) => (fd4 += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    const recorded = await readFile(record, 'utf8').catch(() => null);
    const replyEnv =
      recorded === null
        ? null
        : Object.fromEntries(
            recorded
              .split('\n')
              .filter(Boolean)
              .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
          );
    return { code, stderr, fd4, replyEnv };
  } finally {
    await fd3.close();
  }
}

const dovecotEnv = { SERVICE: 'imap', TCPREMOTEIP: '198.51.100.9', TCPLOCALIP: '127.0.0.1' };
const credentials = (user: string, password: string) => `${user}\0${password}\0\0`;

describe('checkpassword', () => {
  it('on an accepted login runs the reply program with USER set to the canonical address and fd 4 passed through, and exits with its code', async () => {
    const result = await run(credentials('Zhang.Wei@CSTNET.cn', secret), dovecotEnv);
    expect(result).toMatchObject({ code: 0, fd4: 'user=zhang.wei@cstnet.cn\t' });
    expect(result.replyEnv).toMatchObject({ USER: 'zhang.wei@cstnet.cn', SERVICE: 'imap', TCPREMOTEIP: '198.51.100.9' });
    expect(asked).toEqual([{ address: 'Zhang.Wei@CSTNET.cn', secret, protocol: 'imap', clientAddress: '198.51.100.9' }]);
    expect(result.stderr).toBe('');
  });

  it('passes the reply program’s own exit code on', async () => {
    expect((await run(credentials('a@b.cn', secret), dovecotEnv, undefined, 7)).code).toBe(7);
  });

  it('exits 1 on a refused login and does not run the reply program', async () => {
    const result = await run(credentials('a@b.cn', 'wrong password'), dovecotEnv);
    expect(result).toMatchObject({ code: 1, replyEnv: null, fd4: '' });
    expect(result.stderr).not.toContain('wrong password');
  });

  it('maps Dovecot services to protocols: submission and smtp are SMTP, pop3 is POP3', async () => {
    await run(credentials('a@b.cn', secret), { ...dovecotEnv, SERVICE: 'submission' });
    await run(credentials('a@b.cn', secret), { ...dovecotEnv, SERVICE: 'smtp' });
    await run(credentials('a@b.cn', secret), { ...dovecotEnv, SERVICE: 'pop3' });
    expect(asked.map((r) => r.protocol)).toEqual(['smtp', 'smtp', 'pop3']);
  });

  it('takes the socket from MAILWARDEN_AUTH_SOCKET when no --socket is given', async () => {
    expect((await run(credentials('a@b.cn', secret), { ...dovecotEnv, MAILWARDEN_AUTH_SOCKET: socketPath }, [])).code).toBe(0);
  });

  it.each([
    ['no NUL at all', 'a@b.cn'],
    ['only the username', 'a@b.cn\0'],
    ['a password that is not UTF-8', Buffer.concat([Buffer.from('a@b.cn\0'), Buffer.from([0xff, 0xfe]), Buffer.from('\0\0')])],
    ['more than 4096 bytes', `a@b.cn\0${'x'.repeat(5_000)}\0\0`],
  ])('exits 111 on malformed input on fd 3 (%s), asking nobody', async (_label, input) => {
    const result = await run(input, dovecotEnv);
    expect(result).toMatchObject({ code: 111, replyEnv: null });
    expect(result.stderr).toMatch(/temporary failure: (malformed credentials|more than 4096 bytes)/);
    expect(asked).toEqual([]);
  });

  it('exits 111 when nothing answers on the socket', async () => {
    await server!.close();
    server = undefined;
    const result = await run(credentials('a@b.cn', secret), dovecotEnv);
    expect(result).toMatchObject({ code: 111, replyEnv: null });
    expect(result.stderr).toContain('no-server');
    expect(result.stderr).not.toContain(secret);
  });

  it('exits 111 when the bridge cannot check (its store failed)', async () => {
    verify = async () => {
      throw new Error('store unreadable');
    };
    expect(await run(credentials('a@b.cn', secret), dovecotEnv)).toMatchObject({ code: 111, replyEnv: null });
  });

  it.each([
    ['no socket configured', dovecotEnv, []],
    ['an unknown service', { ...dovecotEnv, SERVICE: 'sieve' }, undefined],
    ['no service', { TCPREMOTEIP: '198.51.100.9' }, undefined],
    ['a lookup without a password (AUTHORIZED=1)', { ...dovecotEnv, AUTHORIZED: '1' }, undefined],
    ['an unknown option', dovecotEnv, ['--frobnicate']],
  ] as const)('exits 111 on %s, asking nobody', async (_label, env, args) => {
    const result = await run(credentials('a@b.cn', secret), { ...env }, args === undefined ? undefined : [...args]);
    expect(result).toMatchObject({ code: 111, replyEnv: null });
    expect(result.stderr).toMatch(/^mailwarden-checkpassword: temporary failure: /);
    expect(asked).toEqual([]);
  });

  /** Runs the program with fd 3 a pipe from this process: `feed` gets its writing end. */
  async function runWithPipe(args: string[], feed: (fd3: Writable) => void): Promise<{ code: number | null; stderr: string }> {
    const record = join(work, `record-pipe-${case_}`);
    const child = spawn(process.execPath, [program, `--socket=${socketPath}`, ...args, replyScript, record], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...dovecotEnv },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const fd3 = child.stdio[3] as Writable;
    fd3.on('error', () => undefined);
    feed(fd3);
    // Only so a program that never ends does not outlive the test run; the test asserts the code.
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(killer);
    fd3.destroy();
    return { code, stderr };
  }

  it('reads the credentials from a pipe on fd 3, as Dovecot passes them', async () => {
    const result = await runWithPipe([], (fd3) => fd3.end(credentials('a@b.cn', secret)));
    expect(result).toEqual({ code: 0, stderr: '' });
    expect(asked).toHaveLength(1);
  });

  it('exits 111 when fd 3 stays open and silent past --input-timeout-ms, asking nobody', async () => {
    const result = await runWithPipe(['--input-timeout-ms=200'], () => undefined);
    expect(result.code).toBe(111);
    expect(result.stderr).toBe('mailwarden-checkpassword: temporary failure: no credentials on fd 3 within 200 ms\n');
    expect(asked).toEqual([]);
  }, 40_000);

  it('exits 111 when fd 3 sends part of the credentials and then stalls past the deadline', async () => {
    const result = await runWithPipe(['--input-timeout-ms', '200'], (fd3) => fd3.write('a@b.cn\0'));
    expect(result.code).toBe(111);
    expect(result.stderr).toContain('no credentials on fd 3 within 200 ms');
    expect(asked).toEqual([]);
  }, 40_000);

  it.each([['--input-timeout-ms=0'], ['--input-timeout-ms=soon'], ['--input-timeout-ms']])(
    'exits 111 on a bad input deadline (%s), asking nobody',
    async (option) => {
      const result = await runWithPipe([option], (fd3) => fd3.end(credentials('a@b.cn', secret)));
      expect(result.code).toBe(111);
      expect(result.stderr).toMatch(/^mailwarden-checkpassword: temporary failure: /);
      expect(asked).toEqual([]);
    },
  );

  it('exits 111 when the reply program cannot be run', async () => {
    const inputFile = join(work, 'input-missing-reply');
    await writeFile(inputFile, credentials('a@b.cn', secret));
    const fd3 = await open(inputFile, 'r');
    const child = spawn(process.execPath, [program, `--socket=${socketPath}`, join(work, 'no-such-reply')], {
      env: dovecotEnv,
      stdio: ['ignore', 'ignore', 'pipe', fd3.fd, 'pipe'],
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    await fd3.close();
    expect(code).toBe(111);
  });
});
