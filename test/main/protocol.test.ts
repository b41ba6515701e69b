// Covers electron/main/protocol.ts and electron/platform/static-files.ts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEntryUrl, fileForAppRequest, serveAppRequest } from '../../electron/main/protocol';
import { resolveStaticPath } from '../../electron/platform/static-files';

let root: string;
let renderer: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailwarden-protocol-'));
  renderer = join(root, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html>');
  await writeFile(join(renderer, 'assets', 'a.css'), 'body{}');
  await writeFile(join(root, 'outside.txt'), 'secret');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('serves the renderer entry and its assets with their types', async () => {
    const page = await serveAppRequest(appEntryUrl, renderer);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const css = await serveAppRequest('app://mailwarden/assets/a.css', renderer);
    expect(await css.text()).toBe('body{}');
    expect(css.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('maps / to index.html', () => {
    expect(fileForAppRequest('app://mailwarden/', renderer)).toBe(join(renderer, 'index.html'));
  });

  it('never leaves the renderer folder', async () => {
    for (const url of [
      'app://mailwarden/../outside.txt',
      'app://mailwarden/%2e%2e/outside.txt',
      'app://mailwarden/assets/%2e%2e%2f%2e%2e%2foutside.txt',
      'app://mailwarden/%00',
    ]) {
      expect((await serveAppRequest(url, renderer)).status).toBe(404);
    }
  });

  it('answers only its own host and scheme', async () => {
    expect(fileForAppRequest('app://other/index.html', renderer)).toBeNull();
    expect(fileForAppRequest('file:///index.html', renderer)).toBeNull();
    expect(fileForAppRequest('::', renderer)).toBeNull();
    expect((await serveAppRequest('app://mailwarden/missing.js', renderer)).status).toBe(404);
  });

  it('refuses malformed escapes', () => {
    expect(resolveStaticPath(renderer, '/%E0%A4%A')).toBeNull();
  });
});
