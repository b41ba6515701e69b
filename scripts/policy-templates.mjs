// `npm run policy-templates`: writes the policy templates generated from the policy schema into
// resources/policy/ and the key tables into docs/it-deployment.md. `--check` writes nothing and
// exits 1 when a committed file differs (test/build/policy-templates.test.ts checks the same).
// The generator is TypeScript (it imports the schema); Vite's runnerImport loads it, as Vite
// loads its own config, so no TypeScript runner joins the dependencies.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const { module: generator } = await runnerImport(join(root, 'scripts/policy-templates/render.ts'));

const docPath = 'docs/it-deployment.md';
const files = { ...generator.policyTemplateFiles(), [docPath]: generator.withKeyTables(readFileSync(join(root, docPath), 'utf8')) };
const stale = [];
for (const [path, content] of Object.entries(files)) {
  const target = join(root, path);
  if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
  stale.push(path);
  if (check) continue;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
}
if (check && stale.length > 0) {
  console.error(`policy templates out of date (run npm run policy-templates):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(stale.length === 0 ? 'policy templates up to date' : `${check ? 'stale' : 'wrote'}: ${stale.join(', ')}`);
