// Import circles among the project's own files, type imports included: ESLint's
// import-x/no-cycle skips `import type` by design, and a circle of types is still a circle a
// newcomer must hold in their head (issue 15). Reads the relative imports of every .ts and
// .svelte file under the given folders and prints each strongly connected group; exits 1 if any.
// About forty lines, so no dependency (madge, dpdm) for it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every group of files that import one another, each sorted, relative to `cwd`. */
export function importCycles(folders, cwd = process.cwd()) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'paraglide' && name !== 'node_modules') walk(path);
      } else if (/\.(ts|svelte)$/.test(name) && !name.endsWith('.d.ts')) files.push(resolve(path));
    }
  };
  for (const folder of folders) walk(resolve(cwd, folder));
  const known = new Set(files);
  const edges = new Map();
  for (const file of files) {
    const targets = [];
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const base = resolve(dirname(file), match[1]).replace(/\.js$/, '');
      const hit = [base, `${base}.ts`, `${base}.svelte`, join(base, 'index.ts')].find((candidate) => known.has(candidate));
      if (hit) targets.push(hit);
    }
    edges.set(file, targets);
  }
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      group.push(relative(cwd, w));
    } while (w !== v);
    if (group.length > 1 || edges.get(v).includes(v)) groups.push(group.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return groups;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const groups = importCycles(process.argv.slice(2));
  for (const group of groups) console.error(`import circle (${group.length} files): ${group.join(' → ')}`);
  if (groups.length > 0) process.exit(1);
  console.log(`import cycles: none in ${process.argv.slice(2).join(', ')}`);
}
