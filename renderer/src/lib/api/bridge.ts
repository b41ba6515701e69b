/**
 * The one API the renderer talks through. In Electron the preload has exposed it as
 * `window.mailwarden`; in browser mode the same contract is built over HTTP to the loopback host.
 */
import { createApiProxy, type MailwardenApi } from '../../../../electron/shared/api';
import { createHttpTransport, takeToken } from './http-transport';

declare global {
  interface Window {
    mailwarden?: MailwardenApi;
  }
}

function browserModeApi(): MailwardenApi {
  const token = takeToken({ location: window.location, storage: window.sessionStorage, history: window.history });
  return createApiProxy(createHttpTransport(token));
}

export const api: MailwardenApi = window.mailwarden ?? browserModeApi();
