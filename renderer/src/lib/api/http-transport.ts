/**
 * Browser mode's half of the bridge: the per-run token and the HTTP transport to the loopback
 * host (electron/host/server.ts). Kept apart from bridge.ts so it can be tested without a window.
 */
import type { Transport } from '../../../../electron/shared/api';
import { err, isErrorCode, type Result } from '../../../../electron/shared/result';

const tokenKey = 'mailwarden.token';

export interface TokenPlaces {
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  readonly storage: Pick<Storage, 'getItem' | 'setItem'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
}

/**
 * The host prints `http://127.0.0.1:PORT/#token=…`. The token is moved to sessionStorage so a
 * reload still works, and taken out of the address bar so it is not copied, bookmarked or
 * left in the history with the URL.
 */
export function takeToken({ location, storage, history }: TokenPlaces): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    storage.setItem(tokenKey, fromHash);
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromHash;
  }
  return storage.getItem(tokenKey);
}

/** Accepts only the two result shapes; anything else the host answers is an internal fault. */
export function asResult(value: unknown): Result<unknown> {
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    if (value.ok === true && 'data' in value) return { ok: true, data: value.data };
    if (value.ok === false && 'code' in value && isErrorCode(value.code)) return value as Result<unknown>;
  }
  return err('internal');
}

export function createHttpTransport(token: string | null, fetchImpl: typeof fetch = fetch): Transport {
  return async (channel, request) => {
    try {
      const response = await fetchImpl(`/api/${encodeURIComponent(channel)}`, {
        method: 'POST',
        // Without a token the host answers 401 with `unauthorized`, which the page can explain.
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(request),
        cache: 'no-store',
      });
      return asResult(await response.json());
    } catch {
      return err('internal');
    }
  };
}
