/**
 * Covers renderer/src/lib/components/two-factor/format.ts: grouping the
 * authenticator key, typed codes, the backup-codes text file and the QR code's data URL.
 */
import { describe, expect, it } from 'vitest';
import { backupCodesText, digitsOnly, groupForReading, plausiblePhone, svgDataUrl } from '../../renderer/src/lib/components/two-factor/format';

describe('plausiblePhone', () => {
  it.each([
    ['13912345678', true],
    ['139 1234 5678', true],
    ['+86 139-1234-5678', true],
    ['１３９１２３４５６７８', true],
    ['0086 13912345678', true],
    ['1', false],
    ['12345', false],
    ['139abc', false],
    ['', false],
  ])('%j → %s', (input, expected) => {
    expect(plausiblePhone(input)).toBe(expected);
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
