// Compiles messages/{locale}.json into typed message functions (Paraglide JS) under
// renderer/src/lib/paraglide. The inlang plugin is passed in directly instead of being fetched
// from a CDN as project.inlang/settings.json "modules" would: builds must work offline.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadProjectFromDirectory } from '@inlang/sdk';
import { compileProject } from '@inlang/paraglide-js';
import messageFormat from '@inlang/plugin-message-format';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}renderer/src/lib/paraglide`;

const project = await loadProjectFromDirectory({ path: `${root}project.inlang`, fs, providePlugins: [messageFormat] });
const errors = await project.errors.get();
if (errors.length > 0) {
  for (const e of errors) console.error(`i18n: ${e.message}`);
  process.exit(1);
}
const files = await compileProject({
  project,
  compilerOptions: {
    // The app decides the locale itself (user setting, else the OS language) and tells the
    // runtime through overwriteGetLocale; no cookie, URL or storage strategy is wanted.
    strategy: ['baseLocale'],
    emitTsDeclarations: true,
    emitGitIgnore: false,
    emitPrettierIgnore: false,
    emitReadme: false,
    includeEslintDisableComment: true,
    outputStructure: 'message-modules',
  },
});
await project.close();
fs.rmSync(outdir, { recursive: true, force: true });
for (const [name, contents] of Object.entries(files)) {
  const target = `${outdir}/${name}`;
  fs.mkdirSync(target.slice(0, target.lastIndexOf('/')), { recursive: true });
  fs.writeFileSync(target, contents);
}
console.log(`i18n: compiled ${Object.keys(files).filter((f) => f.startsWith('messages/') && f.endsWith('.js') && !f.endsWith('_index.js')).length} messages`);
