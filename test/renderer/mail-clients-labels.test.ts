/**
 * Covers renderer/src/lib/components/mail-clients/names.ts and labels.ts: the names given to the
 * client passwords made for Foxmail accounts (within the name rule, numbered when taken), and
 * that every connection outcome and stored-password kind has its own words in both languages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectionOutcomes } from '../../electron/shared/mail-server';
import { nameLength, nameMaxLength } from '../../renderer/src/lib/components/client-passwords/labels';
import { endpointText, outcomeMessages, storedPasswordLabels } from '../../renderer/src/lib/components/mail-clients/labels';
import { foxmailPasswordName, msUntil } from '../../renderer/src/lib/components/mail-clients/names';
import { baseLocale, overwriteGetLocale } from '../../renderer/src/lib/paraglide/runtime.js';

describe('foxmailPasswordName', () => {
  it('names the account, and numbers later tries from 2', () => {
    expect(foxmailPasswordName('zhang.wei@cstnet.cn')).toBe('Foxmail zhang.wei@cstnet.cn');
    expect(foxmailPasswordName('zhang.wei@cstnet.cn', 2)).toBe('Foxmail zhang.wei@cstnet.cn 2');
    expect(foxmailPasswordName(' zhang.wei@cstnet.cn ', 3)).toBe('Foxmail zhang.wei@cstnet.cn 3');
  });

  it('cuts a long address to the name limit, marked, with the number kept', () => {
    const long = 'a.very.long.local.part@institute.example.ac.cn';
    const first = foxmailPasswordName(long);
    const tenth = foxmailPasswordName(long, 10);
    expect(nameLength(first)).toBe(nameMaxLength);
    expect(nameLength(tenth)).toBe(nameMaxLength);
    expect(first).toMatch(/^Foxmail a\.very\.long.*…$/);
    expect(tenth).toMatch(/… 10$/);
    expect(new Set([first, foxmailPasswordName(long, 2), tenth]).size).toBe(3);
  });

  it('counts characters, not UTF-16 units', () => {
    const name = foxmailPasswordName('张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟@例子.中国', 1, 20);
    expect([...name]).toHaveLength(20);
    expect(name.endsWith('…')).toBe(true);
  });
});

describe('msUntil', () => {
  it('waits the time left, and not at all for a moment already past', () => {
    expect(msUntil(10_000, 4_000)).toBe(6_000);
    expect(msUntil(4_000, 10_000)).toBe(0);
  });
});

describe.each(['zh-CN', 'en'] as const)('the words in %s', (locale) => {
  afterEach(() => overwriteGetLocale(() => baseLocale));

  it('give each connection outcome its own sentence', () => {
    overwriteGetLocale(() => locale);
    const texts = connectionOutcomes.map((outcome) => outcomeMessages[outcome]());
    expect(new Set(texts).size).toBe(connectionOutcomes.length);
  });

  it('tell a main password apart from a client password', () => {
    overwriteGetLocale(() => locale);
    const texts = Object.values(storedPasswordLabels).map((label) => label());
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('write an endpoint as host:port with its security', () => {
    overwriteGetLocale(() => locale);
    expect(endpointText({ host: 'mail.cstnet.cn', port: 993, security: 'tls' })).toBe(
      locale === 'en' ? 'mail.cstnet.cn:993, SSL/TLS' : 'mail.cstnet.cn:993，SSL/TLS',
    );
    expect(endpointText({ host: 'mail.cstnet.cn', port: 587, security: 'starttls' })).toBe(
      locale === 'en' ? 'mail.cstnet.cn:587, STARTTLS' : 'mail.cstnet.cn:587，STARTTLS',
    );
    expect(endpointText({ host: '127.0.0.1', port: 1143, security: 'none' })).toBe(locale === 'en' ? '127.0.0.1:1143, None' : '127.0.0.1:1143，不加密');
  });
});
