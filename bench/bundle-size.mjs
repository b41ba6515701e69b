// The renderer's initial download: every script, module preload and stylesheet that
// out/renderer/index.html pulls in or holds inline before first paint, raw, gzip and brotli.
// `--quiet` prints one line (used by `npm run build`); the goal is ≤ 40 kB gzip of JS.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = 'out/renderer';
const html = readFileSync(join(root, 'index.html'), 'utf8');
const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const sizes = { js: { raw: 0, gzip: 0, brotli: 0 }, css: { raw: 0, gzip: 0, brotli: 0 } };
// The entry's stylesheet is written into index.html (electron.vite.config.ts): count it as CSS.
for (const [, css] of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
  const bytes = Buffer.from(css, 'utf8');
  sizes.css.raw += bytes.length;
  sizes.css.gzip += gzipSync(bytes, { level: 9 }).length;
  sizes.css.brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}
for (const ref of new Set(refs)) {
  const bytes = readFileSync(join(root, ref.replace(/^\.?\//, '')));
  const kind = ref.endsWith('.css') ? 'css' : 'js';
  sizes[kind].raw += bytes.length;
  sizes[kind].gzip += gzipSync(bytes, { level: 9 }).length;
  sizes[kind].brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}
const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
const goal = 40 * 1024;
const verdict = sizes.js.gzip <= goal ? 'within' : 'OVER';
if (process.argv.includes('--quiet')) {
  console.log(`initial renderer JS ${kB(sizes.js.gzip)} gzip (${verdict} the 40 kB goal), CSS ${kB(sizes.css.gzip)} gzip`);
} else {
  console.log('initial renderer download   raw        gzip       brotli');
  for (const kind of ['js', 'css']) {
    const s = sizes[kind];
    console.log(`${kind.padEnd(26)}  ${kB(s.raw).padEnd(9)}  ${kB(s.gzip).padEnd(9)}  ${kB(s.brotli)}`);
  }
  console.log(`JS gzip / goal: ${(sizes.js.gzip / goal).toFixed(2)} (goal ≤ 1.00, ${verdict})`);
  // For bench/run.mjs's table.
  const figure = {
    name: 'bundle (initial renderer download)',
    value: `JS ${kB(sizes.js.gzip)} gzip / ${kB(sizes.js.brotli)} brotli (${kB(sizes.js.raw)} raw); CSS ${kB(sizes.css.gzip)} gzip / ${kB(sizes.css.brotli)} brotli (${kB(sizes.css.raw)} raw)`,
    goal: '≤ 40 kB gzip JS',
    verdict: sizes.js.gzip <= goal ? 'met' : 'missed',
    note: 'every script, module preload and stylesheet out/renderer/index.html pulls in, gzip level 9 and brotli quality 11',
  };
  console.log(`BENCH-FIGURE ${JSON.stringify(figure)}`);
}
