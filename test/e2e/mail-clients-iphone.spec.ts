/**
 * The iPhone / iPad profile (docs/rules.md §8) as a person saves it in browser mode: into the
 * downloads folder (--downloads-dir), readable by them alone, with or without the password (a
 * clear warning when with), and the offer to delete it 10 minutes later; the page's clock is
 * moved, never waited for.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'plist';
import { expect, test } from './fixtures';
import { apiRoute, expectNoAxeViolationsInBothThemes, openSection } from './helpers';
import { address, holdNewPassword, signedInWithTwoFactor, workerDir } from './mail-clients-helpers';

const downloads = join(workerDir('mc-iphone'), 'Downloads');
test.use({ hostArgs: ['--downloads-dir', downloads] });

test.beforeEach(async () => {
  await rm(downloads, { recursive: true, force: true });
  await mkdir(downloads, { recursive: true });
});

interface MailPayload {
  PayloadType: string;
  EmailAddress: string;
  IncomingMailServerHostName: string;
  IncomingMailServerUsername: string;
  IncomingPassword?: string;
  OutgoingPassword?: string;
  OutgoingPasswordSameAsIncomingPassword?: boolean;
}

async function savedProfile(): Promise<{ path: string; mode: number; mail: MailPayload }> {
  const names = await readdir(downloads);
  expect(names).toEqual([`${address}.mobileconfig`]);
  const path = join(downloads, names[0]!);
  const parsed = parse(await readFile(path, 'utf8')) as unknown as { PayloadContent: MailPayload[] };
  return { path, mode: (await stat(path)).mode & 0o777, mail: parsed.PayloadContent[0]! };
}

function iphoneCard(page: Page) {
  return page.getByRole('region', { name: 'iPhone / iPad 邮件' });
}

test('an IMAP-only password: the steps and the profile put it into the incoming server only', async ({ page, app }) => {
  await signedInWithTwoFactor(page, app);
  const password = await holdNewPassword(page, 'iPhone 收信', { untick: ['SMTP', 'POP3'] });
  const settingsCard = page.getByRole('region', { name: '服务器设置' });
  await expect(settingsCard).toContainText('“iPhone 收信”只允许收信（IMAP）：只在收件服务器中更新它。发信需要一个允许 SMTP 的客户端专用密码。');
  await expect(settingsCard).not.toContainText('收件服务器和发件服务器都要更新');
  await expect(settingsCard).toContainText('在“帐户” — “服务器设置”中更新收件服务器的密码。');
  const card = iphoneCard(page);
  await expect(card).toContainText('在“收件服务器”中更新密码。');
  await expect(card).toContainText('“iPhone 收信”不允许发信：“发件服务器”下的 SMTP 需要一个允许 SMTP 的客户端专用密码');
  await expect(card).not.toContainText('更新发件服务器密码');

  await card.getByRole('checkbox', { name: '在描述文件中包含密码「iPhone 收信」' }).check();
  await card.getByRole('button', { name: '保存描述文件' }).click();
  await expect(card.getByText(/^描述文件已保存到 /)).toBeVisible();
  const saved = await savedProfile();
  expect(saved.mail).toMatchObject({ IncomingPassword: password, OutgoingPasswordSameAsIncomingPassword: false });
  expect(saved.mail).not.toHaveProperty('OutgoingPassword');
});

test('save a profile with the password, be offered to delete it 10 minutes later, and delete it', async ({ page, app }) => {
  await page.clock.install();
  await signedInWithTwoFactor(page, app);
  const password = await holdNewPassword(page, 'iPhone');
  const card = iphoneCard(page);

  // Not yet included: the card says the profile holds no password, and only that.
  await expect(card.getByText('描述文件中不含密码：安装时 iPhone 会要求输入密码，请输入客户端专用密码。')).toBeVisible();
  await expect(card.getByText('包含密码的描述文件以明文保存密码，直到您删除这个文件。')).toHaveCount(0);
  await card.getByRole('checkbox', { name: '在描述文件中包含密码「iPhone」' }).check();
  await expect(card.getByText('包含密码的描述文件以明文保存密码，直到您删除这个文件。')).toBeVisible();
  await expect(card.getByText('描述文件中不含密码：安装时 iPhone 会要求输入密码，请输入客户端专用密码。')).toHaveCount(0);
  await card.getByRole('button', { name: '保存描述文件' }).click();

  const path = join(downloads, `${address}.mobileconfig`);
  await expect(card.getByText(`描述文件已保存到 ${path}。`)).toBeVisible();
  await expect(card.getByText('这个文件以明文包含密码。安装到手机后请删除它。')).toBeVisible();
  const saved = await savedProfile();
  expect(saved.mode).toBe(0o600);
  expect(saved.mail).toMatchObject({
    PayloadType: 'com.apple.mail.managed',
    EmailAddress: address,
    IncomingMailServerHostName: 'mail.cstnet.cn',
    IncomingMailServerUsername: address,
    IncomingPassword: password,
  });

  // Not yet: nine minutes on, nothing presses.
  const offer = card.getByRole('heading', { name: '现在删除描述文件吗？' });
  await page.clock.fastForward('09:00');
  await expect(offer).toHaveCount(0);
  await page.clock.fastForward('01:01');
  await expect(offer).toBeVisible();
  await expect(offer).toBeFocused();
  await expect(card.getByRole('alert')).toContainText(path);
  await expectNoAxeViolationsInBothThemes(page);

  await card.getByRole('button', { name: '立即删除描述文件' }).click();
  await expect(card.getByText(`描述文件已删除：${path}`)).toBeVisible();
  await expect(offer).toHaveCount(0);
  expect(await readdir(downloads)).toEqual([]);

  await openSection(page, '客户端专用密码');
  await expect(page.getByRole('row').filter({ hasText: 'iPhone' })).toContainText('iPhone/iPad 描述文件');
});

test('without a password held the profile leaves the password out and can be deleted at once', async ({ appPage: page }) => {
  await openSection(page, '邮件客户端');
  const card = iphoneCard(page);
  await expect(card.getByRole('checkbox')).toHaveCount(0);
  await expect(card.getByText('描述文件中不含密码：安装时 iPhone 会要求输入密码，请输入客户端专用密码。')).toBeVisible();
  await card.getByRole('button', { name: '保存描述文件' }).click();

  const path = join(downloads, `${address}.mobileconfig`);
  await expect(card.getByText(`描述文件已保存到 ${path}。`)).toBeVisible();
  await expect(card.getByText('这个文件以明文包含密码')).toHaveCount(0);
  const saved = await savedProfile();
  expect(saved.mode).toBe(0o600);
  expect(saved.mail.EmailAddress).toBe(address);
  expect(saved.mail).not.toHaveProperty('IncomingPassword');

  await card.getByRole('button', { name: '立即删除描述文件' }).click();
  await expect(card.getByText(`描述文件已删除：${path}`)).toBeVisible();
  expect(await readdir(downloads)).toEqual([]);
});

test('a profile that cannot be saved says so and offers nothing to delete', async ({ appPage: page }) => {
  // The downloads folder is gone: the host cannot write there.
  await rm(downloads, { recursive: true, force: true });
  await openSection(page, '邮件客户端');
  const card = iphoneCard(page);
  await card.getByRole('button', { name: '保存描述文件' }).click();
  await expect(card.getByRole('alert')).toHaveText('无法保存文件，未写入任何内容。');
  await expect(card.getByRole('button', { name: '立即删除描述文件' })).toHaveCount(0);
});

test('closing the save dialog is a quiet word, not an error', async ({ appPage: page }) => {
  // Browser mode saves without a dialog; the Electron shell's dialog can be closed, which the
  // backend answers like this.
  await page.route(apiRoute('mail-clients:iphone-profile-save'), (route) => route.fulfill({ json: { ok: false, code: 'save-cancelled' } }));
  await openSection(page, '邮件客户端');
  const card = iphoneCard(page);
  await card.getByRole('button', { name: '保存描述文件' }).click();
  await expect(card.getByRole('status').filter({ hasText: '已取消保存。' })).toBeVisible();
  await expect(card.getByRole('alert')).toHaveCount(0);
  expect(await readdir(downloads)).toEqual([]);
});
