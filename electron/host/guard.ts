/**
 * Who may talk to the browser-mode host. It listens on 127.0.0.1 only, and still checks every
 * request: a web page the user opens elsewhere can reach loopback ports (DNS rebinding, or a
 * plain cross-origin fetch), so the Host and Origin headers must name this server and every API
 * call must carry the per-run token that only the printed URL holds.
 */
import { bearerTokenOf, isLoopbackAddress, tokensEqual } from '../platform/http/safe-request';

export interface RequestFacts {
  readonly remoteAddress: string | undefined;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly authorization: string | undefined;
}

export type GuardVerdict = 'ok' | 'not-loopback' | 'foreign-host' | 'foreign-origin' | 'unauthorized';

function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** Checks every request: address, Host and Origin. `needsToken` for the API, not static files. */
export function checkRequest(facts: RequestFacts, port: number, token: string, needsToken: boolean): GuardVerdict {
  if (!isLoopbackAddress(facts.remoteAddress)) return 'not-loopback';
  const hosts = allowedHosts(port);
  if (!facts.host || !hosts.has(facts.host.toLowerCase())) return 'foreign-host';
  if (facts.origin !== undefined) {
    let originHost: string | undefined;
    try {
      const url = new URL(facts.origin);
      originHost = url.protocol === 'http:' ? url.host : undefined;
    } catch {
      originHost = undefined;
    }
    if (!originHost || !hosts.has(originHost)) return 'foreign-origin';
  }
  if (needsToken) {
    // The scheme in any case (RFC 7235 §2.1); the token is this run's.
    const given = bearerTokenOf(facts.authorization, /^[A-Za-z0-9_-]{16,128}$/);
    if (!given || !tokensEqual(given, token)) return 'unauthorized';
  }
  return 'ok';
}
