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
