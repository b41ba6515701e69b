import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallContext } from '../core/call';
import type { Dispatch } from '../core/dispatch';
import { describeUserAgent } from '../platform/device';
import type { Logger } from '../core/ports';
import { err, type Err } from '../shared/result';
import { contentTypeOf, resolveStaticPath } from '../platform/static-files';
import { withFirstFrame, type FirstFrame } from '../platform/first-frame';
import { IssuedIds } from '../platform/http/issued-id';
import { RefusalLog } from '../platform/http/refusal-log';
import { answerClientErrors, readBodyLimited, requestPathOf, securityHeaders } from '../platform/http/safe-request';
import { checkRequest, type GuardVerdict } from './guard';

export interface HostOptions {
  readonly dispatch: Dispatch;
  /** This computer as the trusted-device list names it; the browser comes from each request. */
  readonly deviceLabel: string;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly token: string;
  readonly port?: number;
  readonly logger: Logger;
  /** Wall-clock milliseconds, for the refusal log's minute; tests pass a fake one. */
  readonly now?: () => number;
  /** The saved language and theme, written on index.html's <html> (./../platform/first-frame.ts). */
  readonly firstFrame?: (acceptLanguage: string | undefined) => Promise<FirstFrame>;
}

export interface RunningHost {
  readonly port: number;
  /** The address to open: the token travels in the fragment, which browsers never send. */
  readonly url: string;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;
const connectionCookie = 'mw_connection';
const trustCookie = 'mw_trust';
const cookieValue = /^[A-Za-z0-9_-]{16,128}$/;
/** Long enough for the longest trust policy allows (30 days); the backend enforces the real expiry. */
const trustCookieSeconds = 30 * 24 * 3600;

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return cookies;
}

/**
 * The browser keeps this client's connection id and trust token in HttpOnly cookies: scripts in
 * the page never see them, and each browser on the computer has its own, as the guide expects.
 */
function cookie(name: string, value: string, maxAgeSeconds?: number): string {
  const age = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
  return `${name}=${value}; Path=${apiPrefix}; HttpOnly; SameSite=Strict${age}`;
}

function callFor(req: IncomingMessage, deviceLabel: string, setCookies: string[], ids: IssuedIds): CallContext {
  const cookies = parseCookies(req.headers.cookie);
  // Only an id this host issued: a client (or another site on 127.0.0.1) cannot choose its own.
  let connection = ids.check(cookies.get(connectionCookie));
  if (!connection) {
    const issued = ids.issue();
    connection = ids.check(issued)!;
    setCookies.push(cookie(connectionCookie, issued));
  }
  const held = cookies.get(trustCookie);
  return {
    connection: `browser:${connection}`,
    device: { label: deviceLabel, client: describeUserAgent(req.headers['user-agent']) },
    trust: {
      get: async () => (held && cookieValue.test(held) ? held : undefined),
      set: async (token) => {
        setCookies.push(token ? cookie(trustCookie, token, trustCookieSeconds) : cookie(trustCookie, '', 0));
      },
    },
  };
}
const apiPrefix = '/api/';

const commonHeaders = securityHeaders;

function refusal(verdict: Exclude<GuardVerdict, 'ok'>): { status: number; body: Err } {
  return verdict === 'unauthorized' ? { status: 401, body: err('unauthorized') } : { status: 403, body: err('forbidden-sender') };
}

function sendJson(res: ServerResponse, status: number, body: unknown, setCookies: readonly string[] = []): void {
  res.writeHead(status, {
    ...commonHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(setCookies.length > 0 ? { 'Set-Cookie': [...setCookies] } : {}),
  });
  res.end(JSON.stringify(body));
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  let port = 0;
  const ids = new IssuedIds();
  const refusals = new RefusalLog({
    logger: options.logger,
    message: 'browser-mode request refused',
    summary: 'browser-mode requests refused without a log line',
    ...(options.now ? { now: options.now } : {}),
  });

  async function handleApi(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { ...commonHeaders, Allow: 'POST' }).end();
      return;
    }
    // A JSON content type cannot be sent by a plain HTML form, one more bar to cross-site requests.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      sendJson(res, 415, err('invalid-request'));
      return;
    }
    const body = await readBodyLimited(req, maxBodyBytes);
    if (!body.ok) {
      sendJson(res, body.status, err('invalid-request'));
      return;
    }
    const text = body.text;
    let request: unknown;
    try {
      request = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      sendJson(res, 400, err('invalid-request'));
      return;
    }
    const setCookies: string[] = [];
    const result = await options.dispatch(channel, request, callFor(req, options.deviceLabel, setCookies, ids));
    sendJson(res, 200, result, setCookies);
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...commonHeaders, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveStaticPath(options.rendererDir, path);
    if (!file) {
      res.writeHead(404, commonHeaders).end();
      return;
    }
    try {
      let body: Buffer | string = await readFile(file);
      if (options.firstFrame && basename(file) === 'index.html') {
        const frame = await options.firstFrame(req.headers['accept-language']).catch(() => null);
        if (frame) body = withFirstFrame(body.toString('utf8'), frame);
      }
      res.writeHead(200, { ...commonHeaders, 'Content-Type': contentTypeOf(file), 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, commonHeaders).end();
    }
  }

  /** Every request: nothing a client sends may throw out of here and end the process. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestPathOf(req.url);
    const isApi = path?.startsWith(apiPrefix) ?? false;
    const verdict = checkRequest(
      {
        remoteAddress: req.socket.remoteAddress,
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
      },
      port,
      options.token,
      isApi,
    );
    if (verdict !== 'ok') {
      refusals.note({ verdict, method: req.method, path: isApi ? path : undefined });
      const { status, body } = refusal(verdict);
      sendJson(res, status, body);
      return;
    }
    if (path === null) {
      sendJson(res, 400, err('invalid-request'));
      return;
    }
    await (isApi ? handleApi(req, res, path.slice(apiPrefix.length)) : handleStatic(req, res, path));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((cause: unknown) => {
      options.logger.error('browser-mode request failed', { error: cause instanceof Error ? cause.name : typeof cause });
      if (!res.headersSent) sendJson(res, 500, err('internal'));
      else res.destroy();
    });
  });
  answerClientErrors(server);

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://127.0.0.1:${port}/#token=${options.token}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        refusals.flush();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
