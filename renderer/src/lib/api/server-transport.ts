/**
 * The organisation server's web page: its half of the bridge. The server knows this tab by a
 * bearer token it issues (`POST /session`), kept in sessionStorage so a reload stays signed in and
 * closing the tab ends it; no cookie carries it, so no other site can make the browser use it.
 * The trusted-device token comes back in the `Mailwarden-Trust` header and is kept in
 * localStorage, so the whole browser is trusted for the policy's days, as the guide describes.
 * Language and theme are this browser's own: they stay in localStorage and never reach the server.
 */
import type { Channel, UserSettings } from '../../../../electron/shared/contract';
import type { Transport } from '../../../../electron/shared/api';
import { defaultUserSettings } from '../../../../electron/shared/defaults';
import { err, ok, type Result } from '../../../../electron/shared/result';
import { asResult } from './http-transport';

const connectionKey = 'mailwarden.connection';
const trustKey = 'mailwarden.trust';
const settingsKey = 'mailwarden.settings';
const trustHeader = 'Mailwarden-Trust';

export interface ServerPlaces {
  readonly session: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  readonly local: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

const locales = new Set(['system', 'zh-CN', 'en']);
const themes = new Set(['system', 'light', 'dark']);

function readSettings(local: ServerPlaces['local']): UserSettings {
  try {
    const held = JSON.parse(local.getItem(settingsKey) ?? '{}') as Partial<Record<keyof UserSettings, unknown>>;
    return {
      locale: typeof held.locale === 'string' && locales.has(held.locale) ? (held.locale as UserSettings['locale']) : defaultUserSettings.locale,
      theme: typeof held.theme === 'string' && themes.has(held.theme) ? (held.theme as UserSettings['theme']) : defaultUserSettings.theme,
    };
  } catch {
    return { ...defaultUserSettings };
  }
}

/** Answers the two settings channels from this browser's storage. */
function localSettings(channel: Channel, request: unknown, local: ServerPlaces['local']): Result<UserSettings> {
  const current = readSettings(local);
  if (channel === 'settings:get') return ok(current);
  const change = (request ?? {}) as Partial<UserSettings>;
  const next: UserSettings = {
    locale: change.locale !== undefined && locales.has(change.locale) ? change.locale : current.locale,
    theme: change.theme !== undefined && themes.has(change.theme) ? change.theme : current.theme,
  };
  try {
    local.setItem(settingsKey, JSON.stringify(next));
  } catch {
    return err('storage-failed');
  }
  return ok(next);
}

/**
 * The transport of the server's page; null when this page is not served by an organisation server
 * (the browser-mode host answers `POST /session` with 405), so the caller can say it cannot connect.
 */
export function createServerTransport(places: ServerPlaces, fetchImpl: typeof fetch = (...args) => fetch(...args)): Transport {
  let connecting: Promise<string | null> | null = null;

  async function connect(): Promise<string | null> {
    const response = await fetchImpl('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', cache: 'no-store' });
    if (!response.ok) return null;
    const body = (await response.json()) as { token?: unknown };
    if (typeof body.token !== 'string') return null;
    places.session.setItem(connectionKey, body.token);
    return body.token;
  }

  /** This tab's token: the one kept, or a new one (asked for once, however many calls wait). */
  function token(fresh: boolean): Promise<string | null> {
    const held = places.session.getItem(connectionKey);
    if (held && !fresh) return Promise.resolve(held);
    connecting ??= connect().finally(() => (connecting = null));
    return connecting;
  }

  async function call(channel: Channel, request: unknown, bearer: string): Promise<Response> {
    const trust = places.local.getItem(trustKey);
    return fetchImpl(`/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}`, ...(trust ? { [trustHeader]: trust } : {}) },
      body: JSON.stringify(request),
      cache: 'no-store',
    });
  }

  return async (channel, request) => {
    if (channel === 'settings:get' || channel === 'settings:update') return localSettings(channel, request, places.local);
    try {
      let bearer = await token(false);
      if (!bearer) return err('unauthorized');
      let response = await call(channel, request, bearer);
      if (response.status === 401) {
        // The token is no longer accepted (the server's key changed): a new connection, signed out.
        places.session.removeItem(connectionKey);
        bearer = await token(true);
        if (!bearer) return err('unauthorized');
        response = await call(channel, request, bearer);
      }
      const trust = response.headers.get(trustHeader);
      if (trust !== null) {
        if (trust === '') places.local.removeItem(trustKey);
        else places.local.setItem(trustKey, trust);
      }
      return asResult(await response.json());
    } catch {
      return err('internal');
    }
  };
}
