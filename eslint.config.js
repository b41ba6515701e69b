/**
 * Lint: the layers and the import graph, the TypeScript and Svelte checks. Run by `npm test`
 * (scripts/test-all.mjs) and `npm run lint`.
 *
 * - No import cycle anywhere in electron/ or renderer/ (import-x/no-cycle, type imports too: a
 *   circle of types is still a circle a newcomer must hold in their head).
 * - The layers of ARCHITECTURE.md, as VS Code lints its own: the core and shared code import
 *   neither Electron, Node's fs, a store adapter nor a database driver; the renderer imports only
 *   the shared contract and its types from electron/.
 */
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeFs = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'];
const drivers = ['electron', '@seald-io/nedb', 'pg', 'pg-*', '@napi-rs/keyring', 'native-reg'];
/** Adapters and shells the core reaches only through its ports. */
const outerLayers = ['**/store/**', '**/postgres/**', '**/platform/**', '**/main/**', '**/preload/**', '**/host/**', '**/server/**', '**/cli/**'];

export default tseslint.config(
  // Fixtures are inputs, not code of ours: test/build/fixtures holds a deliberately insecure window for Electronegativity.
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'renderer/src/lib/paraglide/**', 'test-results/**', 'resources/**', 'test/build/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `const { host: _omitted, ...rest } = headers` leaves a field out on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // Svelte's rules on Svelte files only (its config sets some rules for every file).
  ...svelte.configs['flat/recommended'].map((config) => ({ ...config, files: config.files ?? ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'] })),
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] }, globals: globals.browser },
  },
  {
    files: ['electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.svelte'],
    plugins: { 'import-x': importX },
    // import-x reads each imported module with these options too: a .svelte file reached from a
    // .ts one (App.svelte from main.ts) still has its TypeScript script parsed.
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.svelte', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } })],
      'import-x/extensions': ['.ts', '.svelte', '.js'],
      // A module reached from a .svelte file is still read as what it is.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.js'], 'svelte-eslint-parser': ['.svelte'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeFs, ...drivers.filter((d) => !d.includes('*'))].map((name) => ({
            name,
            message: 'The core and shared code reach files, Electron and databases only through their ports (ARCHITECTURE.md).',
          })),
          patterns: [{ group: [...outerLayers, 'pg-*'], message: 'The core and shared code import no adapter or shell: add a port (ARCHITECTURE.md).' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer runs in a page: no Electron modules.' }],
          patterns: [
            { regex: '(^|/)electron/(?!shared/)', message: 'The renderer imports only electron/shared (the contract and its types).' },
            { regex: '^node:', message: 'The renderer runs in a page: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{js,mjs}', 'bench/**/*.{js,mjs}', '*.config.{js,ts}', 'electron.vite.config.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    // electron-builder loads its hooks with require(): CommonJS by necessity.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // A test reads a dispatcher's answer loosely (`data?: any`); the contract's schemas check its shape.
      '@typescript-eslint/no-explicit-any': 'off',
      // Playwright's fixtures take `async ({}, use) => …` when they need no other fixture.
      'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }],
    },
  },
);
