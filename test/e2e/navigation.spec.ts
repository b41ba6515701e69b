/** The sidebar reaches every section; the hash, the heading and aria-current follow. */
import { expect, test } from './fixtures';
import { openSection, pageHeading } from './helpers';

const sections = [
  { hash: '#/two-factor', name: '二次验证' },
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

  for (const { hash, name } of sections) {
    await openSection(page, name);
    await expect(page).toHaveURL(`${app.origin}/${hash}`);
    await expect(pageHeading(page)).toHaveText(name);
    await expect(page).toHaveTitle(`${name} · 邮件安全助手`);
    await expect(nav.locator('[aria-current="page"]')).toHaveText(name);
    await expect(nav.locator('[aria-current]')).toHaveCount(1);
    // Focus lands on the new page's heading, so keyboard and screen-reader users start there.
    await expect(pageHeading(page)).toBeFocused();
  }
});

test('placeholder sections say they are coming later and offer no controls', async ({ appPage: page }) => {
  await openSection(page, '二次验证');
  const main = page.getByRole('main');
  await expect(main.getByText('将在后续版本中提供')).toBeVisible();
  await expect(main.getByRole('button')).toHaveCount(0);
  await expect(main.getByRole('textbox')).toHaveCount(0);
});

test('the sidebar works from the keyboard', async ({ appPage: page, app }) => {
  const link = page.getByRole('navigation').getByRole('link', { name: '共享邮箱' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${app.origin}/#/shared-mailboxes`);
  await expect(pageHeading(page)).toBeFocused();
});

test('an unknown or empty route shows the overview', async ({ appPage: page, app }) => {
  await openSection(page, '设置');
  await page.goto(`${app.origin}/#/no-such-section`);
  await expect(pageHeading(page)).toHaveText('概览');
  await expect(page.getByRole('link', { name: '概览' })).toHaveAttribute('aria-current', 'page');
});
