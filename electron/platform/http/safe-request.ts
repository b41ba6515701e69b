/**
 * The pieces every HTTP server of Mailwarden needs to survive any request (browser mode's host,
 * and the organisation's server): a path read without throwing, a Bearer token read as RFC 7235
 * says, the security headers, and a malformed request line answered instead of crashing.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The decoded path of a request target, or null when it is not one this server can read (`//[`,
 * `//x:99999`, a malformed percent escape). Never throws: a request line is attacker input.
 */
export function requestPathOf(target: string | undefined): string | null {
  const raw = target ?? '/';
  // Only origin-form targets ("/path?query"): "//host" and absolute URLs are not for this server.
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  const path = raw.split('?', 1)[0]!.split('#', 1)[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 7235 §2.1). */
export function bearerTokenOf(header: string | undefined, token: RegExp = /^[A-Za-z0-9._~+/-]+=*$/): string | null {
  const match = /^bearer +(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] && token.test(match[1]) ? match[1] : null;
}

/**
 * Sent with every answer. The CSP is the page's own (renderer/index.html) plus `frame-ancestors
 * 'none'`, which only a header can say: no other site may frame the page (clickjacking).
 */
const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; frame-ancestors 'none'";

export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Answers what Node's parser itself rejects (a request line that is not HTTP, a bad header) with
 * 400 and closes, instead of Node's default of dropping the socket silently or, without a listener,
 * nothing at all. Never throws.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (cause: Error & { code?: string }, socket: Duplex) => {
    // A client too slow to send its request (408) or sending too many headers (431) is told so.
    const status =
      cause.code === 'ERR_HTTP_REQUEST_TIMEOUT' || cause.code === 'HPE_HEADER_TIMEOUT'
        ? '408 Request Timeout'
        : cause.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (::ffff:127.0.0.1), as Node reports them. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.split('.')[0] === '127';
  return plain === '::1';
}

/** Compares two tokens in time that does not depend on where they differ. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type BodyRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: 413 | 400 };

/**
 * A request body as text, at most `maxBytes`: a declared or actual length beyond it is 413 (read
 * no further), a client that aborts half-way is 400. Never throws.
 */
export async function readBodyLimited(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, status: 413 };
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return { ok: false, status: 413 };
      chunks.push(chunk as Buffer);
    }
  } catch {
    return { ok: false, status: 400 };
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
