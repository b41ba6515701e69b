// Covers eslint.config.js: the rules `npm test` relies on do fire. An import circle, a core file
// reaching for Node's fs or a store adapter, and a renderer file reaching past electron/shared
// each fail the lint; the repository as it is passes (the lint stage of `npm test`).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { importCycles } from '../../scripts/import-cycles.mjs';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });
/** Circles are made in a folder of their own, laid out like the project, never in the source tree. */
let scratch: string | null = null;

async function probe(path: string, text: string): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'mailwarden-lint-'));
  const file = join(scratch, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** The project's own config, its patterns read from the scratch folder. */
function scratchLint(): ESLint {
  return new ESLint({ cwd: scratch!, overrideConfigFile: join(root, 'eslint.config.js') });
}

afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = null;
});

async function ruleIds(text: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('the lint', () => {
  it("refuses Node's fs, Electron, a store adapter and a database driver in the core", async () => {
    expect(await ruleIds("import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n", 'electron/core/lint-probe.ts')).toContain(
      'no-restricted-imports',
    );
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'electron/shared/lint-probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { openEmbeddedStore } from '../store/open';\nexport const o = openEmbeddedStore;\n", 'electron/core/lint-probe.ts')).toContain(
      'no-restricted-imports',
    );
    expect(await ruleIds("import pg from 'pg';\nexport const p = pg;\n", 'electron/core/lint-probe.ts')).toContain('no-restricted-imports');
    // The ports themselves are fine.
    expect(await ruleIds("import type { Clock } from './ports';\nexport type C = Clock;\n", 'electron/core/lint-probe.ts')).toEqual([]);
  });

  it('lets the renderer import the shared contract only', async () => {
    expect(await ruleIds("import { signIn } from '../../../electron/core/sign-in';\nexport const s = signIn;\n", 'renderer/src/lib/lint-probe.ts')).toContain(
      'no-restricted-imports',
    );
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'renderer/src/lib/lint-probe.ts')).toContain(
      'no-restricted-imports',
    );
    expect(await ruleIds("import type { Err } from '../../../electron/shared/result';\nexport type E = Err;\n", 'renderer/src/lib/lint-probe.ts')).toEqual([]);
  });

  it('finds an import circle: ESLint among values, the cycle script among types too', async () => {
    await probe('electron/core/lint-probe-a.ts', "import { b } from './lint-probe-b';\nexport const a = () => b;\n");
    const b = await probe('electron/core/lint-probe-b.ts', "import { a } from './lint-probe-a';\nexport const b = () => a;\n");
    const [result] = await scratchLint().lintFiles([b]);
    expect(result?.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
    expect(importCycles(['electron'], scratch!)).toEqual([['electron/core/lint-probe-a.ts', 'electron/core/lint-probe-b.ts']]);
  });

  it("counts a circle of type imports, which ESLint's rule skips", async () => {
    await probe('electron/core/lint-probe-c.ts', "import type { D } from './lint-probe-d';\nexport type C = { d?: D };\n");
    const d = await probe('electron/core/lint-probe-d.ts', "import type { C } from './lint-probe-c';\nexport type D = { c?: C };\n");
    const [result] = await scratchLint().lintFiles([d]);
    expect(result?.messages.map((m) => m.ruleId)).not.toContain('import-x/no-cycle');
    expect(importCycles(['electron'], scratch!)).toEqual([['electron/core/lint-probe-c.ts', 'electron/core/lint-probe-d.ts']]);
  });

  it('finds no circle in the project as it is', () => {
    expect(importCycles(['electron', 'renderer/src'], root)).toEqual([]);
  });
});
