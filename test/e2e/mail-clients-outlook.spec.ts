/**
 * Outlook on Windows (docs/rules.md §8.10) on the mail-clients page: Outlook has no documented way
 * for another app to set an account's saved password, so the card gives Outlook's own steps with
 * the policy's servers, and the password on the clipboard. It is offered on Windows only and where
 * policy clientIntegrations.outlook allows it.
 *
 * This runs on Linux: the platform the page is told is rewritten to `win32` (app:info's answer;
 * the host and everything else are real).
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { apiRoute, clipboardText, expectNoAxeViolationsInBothThemes, openSection, pretendPlatform } from './helpers';
import { address, holdNewPassword, signedInWithTwoFactor, workerDir, writePolicy } from './mail-clients-helpers';

const work = workerDir('mc-outlook');
const servers = {
  mailServer: {
    imap: { host: 'imap.example.edu.cn', port: 1993, security: 'tls' },
    smtp: { host: 'smtp.example.edu.cn', port: 1587, security: 'starttls' },
  },
};

/** Opens the mail-clients page and waits until the page knows the platform and has drawn what it decided. */
async function openMailClients(page: Page): Promise<void> {
  const told = page.waitForResponse(apiRoute('app:info'));
  await openSection(page, '邮件客户端');
  await told;
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(resolve))');
}

test.describe('with the policy’s servers', () => {
  const policyFile = join(work, 'servers.json');
  writePolicy(policyFile, servers);
  test.use({ hostArgs: ['--policy', policyFile], permissions: ['clipboard-read', 'clipboard-write'] });

  test('gives Outlook’s own steps with the servers, and copies the password', async ({ page, app }) => {
    await pretendPlatform(page, 'win32');
    await signedInWithTwoFactor(page, app);
    const password = await holdNewPassword(page, 'Outlook 办公室');
    const card = page.getByRole('region', { name: 'Windows 上的 Outlook' });
    await expect(card).toContainText('没有公开的方法让其他应用修改，因此本应用不写入它');
    const fact = (term: string) =>
      card
        .locator('dl > div')
        .filter({ has: page.getByRole('term').filter({ hasText: term }) })
        .getByRole('definition');
    await expect(fact('用户名')).toHaveText(address);
    await expect(fact('接收邮件（IMAP）')).toHaveText('服务器 imap.example.edu.cn，端口 1993，加密方法：SSL/TLS');
    await expect(fact('待发邮件（SMTP）')).toHaveText('服务器 smtp.example.edu.cn，端口 1587，加密方法：STARTTLS');
    await expect(card.getByRole('listitem').nth(1)).toHaveText(
      `在“电子邮件”选项卡中选择 ${address}，然后选择“更改…”。（若 Outlook 显示的是“修复”：选择“修复”—“高级选项”—“让我手动修复我的帐户”—“修复”。）`,
    );
    await expect(card.getByRole('listitem').nth(3)).toContainText('勾选“让我手动设置我的帐户”');
    await expectNoAxeViolationsInBothThemes(page);

    await card.getByRole('button', { name: '复制密码' }).click();
    await expect(card.getByRole('status')).toContainText('已复制到剪贴板（不含空格）');
    expect(await clipboardText(page)).toBe(password);
  });

  test.describe('in English', () => {
    test.use({ locale: 'en-US' });

    test('says the same, and asks for a client password first when none is held', async ({ page, app }) => {
      await pretendPlatform(page, 'win32');
      await signedInWithTwoFactor(page, app);
      await openSection(page, 'Mail clients');
      const card = page.getByRole('region', { name: 'Outlook on Windows' });
      await expect(card.getByText('To have a password to paste, generate a client password first.')).toBeVisible();
      await expect(card.getByRole('button', { name: 'Copy password' })).toHaveCount(0);
      await expect(card).toContainText('Server imap.example.edu.cn, port 1993, encryption method: SSL/TLS');
      await expect(card).toContainText('Server smtp.example.edu.cn, port 1587, encryption method: STARTTLS');
      await expect(card.getByRole('listitem').first()).toHaveText('In Outlook, choose File — Account Settings — Account Settings….');
    });
  });

  test('is not offered where the computer does not run Windows', async ({ page, app }) => {
    await signedInWithTwoFactor(page, app);
    await openMailClients(page);
    await expect(page.getByRole('region', { name: '服务器设置' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Windows 上的 Outlook' })).toHaveCount(0);
  });
});

test.describe('where policy turns it off', () => {
  const policyFile = join(work, 'off.json');
  writePolicy(policyFile, { ...servers, clientIntegrations: { outlook: false } });
  test.use({ hostArgs: ['--policy', policyFile] });

  test('is not offered, even on Windows', async ({ page, app }) => {
    await pretendPlatform(page, 'win32');
    await signedInWithTwoFactor(page, app);
    await openMailClients(page);
    await expect(page.getByRole('region', { name: '服务器设置' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Windows 上的 Outlook' })).toHaveCount(0);
  });
});
