/**
 * The screenshot set (issue 16): every page of the app, and the sign-in screen, at 1280×717 and
 * at 760 px wide, in the light and the dark theme, in both languages, with a mailbox that has
 * something on every page (a phone, backup codes, client passwords, a trusted device, a second
 * session, sharing both ways). axe runs on each one and must find nothing.
 *
 * The images go to test-results/screenshots/gallery/<language>-<theme>-<width>-<page>.png for
 * review; a reviewer compares them across languages, themes and widths side by side.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { pageHeading } from './helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const owner = 'zhang.wei@cstnet.cn';
const colleague = 'li.na@cstnet.cn';
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const widths = [1280, 760] as const;
const height = 717;

const routes = ['overview', 'two-factor', 'client-passwords', 'mail-clients', 'trusted-devices', 'shared-mailboxes', 'activity', 'settings'] as const;

/** Something on every page: the scene is set through the API, as a person would have left it. */
async function scene(browser: Browser, page: Page, app: RunningApp, locale: 'zh-CN' | 'en'): Promise<() => Promise<void>> {
  const colleagueContext = await browser.newContext({ userAgent: firefox });
  const theirs = await colleagueContext.newPage();
  await registerMailbox(theirs, app, colleague);
  await registerMailbox(page, app, owner);
  await callApi(page, app, 'settings:update', { locale });
  await bindPhone(page, app);
  const { codes } = await callApi<{ codes: string[] }>(page, app, 'two-factor:generate-backup-codes');
  await callApi(page, app, 'client-passwords:create', { name: 'Foxmail 办公室' });
  await callApi(page, app, 'client-passwords:create', { name: 'iPhone', scopes: ['imap'] });
  await callApi(page, app, 'grants:add', { grantee: colleague, level: 'send-on-behalf' });
  await callApi(theirs, app, 'grants:add', { grantee: owner, level: 'read-only' });
  // Signed in again with "trust this device": a trusted device, and a sign-in in the log.
  await callApi(page, app, 'auth:sign-out');
  await callApi(page, app, 'auth:sign-in', { address: owner, password: testPassword, trustDevice: true });
  await callApi(page, app, 'auth:verify-code', { code: codes[0], method: 'backup', trustDevice: true });
  return () => colleagueContext.close();
}

/** Waits until nothing on the page says it is still loading ("…" at the end of a status). */
async function settled(page: Page): Promise<void> {
  await expect(pageHeading(page)).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /…$/ })).toHaveCount(0);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${root}test-results/screenshots/gallery/${name}.png`, fullPage: true });
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect
    .soft(
      violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      name,
    )
    .toEqual([]);
}

for (const locale of ['zh-CN', 'en'] as const) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`every page in ${locale}, ${colorScheme}: screenshots at 1280 and 760 px, and no axe violations`, async ({ browser, page, app }) => {
      test.setTimeout(120_000);
      const done = await scene(browser, page, app, locale);
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width: widths[0], height });
      await page.goto(app.url);
      await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
      for (const route of routes) {
        await page.evaluate(`window.location.hash = '#/${route}'`);
        for (const width of widths) {
          await page.setViewportSize({ width, height });
          await settled(page);
          await shoot(page, `${locale}-${colorScheme}-${width}-${route}`);
        }
        await page.setViewportSize({ width: widths[0], height });
      }
      await callApi(page, app, 'auth:sign-out');
      await page.goto(app.url);
      for (const width of widths) {
        await page.setViewportSize({ width, height });
        await settled(page);
        await shoot(page, `${locale}-${colorScheme}-${width}-sign-in`);
      }
      await done();
    });
  }
}
