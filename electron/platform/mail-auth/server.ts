/**
 * The mail-auth socket of `mailwarden serve`: a mail server's checkpassword program (or any other
 * bridge on this machine) asks whether a login may pass, and the backend answers with
 * `verifyMailLogin`. One JSON line per question and per answer; the format is described in
 * client.ts. The socket is a Unix socket of mode 0600: whoever can connect can try passwords, so
 * only the user serve runs as (the mail server's auth user) may.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import * as v from 'valibot';
import type { MailLoginRequest, MailLoginResult } from '../../core/mail-login';
import { normalizeAddress } from '../../core/mailbox';
import type { Logger } from '../../core/ports';
import { mailProtocols } from '../../shared/client-password-rules';
import { mailAuthMaxLineBytes, type MailAuthAnswer } from './client';

export interface MailAuthServerOptions {
  readonly socketPath: string;
  readonly verify: (request: MailLoginRequest) => Promise<MailLoginResult>;
  readonly logger: Logger;
  /**
   * A connection must deliver a whole request line this long after it opened or after its last
   * answer, or it is closed: a client that connects and says nothing (or half a line) holds a
   * slot for this long at most. 2 s by default; a checkpassword program sends its line at once.
   */
  readonly requestTimeoutMs?: number;
  /** Connections beyond this are answered {"error":"busy"} and closed; 1024 by default. */
  readonly maxConnections?: number;
  /** The timers the request timeout runs on; tests pass their own. */
  readonly timers?: MailAuthTimers;
}

interface MailAuthTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemTimers: MailAuthTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface MailAuthServer {
  readonly socketPath: string;
  /** Connections held open now, the refused ones not counted. */
  connectionCount(): Promise<number>;
  /** Stops accepting, lets questions already asked finish, closes every connection, removes the socket. */
  close(): Promise<void>;
}

/** @internal */
export class MailAuthSocketError extends Error {
  override readonly name = 'MailAuthSocketError';
}

type ErrorAnswer = { readonly error: 'bad-request' | 'too-long' | 'internal' | 'busy' };

const RequestSchema = v.object({
  address: v.pipe(v.string(), v.maxLength(320)),
  secret: v.string(),
  protocol: v.picklist(mailProtocols),
  clientAddress: v.pipe(v.string(), v.maxLength(128)),
});

/** Questions of one connection checked at the same time; reading pauses beyond this. */
const maxQuestionsPerConnection = 16;

/** sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included. */
const socketPathMaxBytes = process.platform === 'darwin' ? 103 : 107;

/**
 * A socket file left by a serve that was killed is removed; one that still answers belongs to a
 * running serve and is left alone, and so is anything that is not a socket.
 */
async function clearStaleSocket(path: string): Promise<void> {
  let info;
  try {
    info = await lstat(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw cause;
  }
  if (!info.isSocket()) throw new MailAuthSocketError(`${path} exists and is not a socket; not replacing it`);
  const probe = await new Promise<string | null>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (cause: NodeJS.ErrnoException) => resolve(cause.code ?? 'error'));
  });
  if (probe === null) throw new MailAuthSocketError(`another process already answers on ${path}`);
  if (probe !== 'ECONNREFUSED') throw new MailAuthSocketError(`cannot check the existing socket ${path}: ${probe}`);
  await unlink(path);
}

export async function startMailAuthServer(options: MailAuthServerOptions): Promise<MailAuthServer> {
  const { socketPath, logger } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 2_000;
  const maxConnections = options.maxConnections ?? 1024;
  const timers = options.timers ?? systemTimers;
  if (Buffer.byteLength(socketPath) > socketPathMaxBytes) {
    throw new MailAuthSocketError(`socket path is longer than ${socketPathMaxBytes} bytes, the most a Unix socket address holds: ${socketPath}`);
  }
  await clearStaleSocket(socketPath);

  /** Connections being served; refused ones live in `refused` until they are gone. */
  const connections = new Set<Socket>();
  const refused = new Set<Socket>();
  const inFlight = new Set<Promise<unknown>>();
  /** One warning per crowd, not one per refused connection. */
  let warnedBusy = false;

  async function answer(line: string): Promise<MailAuthAnswer | ErrorAnswer> {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      // Never the parser's message: V8 quotes the text around the fault, the password included.
      logger.warn('mail-auth request refused', { problem: 'not-json' });
      return { error: 'bad-request' };
    }
    const parsed = v.safeParse(RequestSchema, json);
    if (!parsed.success) {
      logger.warn('mail-auth request refused', {
        problem: 'invalid',
        fields: [...new Set(parsed.issues.map((issue) => v.getDotPath(issue) ?? '(top level)'))],
      });
      return { error: 'bad-request' };
    }
    try {
      const result = await options.verify(parsed.output);
      return result.ok ? { ok: true, via: result.via, address: normalizeAddress(parsed.output.address) } : { ok: false, reason: result.reason };
    } catch (cause) {
      logger.error('mail-auth check failed', { error: cause instanceof Error ? `${cause.name}: ${cause.message}` : 'unknown' });
      return { error: 'internal' };
    }
  }

  /** A connection beyond the cap: told so in one line, so the checkpassword program says "try later" at once. */
  function refuse(socket: Socket): void {
    refused.add(socket);
    socket.on('error', () => socket.destroy());
    socket.resume();
    const gone = timers.setTimeout(() => socket.destroy(), requestTimeoutMs);
    socket.on('close', () => {
      refused.delete(socket);
      timers.clearTimeout(gone);
    });
    socket.end(`${JSON.stringify({ error: 'busy' } satisfies ErrorAnswer)}\n`);
    if (!warnedBusy) {
      warnedBusy = true;
      logger.warn('mail-auth connection refused', { problem: 'busy', limit: maxConnections });
    }
  }

  const server = createServer((socket) => {
    if (connections.size >= maxConnections) return refuse(socket);
    if (connections.size === 0) warnedBusy = false;
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let busy = 0;
    /** The last answer's write: answers go out in the order the questions came. */
    let written: Promise<void> = Promise.resolve();
    let deadline: unknown;
    const stopDeadline = () => {
      if (deadline !== undefined) timers.clearTimeout(deadline);
      deadline = undefined;
    };
    /** While no question is being checked, the peer has requestTimeoutMs for its next whole line. */
    const armDeadline = () => {
      stopDeadline();
      if (busy === 0 && !socket.destroyed) deadline = timers.setTimeout(() => socket.destroy(), requestTimeoutMs);
    };
    socket.on('close', stopDeadline);

    const ask = (line: string) => {
      busy += 1;
      stopDeadline();
      // A client that pipelines many questions waits for some answers before more are read.
      if (busy >= maxQuestionsPerConnection) socket.pause();
      // Checked at once, side by side with the connection's other questions; written in order.
      const response = answer(line);
      const work = written.then(async () => {
        const text = JSON.stringify(await response);
        if (!socket.destroyed) socket.write(`${text}\n`);
      });
      written = work;
      inFlight.add(work);
      void work.finally(() => {
        inFlight.delete(work);
        busy -= 1;
        if (busy < maxQuestionsPerConnection && !socket.destroyed) socket.resume();
        armDeadline();
      });
    };

    const onData = (chunk: Buffer) => {
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        const part = chunk.subarray(start, newline === -1 ? chunk.length : newline);
        pendingBytes += part.length;
        if (pendingBytes > mailAuthMaxLineBytes) {
          logger.warn('mail-auth request refused', { problem: 'too-long' });
          socket.off('data', onData);
          void written.then(() => {
            socket.end(`${JSON.stringify({ error: 'too-long' } satisfies ErrorAnswer)}\n`);
            // A peer that never closes its side is dropped like a silent one.
            armDeadline();
          });
          return;
        }
        pending.push(part);
        if (newline === -1) break;
        const line = Buffer.concat(pending).toString('utf8').replace(/\r$/, '');
        pending = [];
        pendingBytes = 0;
        ask(line);
        start = newline + 1;
      }
    };
    socket.on('data', onData);
    armDeadline();
  });
  // A backstop only: past the cap, connections are answered "busy" above and close at once.
  server.maxConnections = maxConnections * 2;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // bind() happens synchronously inside listen(), so a umask set around it gives the socket
    // mode 0600 from its first moment; the chmod after it covers a worker thread, where
    // process.umask cannot be changed.
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {
      previous = undefined;
    }
    try {
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  if (process.platform !== 'win32') await chmod(socketPath, 0o600);
  server.on('error', (cause) => logger.error('mail-auth socket error', { error: cause.message }));

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    connectionCount: async () => connections.size,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...inFlight]);
        for (const socket of [...connections, ...refused]) socket.destroy();
        await stopped;
      })();
      return closing;
    },
  };
}
