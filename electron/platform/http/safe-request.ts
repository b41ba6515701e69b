/**
 * The pieces every HTTP server of Mailwarden needs to survive any request (browser mode's host,
 * and the organisation's server): a path read without throwing, a Bearer token read as RFC 7235
 * says, the security headers, and a malformed request line answered instead of crashing.
 */
import type { Server } from 'node:http';
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
export const contentSecurityPolicy =
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
  server.on('clientError', (_cause: Error, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
}
