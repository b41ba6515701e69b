/**
 * A person sets up an authenticator app on 帐号安全二次验证 (reading the key off the page, as a
 * phone app would), creates backup codes, keeps them (copy, text file, print) and later sees
 * only how many are left; then turns the app off.
 */
import { readFile } from 'node:fs/promises';
import { Secret, TOTP } from 'otpauth';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import type { Page } from '@playwright/test';
import { expect, test, type RunningApp } from './fixtures';
import { clipboardText, expectNoAxeViolationsInBothThemes } from './helpers';
import { anotherCode, openTwoFactorPage, saveScreenshot } from './two-factor-helpers';

const address = 'li.na@cstnet.cn';

test('sets up an authenticator app and keeps the backup codes shown once', async ({ page, app, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
  await registerMailbox(page, app, address);
  await openTwoFactorPage(page, app);

  // Before any method, backup codes cannot be made yet.
  const backup = page.getByRole('region', { name: '备用码' });
  await expect(backup).toContainText('开启一种验证方式后，才能生成备用码。');

  const totpCard = page.getByRole('region', { name: '身份验证器应用' });
  await totpCard.getByRole('button', { name: '设置身份验证器应用' }).click();
  const qr = totpCard.getByRole('img', { name: '身份验证器应用的设置二维码' });
  await expect(qr).toBeVisible();
  // The data: URL decoded into a real picture (the CSP allows data: images; a broken one has no width).
  await expect(qr).toHaveJSProperty('complete', true);
  await expect(qr).not.toHaveJSProperty('naturalWidth', 0);
  await expect(totpCard.getByRole('textbox', { name: '应用显示的 6 位验证码' })).toBeFocused();
  // The steps name the entry as the app will list it: the mail system (the issuer policy names), never "邮件安全助手".
  await expect(totpCard).toContainText(`应用中会添加一个名为“mail.cstnet.cn (${address})”的条目`);
  await expect(totpCard).not.toContainText('邮件安全助手');

  // The key as shown, in groups of four; the spec plays the phone app with it.
  const shownKey = (await totpCard.getByTestId('totp-key').textContent()) ?? '';
  expect(shownKey).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
  const app2fa = new TOTP({
    issuer: 'Mailwarden',
    label: address,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(shownKey.replace(/\s/g, '')),
  });
  await saveScreenshot(page, 'authenticator-zh-CN');
  await expectNoAxeViolationsInBothThemes(page);

  const codeInput = totpCard.getByLabel('应用显示的 6 位验证码');
  await codeInput.fill(anotherCode(app2fa.generate()));
  await totpCard.getByRole('button', { name: '确认开启' }).click();
  await expect(totpCard.getByRole('alert')).toHaveText('验证码不正确。');
  await codeInput.fill(app2fa.generate());
  await totpCard.getByRole('button', { name: '确认开启' }).click();
  await expect(totpCard.getByRole('status')).toHaveText('身份验证器应用已开启。');
  await expect(totpCard.getByText('已开启身份验证器应用')).toBeVisible();
  await expect(totpCard.getByTestId('totp-key')).toHaveCount(0);

  // Backup codes: ten, shown this once, with the ways to keep them.
  await expect(backup).toContainText('尚未生成备用码。');
  await backup.getByRole('button', { name: '生成备用码' }).click();
  const list = backup.getByRole('list', { name: '您的备用码' });
  // Each code is hashed with scrypt at its real cost, one after another: this takes seconds.
  await expect(list.getByRole('listitem')).toHaveCount(10, { timeout: 30_000 });
  await expect(backup.getByRole('note')).toHaveText(/只显示这一次/);
  const codes = (await list.getByRole('listitem').allTextContents()).map((text) => text.trim());
  for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}$/);
  await expectNoAxeViolationsInBothThemes(page);

  await backup.getByRole('button', { name: '复制' }).click();
  await expect(backup.getByRole('status')).toHaveText('已复制到剪贴板。');
  expect(await clipboardText(page)).toBe(codes.join('\n'));

  const downloading = page.waitForEvent('download');
  await backup.getByRole('button', { name: '保存为文本文件' }).click();
  const download = await downloading;
  // Named for its mailbox, in its name and in its first lines (several mailboxes, several files).
  expect(download.suggestedFilename()).toBe(`邮件安全助手-备用码-${address}.txt`);
  const text = await readFile((await download.path())!, 'utf8');
  expect(text).toContain('邮件安全助手 — 二次验证备用码');
  expect(text).toContain(`邮箱：${address}`);
  for (const code of codes) expect(text).toContain(code);

  // Printed, the page shows the codes and nothing else.
  await page.emulateMedia({ media: 'print' });
  // (The card around them is hidden too, so they are found from the page.)
  await expect(page.getByRole('list', { name: '您的备用码' }).getByRole('listitem')).toHaveCount(10);
  await expect(page.getByRole('navigation')).toBeHidden();
  await expect(page.getByRole('heading', { level: 1 })).toBeHidden();
  await expect(page.getByRole('button', { name: '打印' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });

  await backup.getByRole('button', { name: '我已保存好' }).click();
  await expect(list).toHaveCount(0);
  await expect(backup).toContainText('剩余 10 个备用码（共 10 个）。');

  // Gone for good: after a reload only the count is left.
  await page.reload();
  await expect(backup).toContainText('剩余 10 个备用码（共 10 个）。');
  await expect(backup.getByRole('list', { name: '您的备用码' })).toHaveCount(0);
  for (const code of codes) await expect(page.getByText(code)).toHaveCount(0);

  // Turning the app off (the only method, no policy requires one) takes the backup codes with it.
  await totpCard.getByRole('button', { name: '停用身份验证器应用' }).click();
  const confirm = page.getByRole('dialog', { name: '停用身份验证器应用？' });
  await expect(confirm.getByRole('button', { name: '取消' })).toBeFocused();
  await confirm.getByRole('button', { name: '停用身份验证器应用' }).click();
  await expect(totpCard.getByRole('status')).toHaveText('已停用身份验证器应用。');
  await expect(totpCard.getByRole('button', { name: '设置身份验证器应用' })).toBeVisible();
  await expect(backup).toContainText('开启一种验证方式后，才能生成备用码。');
});

/** A mailbox with a phone and an authenticator app bound through the API, signed in on this page's connection. */
async function withPhoneAndAuthenticator(page: Page, app: RunningApp): Promise<void> {
  await registerMailbox(page, app, address);
  await bindPhone(page, app);
  const started = await callApi<{ secret: string }>(page, app, 'two-factor:start-totp');
  await callApi(page, app, 'two-factor:confirm-totp', { code: new TOTP({ secret: Secret.fromBase32(started.secret), digits: 6, period: 30 }).generate() });
}

test('the person chooses the authenticator as their default, and signing in opens on it', async ({ page, app }) => {
  await withPhoneAndAuthenticator(page, app);
  await openTwoFactorPage(page, app);

  const card = page.getByRole('region', { name: '登录时默认的验证方式' });
  await expect(card.getByRole('radio', { name: '短信验证码' })).toBeChecked();
  await card.getByRole('radio', { name: '身份验证器应用' }).check();
  await expect(card.getByRole('status')).toHaveText('已保存：登录时将先请求这种验证方式。');
  await expectNoAxeViolationsInBothThemes(page);

  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('radio', { name: '身份验证器应用' })).toBeChecked();
  await expect(page.getByLabel('身份验证器中的 6 位数字')).toBeVisible();
});

test.describe('in English', () => {
  test.use({ locale: 'en-US' });

  test('the default method card and the code page it opens on', async ({ page, app }) => {
    await withPhoneAndAuthenticator(page, app);
    await openTwoFactorPage(page, app, 'Account security: two-factor authentication');

    const card = page.getByRole('region', { name: 'Default method for signing in' });
    await expect(card).toContainText('Signing in asks for this one first.');
    await card.getByRole('radio', { name: 'Authenticator app' }).check();
    await expect(card.getByRole('status')).toHaveText('Saved: signing in will ask for this method first.');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email address').fill(address);
    await page.getByLabel('Mailbox password').fill(testPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('radio', { name: 'Authenticator app' })).toBeChecked();
    await expect(page.getByLabel('6-digit code from the authenticator')).toBeVisible();
  });
});
