// Covers electron/main/links.ts.
import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from '../../electron/main/links';

describe('isAllowedExternalUrl', () => {
  it('opens the webmail over https', () => {
    expect(isAllowedExternalUrl('https://mail.cstnet.cn')).toBe(true);
    expect(isAllowedExternalUrl('https://mail.cstnet.cn/help?x=1')).toBe(true);
  });
  it.each([
    'http://mail.cstnet.cn',
    'https://mail.cstnet.cn.evil.example',
    'https://evil.example/?https://mail.cstnet.cn',
    'https://user:pw@mail.cstnet.cn',
    'https://mail.cstnet.cn:8443',
    'file:///C:/Windows/system32/calc.exe',
    'javascript:alert(1)',
    'smb://mail.cstnet.cn/share',
    'not a url',
  ])('refuses %s', (url) => expect(isAllowedExternalUrl(url)).toBe(false));
});
