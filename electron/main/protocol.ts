/**
 * The renderer is served from `app://mailwarden/`, not `file://`: a file URL would give the page
 * the reach of the whole disk through relative paths and a shared opaque origin; a standard,
 * secure custom scheme gives it one origin of its own, serving only the built renderer folder.
 */
import { readFile } from 'node:fs/promises';
import { contentTypeOf, resolveStaticPath } from '../platform/static-files';
import { withFirstFrame, type FirstFrame } from '../platform/first-frame';
import { basename } from 'node:path';

export const appScheme = 'app';
export const appHost = 'mailwarden';
const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/** Privileges for `protocol.registerSchemesAsPrivileged`, before the app is ready. */
export const appSchemePrivileges = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;

/**
 * The file an app:// request maps to, or null for anything outside the renderer folder.
 * @internal
 */
export function fileForAppRequest(requestUrl: string, rendererDir: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${appScheme}:` || url.host !== appHost) return null;
  return resolveStaticPath(rendererDir, url.pathname);
}

/** The protocol handler itself, separate from Electron so tests can call it. */
export async function serveAppRequest(requestUrl: string, rendererDir: string, firstFrame?: () => Promise<FirstFrame>): Promise<Response> {
  const file = fileForAppRequest(requestUrl, rendererDir);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    let body: Buffer | string = await readFile(file);
    // The saved theme and language on <html>, so the static first frame already wears them.
    if (firstFrame && basename(file) === 'index.html') {
      const frame = await firstFrame().catch(() => null);
      if (frame) body = withFirstFrame(body.toString('utf8'), frame);
    }
    return new Response(body, {
      status: 200,
      headers: { 'Content-Type': contentTypeOf(file), 'X-Content-Type-Options': 'nosniff' },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}
