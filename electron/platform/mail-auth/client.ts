/**
 * Asks the mail-auth socket of `mailwarden serve` one question. The checkpassword program runs
 * once per login, so this file imports node built-ins only and nothing of the backend: each
 * login starts a fresh `node` and must not load the store, valibot or the core.
 *
 * Protocol (one JSON line each way, UTF-8):
 *   → {"address","secret","protocol":"imap"|"smtp"|"pop3","clientAddress"}
 *   ← {"ok":true,"via":"main-password"|"client-password","address":<the mailbox's canonical address>}
 *   ← {"ok":false,"reason":"unknown"|"main-password-with-2fa"|"wrong"|"out-of-scope"|"expired"|"locked"}
 *   ← {"error":"bad-request"|"too-long"|"internal"|"busy"} — the question could not be answered
 *     ("busy": the bridge holds as many connections as it takes; the line comes at once, unasked)
 */
import { connect, type Socket } from 'node:net';

export type MailAuthProtocol = 'imap' | 'smtp' | 'pop3';

export interface MailAuthRequest {
  readonly address: string;
  readonly secret: string;
  readonly protocol: MailAuthProtocol;
  readonly clientAddress: string;
}

export type MailAuthAnswer =
  { readonly ok: true; readonly via: 'main-password' | 'client-password'; readonly address: string } | { readonly ok: false; readonly reason: string };

/** Longer lines are refused by both ends: a request is an address and a password, an answer less. */
export const mailAuthMaxLineBytes = 8 * 1024;

/** @internal */
export type MailAuthFailure = 'no-server' | 'timeout' | 'bad-answer' | 'server-error';

/**
 * The bridge gave no usable answer: a mail server must say "try later", never yes or no.
 * @internal
 */
export class MailAuthUnavailableError extends Error {
  override readonly name = 'MailAuthUnavailableError';
  constructor(
    readonly failure: MailAuthFailure,
    detail: string,
  ) {
    super(`mail-auth bridge: ${failure} (${detail})`);
  }
}

function parseAnswer(line: string): MailAuthAnswer {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new MailAuthUnavailableError('bad-answer', 'not JSON');
  }
  const answer = value as Record<string, unknown> | null;
  if (typeof answer !== 'object' || answer === null) throw new MailAuthUnavailableError('bad-answer', 'not an object');
  if (typeof answer.error === 'string') throw new MailAuthUnavailableError('server-error', answer.error.slice(0, 40));
  if (
    answer.ok === true &&
    (answer.via === 'main-password' || answer.via === 'client-password') &&
    typeof answer.address === 'string' &&
    answer.address !== ''
  ) {
    return { ok: true, via: answer.via, address: answer.address };
  }
  if (answer.ok === false && typeof answer.reason === 'string') return { ok: false, reason: answer.reason };
  throw new MailAuthUnavailableError('bad-answer', 'unexpected shape');
}

// Reading a bounded message off a socket within a deadline, as both ends of a mail login do:
// checkpassword.ts reads Dovecot's credentials to their end, askMailAuth the bridge's one-line
// answer. Here, because checkpassword loads nothing else (test/architecture.test.ts).

/** Why a read stopped short: its deadline, its size limit, a socket error (its code), or an end before the line did. */
export class SocketReadError extends Error {
  override readonly name = 'SocketReadError';
  constructor(
    readonly reason: 'timeout' | 'too-long' | 'error' | 'closed',
    readonly code = '',
  ) {
    super(`socket read: ${reason}${code ? ` (${code})` : ''}`);
  }
}

/**
 * Resolves with what `socket` sends up to its first newline (`until: 'newline'`, the newline left
 * out) or its end (`until: 'end'`), at most `maxBytes`; the socket is destroyed either way.
 */
export function readSocket(socket: Socket, options: { until: 'newline' | 'end'; maxBytes: number; timeoutMs: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const fail = (reason: SocketReadError['reason'], code?: string) => finish(() => reject(new SocketReadError(reason, code)));
    const timer = setTimeout(() => fail('timeout'), options.timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      const newline = options.until === 'newline' ? chunk.indexOf(0x0a) : -1;
      const part = newline === -1 ? chunk : chunk.subarray(0, newline);
      chunks.push(part);
      length += part.length;
      if (length > options.maxBytes) return fail('too-long');
      if (newline !== -1) finish(() => resolve(Buffer.concat(chunks)));
    });
    if (options.until === 'end') socket.on('end', () => finish(() => resolve(Buffer.concat(chunks))));
    socket.on('error', (cause: NodeJS.ErrnoException) => fail('error', cause.code ?? ''));
    socket.on('close', () => fail('closed'));
  });
}

export async function askMailAuth(socketPath: string, request: MailAuthRequest, options: { timeoutMs: number }): Promise<MailAuthAnswer> {
  const socket = connect(socketPath);
  socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
  let line: Buffer;
  try {
    line = await readSocket(socket, { until: 'newline', maxBytes: mailAuthMaxLineBytes, timeoutMs: options.timeoutMs });
  } catch (cause) {
    const reason = cause instanceof SocketReadError ? cause.reason : 'error';
    if (reason === 'timeout') throw new MailAuthUnavailableError('timeout', `no answer within ${options.timeoutMs} ms`);
    if (reason === 'too-long') throw new MailAuthUnavailableError('bad-answer', 'answer too long');
    if (reason === 'closed') throw new MailAuthUnavailableError('no-server', 'closed without an answer');
    // Only the error code: a message is never built from the request, but keep it that way.
    throw new MailAuthUnavailableError('no-server', (cause instanceof SocketReadError && cause.code) || 'socket error');
  }
  return parseAnswer(line.toString('utf8'));
}
