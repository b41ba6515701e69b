/**
 * The first frame (issue 13): something true is painted before any script runs, in the theme
 * and language the app then shows. With scripting off the page still shows the header bar and
 * the mark; the HTML the host serves already carries the saved language and theme; and the app,
 * once running, shows the same and has replaced the frame.
 */
import { callApi, registerMailbox } from './backend';
import { expect, test } from './fixtures';

/**
 * A header's background and the page's, as drawn. A function, not a string: Playwright calls a
 * string only as an expression, so '(element) => …' came back undefined and two undefineds compared
 * equal whatever the colours were.
 */
function colours(element: { ownerDocument: { defaultView: unknown; body: unknown } }): { background: string; page: string } {
  const view = element.ownerDocument.defaultView as { getComputedStyle(target: unknown): { backgroundColor: string } };
  return { background: view.getComputedStyle(element).backgroundColor, page: view.getComputedStyle(element.ownerDocument.body).backgroundColor };
}

test('the page paints its frame before any script runs, in the saved theme and language, and the app keeps them', async ({ browser, page, app }) => {
  await registerMailbox(page, app);
  await callApi(page, app, 'settings:update', { locale: 'en', theme: 'dark' });

  const served = await (await page.request.get(`${app.origin}/`)).text();
  expect(served).toContain('<html lang="en" data-theme="dark">');

  // No script at all: the static frame alone, dark.
  const still = await browser.newContext({ javaScriptEnabled: false });
  const frame = await still.newPage();
  await frame.goto(app.url);
  const header = frame.locator('#boot-frame .boot-header');
  await expect(header).toBeVisible();
  await expect(header.locator('svg')).toBeVisible();
  const frameColours = await header.evaluate(colours);
  await still.close();

  // The app takes over in the same theme and language, and the frame is gone.
  await page.goto(app.url);
  await expect(page.getByRole('navigation')).toBeVisible();
  await expect(page.locator('#boot-frame')).toHaveCount(0);
  expect(await page.evaluate('({ lang: document.documentElement.lang, theme: document.documentElement.dataset.theme })')).toEqual({
    lang: 'en',
    theme: 'dark',
  });
  const appColours = await page.locator('header.app-header').evaluate(colours);
  expect(frameColours.background).toMatch(/^rgb/);
  expect(appColours).toEqual(frameColours);
});

test('with the system theme, the frame follows the system as the app does', async ({ browser, page, app }) => {
  await registerMailbox(page, app);
  await callApi(page, app, 'settings:update', { locale: 'zh-CN', theme: 'system' });
  const served = await (await page.request.get(`${app.origin}/`)).text();
  expect(served).toContain('<html lang="zh-CN">');
  const dark = await browser.newContext({ colorScheme: 'dark' });
  const darkPage = await dark.newPage();
  await darkPage.goto(app.url);
  // A fresh context has no session: the sign-in page, in the system's dark theme.
  await expect(darkPage.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await darkPage.evaluate('document.documentElement.dataset.theme')).toBe('dark');
  await dark.close();
});
