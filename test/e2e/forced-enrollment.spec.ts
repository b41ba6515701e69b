/**
 * Forced enrolment (docs/rules.md §3): under a policy that enforces 2FA, a mailbox without a method
 * lands on 帐号安全二次验证 after the password and can reach nothing else until a method is bound;
 * binding one opens the whole app without a reload.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { callApi, registerMailbox, testPassword } from './backend';
import { expect, test } from './fixtures';
import { pageHeading } from './helpers';

const address = 'zhang.wei@cstnet.cn';
let policyDir: string;

test.beforeAll(async () => {
  policyDir = await mkdtemp(join(tmpdir(), 'mailwarden-policy-'));
  await writeFile(join(policyDir, 'policy.json'), JSON.stringify({ enforceTwoFactor: true }));
});

test.afterAll(async () => {
  await rm(policyDir, { recursive: true, force: true });
});

test.describe('with a policy that enforces two-factor authentication', () => {
  // The file is written in beforeAll; the option is read when the `app` fixture starts.
  test.use({ hostArgs: async ({}, use) => use(['--policy', join(policyDir, 'policy.json')]) });

  test('after the password only the two-factor page is reachable, until a phone is bound', async ({ page, app }) => {
    await registerMailbox(page, app, address);
    await callApi(page, app, 'auth:sign-out');
    await page.goto(app.url);
    await expect(pageHeading(page)).toHaveText('登录邮箱');
    await page.getByLabel('邮箱地址').fill(address);
    await page.getByLabel('邮箱密码').fill(testPassword);
    await page.getByRole('button', { name: '登录', exact: true }).click();

    // Lands on 帐号安全二次验证; the sidebar offers nothing else.
    await expect(pageHeading(page)).toHaveText('帐号安全二次验证');
    await expect(page).toHaveURL(`${app.origin}/#/two-factor`);
    const nav = page.getByRole('navigation', { name: '功能导航' });
    await expect(nav.getByRole('link')).toHaveText(['二次验证']);
    await expect(page.getByRole('banner')).toContainText('需先开启二次验证');
    await expect(page.getByRole('banner')).toContainText(address);
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    // Any other page by its address comes back to the two-factor page.
    for (const hash of ['#/settings', '#/client-passwords', '#/overview', '#/no-such-section']) {
      await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
      await expect(page).toHaveURL(`${app.origin}/#/two-factor`);
      await expect(pageHeading(page)).toHaveText('帐号安全二次验证');
    }
    // The backend refuses the rest as well: the gate is not only in the page.
    const refused = await page.request.post(`${app.origin}/api/client-passwords:list`, {
      headers: { Authorization: `Bearer ${app.token}` },
      data: {},
    });
    expect(await refused.json()).toMatchObject({ ok: false, code: 'two-factor-required' });

    // A reload keeps the restriction.
    await page.reload();
    await expect(pageHeading(page)).toHaveText('帐号安全二次验证');
    await expect(nav.getByRole('link')).toHaveCount(1);

    // Binding a phone through the page's three steps opens the whole app, without a reload.
    const sms = page.getByRole('region', { name: '短信验证码' });
    await sms.getByLabel('手机号码').fill('13912345678');
    await sms.getByRole('button', { name: '获取验证码' }).click();
    const message = sms.getByRole('region', { name: '测试投递（本机发件箱）' }).locator('samp');
    await expect(message).toHaveText(/\b\d{6}\b/);
    const code = /\b(\d{6})\b/.exec((await message.textContent()) ?? '')![1]!;
    await sms.getByLabel('验证码', { exact: true }).fill(code);
    await sms.getByRole('button', { name: '确定' }).click();
    await expect(sms.getByText('手机号码: 139****5678')).toBeVisible();

    await expect(nav.getByRole('link')).toHaveCount(8);
    await expect(page.getByRole('banner')).not.toContainText('需先开启二次验证');
    await nav.getByRole('link', { name: '客户端专用密码' }).click();
    await expect(pageHeading(page)).toHaveText('客户端专用密码');
  });

  test('registering a new mailbox under the policy starts in enrolment too', async ({ signedOutPage: page, app }) => {
    await expect(pageHeading(page)).toHaveText('注册此邮箱');
    await page.getByLabel('邮箱地址').fill(address);
    await page.getByLabel('邮箱密码').fill(testPassword);
    await page.getByLabel('确认密码').fill(testPassword);
    await page.getByRole('button', { name: '注册并登录' }).click();
    await expect(pageHeading(page)).toHaveText('帐号安全二次验证');
    await expect(page).toHaveURL(`${app.origin}/#/two-factor`);
    await expect(page.getByRole('navigation').getByRole('link')).toHaveCount(1);

    // Signing out from the restricted app goes back to the sign-in screen.
    await page.getByRole('button', { name: '退出登录' }).click();
    await expect(pageHeading(page)).toHaveText('登录邮箱');
    await expect(page.getByRole('navigation')).toHaveCount(0);
  });
});
