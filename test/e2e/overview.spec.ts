/**
 * The overview (概览), followed as a person: a mailbox protected only by text messages, with a
 * device trusted for the one day its organisation allows and a grant to another domain, sees its
 * status at a glance and a check-up naming each thing to fix, each with a link to fix it; a
 * well-kept mailbox sees a calm "nothing to do".
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { fact, openSection, pageHeading } from './helpers';

const address = 'zhang.wei@cstnet.cn';
const outsider = 'wang@partner.example.com';

// Trusted devices last one day here, so the device trusted below expires "within a day".
const policyDir = join(tmpdir(), `mailwarden-overview-${process.pid}`);
mkdirSync(policyDir, { recursive: true });
const oneDayPolicy = join(policyDir, 'one-day.json');
writeFileSync(oneDayPolicy, JSON.stringify({ trustedDeviceDays: 1 }));

async function openOverview(page: Page, app: RunningApp): Promise<void> {
  await page.goto(app.url);
  await openSection(page, '概览');
  await expect(pageHeading(page)).toHaveText('概览');
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect((await new AxeBuilder({ page }).analyze()).violations, colorScheme).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe('a mailbox with things to fix', () => {
  test.use({ hostArgs: ['--policy', oneDayPolicy] });

  test('status numbers and each check-up item with its fix', async ({ browser, page, app }) => {
    // Setting the scene hashes several passwords and backup codes with scrypt: allow for it.
    test.slow();
    // The colleague in another organisation has a mailbox here too (registered in their own browser).
    const elsewhere = await browser.newContext();
    await registerMailbox(await elsewhere.newPage(), app, outsider);
    await elsewhere.close();

    // SMS only; this browser trusted through a backup code (the phone was just texted).
    await registerMailbox(page, app, address);
    await bindPhone(page, app, '13912345678');
    const { codes } = await callApi<{ codes: string[] }>(page, app, 'two-factor:generate-backup-codes');
    await callApi(page, app, 'auth:sign-out');
    await callApi(page, app, 'auth:sign-in', { address, password: testPassword, trustDevice: true });
    await callApi(page, app, 'auth:verify-code', { code: codes[0], method: 'backup', trustDevice: true });
    await callApi(page, app, 'client-passwords:create', { name: 'Foxmail 办公室' });
    await callApi(page, app, 'grants:add', { grantee: outsider, level: 'read-only' });

    await openOverview(page, app);
    const status = page.getByRole('region', { name: '安全状况' });
    await expect(fact(status, '邮箱')).toHaveText(address);
    await expect(fact(status, '二次验证')).toContainText('短信验证码（139****5678）');
    await expect(fact(status, '二次验证')).toContainText('备用码剩余 9 个');
    await expect(fact(status, '客户端专用密码')).toContainText('1 个（上限 20 个）');
    await expect(fact(status, '可信任设备')).toContainText('1 台');
    await expect(fact(status, '共享邮箱')).toContainText('共享给 1 人，别人共享给我 0 个');

    const checkup = page.getByRole('region', { name: '安全检查' });
    await expect(checkup).toContainText('发现 3 项建议处理');
    const items = checkup.getByRole('listitem');
    await expect(items).toHaveCount(3);
    await expect(items.nth(0)).toContainText('只绑定了短信验证码');
    await expect(items.nth(1)).toContainText('1 台可信任设备将在一天内到期');
    await expect(items.nth(2)).toContainText(`共享给了其他域的邮箱：${outsider}`);
    await expectNoAxeViolations(page);

    // Each item leads to where it is fixed.
    await items.nth(0).getByRole('link', { name: '添加身份验证器应用' }).click();
    await expect(pageHeading(page)).toHaveText(/二次验证/);
    await page.goBack();
    await items.nth(1).getByRole('link', { name: '查看可信任设备' }).click();
    await expect(pageHeading(page)).toHaveText('可信任设备');
    await page.goBack();
    await items.nth(2).getByRole('link', { name: '查看共享邮箱' }).click();
    await expect(pageHeading(page)).toHaveText('共享邮箱');
  });
});

test('a well-kept mailbox is all clear', async ({ page, app }) => {
  await registerMailbox(page, app, address);
  const { secret } = await callApi<{ secret: string }>(page, app, 'two-factor:start-totp');
  const code = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret.replace(/\s/g, '')) }).generate();
  await callApi(page, app, 'two-factor:confirm-totp', { code });

  await openOverview(page, app);
  const status = page.getByRole('region', { name: '安全状况' });
  await expect(fact(status, '二次验证')).toContainText('身份验证器应用');
  await expect(fact(status, '客户端专用密码')).toContainText('0 个（上限 20 个）');
  const checkup = page.getByRole('region', { name: '安全检查' });
  await expect(checkup).toContainText('一切正常');
  await expect(checkup).toContainText('目前没有需要您处理的事项。');
  await expect(checkup.getByRole('listitem')).toHaveCount(0);
  await expectNoAxeViolations(page);
});

test('a mailbox without two-factor authentication is told to turn it on', async ({ page, app }) => {
  await registerMailbox(page, app, address);
  await openOverview(page, app);
  await expect(fact(page.getByRole('region', { name: '安全状况' }), '二次验证')).toContainText('未开启');
  const item = page.getByRole('region', { name: '安全检查' }).getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('还没有开启二次验证');
  await item.getByRole('link', { name: '开启二次验证' }).click();
  await expect(pageHeading(page)).toHaveText(/二次验证/);
});
