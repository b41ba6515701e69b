// Covers electron/platform/mail-auth/server.ts and client.ts: the socket `mailwarden serve`
// answers on, against a stand-in for verifyMailLogin, over a real Unix socket.
import { lstat, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MailLoginRequest, MailLoginResult } from '../../../electron/core/mail-login';
import { askMailAuth, mailAuthMaxLineBytes, MailAuthUnavailableError, type MailAuthRequest } from '../../../electron/platform/mail-auth/client';
import { MailAuthSocketError, startMailAuthServer, type MailAuthServer } from '../../../electron/platform/mail-auth/server';
import { recordingLogger, removeFolder, tempFolder } from '../../factories/store';

const secret = 'abcd efgh ijkm npqr';
const request: MailAuthRequest = { address: ' Zhang.Wei@CSTNET.cn ', secret, protocol: 'imap', clientAddress: '192.0.2.7' };

let work: string;
let socketPath: string;
let logger: ReturnType<typeof recordingLogger>;
let asked: MailLoginRequest[];
let verify: (request: MailLoginRequest) => Promise<MailLoginResult>;
let server: MailAuthServer | undefined;
const extraServers: Server[] = [];

/** A plain socket server on `socketPath`, standing in for another process; closed after each test. */
async function otherServer(onConnection: (socket: Socket) => void): Promise<void> {
  const sockets = new Set<Socket>();
  const other = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  (other as Server & { sockets?: Set<Socket> }).sockets = sockets;
  extraServers.push(other);
  await new Promise<void>((resolve) => other.listen(socketPath, resolve));
}

beforeEach(async () => {
  work = await tempFolder('mail-auth');
  socketPath = join(work, 'mail-auth.sock');
  logger = recordingLogger();
  asked = [];
  verify = async (r) => (r.secret === secret ? { ok: true, via: 'client-password', name: 'Foxmail' } : { ok: false, reason: 'wrong' });
});
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
  for (const s of extraServers.splice(0)) {
    for (const socket of (s as Server & { sockets: Set<Socket> }).sockets) socket.destroy();
    await new Promise((resolve) => s.close(resolve));
  }
  await removeFolder(work);
});

async function start(options: { idleTimeoutMs?: number } = {}): Promise<MailAuthServer> {
  server = await startMailAuthServer({
    socketPath,
    logger,
    verify: (r) => {
      asked.push(r);
      return verify(r);
    },
    ...options,
  });
  return server;
}

/** Writes raw bytes and collects every line the server sends until it closes the connection or `lines` arrived. */
function exchange(payload: string | Buffer, lines = Infinity): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({ lines: text.split('\n').filter(Boolean), closed });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.split('\n').length - 1 >= lines) done(false);
    });
    socket.on('close', () => done(true));
    socket.on('error', reject);
    socket.write(payload);
  });
}

const everyLogLine = () => JSON.stringify(logger.lines);

describe('the mail-auth socket', () => {
  it('answers a login that passes with how it passed and the canonical address, and one that does not with the reason', async () => {
    await start();
    expect(await askMailAuth(socketPath, request, { timeoutMs: 5_000 })).toEqual({ ok: true, via: 'client-password', address: 'zhang.wei@cstnet.cn' });
    expect(await askMailAuth(socketPath, { ...request, secret: 'not it' }, { timeoutMs: 5_000 })).toEqual({ ok: false, reason: 'wrong' });
    expect(asked).toEqual([request, { ...request, secret: 'not it' }]);
    expect(everyLogLine()).not.toContain(secret);
  });

  it.skipIf(process.platform === 'win32')('creates the socket with mode 0600', async () => {
    await start();
    const info = await lstat(socketPath);
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('answers several questions on one connection in the order they came', async () => {
    verify = async (r) => {
      // The first answer takes longest; it must still come first.
      if (r.secret === secret) await new Promise((resolve) => setTimeout(resolve, 30));
      return r.secret === secret ? { ok: true, via: 'main-password' } : { ok: false, reason: 'main-password-with-2fa' };
    };
    await start();
    const payload = `${JSON.stringify(request)}\n${JSON.stringify({ ...request, secret: 'other' })}\r\n`;
    const { lines } = await exchange(payload, 2);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { ok: true, via: 'main-password', address: 'zhang.wei@cstnet.cn' },
      { ok: false, reason: 'main-password-with-2fa' },
    ]);
  });

  it('refuses a line that is not JSON without quoting it anywhere, and keeps the connection for the next', async () => {
    await start();
    const { lines } = await exchange(`{"address":"a@b.cn","secret":"${secret}",\n${JSON.stringify(request)}\n`, 2);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ error: 'bad-request' }, { ok: true, via: 'client-password', address: 'zhang.wei@cstnet.cn' }]);
    expect(logger.lines).toContainEqual({ level: 'warn', message: 'mail-auth request refused', fields: { problem: 'not-json' } });
    expect(everyLogLine()).not.toContain(secret);
  });

  it('refuses a request with a missing field or an unknown protocol, naming the field and not the values', async () => {
    await start();
    const { lines } = await exchange(`${JSON.stringify({ ...request, protocol: 'nntp' })}\n${JSON.stringify({ address: 'a@b.cn', secret })}\n`, 2);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ error: 'bad-request' }, { error: 'bad-request' }]);
    expect(logger.lines.map((line) => line.fields.fields)).toEqual([['protocol'], ['protocol', 'clientAddress']]);
    expect(asked).toEqual([]);
    expect(everyLogLine()).not.toContain(secret);
  });

  it(`answers "too-long" and hangs up on a line of more than ${mailAuthMaxLineBytes} bytes`, async () => {
    await start();
    const { lines, closed } = await exchange(Buffer.alloc(mailAuthMaxLineBytes + 1, 'x'));
    expect(lines).toEqual(['{"error":"too-long"}']);
    expect(closed).toBe(true);
    expect(asked).toEqual([]);
  });

  it('answers "internal" when the check throws, and the client reports the bridge as unavailable', async () => {
    verify = async () => {
      throw new Error('store unreadable');
    };
    await start();
    const failure = await askMailAuth(socketPath, request, { timeoutMs: 5_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MailAuthUnavailableError);
    expect(failure).toMatchObject({ failure: 'server-error' });
    expect(logger.lines).toContainEqual({ level: 'error', message: 'mail-auth check failed', fields: { error: 'Error: store unreadable' } });
  });

  it('closes a connection that stays silent for the idle timeout, and not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await start({ idleTimeoutMs: 10_000 });
    const socket = connect(socketPath);
    const closed = vi.fn();
    socket.on('close', closed);
    await new Promise((resolve) => socket.once('connect', resolve));
    // Let the server see the connection and arm its timer.
    await vi.waitFor(() => expect(vi.getTimerCount()).toBeGreaterThan(0), { interval: 5, timeout: 2_000 });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(closed).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    await vi.waitFor(() => expect(closed).toHaveBeenCalled(), { timeout: 2_000 });
  });

  it('replaces a socket file nobody answers on (a serve that was killed)', async () => {
    // A process that listens and is SIGKILLed leaves its socket file behind.
    const listener = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => listener.stdout.once('data', resolve));
    listener.kill('SIGKILL');
    await new Promise((resolve) => listener.once('close', resolve));
    expect((await lstat(socketPath)).isSocket()).toBe(true);
    await start();
    expect(await askMailAuth(socketPath, request, { timeoutMs: 5_000 })).toMatchObject({ ok: true });
  });

  it('refuses to start on a socket another process answers on, and leaves it working', async () => {
    await otherServer((socket) => socket.end('{"ok":false,"reason":"unknown"}\n'));
    await expect(start()).rejects.toThrow(new MailAuthSocketError(`another process already answers on ${socketPath}`));
    server = undefined;
    expect(await askMailAuth(socketPath, request, { timeoutMs: 5_000 })).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuses to replace a path that is not a socket', async () => {
    await writeFile(socketPath, 'someone else’s file');
    await expect(start()).rejects.toThrow(/exists and is not a socket/);
    server = undefined;
    expect(await readFile(socketPath, 'utf8')).toBe('someone else’s file');
  });

  it('refuses a socket path too long for a Unix socket address, with a clear message', async () => {
    const deep = join(work, 'x'.repeat(60), 'y'.repeat(60));
    await mkdir(deep, { recursive: true });
    socketPath = join(deep, 'mail-auth.sock');
    await expect(start()).rejects.toThrow(/socket path is longer than \d+ bytes/);
    server = undefined;
  });

  it('on close finishes the question in progress, then removes the socket; afterwards the client finds no server', async () => {
    let finish: () => void = () => undefined;
    verify = () => new Promise((resolve) => (finish = () => resolve({ ok: true, via: 'client-password' })));
    const running = await start();
    const pending = askMailAuth(socketPath, request, { timeoutMs: 5_000 });
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    const closing = running.close();
    finish();
    expect(await pending).toMatchObject({ ok: true });
    await closing;
    server = undefined;
    await expect(stat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(askMailAuth(socketPath, request, { timeoutMs: 5_000 })).rejects.toMatchObject({ failure: 'no-server' });
  });
});

describe('askMailAuth', () => {
  /** A socket that answers every connection with `reply`, or never when it is null. */
  async function fakeBridge(reply: string | null): Promise<void> {
    await otherServer((socket) => {
      if (reply !== null) socket.once('data', () => socket.end(reply));
    });
  }

  it('gives up after the timeout when the bridge accepts but never answers', async () => {
    await fakeBridge(null);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const outcome = vi.fn();
    const pending = askMailAuth(socketPath, request, { timeoutMs: 3_000 });
    pending.then(outcome, outcome);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(outcome).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).rejects.toMatchObject({ failure: 'timeout' });
  });

  it.each([
    ['not JSON', 'yes\n'],
    ['an answer of the wrong shape', '{"ok":true}\n'],
    ['an accepted login without the address', '{"ok":true,"via":"client-password"}\n'],
    ['a connection closed before a whole line', '{"ok":true,'],
  ])('treats %s as no answer, never as a yes or a no', async (_label, reply) => {
    await fakeBridge(reply);
    const failure = await askMailAuth(socketPath, request, { timeoutMs: 5_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MailAuthUnavailableError);
    expect((failure as Error).message).not.toContain(secret);
  });

  it('reports a missing socket as no server', async () => {
    await expect(askMailAuth(join(work, 'nothing-here.sock'), request, { timeoutMs: 5_000 })).rejects.toMatchObject({ failure: 'no-server' });
  });
});
