// Covers docs/rules.md: every file it names exists, every rule number the code cites is on the
// page, and the rules a newcomer looks for first lead to the file that holds them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const page = readFileSync(join(root, 'docs/rules.md'), 'utf8');

/** `§6` and `§6.5` as the page defines them: section headings and numbered rules. */
const defined = new Set([...page.matchAll(/^## §(\d+)\b/gm)].map((m) => m[1]!).concat([...page.matchAll(/^- \*\*(\d+\.\d+)\*\*/gm)].map((m) => m[1]!)));

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'paraglide') return [];
    if (statSync(join(root, path)).isDirectory()) return filesUnder(path);
    return /\.(ts|svelte|mjs|md)$/.test(name) ? [path.split(sep).join('/')] : [];
  });
}

/** The rule line of the page that contains `words`. */
function ruleWith(words: string): string {
  const line = page.split('\n- ').find((entry) => entry.replace(/\s+/g, ' ').includes(words));
  if (!line) throw new Error(`no rule says "${words}"`);
  return line;
}

describe('docs/rules.md', () => {
  it('names only files that exist', () => {
    const named = [...page.matchAll(/`((?:electron|renderer)\/[^`\s]+\.(?:ts|svelte))`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(40);
    expect(named.filter((file) => !existsSync(join(root, file)))).toEqual([]);
  });

  it('defines every section and rule the code cites', () => {
    const cited = new Map<string, string>();
    for (const file of ['electron', 'renderer/src', 'test', 'bench', 'scripts'].flatMap(filesUnder).concat('README.md')) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/docs\/rules\.md §(\d+(?:\.\d+)?)/g)) cited.set(m[1]!, relative(root, join(root, file)));
    }
    expect(cited.size).toBeGreaterThan(5);
    expect([...cited].filter(([number]) => !defined.has(number)).map(([number, file]) => `§${number} in ${file}`)).toEqual([]);
  });

  it.each([
    ['trusts this device and client for **7 days**', 'trustedDeviceDays'],
    ['At most **20** per mailbox', 'clientPasswordLimit'],
    ['**read-only** views mail and cannot change read state, delete or send', "'delete'"],
    ['Each channel declares beside its schema the session it needs', 'SessionLevel'],
  ])('leads from "%s" to the file that holds it', (words, constant) => {
    const files = [...ruleWith(words).matchAll(/`((?:electron|renderer)\/[^`\s]+)`/g)].map((m) => m[1]!);
    expect(
      files.some((file) => readFileSync(join(root, file), 'utf8').includes(constant)),
      `${files.join(', ')} hold ${constant}`,
    ).toBe(true);
  });
});
