// Covers scripts/electronegativity.mjs, the Electronegativity gate `npm test` runs over the app:
// that it fails on an insecure window, honours the tool's inline suppression, parses what Svelte 5
// compiles to (private class fields) and never passes a file it could not parse.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const gate = join(import.meta.dirname, '../../scripts/electronegativity.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'mw-eng-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const csp = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'" /></head><body></body></html>\n`;

/** A small app: a main.js, an index.html with a CSP, a package.json naming Electron 45. */
function app(name: string, main: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.js'), main);
  writeFileSync(join(dir, 'index.html'), csp);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, main: 'main.js', devDependencies: { electron: '45.4.1' } }));
  return dir;
}

function scan(dir: string) {
  const result = spawnSync(process.execPath, [gate, dir], { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

/** Locked down like electron/main/windows.ts, with a Svelte-5-style private field in the file. */
const lockedDown = (preloadLine: string) => `const { app, BrowserWindow, session } = require('electron');
class Counter {
  #count = 0;
  increment() { return ++this.#count; }
}
app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const win = new BrowserWindow({
    webPreferences: {
      ${preloadLine}
      contextIsolation: true,
      sandbox: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.loadURL('app://local/index.html');
  new Counter().increment();
});
`;

describe('the Electronegativity gate', () => {
  it('fails on a window without context isolation or sandbox that loads http, naming each finding', () => {
    const dir = app('insecure', readFileSync(join(import.meta.dirname, 'fixtures/insecure-window.js'), 'utf8'));
    const { status, output } = scan(dir);
    expect(status).toBe(1);
    expect(output).toMatch(/^HIGH .*CONTEXT_ISOLATION_JS_CHECK main\.js:6:/m);
    expect(output).toMatch(/^MEDIUM .*SANDBOX_JS_CHECK main\.js:6:/m);
    expect(output).toMatch(/^MEDIUM .*HTTP_RESOURCES_JS_CHECK main\.js:7:/m);
    expect(output).toMatch(/^HIGH .*LIMIT_NAVIGATION_GLOBAL_CHECK/m);
    expect(output).toMatch(/electronegativity [\d.]+: \d+ checks .*, [1-9]\d* finding\(s\) MEDIUM or above/);
  }, 120_000);

  it('passes a locked-down window whose preload carries an inline eng-disable, private class fields and all', () => {
    const { status, output } = scan(app('suppressed', lockedDown('preload: `${__dirname}/preload.js`, // eng-disable PRELOAD_JS_CHECK')));
    expect(output).toContain('0 finding(s) MEDIUM or above, 0 file(s) not parsed');
    expect(status).toBe(0);
  }, 120_000);

  it('without the suppression the same preload is a finding', () => {
    const { status, output } = scan(app('unsuppressed', lockedDown('preload: `${__dirname}/preload.js`,')));
    expect(output).toMatch(/^MEDIUM .*PRELOAD_JS_CHECK main\.js:10:/m);
    expect(status).toBe(1);
  }, 120_000);

  it('fails on a file it cannot parse rather than passing it unread', () => {
    const dir = app('unparsable', lockedDown('preload: `${__dirname}/preload.js`, // eng-disable PRELOAD_JS_CHECK'));
    writeFileSync(join(dir, 'broken.js'), 'const = ;\n');
    const { status, output } = scan(dir);
    expect(output).toMatch(/^NOT PARSED .*broken\.js/m);
    expect(status).toBe(1);
  }, 120_000);
});
