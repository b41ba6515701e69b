// Covers electron/platform/device.ts.
import { describe, expect, it } from 'vitest';
import { describeUserAgent, deviceLabel } from '../../electron/platform/device';

describe('deviceLabel', () => {
  it('names the operating system and the computer', () => {
    expect(deviceLabel('win32', 'LAB-PC-07')).toBe('Windows · LAB-PC-07');
    expect(deviceLabel('darwin', 'mbp')).toBe('macOS · mbp');
  });
});

describe('describeUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome 131'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68', 'Edge 130'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari 17'],
    [undefined, 'Browser'],
  ])('%s → %s', (ua, expected) => expect(describeUserAgent(ua)).toBe(expected));
});
