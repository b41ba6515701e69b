/** The display language: follows the browser, can be chosen in Settings and is kept by the backend. */
import { expect, test } from './fixtures';
import { apiRoute, openSection, pageHeading } from './helpers';

test('a Chinese browser gets Chinese; English can be chosen, survives a reload, and switches back', async ({ appPage: page, app }) => {
  const html = page.locator('html');
  await expect(html).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('banner')).toContainText('邮件安全助手');

  await openSection(page, '设置');
  await expect(page.getByLabel('语言')).toHaveValue('system');
  // The page switches at once and saves behind it: the backend is asked only once it answered.
  const stored = page.waitForResponse(apiRoute('settings:update'));
  await page.getByLabel('语言').selectOption('en');
  await expect(pageHeading(page)).toHaveText('Settings');
  await expect(page.getByRole('banner')).toContainText('Mailwarden');
  await expect(page.getByRole('banner').getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Two-factor authentication' })).toBeVisible();
  await expect(html).toHaveAttribute('lang', 'en');

  // The choice is stored by the backend, not only in this page.
  expect((await (await stored).json()) as unknown).toMatchObject({ ok: true, data: { locale: 'en' } });
  const saved = await page.request.post(`${app.origin}/api/settings:get`, {
    headers: { Authorization: `Bearer ${app.token}` },
    data: {},
  });
  expect(await saved.json()).toEqual({ ok: true, data: { locale: 'en', theme: 'system' } });

  await page.reload();
  await expect(pageHeading(page)).toHaveText('Settings');
  await expect(page.getByLabel('Language')).toHaveValue('en');

  await page.getByLabel('Language').selectOption('zh-CN');
  await expect(pageHeading(page)).toHaveText('设置');
  await page.getByLabel('语言').selectOption('system');
  await expect(pageHeading(page)).toHaveText('设置');
  await expect(html).toHaveAttribute('lang', 'zh-CN');
});

test('a choice the backend cannot save is undone and explained', async ({ appPage: page }) => {
  await page.route(apiRoute('settings:update'), (route) => route.fulfill({ json: { ok: false, code: 'storage-failed' } }));
  await openSection(page, '设置');
  await page.getByLabel('语言').selectOption('en');
  await expect(page.getByRole('alert')).toHaveText(/^设置未保存。无法读取或保存本机数据/);
  await expect(page.getByLabel('语言')).toHaveValue('system');
  await expect(pageHeading(page)).toHaveText('设置');
});

test.describe('with an English browser', () => {
  test.use({ locale: 'en-US' });

  test("'Follow system' follows the browser language", async ({ appPage: page }) => {
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(pageHeading(page)).toHaveText('Overview');
    await openSection(page, 'Settings');
    await expect(page.getByLabel('Language')).toHaveValue('system');
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(pageHeading(page)).toHaveText('设置');
  });
});
