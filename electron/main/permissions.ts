/**
 * The one browser permission the app uses: writing to the clipboard (the copy buttons for a
 * client password, a TOTP key, backup codes), and only for our own page. Everything else —
 * camera, location, notifications from the page, reading the clipboard — is denied. Reading is
 * denied on purpose: the 60-second clearing then clears unconditionally, which is the safe side.
 */
import { appHost, appScheme } from './protocol';

const allowed: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string | undefined): boolean {
  if (!allowed.has(permission) || !requestingUrl) return false;
  try {
    const url = new URL(requestingUrl);
    return url.protocol === `${appScheme}:` && url.host === appHost;
  } catch {
    return false;
  }
}
