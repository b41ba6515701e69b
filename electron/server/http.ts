/**
 * The organisation server's HTTP(S) front: the same contract and dispatcher as the desktop,
 * for browsers (the renderer served as a web page) and, later, desktops pointed at it by policy.
 *
 * How a client is known. `POST /session` issues a bearer token (a random id with an HMAC under a
 * key derived from the server key, so every process of the organisation accepts it); each API
 * call carries it in `Authorization: Bearer`. Sign-in state hangs off that token in the database
 * (StoredSessions keeps only its keyed hash). Nothing rides in a cookie, so another site can make
 * a browser send requests here but never with a token: there is no ambient credential to ride.
 * A trusted-device token travels the same way, in the `Mailwarden-Trust` header both ways.
 *
 * What every request passes: the Host header must name the public address (DNS rebinding), an
 * Origin, when a browser sends one, must be the public origin, a per-client rate, a cap on API
 * requests in flight, a body limit, and header and request time limits for slow clients.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { CallContext, DeviceIdentity } from '../core/call';
import { phoneHandoffPath } from '../core/phone-handoff';
import type { Dispatch } from '../core/dispatch';
import type { Logger } from '../core/ports';
import type { Channel } from '../shared/contract';
import { err, type Err } from '../shared/result';
import { describeUserAgent, describeUserAgentSystem } from '../platform/device';
import { IssuedIds } from '../platform/http/issued-id';
import { RefusalLog } from '../platform/http/refusal-log';
import { answerClientErrors, bearerTokenOf, isLoopbackAddress, readBodyLimited, requestPathOf, securityHeaders } from '../platform/http/safe-request';
import { contentTypeOf, resolveStaticPath } from '../platform/static-files';
import type { ServerLimits } from './config';
import { InFlight, RateLimiter } from './limits';

/**
 * The header a trusted-device token travels in, both ways; an empty value in an answer forgets it.
 * @internal
 */
export const trustHeader = 'mailwarden-trust';
const trustToken = /^[A-Za-z0-9_-]{16,128}$/;
const issuedToken = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

/**
 * The header a desktop names its computer in ("Windows · LAB-PC-07", percent-encoded), for the
 * trusted-device list. As much the client's own word as a User-Agent: it names, it proves nothing.
 */
const deviceHeader = 'mailwarden-device';

function deviceHeaderOf(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > 300) return undefined;
  let label: string;
  try {
    label = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  label = label.trim();
  // eslint-disable-next-line no-control-regex
  return label.length > 0 && label.length <= 100 && !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(label) ? label : undefined;
}

/**
 * Channels that act on the computer the backend runs on: its keychain, its Foxmail, its files,
 * its network. On the organisation's server that computer is the server, so a web page never
 * reaches them; the page keeps its own display settings (language, theme) in the browser.
 * @internal
 */
export const desktopOnlyChannels: ReadonlySet<Channel> = new Set<Channel>([
  'settings:get',
  'settings:update',
  'mail-clients:keychain-list',
  'mail-clients:keychain-remember',
  'mail-clients:keychain-forget',
  'mail-clients:foxmail-scan',
  'mail-clients:foxmail-apply',
  'mail-clients:thunderbird-scan',
  'mail-clients:thunderbird-apply',
  'mail-clients:iphone-profile-save',
  'mail-clients:iphone-profile-delete',
  'mail-clients:mac-profile-open',
  'mail-clients:test-connection',
  // The web-mail guide is about one person's own computer (docs/rules.md §15).
  'webmail:status',
  'webmail:set-address',
  'webmail:choose',
  'webmail:check-two-factor',
  'webmail:check-client-password',
]);

export interface ServerTimeouts {
  /** The whole request head must arrive within this (slow-header clients). */
  readonly headersMs: number;
  /** The whole request, body included. */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveMs: number;
  /** How long a graceful stop waits for requests in flight before it cuts them. */
  readonly drainMs: number;
}

const defaultTimeouts: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, drainMs: 25_000 };

export interface OrganisationServerOptions {
  readonly dispatch: Dispatch;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: URL;
  /** PEM certificate chain and key; null for plain HTTP (loopback, or behind a proxy). */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | null;
  readonly behindProxy: boolean;
  readonly limits: ServerLimits;
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Derived from the server key: every process issues and accepts the same tokens. */
  readonly connectionKey: Uint8Array;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly logger: Logger;
  /** true while the database answers (the load balancer's health check). */
  readonly healthy: () => Promise<boolean>;
  /** Wall-clock milliseconds for the limits and the refusal log; tests pass a fake one. */
  readonly now?: () => number;
  /** A phone's one fetch of its profile (core/phone-handoff.ts); null: used, unknown or expired. */
  readonly phoneProfiles?: (token: string, device: DeviceIdentity) => Promise<{ readonly fileName: string; readonly body: string } | null>;
}

export interface RunningOrganisationServer {
  readonly port: number;
  /** Stops taking requests, lets those in flight finish (up to drainMs), then closes. */
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...securityHeaders, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startOrganisationServer(options: OrganisationServerOptions): Promise<RunningOrganisationServer> {
  const now = options.now ?? Date.now;
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const ids = new IssuedIds(options.connectionKey);
  const rates = new RateLimiter(options.limits.requestsPerMinute, options.limits.burst, now);
  const inFlight = new InFlight(options.limits.maxInFlight);
  const refusals = new RefusalLog({ logger: options.logger, message: 'request refused', summary: 'requests refused without a log line', now });
  const hsts: Record<string, string> = options.publicUrl.protocol === 'https:' ? { 'Strict-Transport-Security': 'max-age=31536000' } : {};
  let stopping = false;
  /** The Host names and browser origins this server answers to; set once it listens (the port may be 0 until then). */
  let hosts = new Set<string>();
  let origins = new Set<string>();

  /** The public name, and the loopback listener's own; each origin is the page's own under one of them. */
  function allowNames(port: number): void {
    hosts = new Set([options.publicUrl.host.toLowerCase()]);
    if (isLoopbackAddress(options.host) && !options.behindProxy) {
      for (const name of ['127.0.0.1', 'localhost', '[::1]']) hosts.add(`${name}:${port}`);
    }
    origins = new Set([...hosts].map((name) => `${options.publicUrl.protocol}//${name}`));
  }

  /** The client's address: the socket's, or behind a proxy the one the proxy appended. */
  function clientOf(req: IncomingMessage): string {
    if (options.behindProxy) {
      const forwarded = String(req.headers['x-forwarded-for'] ?? '')
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      const last = forwarded.at(-1);
      if (last) return last;
    }
    return req.socket.remoteAddress ?? 'unknown';
  }

  function refuse(res: ServerResponse, req: IncomingMessage, status: number, body: Err, reason: string, headers: Record<string, string> = {}): void {
    refusals.note({ verdict: reason, method: req.method, status });
    sendJson(res, status, body, { ...hsts, ...headers });
  }

  function callFor(req: IncomingMessage, connection: string, answerHeaders: Record<string, string>): CallContext {
    const heldHeader = req.headers[trustHeader];
    const held = typeof heldHeader === 'string' && trustToken.test(heldHeader) ? heldHeader : undefined;
    return {
      connection: `server:${connection}`,
      device: {
        label: deviceHeaderOf(req.headers[deviceHeader]) ?? describeUserAgentSystem(req.headers['user-agent']),
        client: describeUserAgent(req.headers['user-agent']),
        // The security log names where a sign-in or change came from, as Google's and Microsoft's do.
        address: clientOf(req),
      },
      trust: {
        get: async () => held,
        set: async (token) => {
          answerHeaders[trustHeader] = token ?? '';
        },
      },
    };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { ...securityHeaders, ...hsts, Allow: 'POST' }).end();
      return;
    }
    const token = bearerTokenOf(req.headers.authorization, issuedToken);
    const connection = token ? ids.check(token) : null;
    if (!connection) return refuse(res, req, 401, err('unauthorized'), 'unauthorized');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return refuse(res, req, 415, err('invalid-request'), 'content-type');
    if (desktopOnlyChannels.has(channel as Channel)) return refuse(res, req, 200, err('desktop-only'), 'desktop-only');
    if (stopping || !inFlight.enter())
      return refuse(res, req, 503, err('server-busy', { retryAfter: 1 }), stopping ? 'stopping' : 'in-flight', { 'Retry-After': '1' });
    const started = now();
    try {
      const body = await readBodyLimited(req, options.limits.maxBodyBytes);
      if (!body.ok) {
        if (body.status === 413) res.setHeader('Connection', 'close');
        return refuse(res, req, body.status, err('invalid-request'), body.status === 413 ? 'too-large' : 'body-aborted');
      }
      let request: unknown;
      try {
        request = body.text.length === 0 ? {} : JSON.parse(body.text);
      } catch {
        return refuse(res, req, 400, err('invalid-request'), 'malformed-json');
      }
      const answerHeaders: Record<string, string> = {};
      const result = await options.dispatch(channel, request, callFor(req, connection, answerHeaders));
      sendJson(res, 200, result, { ...hsts, ...answerHeaders });
      // One line per call: the channel, how it ended and how long it took; never a body or a token.
      options.logger.info('api', { channel, result: result.ok ? 'ok' : result.code, ms: now() - started });
    } finally {
      inFlight.leave();
    }
  }

  /**
   * A phone's camera opened the QR's link: the profile, once, for Safari to hand to Settings. The
   * same answer for a used, unknown or expired link, in both languages (the phone's, unknown here).
   */
  async function handlePhoneProfile(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    if (req.method !== 'GET' || !options.phoneProfiles) {
      res.writeHead(405, { ...securityHeaders, ...hsts, Allow: 'GET' }).end();
      return;
    }
    if (stopping || !inFlight.enter())
      return refuse(res, req, 503, err('server-busy', { retryAfter: 1 }), stopping ? 'stopping' : 'in-flight', { 'Retry-After': '1' });
    try {
      const device = {
        label: describeUserAgentSystem(req.headers['user-agent']),
        client: describeUserAgent(req.headers['user-agent']),
        address: clientOf(req),
      };
      const profile = await options.phoneProfiles(token, device);
      if (!profile) {
        refusals.note({ verdict: 'phone-profile-gone', method: req.method, status: 404 });
        res.writeHead(404, { ...securityHeaders, ...hsts, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end('This link has been used or has expired: show a new QR code on the computer.\n此链接已使用或已过期，请在电脑上重新显示二维码。\n');
        return;
      }
      res.writeHead(200, {
        ...securityHeaders,
        ...hsts,
        'Content-Type': 'application/x-apple-aspen-config',
        'Content-Disposition': `attachment; filename="${profile.fileName}"`,
        'Cache-Control': 'no-store',
      });
      res.end(profile.body);
      options.logger.info('phone profile fetched', {});
    } finally {
      inFlight.leave();
    }
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...securityHeaders, ...hsts, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveStaticPath(options.rendererDir, path);
    let body: Buffer | null = null;
    if (file) body = await readFile(file).catch(() => null);
    if (!file || !body) {
      res.writeHead(404, { ...securityHeaders, ...hsts }).end();
      return;
    }
    // Vite names each built asset by its content's hash: those never change and may be kept.
    const immutable = path.startsWith('/assets/');
    res.writeHead(200, {
      ...securityHeaders,
      ...hsts,
      'Content-Type': contentTypeOf(file),
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestPathOf(req.url);
    // The load balancer asks by address, not by the public name: no Host check, no rate.
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const up = !stopping && (await options.healthy().catch(() => false));
      sendJson(res, up ? 200 : 503, { status: stopping ? 'stopping' : up ? 'ok' : 'database-unreachable' });
      return;
    }
    if (!req.headers.host || !hosts.has(req.headers.host.toLowerCase())) return refuse(res, req, 421, err('forbidden-sender'), 'foreign-host');
    if (req.headers.origin !== undefined && !origins.has(req.headers.origin.toLowerCase()))
      return refuse(res, req, 403, err('forbidden-sender'), 'foreign-origin');
    const wait = rates.take(clientOf(req));
    if (wait > 0) {
      res.setHeader('Connection', 'close');
      return refuse(res, req, 429, err('too-many-requests', { retryAfter: wait }), 'rate', { 'Retry-After': String(wait) });
    }
    if (path === null) return refuse(res, req, 400, err('invalid-request'), 'bad-path');
    if (path === '/session') {
      if (req.method !== 'POST') {
        res.writeHead(405, { ...securityHeaders, ...hsts, Allow: 'POST' }).end();
        return;
      }
      req.resume();
      sendJson(res, 200, { token: ids.issue() }, hsts);
      return;
    }
    if (path.startsWith('/api/')) return handleApi(req, res, path.slice('/api/'.length));
    if (path.startsWith(phoneHandoffPath)) return handlePhoneProfile(req, res, path.slice(phoneHandoffPath.length));
    return handleStatic(req, res, path);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((cause: unknown) => {
      options.logger.error('request failed', { error: cause instanceof Error ? cause.name : typeof cause });
      if (!res.headersSent) sendJson(res, 500, err('internal'));
      else res.destroy();
    });
  };
  const serverOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // How often Node looks for requests past their time (its default, 30 s, is too coarse).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersMs / 4))),
  };
  const server: Server = options.tls
    ? createHttpsServer(
        { ...serverOptions, cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2', handshakeTimeout: timeouts.headersMs },
        onRequest,
      )
    : createHttpServer(serverOptions, onRequest);
  answerClientErrors(server);
  // A handshake that is not TLS, or a client that gives up half-way: drop it, count it, go on.
  server.on('tlsClientError', (_cause: Error, socket: Socket) => {
    refusals.note({ verdict: 'tls-handshake' });
    socket.destroy();
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowNames(port);

  return {
    port,
    stop: async () => {
      stopping = true;
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([inFlight.drained(), new Promise<void>((resolveWait) => (timer = setTimeout(resolveWait, timeouts.drainMs)))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
      refusals.flush();
    },
  };
}
