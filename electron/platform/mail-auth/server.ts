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
  /** A connection that sends nothing for this long is closed; 10 s by default. */
  readonly idleTimeoutMs?: number;
  /** Connections beyond this are refused at once; 64 by default. */
  readonly maxConnections?: number;
}

export interface MailAuthServer {
  readonly socketPath: string;
  /** Stops accepting, lets questions already asked finish, closes every connection, removes the socket. */
  close(): Promise<void>;
}

export class MailAuthSocketError extends Error {
  override readonly name = 'MailAuthSocketError';
}

type ErrorAnswer = { readonly error: 'bad-request' | 'too-long' | 'internal' };

const RequestSchema = v.object({
  address: v.pipe(v.string(), v.maxLength(320)),
  secret: v.string(),
  protocol: v.picklist(mailProtocols),
  clientAddress: v.pipe(v.string(), v.maxLength(128)),
});

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
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  if (Buffer.byteLength(socketPath) > socketPathMaxBytes) {
    throw new MailAuthSocketError(`socket path is longer than ${socketPathMaxBytes} bytes, the most a Unix socket address holds: ${socketPath}`);
  }
  await clearStaleSocket(socketPath);

  const connections = new Set<Socket>();
  const inFlight = new Set<Promise<unknown>>();

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
      logger.warn('mail-auth request refused', { problem: 'invalid', fields: [...new Set(parsed.issues.map((issue) => v.getDotPath(issue) ?? '(top level)'))] });
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

  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let busy = 0;
    let queue: Promise<void> = Promise.resolve();
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      if (busy === 0 && !socket.destroyed) idle = setTimeout(() => socket.destroy(), idleTimeoutMs);
    };
    socket.on('close', () => clearTimeout(idle));

    const ask = (line: string) => {
      busy += 1;
      clearTimeout(idle);
      // Answers go out in the order the questions came, one at a time per connection.
      const work = queue.then(async () => {
        const response = await answer(line);
        if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
      });
      queue = work;
      inFlight.add(work);
      void work.finally(() => {
        inFlight.delete(work);
        busy -= 1;
        armIdle();
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
          void queue.then(() => {
            socket.end(`${JSON.stringify({ error: 'too-long' } satisfies ErrorAnswer)}\n`);
            // A peer that never closes its side is dropped like an idle one.
            armIdle();
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
      armIdle();
    };
    socket.on('data', onData);
    armIdle();
  });
  server.maxConnections = options.maxConnections ?? 64;

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
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...inFlight]);
        for (const socket of connections) socket.destroy();
        await stopped;
      })();
      return closing;
    },
  };
}
