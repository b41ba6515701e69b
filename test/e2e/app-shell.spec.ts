/** Browser mode: opening the app from the printed URL, the token's handling, and the API's guard. */
import { registerMailbox } from './backend';
import { expect, test } from './fixtures';
import { fact, openSection, packageVersion, pageHeading } from './helpers';

test('opens from the printed URL, drops the token from the address bar and survives a reload', async ({ page, app }) => {
  await page.goto(app.url);
  // A first run offers registration only once the page's own auth:directory call has answered.
  await expect(pageHeading(page)).toHaveText('注册此邮箱');
  await expect(page).toHaveURL(`${app.origin}/`);
  expect(page.url()).not.toContain(app.token);

  await page.reload();
  await expect(pageHeading(page)).toHaveText('注册此邮箱');
  await registerMailbox(page, app);
  await page.reload();
  await expect(pageHeading(page)).toHaveText('概览');
  await openSection(page, '设置');
  // The About block comes from the API, so it proves the token still travels after the reloads.
  await expect(fact(page, '版本')).toHaveText(packageVersion);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the API refuses a request without the token', async ({ page, app }) => {
  const response = await page.request.post(`${app.origin}/api/app:info`, { data: {} });
  expect(response.status()).toBe(401);
  expect(await response.json()).toEqual({ ok: false, code: 'unauthorized' });
});
