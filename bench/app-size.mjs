// The packed app: resources/app.asar as electron-builder packs it (scripts/pack-dir.mjs, `--dir`
// with a stand-in Electron), and the native modules unpacked beside it. Goal: app.asar ≤ 6 MB.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packDir } from '../scripts/pack-dir.mjs';

const output = join(tmpdir(), `mailwarden-app-size-${process.pid}`);
const sizeOf = (path) => (statSync(path).isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : statSync(path).size);
try {
  const resources = packDir(output);
  const asar = statSync(join(resources, 'app.asar')).size;
  const unpacked = sizeOf(join(resources, 'app.asar.unpacked'));
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`app.asar ${mb(asar)}, app.asar.unpacked ${mb(unpacked)}`);
  console.log(
    `BENCH-FIGURE ${JSON.stringify({
      name: 'packed app (app.asar)',
      value: `${mb(asar)}; native modules unpacked beside it ${mb(unpacked)}`,
      goal: '≤ 6 MB',
      verdict: asar <= 6e6 ? 'met' : 'missed',
      note: `electron-builder --dir for ${process.platform}-${process.arch} with electron-builder.yml and a stand-in Electron (scripts/pack-dir.mjs); the main build bundles every JavaScript dependency, so app.asar holds out/ and the native modules' loaders`,
    })}`,
  );
} finally {
  rmSync(output, { recursive: true, force: true });
}
