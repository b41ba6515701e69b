// Covers electron/platform/mail-auth/server.ts and client.ts: the socket `mailwarden serve`
// answers on, against a stand-in for verifyMailLogin, over a real Unix socket.
import { lstat, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MailLoginRequest, MailLoginResult } from '../../../electron/core/mail-login';
import { askMailAuth, mailAuthMaxLineBytes, MailAuthUnavailableError, type MailAuthRequest } from '../../../electron/platform/mail-auth/client';
import { MailAuthSocketError, startMailAuthServer, type MailAuthServer, type MailAuthServerOptions } from '../../../electron/platform/mail-auth/server';
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
  for (const socket of openSockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
  for (const s of extraServers.splice(0)) {
    for (const socket of (s as Server & { sockets: Set<Socket> }).sockets) socket.destroy();
    await new Promise((resolve) => s.close(resolve));
  }
  await removeFolder(work);
});

async function start(options: Partial<Pick<MailAuthServerOptions, 'requestTimeoutMs' | 'maxConnections' | 'timers'>> = {}): Promise<MailAuthServer> {
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

/** A client connection that sends nothing unless told; closed after each test. */
const openSockets: Socket[] = [];
async function openSocket(): Promise<{ socket: Socket; closed: () => boolean }> {
  const socket = connect(socketPath);
  openSockets.push(socket);
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closed: () => closed };
}

/** How many connections the server holds, as its own status says. */
function connectionCount(): Promise<number> {
  return server!.connectionCount();
}

/** Timers that fire only when the test advances them. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  return {
    setTimeout: (run: () => void, ms: number) => {
      const id = next++;
      due.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (id: unknown) => {
      due.delete(id as number);
    },
    pending: () => due.size,
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...due]) {
        if (timer.at <= now && due.delete(id)) timer.run();
      }
    },
  };
}

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

  it('closes a connection that sends no whole request within the request timeout, and not before', async () => {
    const timers = manualTimers();
    await start({ requestTimeoutMs: 2_000, timers });
    const silent = await openSocket();
    const partial = await openSocket();
    partial.socket.write('{"address":"a@b.cn","secret":"');
    await vi.waitFor(() => expect(timers.pending()).toBe(2), { interval: 5, timeout: 2_000 });
    timers.advance(1_999);
    // A timer re-armed by the partial line would not be due yet either way.
    expect(silent.closed()).toBe(false);
    expect(partial.closed()).toBe(false);
    timers.advance(1);
    await vi.waitFor(() => expect([silent.closed(), partial.closed()]).toEqual([true, true]), { timeout: 2_000 });
  });

  it('still answers a login promptly while 64 idle connections hold the socket open', async () => {
    await start();
    const idle = await Promise.all(Array.from({ length: 64 }, () => openSocket()));
    // The server accepts in the order clients connected: all 64 are its before the login is.
    expect(await askMailAuth(socketPath, request, { timeoutMs: 5_000 })).toEqual({ ok: true, via: 'client-password', address: 'zhang.wei@cstnet.cn' });
    expect(idle.some((connection) => connection.closed())).toBe(false);
  });

  it('answers "busy" to a connection beyond the cap, and serves again once one closes', async () => {
    await start({ maxConnections: 3 });
    const held = await Promise.all(Array.from({ length: 3 }, () => openSocket()));
    await vi.waitFor(async () => expect(await connectionCount()).toBe(3), { interval: 10, timeout: 5_000 });
    const extra = await exchange(`${JSON.stringify(request)}\n`);
    expect(extra).toEqual({ lines: ['{"error":"busy"}'], closed: true });
    const refused = await askMailAuth(socketPath, request, { timeoutMs: 5_000 }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ failure: 'server-error', message: expect.stringContaining('busy') });
    expect(asked).toEqual([]);
    expect(logger.lines).toContainEqual({ level: 'warn', message: 'mail-auth connection refused', fields: { problem: 'busy', limit: 3 } });
    held[0]!.socket.destroy();
    await vi.waitFor(async () => expect(await connectionCount()).toBe(2), { interval: 10, timeout: 5_000 });
    expect(await askMailAuth(socketPath, request, { timeoutMs: 5_000 })).toMatchObject({ ok: true });
  });

  it('checks questions from one connection at once and still answers them in order', async () => {
    const releases: Array<() => void> = [];
    verify = (r) =>
      new Promise((resolve) => releases.push(() => resolve(r.secret === secret ? { ok: true, via: 'client-password' } : { ok: false, reason: 'wrong' })));
    await start();
    const answered = exchange(`${JSON.stringify(request)}\n${JSON.stringify({ ...request, secret: 'other' })}\n`, 2);
    // Both checks run before either finishes.
    await vi.waitFor(() => expect(asked).toHaveLength(2), { timeout: 2_000 });
    releases[1]!();
    releases[0]!();
    expect((await answered).lines.map((line) => JSON.parse(line))).toEqual([
      { ok: true, via: 'client-password', address: 'zhang.wei@cstnet.cn' },
      { ok: false, reason: 'wrong' },
    ]);
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
