/**
 * The real Electron app, launched by Playwright. Runs wherever the Electron binary is installed;
 * elsewhere (installs made with ELECTRON_SKIP_BINARY_DOWNLOAD=1, as on the CI machine, which
 * cannot download it) every test here is reported as skipped with the reason, never as passed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { methodPath } from '../../electron/shared/api';
import { channelNames } from '../../electron/shared/contract';
import { electronBinaryPath, electronMissingMessage } from '../../scripts/electron-binary.mjs';

const binary = electronBinaryPath();
test.skip(!binary, `not run: ${electronMissingMessage}`);
test.skip(process.platform === 'linux' && !process.env.DISPLAY, 'not run: no display (run under xvfb-run, as npm test does)');

let app: ElectronApplication;
let page: Page;
let dataDir: string;

test.beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mailwarden-electron-'));
  app = await electron.launch({
    executablePath: binary!,
    args: ['out/main/index.js', '--user-data-dir', dataDir],
    env: { ...process.env, LANG: 'zh_CN.UTF-8' },
  });
  page = await app.firstWindow();
  // A fresh data folder has no mailbox: the app opens on the sign-in screen's registration.
  await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toHaveText('注册此邮箱');
});

test.afterEach(async () => {
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('loads the renderer from app://, not file://', () => {
  expect(page.url()).toMatch(/^app:\/\/mailwarden\/index\.html/);
});

test('the page has no Node: isolated, sandboxed, no node integration', async () => {
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { ipcRenderer?: unknown }).ipcRenderer)).toBe('undefined');
});

test('the preload exposes one frozen API and nothing generic', async () => {
  const shape = await page.evaluate(() => {
    const api = (globalThis as unknown as { mailwarden: Record<string, Record<string, unknown>> }).mailwarden;
    return { frozen: Object.isFrozen(api), namespaces: Object.keys(api).sort(), hasInvoke: 'invoke' in api };
  });
  const namespaces = [...new Set(channelNames.map((name) => methodPath(name)[0]))].sort();
  expect(shape).toEqual({ frozen: true, namespaces, hasInvoke: false });
});

test('app:info round-trips through the preload bridge', async () => {
  const info = await page.evaluate(() => (globalThis as unknown as { mailwarden: { app: { info(): Promise<unknown> } } }).mailwarden.app.info());
  expect(info).toMatchObject({ ok: true, data: { shell: 'electron', backend: 'embedded', dataDir } });
});

test('refuses new windows and navigation away from the app', async () => {
  await page.evaluate(() => {
    (globalThis as unknown as { open(url: string): unknown }).open('https://evil.example/');
    (globalThis as unknown as { location: { href: string } }).location.href = 'https://evil.example/';
  });
  await expect(page).toHaveURL(/^app:\/\/mailwarden\//);
  expect(app.windows()).toHaveLength(1);
});

test('writes its log to a file in the data folder’s logs, and Help offers the logs and diagnostics', async () => {
  const logs = await app.evaluate(({ app: electronApp }) => electronApp.getPath('logs'));
  const { readFile } = await import('node:fs/promises');
  await expect.poll(async () => readFile(join(logs, 'main.log'), 'utf8').catch(() => '')).toContain('"scope":"main"');
  const help = await app.evaluate(
    ({ Menu }) =>
      Menu.getApplicationMenu()
        ?.items.at(-1)
        ?.submenu?.items.map((item) => item.label) ?? [],
  );
  expect(help).toEqual(expect.arrayContaining(['打开日志文件夹', '导出诊断信息…']));
});

test('a client password on screen protects the window from capture, and only while shown', async () => {
  const call = (shown: boolean) =>
    page.evaluate(
      (value) =>
        (globalThis as unknown as { mailwarden: { app: { secretOnScreen(r: { shown: boolean }): Promise<unknown> } } }).mailwarden.app.secretOnScreen({
          shown: value,
        }),
      shown,
    );
  const protectedNow = () => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isContentProtected() ?? false);
  await call(true);
  // Linux has no capture protection to turn on; Windows and macOS do.
  if (process.platform !== 'linux') expect(await protectedNow()).toBe(true);
  await call(false);
  expect(await protectedNow()).toBe(false);
});

test('a crashed page is offered a reload instead of a blank window', async () => {
  // The message box is answered "Reload" (its first button) by replacing the dialog for this test.
  await app.evaluate(({ dialog }) => {
    dialog.showMessageBoxSync = (() => 0) as typeof dialog.showMessageBoxSync;
  });
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.webContents.forcefullyCrashRenderer());
  await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toHaveText('注册此邮箱', { timeout: 15_000 });
});
