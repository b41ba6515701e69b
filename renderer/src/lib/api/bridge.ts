/**
 * The one API the renderer talks through. In Electron the preload has exposed it as
 * `window.mailwarden`; in browser mode the same contract is built over HTTP to the loopback host
 * (its address carries a token); on the organisation server's web page, over HTTPS with a token
 * the server issues.
 */
import { createApiProxy, methodPath, type MailwardenApi, type Transport } from '../../../../electron/shared/api';
import { err } from '../../../../electron/shared/result';
import { createHttpTransport, takeToken } from './http-transport';

declare global {
  interface Window {
    mailwarden?: MailwardenApi;
  }
}

function browserModeApi(): MailwardenApi {
  const token = takeToken({ location: window.location, storage: window.sessionStorage, history: window.history });
  if (token) return createApiProxy(createHttpTransport(token));
  // Loaded only on the server's page, so the desktop's first paint does not carry it.
  let server: Promise<Transport> | null = null;
  return createApiProxy(async (channel, request) => {
    server ??= import('./server-transport').then(({ createServerTransport }) =>
      createServerTransport({ session: window.sessionStorage, local: window.localStorage }),
    );
    try {
      return await (
        await server
      )(channel, request);
    } catch {
      // The script could not be loaded (the network dropped): the next call tries again.
      server = null;
      return err('internal');
    }
  });
}

const sessionLost = new Set<() => void>();

/**
 * `listener` runs when a call is refused as not signed in: the session this window had was ended
 * elsewhere (signed out from another session, the password changed). The sign-in calls
 * themselves are left out: "not signed in" is their ordinary answer.
 */
export function onSessionLost(listener: () => void): () => void {
  sessionLost.add(listener);
  return () => sessionLost.delete(listener);
}

let inFlight = 0;
const onSettled: (() => void)[] = [];

/**
 * Resolves once no call of this window is waiting for its answer. The active mailbox changes only
 * then (docs/rules.md §7.4): a call the page made for one mailbox is answered for that one, never
 * for the next, even where the backend may take requests out of order.
 */
export function settled(): Promise<void> {
  return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => onSettled.push(resolve));
}

/** Every call through `raw`, with a refusal as not signed in told to the listeners above. */
function watchSession(raw: MailwardenApi): MailwardenApi {
  return createApiProxy(async (channel, request) => {
    const [namespace, method] = methodPath(channel);
    const call = (raw as unknown as Record<string, Record<string, (request: unknown) => ReturnType<Transport>>>)[namespace]![method]!;
    inFlight++;
    const result = await call(request).finally(() => {
      if (--inFlight === 0) for (const resolve of onSettled.splice(0)) resolve();
    });
    if (!result.ok && result.code === 'not-signed-in' && !channel.startsWith('auth:')) for (const listener of sessionLost) listener();
    return result;
  });
}

export const api: MailwardenApi = watchSession(window.mailwarden ?? browserModeApi());
