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
import { connect } from 'node:net';
import { readSocket, SocketReadError } from './read-socket';

export type MailAuthProtocol = 'imap' | 'smtp' | 'pop3';

export interface MailAuthRequest {
  readonly address: string;
  readonly secret: string;
  readonly protocol: MailAuthProtocol;
  readonly clientAddress: string;
}

export type MailAuthAnswer =
  | { readonly ok: true; readonly via: 'main-password' | 'client-password'; readonly address: string }
  | { readonly ok: false; readonly reason: string };

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
  if (answer.ok === true && (answer.via === 'main-password' || answer.via === 'client-password') && typeof answer.address === 'string' && answer.address !== '') {
    return { ok: true, via: answer.via, address: answer.address };
  }
  if (answer.ok === false && typeof answer.reason === 'string') return { ok: false, reason: answer.reason };
  throw new MailAuthUnavailableError('bad-answer', 'unexpected shape');
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
