/**
 * Browser-mode fixtures: every test gets its own running host (the built `out/main/host.js`,
 * exactly what `npm run web` starts) over a fresh data folder, and a page already open on it:
 * `appPage` signed in (the app behind the sign-in gate), `signedOutPage` on the sign-in screen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base, expect, type Page } from '@playwright/test';
import { registerMailbox } from './backend';

export interface RunningApp {
  /** The printed URL, token fragment included. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly dataDir: string;
  /** Everything the host printed so far (stdout and stderr). */
  readonly output: string[];
}

export async function startBrowserMode(extraArgs: string[] = []): Promise<{ app: RunningApp; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailwarden-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['out/main/host.js', '--user-data-dir', dataDir, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not print its URL:\n${output.join('')}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const match = /^Open: (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const parsed = new URL(url);
  const app: RunningApp = {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    dataDir,
    output,
  };
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  return { app, stop };
}

export const test = base.extend<{ app: RunningApp; appPage: Page; signedOutPage: Page; hostArgs: string[] }>({
  /** Extra flags for the host, e.g. `test.use({ hostArgs: ['--demo'] })` or `['--policy', file]`. */
  hostArgs: [[], { option: true }],
  app: async ({ hostArgs }, use) => {
    const { app, stop } = await startBrowserMode(hostArgs);
    await use(app);
    await stop();
  },
  /**
   * The app opened through its printed URL, signed in as a freshly registered mailbox
   * (`zhang.wei@cstnet.cn`, backend.ts `testPassword`) and ready: the sidebar and the first
   * page (its heading) are on screen.
   */
  appPage: async ({ page, app }, use) => {
    await registerMailbox(page, app);
    await page.goto(app.url);
    await expect(page.getByRole('navigation')).toBeVisible();
    await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
    await use(page);
  },
  /** The app opened through its printed URL with nobody signed in: the sign-in screen is showing. */
  signedOutPage: async ({ page, app }, use) => {
    await page.goto(app.url);
    await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
    await use(page);
  },
});

export { expect };
