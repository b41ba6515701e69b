/**
 * Choosing who manages accounts (docs/rules.md §15.1) in the browser: with no policy the sign-in
 * screen offers the web mail; choosing it reopens the window as the guide, which asks for the
 * address; Settings offers the way back to Mailwarden's own sign-in. Where IT enforces the web mail
 * no switch is offered at all.
 */
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { openSection } from './helpers';
import { workerDir, writePolicy } from './mail-clients-helpers';

test('the person hands accounts to the web mail on the sign-in screen, and takes them back in Settings', async ({ signedOutPage: page }) => {
  await page.getByRole('button', { name: '我的单位由网页邮箱管理二次验证' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '为哪个邮箱设置？' })).toBeVisible();
  // A bad address changes nothing and says why.
  await page.getByLabel('您的邮箱地址').fill('zhang.wei');
  await page.getByRole('button', { name: '继续' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('您的邮箱地址').fill('zhang.wei@cstnet.cn');
  await page.getByRole('button', { name: '继续' }).click();
  await expect(page.getByText('邮箱：zhang.wei@cstnet.cn')).toBeVisible();
  // The security log is the web mail's: the guide has no such section.
  await expect(page.getByRole('navigation').getByRole('link')).toHaveText([
    '概览',
    '二次验证',
    '客户端专用密码',
    '邮件客户端',
    '可信任设备',
    '共享邮箱',
    '设置',
  ]);

  await openSection(page, '设置');
  await expect(page.getByRole('heading', { name: '由谁管理您的帐户' })).toBeVisible();
  await page.getByRole('button', { name: '我的单位改用邮件安全助手管理二次验证' }).click();
  await expect(page.getByRole('button', { name: '我的单位由网页邮箱管理二次验证' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: '注册此邮箱' })).toBeVisible();
});

test.describe('where IT enforces the web mail', () => {
  const policyFile = join(workerDir('webmail-choice'), 'policy.json');
  writePolicy(policyFile, { accounts: { managedBy: 'webmail' } });
  test.use({ hostArgs: ['--policy', policyFile] });

  test('the guide opens at once and offers no way back', async ({ page, app }) => {
    await page.goto(app.url);
    await expect(page.getByRole('heading', { level: 1, name: '为哪个邮箱设置？' })).toBeVisible();
    await expect(page.getByRole('button', { name: '我的单位改用邮件安全助手管理二次验证' })).toHaveCount(0);
    await page.getByLabel('您的邮箱地址').fill('zhang.wei@cstnet.cn');
    await page.getByRole('button', { name: '继续' }).click();
    await openSection(page, '设置');
    await expect(page.getByText('此项已由单位 IT 部门设置。')).toBeVisible();
  });
});
