/**
 * Managed policy as a person meets it (docs/rules.md §10, issue 6), in browser mode with a policy file
 * read by the same reader as /etc/mailwarden/policy.json (`--policy FILE`):
 * - an enforcing file: sign-in lands on forced enrolment, and once a phone is bound the settings
 *   page marks every key IT set "由您的组织管理", with the place it came from;
 * - a recommended value is marked "由您的组织推荐" and preselects the client-password form,
 *   where the user may still change it;
 * - a grace period lets the mailbox in with a banner of the days left;
 * - without a policy nothing is marked.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { fact, openSection, pageHeading } from './helpers';

const policyDir = join(tmpdir(), `mailwarden-settings-policy-${process.pid}`);
mkdirSync(policyDir, { recursive: true });
function policyFile(name: string, content: unknown): string {
  const file = join(policyDir, name);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const enforcing = policyFile('enforcing.json', {
  enforced: {
    enforceTwoFactor: true,
    trustedDeviceDays: 14,
    allowedMethods: ['sms'],
    mailServer: { imap: { host: 'imap.example.edu.cn', port: 993, security: 'tls' } },
    clientIntegrations: { foxmail: false },
    updates: { enabled: false },
  },
  recommended: { clientPasswordDefaultExpiryDays: 30 },
});
const withGrace = policyFile('grace.json', { enforceTwoFactor: true, twoFactorGraceDays: 14 });
const recommendingServer = policyFile('recommended-server.json', { recommended: { mailServer: { smtp: { host: 'smtp.example.edu.cn' } } } });

const address = 'zhang.wei@cstnet.cn';
const managed = '由您的组织管理';
const recommended = '由您的组织推荐';
/** The mark itself (a lock and the words), not the introduction that explains it. */
const managedMark = new RegExp(`^\\W*${managed}$`, 'u');

async function openPolicy(page: Page, app: RunningApp): Promise<Locator> {
  await page.goto(app.url);
  // A page already on the app keeps its session view across a same-document goto: load it afresh.
  await page.reload();
  await openSection(page, '设置');
  await expect(pageHeading(page)).toHaveText('设置');
  const section = page.getByRole('region', { name: '组织策略' });
  await expect(section).toBeVisible();
  return section;
}

async function signInAgain(page: Page, app: RunningApp): Promise<void> {
  await callApi(page, app, 'auth:sign-out');
  await page.goto(app.url);
  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect((await new AxeBuilder({ page }).analyze()).violations, colorScheme).toEqual([]);
  }
}

test.describe('with an enforcing policy from IT', () => {
  test.use({ hostArgs: ['--policy', enforcing] });

  test('sign-in forces enrolment, then every key IT set is locked and marked', async ({ page, app }) => {
    await registerMailbox(page, app, address);
    await signInAgain(page, app);
    await expect(pageHeading(page)).toHaveText('帐号安全二次验证');
    await expect(page.getByRole('navigation', { name: '功能导航' }).getByRole('link')).toHaveText(['二次验证']);

    await bindPhone(page, app);
    const section = await openPolicy(page, app);
    const enforcedKeys = [
      '强制二次验证',
      '可信设备有效期（天）',
      '允许的二次验证方式',
      'IMAP 服务器地址',
      'IMAP 端口',
      'IMAP 加密方式',
      '提供“写入 Foxmail”',
      '自动更新',
    ];
    for (const key of enforcedKeys) {
      await expect(fact(section, key), key).toContainText(managed);
      await expect(fact(section, key), key).toContainText('--policy 文件');
    }
    await expect(fact(section, '可信设备有效期（天）')).toContainText('14');
    await expect(fact(section, '允许的二次验证方式')).toContainText('短信验证码');
    await expect(fact(section, 'IMAP 服务器地址')).toContainText('imap.example.edu.cn');
    await expect(fact(section, '提供“写入 Foxmail”')).toContainText('否');
    await expect(section.getByText(managedMark)).toHaveCount(enforcedKeys.length);

    // The recommended default is marked as such, not locked.
    await expect(fact(section, '客户端专用密码默认有效期（天）')).toContainText('30');
    await expect(fact(section, '客户端专用密码默认有效期（天）')).toContainText(recommended);
    await expect(fact(section, '客户端专用密码默认有效期（天）')).not.toContainText(managed);
    // Said to be changeable only where the app has the control, with the way there; a recommended
    // value without one (none here) would carry no such link.
    await expect(section.getByText('本应用中可以改用其他值的项目，附有前往该处的链接。')).toBeVisible();
    await expect(fact(section, '客户端专用密码默认有效期（天）').getByRole('link', { name: '生成客户端专用密码时可另选' })).toHaveAttribute(
      'href',
      '#/client-passwords',
    );
    // What IT left out keeps its default, unmarked; secrets show only whether they are set.
    await expect(fact(section, '客户端专用密码数量上限')).toHaveText('20');
    await expect(fact(section, '短信 Webhook URL')).toHaveText('未设置');
    await expectNoAxeViolations(page);

    // The About card names the place.
    await expect(page.getByTestId('policy-source')).toHaveText('--policy 文件');

    // The recommended expiry preselects the create form; the user may still change it.
    await openSection(page, '客户端专用密码');
    const days = page.getByRole('spinbutton');
    await expect(days).toHaveValue('30');
    await days.fill('7');
    await expect(days).toHaveValue('7');
  });
});

test.describe('with a grace period', () => {
  test.use({ hostArgs: ['--policy', withGrace] });

  test('a mailbox without 2FA gets in, with a banner of the days left', async ({ page, app }) => {
    await registerMailbox(page, app, address);
    await signInAgain(page, app);
    await expect(pageHeading(page)).not.toHaveText('帐号安全二次验证');
    const banner = page.getByTestId('two-factor-grace');
    await expect(banner).toContainText('您的组织要求开启二次验证。剩余设置天数：14。');
    await expect(page.getByRole('navigation', { name: '功能导航' }).getByRole('link', { name: '设置' })).toBeVisible();
    await banner.getByRole('link', { name: '现在设置' }).click();
    await expect(pageHeading(page)).toHaveText('帐号安全二次验证');
    await bindPhone(page, app);
    await page.reload();
    await expect(page.getByRole('navigation', { name: '功能导航' })).toBeVisible();
    await expect(banner).toHaveCount(0);
  });
});

test.describe('with a recommended value the app has no control for', () => {
  test.use({ hostArgs: ['--policy', recommendingServer] });

  test('it is marked recommended, and nothing says it may be changed', async ({ page, app }) => {
    await registerMailbox(page, app, address);
    const section = await openPolicy(page, app);
    await expect(fact(section, 'SMTP 服务器地址')).toContainText('smtp.example.edu.cn');
    await expect(fact(section, 'SMTP 服务器地址')).toContainText(recommended);
    await expect(fact(section, 'SMTP 服务器地址').getByRole('link')).toHaveCount(0);
    await expect(section.getByText(/改用其他值|可另选/)).toHaveCount(0);
  });
});

test('without a policy, the defaults are shown unmarked', async ({ page, app }) => {
  await registerMailbox(page, app, address);
  const section = await openPolicy(page, app);
  await expect(fact(section, '强制二次验证')).toHaveText('否');
  await expect(fact(section, '可信设备有效期（天）')).toHaveText('7');
  await expect(fact(section, '允许的二次验证方式')).toHaveText('短信验证码、身份验证器应用');
  await expect(fact(section, '客户端专用密码数量上限')).toHaveText('20');
  await expect(section.getByText(managedMark)).toHaveCount(0);
  await expect(section.getByText(recommended)).toHaveCount(0);
  await expect(page.getByTestId('policy-source')).toHaveText('内置默认设置（未应用组织策略）');
  await expectNoAxeViolations(page);
});
