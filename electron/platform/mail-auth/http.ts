/**
 * The mail-auth endpoint over loopback HTTP, for Dovecot's Lua passdb
 * (resources/dovecot/mailwarden-passdb.lua): Dovecot's long-lived auth workers ask it with
 * `dovecot.http.client`, so a login costs one loopback request instead of starting a
 * checkpassword program (a node process) each time. Postfix's submission authenticates through
 * Dovecot SASL, so SMTP logins take the same path.
 *
 * `POST /mail-login` with `Authorization: Bearer <token>` and a form body: `user`, `password`,
 * `service` (imap, pop3, smtp or submission) and `rip` (the client's address). The answer is plain
 * text a Lua script reads without a JSON library: `ok`, or `no <reason>` (unknown,
 * main-password-with-2fa, wrong, out-of-scope, expired, locked); anything else (401, 400, 413,
 * 503, 500) means "try again later" to Dovecot, never yes.
 *
 * Whoever can reach it can try passwords, like the Unix socket: it listens on loopback only and
 * wants the token from a file only the mail server's auth user may read.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { MailLoginRequest, MailLoginResult } from '../../core/mail-login';
import type { Logger } from '../../core/ports';
import { listenOn, type ListeningEndpoint } from './listen';
import type { MailProtocol } from '../../shared/client-password-rules';
import { bearerTokenOf, isLoopbackAddress, readBodyLimited, tokensEqual } from '../http/safe-request';
import { RefusalLog } from '../http/refusal-log';

export interface MailAuthHttpOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly verify: (request: MailLoginRequest) => Promise<MailLoginResult>;
  readonly logger: Logger;
  /** Questions answered at once; more are told 503 (Dovecot then answers "try again later"). */
  readonly maxInFlight?: number;
}

export type MailAuthHttp = ListeningEndpoint;

const maxBodyBytes = 4096;

/** Dovecot's service names for the protocols a client password may be scoped to. */
const services: Readonly<Record<string, MailProtocol>> = { imap: 'imap', pop3: 'pop3', smtp: 'smtp', submission: 'smtp' };

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: status === 200 ? 'keep-alive' : 'close' });
  res.end(text);
}

export async function startMailAuthHttp(options: MailAuthHttpOptions): Promise<MailAuthHttp> {
  if (!isLoopbackAddress(options.host)) throw new Error(`the mail-auth endpoint listens on loopback only, not ${options.host}`);
  const maxInFlight = options.maxInFlight ?? 256;
  let inFlight = 0;
  const refusals = new RefusalLog({ logger: options.logger, message: 'mail-auth request refused', summary: 'mail-auth requests refused without a log line' });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      refusals.note({ reason: 'not-loopback' });
      return answer(res, 403, 'forbidden');
    }
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/mail-login') return answer(res, 404, 'not found');
    const given = bearerTokenOf(req.headers.authorization);
    if (!given || !tokensEqual(given, options.token)) {
      refusals.note({ reason: 'token' });
      return answer(res, 401, 'unauthorized');
    }
    if (inFlight >= maxInFlight) return answer(res, 503, 'busy');
    inFlight += 1;
    try {
      const body = await readBodyLimited(req, maxBodyBytes);
      if (!body.ok) return answer(res, body.status, body.status === 413 ? 'too long' : 'bad request');
      const form = new URLSearchParams(body.text);
      const user = form.get('user');
      const password = form.get('password');
      const protocol = services[form.get('service') ?? ''];
      if (!user || user.length > 320 || password === null || !protocol) {
        refusals.note({ reason: 'bad-request' });
        return answer(res, 400, 'bad request');
      }
      const result = await options.verify({ address: user, secret: password, protocol, clientAddress: form.get('rip') ?? 'unknown' });
      answer(res, 200, result.ok ? 'ok' : `no ${result.reason}`);
    } finally {
      inFlight -= 1;
    }
  }

  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000, keepAliveTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch((cause: unknown) => {
      options.logger.error('mail-auth request failed', { error: cause instanceof Error ? cause.name : typeof cause });
      if (!res.headersSent) answer(res, 500, 'error');
      else res.destroy();
    });
  });
  server.on('clientError', (_cause, socket) => socket.destroy());
  const port = await listenOn(server, options.host, options.port);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        refusals.flush();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
