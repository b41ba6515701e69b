/**
 * Signing in (docs/rules.md §2, §3), followed as a person does it: registering the first mailbox on
 * this computer, signing in without and with two-factor authentication, the code step with its
 * test delivery and resend countdown, trusting this device, the lockout, and the demo accounts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { expectNoAxeViolationsInBothThemes, pageHeading } from './helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const address = 'zhang.wei@cstnet.cn';
/** A demo mailbox with a bound phone that no code went to in the last minute (docs/rules.md §4's resend rule). */
const demoZhang = { address: 'zhang.wei@demo.mailwarden.cn', password: 'demo-zhang-2026' };

async function screenshot(page: Page, name: string, { docs = false } = {}): Promise<void> {
  const image = await page.screenshot({ path: `${root}test-results/screenshots/${name}.png`, fullPage: true });
  if (docs && process.env.MAILWARDEN_UPDATE_DOCS === '1') {
    await mkdir(`${root}docs/screenshots`, { recursive: true });
    await writeFile(`${root}docs/screenshots/${name}.png`, image);
  }
}

/** A mailbox registered (and, with `phone`, bound) through the API, then signed out again. */
async function existingMailbox(page: Page, app: RunningApp, { phone }: { phone?: string } = {}): Promise<void> {
  await registerMailbox(page, app, address);
  if (phone) await bindPhone(page, app, phone);
  await callApi(page, app, 'auth:sign-out');
}

/** The six-digit code in the test-delivery panel of the code step. */
async function codeFromTestDelivery(panel: Locator): Promise<string> {
  const message = panel.locator('samp');
  await expect(message).toHaveText(/\b\d{6}\b/);
  return /\b(\d{6})\b/.exec((await message.textContent()) ?? '')![1]!;
}

function anotherCode(code: string): string {
  return String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
}

test('first run: the screen offers to register this mailbox, states the rules and signs in', async ({ signedOutPage: page }) => {
  await expect(pageHeading(page)).toHaveText('注册此邮箱');
  await expect(page.getByText('这台电脑上还没有注册任何邮箱')).toBeVisible();
  // Before sign-in there is no section to open.
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page).toHaveTitle('登录 · 邮件安全助手');

  const register = page.getByRole('button', { name: '注册并登录' });
  await expect(register).toBeDisabled();
  await page.getByLabel('邮箱地址').fill(address);
  await expect(page.getByLabel('邮箱密码')).toHaveAccessibleDescription('密码长度为 10–128 个字符，且不能与邮箱地址相同。');
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByLabel('确认密码').fill('Correct-horse-8');
  await page.getByLabel('确认密码').blur();
  await expect(page.getByText('两次输入的密码不一致。')).toBeVisible();
  await expect(page.getByLabel('确认密码')).toHaveAttribute('aria-invalid', 'true');
  await expect(register).toBeDisabled();
  await expectNoAxeViolationsInBothThemes(page);

  await page.getByLabel('确认密码').fill(testPassword);
  await expect(page.getByText('两次输入的密码不一致。')).toHaveCount(0);
  await register.click();

  await expect(pageHeading(page)).toHaveText('概览');
  await expect(pageHeading(page)).toBeFocused();
  await expect(page.getByRole('banner')).toContainText(address);
  await expect(page.getByRole('navigation').getByRole('link')).toHaveCount(8);

  // Registering the same address again (another person on this computer) is refused plainly.
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  await page.getByRole('button', { name: '注册此邮箱' }).click();
  await expect(pageHeading(page)).toHaveText('注册此邮箱');
  await expect(pageHeading(page)).toBeFocused();
  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByLabel('确认密码').fill(testPassword);
  await page.getByRole('button', { name: '注册并登录' }).click();
  await expect(page.getByRole('alert')).toHaveText('此邮箱已在本机注册。');
  await expect(page.getByLabel('邮箱地址')).toHaveAttribute('aria-invalid', 'true');
  // Once the address is edited, the message about the old one goes.
  await page.getByLabel('邮箱地址').fill('li.na@cstnet.cn');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByLabel('邮箱地址')).not.toHaveAttribute('aria-invalid', 'true');

  // A password the backend finds too short: the message goes once the password is edited, and
  // never stands beside "do not match" about a confirmation that no longer applies.
  await page.getByLabel('邮箱密码').fill('short-pw');
  await page.getByLabel('确认密码').fill('short-pw');
  await page.getByRole('button', { name: '注册并登录' }).click();
  await expect(page.getByRole('alert')).toContainText('密码');
  await page.getByLabel('邮箱密码').fill(testPassword);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('signs in without two-factor authentication; a wrong password gets the generic message', async ({ page, app }) => {
  await existingMailbox(page, app);
  await page.goto(app.url);
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  const trust = page.getByRole('checkbox', { name: '设为可信任设备' });
  await expect(trust).not.toBeChecked();
  await expect(trust).toHaveAccessibleDescription(/^7 天内在此设备的此浏览器或应用上登录无需验证码/);

  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await screenshot(page, 'sign-in-zh-CN', { docs: true });

  await page.getByLabel('邮箱密码').fill('not-the-password');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('邮箱地址或密码不正确。');
  // An unknown address answers exactly alike: nothing tells whether a mailbox exists.
  await page.getByLabel('邮箱地址').fill('nobody@cstnet.cn');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('邮箱地址或密码不正确。');

  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(pageHeading(page)).toHaveText('概览');
  await expect(page.getByRole('banner')).toContainText(address);

  // The session is the backend's: a reload keeps it.
  await page.reload();
  await expect(pageHeading(page)).toHaveText('概览');
});

test('signing in a moment after binding the phone sends a sign-in code; a second try within the minute reuses it and says so', async ({ page, app }) => {
  // Binding the phone sent it a code a moment ago: a binding code, which cannot sign in.
  await existingMailbox(page, app, { phone: '13912345678' });
  await page.goto(app.url);
  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(pageHeading(page)).toHaveText('输入验证码');
  await expect(page.getByRole('status').filter({ hasText: '验证码已通过短信发送至 139****5678。' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  const code = await codeFromTestDelivery(page.getByRole('region', { name: /测试投递/ }));

  // A reload in the middle keeps the challenge: the backend holds it for this connection.
  await page.reload();
  await expect(pageHeading(page)).toHaveText('输入验证码');
  // Starting over and signing in again within the minute sends no second text: the first still works.
  await page.getByRole('button', { name: '返回，使用其他帐号登录' }).click();
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  expect(await callApi(page, app, 'auth:status')).toEqual({ status: 'signed-out' });
  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^\d{1,2}:\d{2} 发送至 139\*\*\*\*5678 的验证码仍然有效，请输入它。$/ })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^重新发送（\d+秒钟）$/ })).toBeDisabled();
  await page.getByLabel('短信验证码', { exact: true }).fill(code);
  await page.getByRole('button', { name: '验证并登录' }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
});

test('five wrong passwords lock the mailbox, shown with the time left counting down', async ({ page, app }) => {
  await existingMailbox(page, app);
  await page.clock.install();
  await page.goto(app.url);
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  await page.getByLabel('邮箱地址').fill(address);
  const submit = page.getByRole('button', { name: '登录', exact: true });
  for (let attempt = 1; attempt <= 4; attempt++) {
    await page.getByLabel('邮箱密码').fill(`wrong-password-${attempt}`);
    await submit.click();
    await expect(page.getByRole('alert')).toHaveText('邮箱地址或密码不正确。');
  }
  await page.getByLabel('邮箱密码').fill('wrong-password-5');
  await submit.click();

  const alert = page.getByRole('alert');
  await expect(alert).toContainText('登录失败次数过多，邮箱已被暂时锁定。');
  await expect(alert.getByRole('timer')).toHaveText('请15分钟后再试。');
  await expect(submit).toBeDisabled();
  await expectNoAxeViolationsInBothThemes(page);

  // The countdown ticks in place: nothing around it moves.
  const timer = alert.getByRole('timer');
  const before = await timer.boundingBox();
  await page.clock.fastForward(60_000);
  await expect(alert.getByRole('timer')).toHaveText('请14分钟后再试。');
  expect((await timer.boundingBox())?.width).toBe(before?.width);

  // Even the right password is refused while the lock lasts (the backend says so too).
  expect(
    (await page.request
      .post(`${app.origin}/api/auth:sign-in`, {
        headers: { Authorization: `Bearer ${app.token}` },
        data: { address, password: testPassword },
      })
      .then((r) => r.json())) as unknown,
  ).toMatchObject({ ok: false, code: 'mailbox-locked' });

  // The lock belongs to that mailbox: another address can be tried.
  await page.getByLabel('邮箱地址').fill('someone.else@cstnet.cn');
  await expect(submit).toBeEnabled();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the language and theme can be switched on the sign-in screen', async ({ signedOutPage: page }) => {
  await page.getByLabel('语言').selectOption('en');
  await expect(pageHeading(page)).toHaveText('Register this mailbox');
  await expect(page).toHaveTitle('Sign in · Mailwarden');
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(pageHeading(page)).toHaveText('Register this mailbox');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test.describe('with demo data', () => {
  test.use({ hostArgs: ['--demo'] });

  test('with a bound phone: the code step, a wrong code, the right one, and a trusted device needs no code next time', async ({ page, app }) => {
    await page.clock.install();
    await page.goto(app.url);
    await expect(pageHeading(page)).toHaveText('登录邮箱');
    await page.getByLabel('邮箱地址').fill(demoZhang.address);
    await page.getByLabel('邮箱密码').fill(demoZhang.password);
    await page.getByRole('checkbox', { name: '设为可信任设备' }).check();
    await page.getByRole('button', { name: '登录', exact: true }).click();

    await expect(pageHeading(page)).toHaveText('输入验证码');
    // The cursor waits in the code field, told where the code went.
    await expect(page.getByLabel('短信验证码', { exact: true })).toBeFocused();
    await expect(page.getByText('验证码已通过短信发送至 139****1234。')).toBeVisible();
    // The choice made with the password is kept on the code step.
    await expect(page.getByRole('checkbox', { name: '设为可信任设备' })).toBeChecked();
    await expect(page.getByRole('navigation')).toHaveCount(0);

    // Resend waits 60 s, counting down in place; the page's clock moves, the backend's does not.
    const resend = page.getByRole('button', { name: /^重新发送/ });
    await expect(resend).toBeDisabled();
    await expect(resend).toHaveText(/^重新发送（(1分钟|5\d秒钟)）$/);
    await page.clock.fastForward(30_000);
    await expect(resend).toHaveText(/^重新发送（[23]\d秒钟）$/);
    await expect(page.getByText(/^距离登录超时：/)).toHaveText(/^距离登录超时： ?09:[23]\d$/);

    // Embedded mode has no real SMS: the labelled test delivery shows the code.
    const delivery = page.getByRole('region', { name: '测试投递（本机发件箱）' });
    await expect(delivery).toContainText('内置模式不会发送真实短信');
    const code = await codeFromTestDelivery(delivery);
    await expectNoAxeViolationsInBothThemes(page);
    await screenshot(page, 'sign-in-code-zh-CN');

    const codeField = page.getByLabel('短信验证码', { exact: true });
    await codeField.fill(anotherCode(code));
    await page.getByRole('button', { name: '验证并登录' }).click();
    await expect(page.getByRole('alert')).toHaveText('验证码不正确。还可再试 4 次，之后此验证码失效。');
    await expect(codeField).toHaveAttribute('aria-invalid', 'true');

    await page.clock.fastForward(31_000);
    await expect(resend).toBeEnabled();
    await expect(resend).toHaveText('重新发送验证码');

    await codeField.fill(code);
    await page.getByRole('button', { name: '验证并登录' }).click();
    await expect(pageHeading(page)).toHaveText('概览');
    await expect(pageHeading(page)).toBeFocused();

    // Signed out and in again on this (now trusted) device and client: no code is asked for.
    await page.getByRole('button', { name: '退出登录' }).click();
    await expect(pageHeading(page)).toHaveText('登录邮箱');
    await page.getByLabel('邮箱地址').fill(demoZhang.address);
    await page.getByLabel('邮箱密码').fill(demoZhang.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(pageHeading(page)).toHaveText('概览');
  });

  test('the demo accounts are listed and can be filled in', async ({ signedOutPage: page }) => {
    await expect(pageHeading(page)).toHaveText('登录邮箱');
    const demo = page.getByRole('region', { name: '演示帐号' });
    await expect(demo.getByRole('row')).toHaveCount(5);
    await expect(demo.getByRole('row', { name: /张伟/ })).toContainText('zhang.wei@demo.mailwarden.cn');
    await expect(demo.getByRole('row', { name: /张伟/ })).toContainText('短信验证码');
    await expect(demo.getByRole('row', { name: /王芳/ })).toContainText('未开启');
    await expectNoAxeViolationsInBothThemes(page);

    await demo.getByRole('button', { name: '填入王芳的帐号' }).click();
    await expect(page.getByLabel('邮箱地址')).toHaveValue('wang.fang@demo.mailwarden.cn');
    await expect(page.getByLabel('邮箱密码')).toHaveValue('demo-wang-2026');
    await expect(page.getByRole('status')).toHaveText('已填入 wang.fang@demo.mailwarden.cn，请点击“登录”。');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(pageHeading(page)).toHaveText('概览');
    await expect(page.getByRole('banner')).toContainText('王芳');
  });

  test('a demo account with an authenticator signs in with its code', async ({ signedOutPage: page }) => {
    const demo = page.getByRole('region', { name: '演示帐号' });
    const row = demo.getByRole('row', { name: /李娜/ });
    const key = /验证器密钥：(\w+)$/.exec((await row.getByText(/^验证器密钥：/).textContent()) ?? '')![1]!;
    await demo.getByRole('button', { name: '填入李娜的帐号' }).click();
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(pageHeading(page)).toHaveText('输入验证码');
    // Only one method: no choice is offered, and no text message panel.
    await expect(page.getByRole('radio')).toHaveCount(0);
    await expect(page.getByRole('region', { name: '测试投递（本机发件箱）' })).toHaveCount(0);
    const totp = new TOTP({ secret: Secret.fromBase32(key), digits: 6, period: 30 });
    await page.getByLabel('身份验证器中的 6 位数字').fill(totp.generate());
    await page.getByRole('button', { name: '验证并登录' }).click();
    await expect(pageHeading(page)).toHaveText('概览');
  });
});

test.describe('in English', () => {
  test.use({ locale: 'en-US', hostArgs: ['--demo'] });

  test('signs in with a text message code', async ({ page, app }) => {
    await page.goto(app.url);
    await expect(pageHeading(page)).toHaveText('Sign in to your mailbox');
    await expect(page.getByRole('checkbox', { name: 'Trust this device' })).toHaveAccessibleDescription(/^For 7 days, signing in/);
    await page.getByLabel('Email address').fill(demoZhang.address);
    await page.getByLabel('Mailbox password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText('The email address or password is incorrect.');
    await page.getByLabel('Mailbox password').fill(demoZhang.password);
    await screenshot(page, 'sign-in-en');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await expect(pageHeading(page)).toHaveText('Enter the verification code');
    await expect(page.getByText('A code was sent by text message to 139****1234.')).toBeVisible();
    await expect(page.getByRole('button', { name: /^Resend/ })).toBeDisabled();
    const code = await codeFromTestDelivery(page.getByRole('region', { name: 'Test delivery (local outbox)' }));
    await page.getByLabel('Code from the text message').fill(anotherCode(code));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The code is not correct. 4 more tries before this code stops working.');
    await page.getByLabel('Code from the text message').fill(code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(pageHeading(page)).toHaveText('Overview');
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  });
});
