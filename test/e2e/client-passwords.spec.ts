/**
 * Client passwords (docs/rules.md §6), followed as a person: without 2FA the page explains why there
 * is nothing to generate; with a phone bound they name a password, generate it, see it once in
 * groups of four, copy it (the clipboard is cleared 60 s later), hand it to the mail-clients
 * page in memory only, find it in the list and revoke it.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { bindPhone, callApi, registerMailbox } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { clipboardText, openSection, pageHeading } from './helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const grouped = /^[a-z2-9]{4} [a-z2-9]{4} [a-z2-9]{4} [a-z2-9]{4}$/;

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** A fresh mailbox, signed in on this page's connection, with the page open on the app. */
async function signedIn(page: Page, app: RunningApp, options: { phone?: boolean } = {}): Promise<void> {
  await registerMailbox(page, app);
  if (options.phone) await bindPhone(page, app, '13912345678');
  await page.goto(app.url);
  await expect(page.getByRole('navigation')).toBeVisible();
}

async function saveScreenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ path: `${root}test-results/screenshots/${name}.png`, fullPage: true });
  if (process.env.MAILWARDEN_UPDATE_DOCS === '1') {
    await mkdir(`${root}docs/screenshots`, { recursive: true });
    await writeFile(`${root}docs/screenshots/${name}.png`, image);
  }
}

test('without two-factor the page explains why and links to the two-factor settings', async ({ page, app }) => {
  await signedIn(page, app);
  await openSection(page, '客户端专用密码');
  await expect(pageHeading(page)).toHaveText('客户端专用密码');
  await expect(page.getByRole('heading', { name: '请先开启二次验证' })).toBeVisible();
  await expect(page.getByRole('link', { name: '前往二次验证设置' })).toHaveAttribute('href', '#/two-factor');
  await expect(page.getByRole('button', { name: '生成' })).toHaveCount(0);
});

test('generate, see it once grouped, copy it, let the clipboard clear, and revoke it', async ({ page, app }) => {
  await page.clock.install();
  await signedIn(page, app, { phone: true });
  await openSection(page, '客户端专用密码');

  const generate = page.getByRole('button', { name: '生成', exact: true });
  await expect(generate).toBeDisabled();
  await page.getByLabel('密码名称').fill('Foxmail 办公室');
  for (const protocol of ['IMAP', 'SMTP', 'POP3']) await expect(page.getByRole('checkbox', { name: protocol })).toBeChecked();
  await generate.click();

  const reveal = page.getByRole('region', { name: '已生成客户端专用密码「Foxmail 办公室」' });
  await expect(reveal).toBeVisible();
  const shown = reveal.getByTestId('client-password');
  await expect(shown).toHaveText(grouped);
  const password = ((await shown.textContent()) ?? '').replaceAll(' ', '');
  expect(password).toHaveLength(16);
  await expect(reveal).toContainText('此密码只显示这一次。');
  await expect(reveal).toContainText('剪贴板将在 60 秒后清除');
  await saveScreenshot(page, 'client-password-zh-CN');

  await reveal.getByRole('button', { name: '复制密码' }).click();
  await expect(reveal.getByRole('status')).toHaveText('已复制到剪贴板（不含空格）。剪贴板将在 60 秒后清除。');
  expect(await clipboardText(page)).toBe(password);

  await page.clock.fastForward(60_000);
  await expect(reveal.getByRole('status')).toHaveText('剪贴板已清除。');
  expect(await clipboardText(page)).toBe('');

  // Leaving and coming back: the password is gone for good; only its record remains.
  await openSection(page, '概览');
  await openSection(page, '客户端专用密码');
  await expect(page.getByRole('heading', { name: '生成客户端专用密码' })).toBeVisible();
  await expect(page.getByTestId('client-password')).toHaveCount(0);
  await expect(page.getByText(password)).toHaveCount(0);
  const row = page.getByRole('row').filter({ hasText: 'Foxmail 办公室' });
  await expect(row).toContainText('从未使用');
  await expect(row).toContainText('IMAP · SMTP · POP3');
  await expect(row).toContainText('长期有效');

  // Revoke: asked first; "不撤销" keeps it, the dialog's 撤销 removes it.
  await row.getByRole('button', { name: '撤销「Foxmail 办公室」' }).click();
  const dialog = page.getByRole('dialog', { name: '撤销客户端专用密码「Foxmail 办公室」？' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: '不撤销' })).toBeFocused();
  await dialog.getByRole('button', { name: '不撤销' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: '撤销「Foxmail 办公室」' }).click();
  await dialog.getByRole('button', { name: '撤销', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: 'Foxmail 办公室' })).toHaveCount(0);
  await expect(page.getByText('已撤销「Foxmail 办公室」。')).toBeVisible();
  await expect(page.getByText('还没有客户端专用密码。')).toBeVisible();
});

test('the next step hands the password to the mail-clients page in memory only', async ({ page, app }) => {
  await signedIn(page, app, { phone: true });
  await openSection(page, '客户端专用密码');
  await page.getByLabel('密码名称').fill('iPhone');
  await page.getByRole('checkbox', { name: 'POP3' }).uncheck();
  await page.getByRole('checkbox', { name: '到期后自动失效' }).check();
  await page.getByLabel('有效天数').fill('30');
  await page.getByRole('button', { name: '生成', exact: true }).click();
  const shown = page.getByTestId('client-password');
  await expect(shown).toHaveText(grouped);
  const groupedText = (await shown.textContent()) ?? '';
  const password = groupedText.replaceAll(' ', '');

  await page.getByRole('link', { name: '把它填入邮件客户端…' }).click();
  await expect(pageHeading(page)).toHaveText('邮件客户端');
  await expect(page).toHaveURL(/#\/mail-clients$/);
  await expect(page.getByTestId('held-password')).toHaveText(groupedText);
  await expect(page.getByRole('heading', { name: 'Foxmail' })).toBeVisible();
  await expect(page.getByText('用户名：完整的邮箱地址 zhang.wei@cstnet.cn')).toBeVisible();
  // Never in the URL or in storage.
  expect(page.url()).not.toContain(password);
  const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })');
  expect(stored).not.toContain(password);

  await page.getByRole('button', { name: '我已填入邮件客户端' }).click();
  await expect(page.getByText('已记下「iPhone」已填入邮件客户端。密码已从内存中清除。')).toBeVisible();
  await expect(page.getByTestId('held-password')).toHaveCount(0);

  await openSection(page, '客户端专用密码');
  const row = page.getByRole('row').filter({ hasText: 'iPhone' });
  await expect(row).toContainText('IMAP · SMTP');
  await expect(row).not.toContainText('POP3');
  await expect(row).toContainText('手动填写');
  await expect(row).not.toContainText('长期有效');

  // Coming back to the mail-clients page: nothing is held any more.
  await openSection(page, '邮件客户端');
  await expect(page.getByRole('heading', { name: '还没有要填入的密码' })).toBeVisible();
});

test.describe('at the policy limit', () => {
  const policyDir = join(tmpdir(), `mailwarden-cp-policy-${process.pid}`);
  const policyFile = join(policyDir, 'policy.json');
  mkdirSync(policyDir, { recursive: true });
  writeFileSync(policyFile, JSON.stringify({ clientPasswordLimit: 1 }));
  test.use({ hostArgs: ['--policy', policyFile] });

  test('the form says the limit is reached and cannot be sent', async ({ page, app }) => {
    await registerMailbox(page, app);
    await bindPhone(page, app);
    await callApi(page, app, 'client-passwords:create', { name: 'Foxmail 办公室' });
    await page.goto(app.url);
    await openSection(page, '客户端专用密码');
    await expect(page.getByRole('alert')).toHaveText(/已达到上限：每个邮箱最多 1 个客户端专用密码/);
    await expect(page.getByRole('button', { name: '生成', exact: true })).toBeDisabled();
    await expect(page.getByText('已有 1 个，最多 1 个')).toBeVisible();
  });
});

test.describe('in English', () => {
  test.use({ locale: 'en-US' });

  test('generate, copy and revoke', async ({ page, app }) => {
    await signedIn(page, app, { phone: true });
    await openSection(page, 'Client passwords');
    await page.getByLabel('Password name').fill('Foxmail office');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const reveal = page.getByRole('region', { name: 'Client password “Foxmail office” generated' });
    const shown = reveal.getByTestId('client-password');
    await expect(shown).toHaveText(grouped);
    const password = ((await shown.textContent()) ?? '').replaceAll(' ', '');
    await expect(reveal).toContainText('This password is shown only this once.');
    await reveal.getByRole('button', { name: 'Copy password' }).click();
    await expect(reveal.getByRole('status')).toHaveText('Copied to the clipboard (without spaces). The clipboard will be cleared in 60 seconds.');
    expect(await clipboardText(page)).toBe(password);
    await reveal.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('client-password')).toHaveCount(0);

    const row = page.getByRole('row').filter({ hasText: 'Foxmail office' });
    await expect(row).toContainText('Never used');
    await row.getByRole('button', { name: 'Revoke “Foxmail office”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke client password “Foxmail office”?' });
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(page.getByText('“Foxmail office” was revoked.')).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: 'Foxmail office' })).toHaveCount(0);
  });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no axe violations on the client-password pages in the ${colorScheme} theme`, async ({ page, app }) => {
    await page.emulateMedia({ colorScheme });
    const violations = async () => (await new AxeBuilder({ page }).analyze()).violations;

    await signedIn(page, app);
    await openSection(page, '客户端专用密码');
    await expect(page.getByRole('heading', { name: '请先开启二次验证' })).toBeVisible();
    expect(await violations()).toEqual([]);

    await bindPhone(page, app);
    await callApi(page, app, 'client-passwords:create', { name: 'Thunderbird', scopes: ['imap'], expiresInDays: 30 });
    await openSection(page, '概览');
    await openSection(page, '客户端专用密码');
    await expect(page.getByRole('row').filter({ hasText: 'Thunderbird' })).toBeVisible();
    expect(await violations()).toEqual([]);

    await page.getByLabel('密码名称').fill('Foxmail 办公室');
    await page.getByRole('button', { name: '生成', exact: true }).click();
    await expect(page.getByTestId('client-password')).toHaveText(grouped);
    expect(await violations()).toEqual([]);

    await page.getByRole('button', { name: '撤销「Thunderbird」' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    expect(await violations()).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toBeHidden();

    await page.getByRole('link', { name: '把它填入邮件客户端…' }).click();
    await expect(page.getByTestId('held-password')).toHaveText(grouped);
    expect(await violations()).toEqual([]);
  });
}
