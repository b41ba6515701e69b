import { hostname, platform as osPlatform } from 'node:os';

const osNames: Partial<Record<NodeJS.Platform, string>> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

/** "Windows · LAB-PC-07": how a person recognises this computer in the trusted-device list. */
export function deviceLabel(platform: NodeJS.Platform = osPlatform(), host: string = hostname()): string {
  return `${osNames[platform] ?? platform} · ${host}`;
}

/**
 * "Chrome 131", "Edge 130", "Firefox 128", "Safari 17": the browser in a User-Agent header, so
 * each browser on one computer is its own trusted client, as the guide says.
 */
export function describeUserAgent(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const rules: [RegExp, string][] = [
    // The desktop app when it works against the organisation server (electron/platform/organisation-client.ts).
    [/^Mailwarden\/(\d+\.\d+\.\d+)/, 'Mailwarden'],
    [/Edg\/(\d+)/, 'Edge'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/(?:Chrome|Chromium)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[^ ]* .*Safari\//, 'Safari'],
  ];
  for (const [pattern, name] of rules) {
    const match = pattern.exec(ua);
    if (match) return `${name} ${match[1]}`;
  }
  return 'Browser';
}

/**
 * "Windows", "macOS", "iPhone", "Android": the system in a User-Agent header, for a browser that
 * reaches the organisation's web page from a computer or phone the server knows nothing else of.
 */
export function describeUserAgentSystem(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const rules: [RegExp, string][] = [
    [/iPhone/, 'iPhone'],
    [/iPad/, 'iPad'],
    [/Android/, 'Android'],
    [/CrOS/, 'ChromeOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/Linux/, 'Linux'],
  ];
  for (const [pattern, name] of rules) if (pattern.test(ua)) return name;
  return 'Web';
}
