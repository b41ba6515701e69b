/**
 * Postfix's question "which logins may send as this address?", answered over the socketmap
 * protocol (socketmap_table(5)): Postfix's smtpd_sender_login_maps with
 * reject_sender_login_mismatch then refuses a MAIL FROM the logged-in user does not own. The
 * answer comes from the grants (core/grants.ts `senderLogins`): the mailbox itself, and each
 * colleague it shares with at send-on-behalf or send-as; read-only may not.
 *
 * Each request and reply is a netstring, `<length>:<bytes>,`; a request is `<map name> <key>`,
 * a reply `OK <logins>`, `NOTFOUND `, `TEMP <reason>` or `PERM <reason>`. Postfix keeps the
 * connection for more requests. Listens on loopback only: the answer lists who may send as whom.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../core/ports';
import { listenOn, type ListeningEndpoint } from './listen';
import { isLoopbackAddress } from '../http/safe-request';

export interface SenderMapOptions {
  readonly host: string;
  readonly port: number;
  /** The map name Postfix sends (`socketmap:inet:127.0.0.1:PORT:<name>`). */
  readonly name?: string;
  readonly lookup: (sender: string) => Promise<readonly string[] | null>;
  readonly logger: Logger;
  /** Idle connections are closed after this; Postfix reconnects when it needs to. */
  readonly idleMs?: number;
}

export type SenderMap = ListeningEndpoint;

/** Postfix's own socketmap limit on a request is 100,000 bytes; a sender address is far shorter. */
const maxRequestBytes = 1024;

/** @internal */
export function netstring(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

/**
 * The first complete netstring in `buffer`: its text and the bytes after it; null while incomplete; 'bad' when malformed.
 * @internal
 */
export function readNetstring(buffer: Buffer): { text: string; rest: Buffer } | null | 'bad' {
  const colon = buffer.indexOf(0x3a);
  if (colon === -1) return buffer.length > 6 || !/^\d*$/.test(buffer.toString('latin1')) ? 'bad' : null;
  const digits = buffer.subarray(0, colon).toString('latin1');
  if (!/^\d{1,6}$/.test(digits)) return 'bad';
  const length = Number(digits);
  if (length > maxRequestBytes) return 'bad';
  if (buffer.length < colon + 1 + length + 1) return null;
  if (buffer[colon + 1 + length] !== 0x2c) return 'bad';
  return { text: buffer.subarray(colon + 1, colon + 1 + length).toString('utf8'), rest: buffer.subarray(colon + 2 + length) };
}

export async function startSenderMap(options: SenderMapOptions): Promise<SenderMap> {
  if (!isLoopbackAddress(options.host)) throw new Error(`the sender map listens on loopback only, not ${options.host}`);
  const name = options.name ?? 'senders';
  const sockets = new Set<Socket>();

  async function answer(request: string): Promise<string> {
    const space = request.indexOf(' ');
    if (space === -1 || request.slice(0, space) !== name) return 'PERM unknown map';
    const key = request.slice(space + 1).trim();
    if (key === '' || key.length > 320 || /[\s,]/.test(key)) return 'NOTFOUND ';
    try {
      const logins = await options.lookup(key);
      return logins && logins.length > 0 ? `OK ${logins.join(', ')}` : 'NOTFOUND ';
    } catch (cause) {
      options.logger.error('sender map lookup failed', { error: cause instanceof Error ? cause.name : typeof cause });
      // Postfix defers the message: better late than sent by the wrong person.
      return 'TEMP lookup failed';
    }
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(options.idleMs ?? 60_000, () => socket.destroy());
    if (!isLoopbackAddress(socket.remoteAddress)) {
      socket.destroy();
      return;
    }
    let pending: Buffer = Buffer.alloc(0);
    let busy = false;
    const drain = async () => {
      if (busy) return;
      busy = true;
      try {
        for (;;) {
          const read = readNetstring(pending);
          if (read === null) return;
          if (read === 'bad') {
            socket.destroy();
            return;
          }
          pending = read.rest;
          const reply = await answer(read.text);
          if (socket.destroyed) return;
          socket.write(netstring(reply));
        }
      } finally {
        busy = false;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // Requests queued faster than they are answered, beyond any honest pipeline: cut off.
      if (pending.length > 64 * 1024) {
        socket.destroy();
        return;
      }
      void drain();
    });
  });
  const port = await listenOn(server, options.host, options.port);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
