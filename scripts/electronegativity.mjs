// Electronegativity (Doyensec's Electron security linter) over the app, as a gate: prints every
// finding and a summary line, and exits 1 on any finding of MEDIUM severity or above, or on any
// file it could not parse (a file it cannot read is a file it did not check).
//
//   node scripts/electronegativity.mjs          the app: electron/ (TypeScript) + out/renderer + package.json
//   node scripts/electronegativity.mjs DIR      any folder (test/build/electronegativity.test.ts)
//
// What it scans, and why: the TypeScript sources of every layer bundled into out/main and
// out/preload (electron/**: the main bundle externalizes dependencies, so it holds nothing those
// sources do not), because the build strips comments, and Electronegativity's own suppression
// syntax is a comment on the finding's line (`// eng-disable CHECK_ID`, each with its reason beside
// it); plus the built renderer (out/renderer: the index.html with the CSP as shipped and the
// compiled Svelte), since the linter does not read .svelte files; plus package.json (the Electron
// version, custom arguments). `npm run electronegativity` builds first; `npm test` runs it after
// its build step.
//
// Two departures from the tool's own command line, both so the run is offline and reproducible:
// - it is called through its runner (dist/runner.js), not its CLI, which always exits 0;
// - its start-up fetch of translations from S3 is replaced by its bundled en-US strings, and the
//   AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK (it downloads Electron's release list from GitHub) is
//   excluded: whether Electron 45 has a newer security release is a release-time question
//   (SECURITY.md, "Use a current version of Electron"), not one for a test that must give the same
//   answer offline.
// And one fix: its Babel parse of plain JavaScript uses the `estree` plugin without
// `classFeatures`, so private class fields (`#x`, which Svelte 5 compiles `$state` class fields to)
// come out as a node type its tree walker rejects, and those renderer chunks would go unscanned.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const base = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const { version } = require('@doyensec/electronegativity/package.json');

// Offline translations: the module the runner imports, answered from the files it ships.
const i18n = require(require.resolve('i18n', { paths: [base] }));
const localI18n = () => {
  i18n.configure({
    locales: ['en-US'],
    defaultLocale: 'en-US',
    directory: join(base, 'dist/locales'),
    updateFiles: false,
    objectNotation: true,
    retryInDefaultLocale: true,
    register: globalThis,
  });
  i18n.setLocale('en-US');
  return Promise.resolve();
};
const i18nModule = join(base, 'dist/locales/i18n.js');
require.cache[i18nModule] = { id: i18nModule, filename: i18nModule, loaded: true, exports: Object.assign(localI18n, { default: localI18n }) };

const { Parser } = require(join(base, 'dist/parser/parser.js'));
const parse = Parser.prototype.parse;
Parser.prototype.parse = function (...args) {
  this.babelPlugins = this.babelPlugins.map((plugin) => (plugin === 'estree' ? ['estree', { classFeatures: true }] : plugin));
  return parse.apply(this, args);
};

const run = require(join(base, 'dist/runner.js'));
const { severity } = require(join(base, 'dist/finder/attributes.js'));
const excluded = ['AvailableSecurityFixesGlobalCheck'];

/** The app's scan: one folder holding electron/, out/renderer and package.json, as in the repository. */
function stageApp() {
  if (!existsSync(join(root, 'out/renderer/index.html'))) {
    console.error('electronegativity: out/renderer is missing; run `npm run build` first');
    process.exit(2);
  }
  const stage = mkdtempSync(join(tmpdir(), 'mw-electronegativity-'));
  cpSync(join(root, 'electron'), join(stage, 'electron'), { recursive: true });
  cpSync(join(root, 'out/renderer'), join(stage, 'out/renderer'), { recursive: true });
  cpSync(join(root, 'package.json'), join(stage, 'package.json'));
  return stage;
}

const given = process.argv[2];
const input = given ? resolve(given) : stageApp();
let result;
try {
  result = await run({ input, customScan: [], excludeFromScan: excluded, isRelative: true, isVerbose: true, parserPlugins: [] }, false);
} finally {
  if (!given) rmSync(input, { recursive: true, force: true });
}

const { issues, errors, globalChecks, atomicChecks } = result;
issues.sort((a, b) => b.severity.value - a.severity.value || a.file.localeCompare(b.file) || a.location.line - b.location.line);
for (const issue of issues) {
  const review = issue.manualReview ? ', review' : '';
  console.log(`${issue.severity.name} (${issue.confidence.name}${review}) ${issue.id} ${issue.file}:${issue.location.line}:${issue.location.column}`);
  console.log(`    ${issue.description} ${issue.shortenedURL}`);
}
for (const error of errors) console.log(`${error.tolerable ? 'parse warning' : 'NOT PARSED'} ${error.file}: ${error.message}`);

const blocking = issues.filter((issue) => issue.severity.value >= severity.MEDIUM.value);
const unparsed = errors.filter((error) => !error.tolerable);
const counts = Object.values(severity)
  .map((level) => [level.name, issues.filter((issue) => issue.severity.value === level.value).length])
  .filter(([, count]) => count > 0)
  .map(([name, count]) => `${count} ${name}`);
console.log(
  `electronegativity ${version}: ${globalChecks + atomicChecks} checks (${excluded.join(', ')} excluded), ` +
    `${blocking.length} finding(s) MEDIUM or above, ${unparsed.length} file(s) not parsed` +
    (counts.length > 0 ? `; all findings: ${counts.join(', ')}` : ''),
);
process.exit(blocking.length > 0 || unparsed.length > 0 ? 1 : 0);
