/**
 * Requests to the organisation server on Chromium's network stack (Electron's `net.fetch`), used
 * when policy pins no CA: then the system's trust store applies (the organisation's CA that IT
 * put into Windows or macOS), and the system's proxy settings, as in a browser. With a pinned CA
 * the shell uses Node's client instead (electron/platform/organisation-client.ts), which trusts
 * that CA alone.
 */
import { net } from 'electron';
import type { HttpPost } from '../platform/organisation-client';

export const chromiumPost: HttpPost = async (url, headers, body, timeoutMs) => {
  const response = await net.fetch(url.href, {
    method: 'POST',
    headers: { ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
    bypassCustomProtocolHandlers: true,
  });
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    answerHeaders[name.toLowerCase()] = value;
  });
  return { status: response.status, headers: answerHeaders, body: await response.text() };
};
