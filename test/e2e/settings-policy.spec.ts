/**
 * The settings page's policy section (SPEC.md §10), read as a person would: with a policy file
 * from IT that enforces two-factor authentication and trusts devices for 14 days, those two rules
 * say "由您的组织管理" and the rest are the defaults; without one, nothing is marked.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { bindPhone, registerMailbox } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { fact, openSection, pageHeading } from './helpers';

const policyDir = join(tmpdir(), `mailwarden-settings-policy-${process.pid}`);
mkdirSync(policyDir, { recursive: true });
const itPolicy = join(policyDir, 'policy.json');
writeFileSync(itPolicy, JSON.stringify({ enforceTwoFactor: true, trustedDeviceDays: 14 }));

const managed = '由您的组织管理';
/** The mark itself (a lock and the words), not the introduction that explains it. */
const managedMark = new RegExp(`^\\W*${managed}$`, 'u');

async function openPolicy(page: Page, app: RunningApp, options: { phone?: boolean } = {}) {
  await registerMailbox(page, app);
  // Under an enforcing policy only the binding page is open until a method is bound.
  if (options.phone) await bindPhone(page, app);
  await page.goto(app.url);
  await openSection(page, '设置');
  await expect(pageHeading(page)).toHaveText('设置');
  const section = page.getByRole('region', { name: '组织策略' });
  await expect(section).toBeVisible();
  return section;
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect((await new AxeBuilder({ page }).analyze()).violations, colorScheme).toEqual([]);
  }
}

test.describe('with a policy from IT', () => {
  test.use({ hostArgs: ['--policy', itPolicy] });

  test('the rules IT set are shown as managed by the organisation', async ({ page, app }) => {
    const section = await openPolicy(page, app, { phone: true });
    await expect(fact(section, '强制二次验证')).toContainText('是：未开启二次验证的邮箱登录后必须先绑定');
    await expect(fact(section, '强制二次验证')).toContainText(managed);
    await expect(fact(section, '可信任设备有效期')).toContainText('14 天');
    await expect(fact(section, '可信任设备有效期')).toContainText(managed);
    // What the file left out keeps its default and is not locked.
    await expect(fact(section, '允许的验证方式')).toHaveText('短信验证码、身份验证器应用');
    await expect(fact(section, '客户端专用密码上限')).toHaveText('每个邮箱 20 个');
    await expect(fact(section, '修改邮箱密码时撤销客户端专用密码')).toHaveText('是');
    await expect(fact(section, '短信网关')).toHaveText('本机测试投递（不发送真实短信）');
    await expect(section.getByText(managedMark)).toHaveCount(2);
    await expectNoAxeViolations(page);
  });
});

test('without a policy, the defaults are shown unmarked', async ({ page, app }) => {
  const section = await openPolicy(page, app);
  await expect(fact(section, '强制二次验证')).toHaveText('否');
  await expect(fact(section, '可信任设备有效期')).toHaveText('7 天');
  await expect(fact(section, '允许的验证方式')).toHaveText('短信验证码、身份验证器应用');
  await expect(fact(section, '客户端专用密码上限')).toHaveText('每个邮箱 20 个');
  await expect(section.getByText(managedMark)).toHaveCount(0);
  await expectNoAxeViolations(page);
});
