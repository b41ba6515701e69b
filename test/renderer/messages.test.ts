/**
 * Covers messages/*.json and renderer/src/lib/i18n/error-message.ts: both languages have the same
 * keys, none is empty, and every error code has its own translated message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorCodes } from '../../electron/shared/result';
import { errorMessage } from '../../renderer/src/lib/i18n/error-message';
import { baseLocale, overwriteGetLocale } from '../../renderer/src/lib/paraglide/runtime.js';

// Read through Vite's glob import: the message files are data, outside the web type-check project.
// messages/{locale}.json holds the shell's messages; each feature keeps its own in
// messages/<feature>/{locale}.json (all listed in project.inlang/settings.json).
// A message is a string, or (English plurals, messages/*/en.json) an array of one variant set
// whose `*` case is the general text; tests below read that one, and `variantsOf` all of them.
type MessageValue = string | { match: Record<string, string> }[];
const files = import.meta.glob<Record<string, MessageValue>>('../../messages/**/*.json', { eager: true, import: 'default' });

const generalText = (value: MessageValue): string =>
  typeof value === 'string' ? value : (Object.entries(value[0]!.match).find(([condition]) => condition.endsWith('=*'))?.[1] ?? '');
const variantsOf = (value: MessageValue): string[] => (typeof value === 'string' ? [value] : Object.values(value[0]!.match));
const allVariants = Object.entries(files).flatMap(([path, contents]) =>
  Object.entries(contents)
    .filter(([key]) => key !== '$schema')
    .flatMap(([key, value]) => variantsOf(value).map((text) => [`${path} ${key}`, text] as const)),
);

function filesOf(locale: string): [string, Record<string, string>][] {
  return Object.entries(files)
    .filter(([path]) => path.endsWith(`/${locale}.json`))
    .map(([path, contents]) => {
      const { $schema: _, ...messages } = contents;
      return [path, Object.fromEntries(Object.entries(messages).map(([key, value]) => [key, generalText(value)]))];
    });
}

function messagesOf(locale: string): Record<string, string> {
  return Object.assign({}, ...filesOf(locale).map(([, messages]) => messages));
}

const zh = messagesOf('zh-CN');
const en = messagesOf('en');
const byLocale = { 'zh-CN': zh, en };

describe('messages', () => {
  it('both languages have the same keys', () => {
    expect(Object.keys(zh).length).toBeGreaterThan(0);
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('no key is declared in two files (one would silently win)', () => {
    for (const locale of ['zh-CN', 'en']) {
      const seen = new Map<string, string>();
      for (const [path, messages] of filesOf(locale)) {
        for (const key of Object.keys(messages)) {
          expect(seen.get(key), `${key} in ${path}`).toBeUndefined();
          seen.set(key, path);
        }
      }
    }
  });

  it('every message file is compiled (listed in project.inlang/settings.json)', () => {
    const [settings] = Object.values(
      import.meta.glob<{ 'plugin.inlang.messageFormat': { pathPattern: string[] } }>('../../project.inlang/settings.json', { eager: true, import: 'default' }),
    );
    if (!settings) throw new Error('project.inlang/settings.json not found');
    const listed = settings['plugin.inlang.messageFormat'].pathPattern.map((p) => p.replace('./messages/', '../../messages/').replace('{locale}', 'zh-CN'));
    for (const [path] of filesOf('zh-CN')) expect(listed, path).toContain(path);
  });

  it('no message is empty, nor any variant of one', () => {
    for (const [key, text] of [...Object.entries(zh), ...Object.entries(en)]) expect(text.trim(), key).not.toBe('');
    for (const [where, text] of allVariants) expect(text.trim(), where).not.toBe('');
  });

  it('each message uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(zh)) expect(placeholders(en[key]!), key).toEqual(placeholders(zh[key]!));
  });

  it('every message is used by the app: a key nobody calls is a sentence nobody keeps up to date', () => {
    // The sources as text, through the same glob import: a key is used where `m.<key>` (or the key
    // itself, for error codes and tables built from names) appears.
    const sources = Object.values(
      import.meta.glob<string>(['../../renderer/src/**/*.{ts,svelte}', '!../../renderer/src/lib/paraglide/**', '../../electron/**/*.ts'], {
        eager: true,
        query: '?raw',
        import: 'default',
      }),
    ).join('\n');
    const errorKeys = new Set(errorCodes.map((code) => `error_${code.replaceAll('-', '_')}`));
    const unused = Object.keys(zh).filter((key) => !errorKeys.has(key) && !new RegExp(`\\b${key}\\b`).test(sources));
    expect(unused).toEqual([]);
  });

  it('every error code has a message key error_<code>', () => {
    for (const code of errorCodes) expect(zh).toHaveProperty(`error_${code.replaceAll('-', '_')}`);
  });
});

describe('errorMessage', () => {
  afterEach(() => overwriteGetLocale(() => baseLocale));

  it.each(['zh-CN', 'en'] as const)('gives each code its own message in %s', (locale) => {
    overwriteGetLocale(() => locale);
    const texts = errorCodes.map((code) => errorMessage({ code }));
    const expected = errorCodes.map((code) => byLocale[locale][`error_${code.replaceAll('-', '_')}`]);
    expect(texts).toEqual(expected);
    expect(new Set(texts).size).toBe(errorCodes.length);
  });

  it('says how many more wrong entries a code allows, in both languages', () => {
    overwriteGetLocale(() => 'en');
    expect(errorMessage({ code: 'code-invalid', triesLeft: 3 })).toBe('The code is not correct. 3 more tries before this code stops working.');
    expect(errorMessage({ code: 'code-invalid', triesLeft: 1 })).toBe('The code is not correct. 1 more try before this code stops working.');
    expect(errorMessage({ code: 'code-reused' })).toBe('This code was already used. Wait for your authenticator app to show the next one.');
    overwriteGetLocale(() => 'zh-CN');
    expect(errorMessage({ code: 'code-invalid', triesLeft: 3 })).toBe('验证码不正确。还可再试 3 次，之后此验证码失效。');
    expect(errorMessage({ code: 'code-invalid' })).toBe('验证码不正确。');
  });

  it('says when to try again if the error knows', () => {
    overwriteGetLocale(() => 'en');
    expect(errorMessage({ code: 'send-too-soon', retryAfter: 42 })).toBe(`${en['error_send_too_soon']} Try again in 42 seconds.`);
    expect(errorMessage({ code: 'mailbox-locked', retryAfter: 61 })).toMatch(/Try again in 2 minutes\.$/);
    overwriteGetLocale(() => 'zh-CN');
    expect(errorMessage({ code: 'mailbox-locked', retryAfter: 900 })).toBe(`${zh['error_mailbox_locked']}请15分钟后再试。`);
    expect(errorMessage({ code: 'send-limit-reached', retryAfter: 0 })).toBe(zh['error_send_limit_reached']);
  });
});
