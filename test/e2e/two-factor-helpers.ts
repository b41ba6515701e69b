/** Shared steps of the two-factor specs: opening the page, reading a test delivery, screenshots. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page } from '@playwright/test';
import type { RunningApp } from './fixtures';
import { pageHeading } from './helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Opens the app (already signed in through backend.ts) on the two-factor page by its address,
 * as a bookmark would: works whatever the sidebar shows during an enforced enrolment.
 */
export async function openTwoFactorPage(page: Page, app: RunningApp, heading = '帐号安全二次验证'): Promise<void> {
  await page.goto(app.url);
  await page.evaluate("window.location.hash = '#/two-factor'");
  await expect(pageHeading(page)).toHaveText(heading);
}

/** The six-digit code in the newest message of the page's test-delivery panel. */
export async function codeFromTestDelivery(panel: Locator): Promise<string> {
  const message = panel.locator('samp');
  await expect(message).toHaveText(/\b\d{6}\b/);
  return /\b(\d{6})\b/.exec((await message.textContent()) ?? '')![1]!;
}

/**
 * Binds a phone through the page as the guide's steps do (signed in already, in Chinese): the
 * two-factor page by its address, the number, the code from the backend's test delivery.
 */
export async function bindPhoneOnPage(page: Page, phone = '139 1234 5678'): Promise<void> {
  await page.evaluate("window.location.hash = '#/two-factor'");
  await expect(pageHeading(page)).toHaveText('帐号安全二次验证');
  const sms = page.getByRole('region', { name: '短信验证码' });
  await sms.getByLabel('手机号码').fill(phone);
  await sms.getByRole('button', { name: '获取验证码' }).click();
  const code = await codeFromTestDelivery(sms.getByRole('region', { name: /测试投递/ }));
  await sms.getByLabel('验证码', { exact: true }).fill(code);
  await sms.getByRole('button', { name: '确定' }).click();
  await expect(sms.getByRole('status')).toHaveText('手机号码绑定成功。');
}

/** A six-digit code that is not `code`. */
export function anotherCode(code: string): string {
  return String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
}

/**
 * test-results/screenshots/<name>.png for review; for the ones the README shows (`docs`), also
 * docs/screenshots/<name>.png when MAILWARDEN_UPDATE_DOCS=1.
 */
export async function saveScreenshot(page: Page, name: string, { docs = false } = {}): Promise<void> {
  const image = await page.screenshot({ path: `${root}test-results/screenshots/${name}.png`, fullPage: true });
  if (docs && process.env.MAILWARDEN_UPDATE_DOCS === '1') {
    await mkdir(`${root}docs/screenshots`, { recursive: true });
    await writeFile(`${root}docs/screenshots/${name}.png`, image);
  }
}
