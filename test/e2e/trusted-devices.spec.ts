/**
 * Trusted devices (docs/rules.md §7, 登录设备查询), followed as a person: after signing in with
 * 设为可信任设备 here and in a second browser, the list shows both with this one marked 本设备;
 * they remove trust from the other one, then from all.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { openSection, pageHeading } from './helpers';

const address = 'zhang.wei@cstnet.cn';

/** The trusted-device table (the page also lists the signed-in sessions). */
const trustedTable = (page: Page) => page.getByRole('table', { name: '可信任设备' });
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/**
 * Signs in with a second factor and "trust this device", as the sign-in page would, on `page`'s
 * connection. A backup code stands in for the SMS: the phone was bound seconds ago, and a new
 * text may not go to it for 60 s.
 */
async function signInTrusted(page: Page, app: RunningApp, backupCode: string): Promise<void> {
  const outcome = await callApi<{ status: string; methods: string[] }>(page, app, 'auth:sign-in', { address, password: testPassword, trustDevice: true });
  expect(outcome.status).toBe('code-required');
  expect(outcome.methods).toContain('backup');
  await callApi(page, app, 'auth:verify-code', { code: backupCode, method: 'backup', trustDevice: true });
}

/** A mailbox with a phone, trusted in this browser and in a second one (Firefox 128). */
async function twoTrustedDevices(browser: Browser, page: Page, app: RunningApp): Promise<BrowserContext> {
  await registerMailbox(page, app, address);
  await bindPhone(page, app);
  const { codes } = await callApi<{ codes: string[] }>(page, app, 'two-factor:generate-backup-codes');
  await callApi(page, app, 'auth:sign-out');
  const other = await browser.newContext({ userAgent: firefox });
  await signInTrusted(await other.newPage(), app, codes[0]!);
  await signInTrusted(page, app, codes[1]!);
  await page.goto(app.url);
  await openSection(page, '可信任设备');
  await expect(pageHeading(page)).toHaveText('可信任设备');
  return other;
}

test('this device is marked; remove trust from one, then from all', async ({ browser, page, app }) => {
  const other = await twoTrustedDevices(browser, page, app);
  const rows = trustedTable(page).getByRole('row');
  await expect(rows).toHaveCount(3);
  const here = rows.filter({ hasText: '本设备' });
  await expect(here).toHaveCount(1);
  await expect(here).toContainText(/Chrome \d+/);
  await expect(here).toContainText('7天后到期');
  const there = rows.filter({ hasText: 'Firefox 128' });
  await expect(there).not.toContainText('本设备');
  await expect(there).toContainText('7天后到期');

  // One: asked first, then gone; this device stays trusted.
  await there.getByRole('button', { name: /^取消可信任：.*Firefox 128$/ }).click();
  const dialog = page.getByRole('dialog', { name: '取消可信任？' });
  await expect(dialog).toContainText('下次用它登录需要输入验证码');
  await dialog.getByRole('button', { name: '取消可信任' }).click();
  await expect(dialog).toBeHidden();
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole('status').filter({ hasText: /^已取消对 .+ 的信任。$/ })).toBeVisible();
  await expect(rows.filter({ hasText: 'Firefox 128' })).toHaveCount(0);
  await expect(rows.filter({ hasText: '本设备' })).toHaveCount(1);

  // All: after confirming, nothing is trusted and the page says how to trust one again.
  await page.getByRole('button', { name: '全部取消可信任' }).click();
  const all = page.getByRole('dialog', { name: '全部取消可信任？' });
  await expect(all).toContainText('将取消全部 1 台设备的信任');
  await all.getByRole('button', { name: '全部取消可信任' }).click();
  await expect(all).toBeHidden();
  await expect(page.getByText('已取消全部 1 台设备的信任。')).toBeVisible();
  await expect(page.getByText('目前没有可信任设备。')).toBeVisible();
  await expect(trustedTable(page)).toHaveCount(0);

  // The next sign-in from this browser asks for a code again.
  await callApi(page, app, 'auth:sign-out');
  const again = await callApi<{ status: string }>(page, app, 'auth:sign-in', { address, password: testPassword });
  expect(again.status).toBe('code-required');
  await other.close();
});

test('removing trust from this device says the next sign-in here asks for a code', async ({ browser, page, app }) => {
  const other = await twoTrustedDevices(browser, page, app);
  await page.getByRole('button', { name: /^取消可信任：.*Chrome \d+$/ }).click();
  const dialog = page.getByRole('dialog', { name: '取消可信任？' });
  await expect(dialog).toContainText('这是您正在使用的设备');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: /^取消可信任：.*Chrome \d+$/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await dialog.getByRole('button', { name: '取消可信任' }).click();
  await expect(page.getByText('已取消本设备的信任。下次在这里登录需要输入验证码。')).toBeVisible();
  await expect(trustedTable(page).getByRole('row')).toHaveCount(2);
  await other.close();
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no axe violations on the trusted-device page in the ${colorScheme} theme`, async ({ browser, page, app }) => {
    await page.emulateMedia({ colorScheme });
    const other = await twoTrustedDevices(browser, page, app);
    await expect(trustedTable(page).getByRole('row')).toHaveCount(3);
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    await page.getByRole('button', { name: '全部取消可信任' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    await other.close();
  });
}
