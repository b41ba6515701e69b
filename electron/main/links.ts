/**
 * The only places the app opens in the user's browser. Anything else a page tries to open or
 * navigate to is dropped: the renderer should never need to leave app://.
 */
const externalHosts: ReadonlySet<string> = new Set(['mail.cstnet.cn']);

export function isAllowedExternalUrl(candidate: string, hosts: ReadonlySet<string> = externalHosts): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  // https only, no credentials in the URL, no custom port: exactly the sites we name.
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && hosts.has(url.hostname);
}
