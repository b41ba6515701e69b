import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

/**
 * Writes the entry's stylesheet into index.html as a <style> element instead of a <link>. With
 * the link, the first frame waited for the stylesheet while the module script and its preload
 * were fetched beside it: first contentful paint 1.40× a blank page's, against 0.90× with the
 * same CSS inline (bench/first-paint.ts and a probe of both variants, 2026-12-04). The CSP has
 * allowed inline styles all along (Svelte sets style attributes). The file stays in the bundle:
 * lazily loaded chunks that share the entry's CSS list it among their preloads, and Vite's
 * preloader fails a chunk whose stylesheet is missing (applying the same rules twice is harmless).
 */
function inlineEntryStylesheet(): Plugin {
  return {
    name: 'mailwarden:inline-entry-stylesheet',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const bundle = context.bundle ?? {};
        return html.replace(/<link rel="stylesheet"[^>]*href="\.?\/?([^"]+\.css)"[^>]*>/g, (link, fileName: string) => {
          const asset = bundle[fileName];
          if (!asset || asset.type !== 'asset') return link;
          return `<style>${String(asset.source).replaceAll('</style', '<\\/style')}</style>`;
        });
      },
    },
  };
}

export default defineConfig({
  // The runtime dependencies written in JavaScript are devDependencies, which electron-vite
  // bundles into this build, so the packed app carries the code it runs and not each package
  // whole (libphonenumber-js alone ships 10 MB; nedb pulls in localforage, which only a browser
  // uses). Only `dependencies` stay outside: the native modules (keychain and Windows registry
  // bindings, unpacked beside app.asar) and sql.js, whose Node build reads its .wasm from beside
  // itself (electron-builder.yml packs just those two files of it). bench/app-size.mjs measures the packed app.asar.
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The Electron shell, the browser-mode host and the IT command line share one build so
        // they share one copy of the core.
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          host: resolve(root, 'electron/host/index.ts'),
          cli: resolve(root, 'electron/cli/index.ts'),
          // Dovecot starts it for every login: node built-ins and the socket client only.
          checkpassword: resolve(root, 'electron/cli/checkpassword.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load modules: everything it needs is bundled into one
      // CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') }), inlineEntryStylesheet()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      minify: true,
      // Inline nothing: the CSP allows scripts from 'self' only, never data: URLs.
      assetsInlineLimit: 0,
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
