/**
 * First paint: first contentful paint of the app's sign-in page in browser mode divided by that
 * of a blank page (one line of text: a page with nothing on it never paints "contentful"),
 * both served by the same built host process (out/main/host.js run from a copy of out/ whose
 * renderer folder also holds blank.html), loaded by the same Chromium in the same run, each
 * load in a fresh browser context (no cache), app and blank alternating. FCP is read from the
 * Performance API's paint entry.
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { ratioFigure, report } from './lib';
import { projectRoot, scratchCopy, startHost } from './host';
import { benchRoot, seededFolder } from './seed';

const runs = 25;
const warmUps = 2;

const site = join(benchRoot, 'site');
await rm(site, { recursive: true, force: true });
await mkdir(site, { recursive: true });
await cp(join(projectRoot, 'out'), join(site, 'out'), { recursive: true });
await writeFile(
  join(site, 'out/renderer/blank.html'),
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body><p>blank</p></body></html>\n',
);

// Mailboxes in the folder, so the app opens on the sign-in form (not first-run registration).
const dataDir = await scratchCopy(await seededFolder('paint', { mailboxes: 49, activity: 0, others: 0, own: 0 }, console.log));
const host = await startHost({ dataDir, hostJs: join(site, 'out/main/host.js') });
const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function fcp(url: string, ready: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.locator(ready).first().waitFor();
    return await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          new PerformanceObserver((list) => {
            const entry = list.getEntriesByName('first-contentful-paint')[0];
            if (entry) resolve(entry.startTime);
            // `type` and `buffered`: the paint may have happened before the observer existed.
          }).observe({ type: 'paint' as never, buffered: true });
        }),
    );
  } finally {
    await context.close();
  }
}

const appUrl = host.url;
const blankUrl = `${host.origin}/blank.html`;
const app: number[] = [];
const blank: number[] = [];
try {
  console.log(`Chromium ${browser.version()}`);
  for (let i = 0; i < warmUps + runs; i += 1) {
    // The sign-in form's password field: the screen a person can use.
    const a = await fcp(appUrl, 'input[type="password"]');
    const b = await fcp(blankUrl, 'p');
    if (i >= warmUps) {
      app.push(a);
      blank.push(b);
    }
  }
} finally {
  await browser.close();
  await host.stop();
  await rm(dataDir, { recursive: true, force: true });
}
report(
  ratioFigure(
    'first paint',
    { label: 'sign-in page FCP', samples: app },
    { label: 'blank page FCP', samples: blank },
    1.3,
    'browser-mode first contentful paint of the sign-in page ÷ that of a one-line HTML page, same host process, same Chromium, fresh context per load',
  ),
);
