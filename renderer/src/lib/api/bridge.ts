/**
 * The one API the renderer talks through. In Electron the preload has exposed it as
 * `window.mailwarden`; in browser mode the same contract is built over HTTP to the loopback host
 * (its address carries a token); on the organisation server's web page, over HTTPS with a token
 * the server issues.
 */
import { createApiProxy, type MailwardenApi, type Transport } from '../../../../electron/shared/api';
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
    server ??= import('./server-transport').then(({ createServerTransport }) => createServerTransport({ session: window.sessionStorage, local: window.localStorage }));
    try {
      return await (await server)(channel, request);
    } catch {
      // The script could not be loaded (the network dropped): the next call tries again.
      server = null;
      return err('internal');
    }
  });
}

export const api: MailwardenApi = window.mailwarden ?? browserModeApi();
