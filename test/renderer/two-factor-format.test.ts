/**
 * Covers renderer/src/lib/components/two-factor/format.ts: the binding countdown, grouping the
 * authenticator key, typed codes, the backup-codes text file and the QR code's data URL.
 */
import { describe, expect, it } from 'vitest';
import {
  backupCodesText,
  digitsOnly,
  groupForReading,
  minutesSeconds,
  secondsUntil,
  svgDataUrl,
} from '../../renderer/src/lib/components/two-factor/format';

describe('secondsUntil', () => {
  it('counts a started second as a whole one and never goes below zero', () => {
    expect(secondsUntil(10_000, 0)).toBe(10);
    expect(secondsUntil(10_000, 9_001)).toBe(1);
    expect(secondsUntil(10_000, 10_000)).toBe(0);
    expect(secondsUntil(10_000, 99_000)).toBe(0);
  });
});

describe('minutesSeconds', () => {
  it('shows mm:ss with two digits each side, as the guide does (04:35)', () => {
    expect(minutesSeconds(275)).toBe('04:35');
    expect(minutesSeconds(300)).toBe('05:00');
    expect(minutesSeconds(9)).toBe('00:09');
    expect(minutesSeconds(0)).toBe('00:00');
    expect(minutesSeconds(-3)).toBe('00:00');
  });

  it('keeps the same length every second, so the countdown does not jump', () => {
    const lengths = new Set(Array.from({ length: 301 }, (_, s) => minutesSeconds(s).length));
    expect([...lengths]).toEqual([5]);
  });
});

describe('groupForReading', () => {
  it('groups a base32 key in fours', () => {
    expect(groupForReading('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(groupForReading('ABCDEF')).toBe('ABCD EF');
    expect(groupForReading(' AB CD ')).toBe('ABCD');
    expect(groupForReading('')).toBe('');
  });
});

describe('digitsOnly', () => {
  it('keeps the digits people type or paste, at most six', () => {
    expect(digitsOnly('123 456')).toBe('123456');
    // A Chinese keyboard types full-width digits by default.
    expect(digitsOnly('４８２ ９１３')).toBe('482913');
    expect(digitsOnly('123-4567')).toBe('123456');
    expect(digitsOnly('abc')).toBe('');
    expect(digitsOnly('０１')).toBe('01');
  });
});

describe('backupCodesText', () => {
  it('puts the header, a blank line and one numbered code per line, with Windows line ends', () => {
    const codes = Array.from({ length: 10 }, (_, i) => `abcd-ef${String(i).padStart(2, '0')}`);
    const text = backupCodesText({ header: ['Title', 'Created: now'], codes });
    const lines = text.split('\r\n');
    expect(lines.slice(0, 3)).toEqual(['Title', 'Created: now', '']);
    expect(lines[3]).toBe(' 1. abcd-ef00');
    expect(lines[12]).toBe('10. abcd-ef09');
    expect(text.endsWith('\r\n')).toBe(true);
    for (const code of codes) expect(text).toContain(code);
  });
});

describe('svgDataUrl', () => {
  it('encodes the SVG, non-ASCII included, as a base64 image URL', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>二维码</title></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(url.split(',')[1]!), (c) => c.charCodeAt(0)));
    expect(decoded).toBe(svg);
  });
});
