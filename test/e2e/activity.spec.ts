/**
 * Security activity (docs/rules.md §11), followed as a person: what they did shows newest first in
 * plain words; they filter by kind and load earlier events.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { bindPhone, callApi, registerMailbox } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { openSection, pageHeading } from './helpers';

async function scene(page: Page, app: RunningApp): Promise<void> {
  await registerMailbox(page, app);
  await bindPhone(page, app, '13912345678');
  await callApi(page, app, 'client-passwords:create', { name: 'Foxmail 办公室' });
}

function events(page: Page) {
  return page.getByRole('list', { name: '安全事件，最新的在前' }).getByRole('listitem');
}

test('events appear newest first in plain words, and can be filtered by kind', async ({ page, app }) => {
  await scene(page, app);
  await page.goto(app.url);
  await openSection(page, '安全活动');
  await expect(pageHeading(page)).toHaveText('安全活动');

  const items = events(page);
  await expect(items).toHaveCount(5);
  await expect(items.nth(0)).toContainText('生成了客户端专用密码「Foxmail 办公室」');
  await expect(items.nth(1)).toContainText('绑定了手机号码 139****5678');
  await expect(items.nth(2)).toContainText('向 139****5678 发送了验证码（用于绑定手机）');
  await expect(items.nth(3)).toContainText(/^在 .+ 上登录成功（仅密码）/);
  await expect(items.nth(4)).toContainText('在本机注册了此邮箱');
  await expect(items.nth(0)).toContainText('成功');
  // The device the page ran in, by name.
  await expect(items.nth(0)).toContainText(/设备：.+ \/ Chrome \d+/);

  await page.getByLabel('事件类型').selectOption({ label: '绑定手机' });
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText('绑定了手机号码 139****5678');

  await page.getByLabel('事件类型').selectOption({ label: '撤销客户端专用密码' });
  await expect(page.getByText('还没有这类安全事件。')).toBeVisible();
  await expect(items).toHaveCount(0);

  await page.getByLabel('事件类型').selectOption({ label: '全部事件' });
  await expect(items).toHaveCount(5);
});

test('earlier events load on request', async ({ page, app }) => {
  await scene(page, app);
  // Sixteen more events: eight client passwords made and revoked.
  for (let i = 1; i <= 8; i += 1) {
    const { id } = await callApi<{ id: string }>(page, app, 'client-passwords:create', { name: `Client ${i}` });
    await callApi(page, app, 'client-passwords:revoke', { id });
  }
  await page.goto(app.url);
  await openSection(page, '安全活动');
  const items = events(page);
  await expect(items).toHaveCount(20);
  await expect(items.first()).toContainText('撤销了客户端专用密码「Client 8」');
  await expect(items.nth(1)).toContainText('生成了客户端专用密码「Client 8」');
  await page.getByRole('button', { name: '加载更早的事件' }).click();
  await expect(items).toHaveCount(21);
  await expect(items.last()).toContainText('在本机注册了此邮箱');
  await expect(page.getByRole('button', { name: '加载更早的事件' })).toHaveCount(0);
});

test.describe('in English', () => {
  test.use({ locale: 'en-US' });

  test('the same events read in English', async ({ page, app }) => {
    await scene(page, app);
    await page.goto(app.url);
    await openSection(page, 'Security activity');
    const items = page.getByRole('list', { name: 'Security events, newest first' }).getByRole('listitem');
    await expect(items.nth(0)).toContainText('Client password “Foxmail 办公室” was generated');
    await expect(items.nth(1)).toContainText('Phone number 139****5678 was bound');
  });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no axe violations on the activity page in the ${colorScheme} theme`, async ({ page, app }) => {
    await page.emulateMedia({ colorScheme });
    await scene(page, app);
    // A failure too, so its colours are checked.
    await expect(callApi(page, app, 'two-factor:recheck-password', { password: 'not-the-password' })).rejects.toThrow('password-incorrect');
    await page.goto(app.url);
    await openSection(page, '安全活动');
    await expect(events(page).first()).toContainText('重新验证时密码错误');
    await expect(events(page).first()).toContainText('失败');
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
}
