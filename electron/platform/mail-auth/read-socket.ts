/**
 * Reading a bounded message off a socket within a deadline, as both ends of a mail login do:
 * checkpassword.ts reads Dovecot's credentials to their end, client.ts the bridge's one-line
 * answer. Node built-ins only, like both of its callers (each login starts a process).
 */
import type { Socket } from 'node:net';

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
