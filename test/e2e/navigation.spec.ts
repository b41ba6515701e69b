/** The sidebar reaches every section once signed in; the hash, the heading and aria-current follow. */
import { expect, test } from './fixtures';
import { registerMailbox, testPassword } from './backend';
import { openSection, pageHeading } from './helpers';

// `heading`: the page's own heading, where it says more than the sidebar's name.
const sections: { hash: string; name: string; heading?: string }[] = [
  { hash: '#/two-factor', name: '二次验证', heading: '帐号安全二次验证' },
  { hash: '#/client-passwords', name: '客户端专用密码' },
  { hash: '#/mail-clients', name: '邮件客户端' },
  { hash: '#/trusted-devices', name: '可信任设备' },
  { hash: '#/shared-mailboxes', name: '共享邮箱' },
  { hash: '#/activity', name: '安全活动' },
  { hash: '#/settings', name: '设置' },
  { hash: '#/overview', name: '概览' },
];

test('the sidebar navigates to every section', async ({ appPage: page, app }) => {
  const nav = page.getByRole('navigation', { name: '功能导航' });
  await expect(nav.getByRole('link')).toHaveCount(sections.length);
  await expect(nav.getByRole('link', { name: '概览' })).toHaveAttribute('aria-current', 'page');

  for (const { hash, name, heading = name } of sections) {
    await openSection(page, name);
    await expect(page).toHaveURL(`${app.origin}/${hash}`);
    await expect(pageHeading(page)).toHaveText(heading);
    await expect(page).toHaveTitle(`${name} · 邮件安全助手`);
    await expect(nav.locator('[aria-current="page"]')).toHaveText(name);
    await expect(nav.locator('[aria-current]')).toHaveCount(1);
    // Focus lands on the new page's heading, so keyboard and screen-reader users start there.
    await expect(pageHeading(page)).toBeFocused();
  }
});

test('the sidebar works from the keyboard', async ({ appPage: page, app }) => {
  const link = page.getByRole('navigation').getByRole('link', { name: '共享邮箱' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${app.origin}/#/shared-mailboxes`);
  await expect(pageHeading(page)).toBeFocused();
});

test('a section picked before the first page has loaded still gets the focus', async ({ page, app }) => {
  // Hold the overview's chunk back, so the user acts while the first page is still loading.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/OverviewPage-[^/]*\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await registerMailbox(page, app);
  await page.goto(app.url);
  await expect(page.getByRole('main').getByRole('status')).toBeVisible();

  await page.getByRole('navigation').getByRole('link', { name: '共享邮箱' }).focus();
  await page.keyboard.press('Enter');
  await expect(pageHeading(page)).toHaveText('共享邮箱');
  await expect(pageHeading(page)).toBeFocused();
  release();
});

test('an unknown or empty route shows the overview', async ({ appPage: page, app }) => {
  await openSection(page, '设置');
  await page.goto(`${app.origin}/#/no-such-section`);
  await expect(pageHeading(page)).toHaveText('概览');
  await expect(page.getByRole('link', { name: '概览' })).toHaveAttribute('aria-current', 'page');
});

test('a page opened by its address after sign-in shows that page, and signing out hides every page', async ({ appPage: page, app }) => {
  await page.goto(`${app.origin}/#/activity`);
  await expect(pageHeading(page)).toHaveText('安全活动');
  await expect(page.getByRole('banner')).toContainText('zhang.wei@cstnet.cn');

  await page.getByRole('banner').getByRole('button', { name: '退出登录' }).click();
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  await expect(pageHeading(page)).toBeFocused();
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page).toHaveTitle('登录 · 邮件安全助手');

  // Another section by its address still shows the sign-in screen, and the backend agrees.
  await page.goto(`${app.origin}/#/settings`);
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  const status = await page.request.post(`${app.origin}/api/auth:status`, { headers: { Authorization: `Bearer ${app.token}` }, data: {} });
  expect(await status.json()).toEqual({ ok: true, data: { status: 'signed-out' } });
});

test('after signing out, the next person to sign in starts on the overview, not on the last person’s page', async ({ appPage: page, app, browser }) => {
  // A colleague's mailbox, registered from another browser.
  const elsewhere = await browser.newContext({ locale: 'zh-CN' });
  await registerMailbox(await elsewhere.newPage(), app, 'li.na@cstnet.cn');
  await elsewhere.close();

  await page.goto(`${app.origin}/#/activity`);
  await expect(pageHeading(page)).toHaveText('安全活动');
  await page.getByRole('banner').getByRole('button', { name: '退出登录' }).click();
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  await page.getByLabel('邮箱地址').fill('li.na@cstnet.cn');
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('banner')).toContainText('li.na@cstnet.cn');
  await expect(pageHeading(page)).toHaveText('概览');
  await expect(page).not.toHaveURL(/#\/activity/);
});
