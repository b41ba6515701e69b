/**
 * Covers every renderer/src/**.svelte file: no visible text bypasses the translator. Text
 * between tags and the human-facing attributes (aria-label, title, placeholder, alt) must come
 * from an expression (`{m.key()}`), never a literal — or the other language would show it as is.
 */
import { describe, expect, it } from 'vitest';

const components = import.meta.glob<string>('../../renderer/src/**/*.svelte', { eager: true, query: '?raw', import: 'default' });

/** Words of either language; punctuation, digits and symbols alone are not text. */
const words = /[A-Za-z\u4e00-\u9fff]{2,}/;

function stripExpressions(markup: string): string {
  let previous = '';
  let text = markup;
  // Innermost braces first, until none are left (expressions may nest objects and blocks).
  while (text !== previous) {
    previous = text;
    text = text.replace(/\{[^{}]*\}/g, ' ');
  }
  return text;
}

function rawTexts(source: string): string[] {
  const markup = source
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  const found: string[] = [];
  for (const match of markup.matchAll(/\s(aria-label|title|placeholder|alt)="([^"{]*)"/g)) {
    // An example address reads the same in every language.
    if (words.test(match[2]!) && !/^[\w.+-]+@[\w.-]+$/.test(match[2]!)) found.push(`${match[1]}="${match[2]}"`);
  }
  const text = stripExpressions(markup).replace(/<[^>]*>/g, '\n');
  for (const line of text.split('\n')) if (words.test(line)) found.push(line.trim());
  return found;
}

describe('components', () => {
  it('found the components', () => {
    expect(Object.keys(components).length).toBeGreaterThan(20);
  });

  it.each(Object.entries(components).map(([path, source]) => [path.replace('../../', ''), source]))('%s shows no untranslated text', (_path, source) => {
    expect(rawTexts(source)).toEqual([]);
  });

  it('would catch a literal', () => {
    expect(rawTexts('<script>const a = "x";</script><p>Hello {m.x()}</p><button aria-label="Close">{m.y()}</button>')).toEqual(['aria-label="Close"', 'Hello']);
    expect(rawTexts('<p>{m.ok()}</p><span>·</span><b>{count} / {total}</b>')).toEqual([]);
  });
});
