/**
 * A person links a phone on 帐号安全二次验证 through the guide's three steps, with the code from the
 * local outbox's test delivery; changes it after re-entering the password; and removes it. The
 * backend is the real one, on real time: only the page's clock moves, for the countdowns.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test } from './fixtures';
import { apiRoute, expectNoAxeViolationsInBothThemes } from './helpers';
import { anotherCode, codeFromTestDelivery, openTwoFactorPage, saveScreenshot } from './two-factor-helpers';

test('links a phone through the three steps, with the countdowns and clear messages', async ({ page, app }) => {
  await page.clock.install();
  await registerMailbox(page, app);
  await openTwoFactorPage(page, app);

  const sms = page.getByRole('region', { name: '短信验证码' });
  const steps = sms.getByRole('list', { name: '绑定步骤' });
  await expect(steps.getByRole('listitem')).toHaveText([/1\s*输入您的常用手机号/, /2\s*获取系统验证码/, /3\s*输入验证码进行绑定/]);
  const currentStep = steps.locator('[aria-current="step"]');
  await expect(currentStep).toContainText('输入您的常用手机号');

  // Step 1: a number that is not a phone number keeps the steps where they are, and is refused in plain words.
  const phone = sms.getByLabel('手机号码');
  await phone.fill('1');
  await expect(currentStep).toContainText('输入您的常用手机号');
  await phone.fill('12345');
  await expect(currentStep).toContainText('输入您的常用手机号');
  await sms.getByRole('button', { name: '获取验证码' }).click();
  await expect(sms.getByRole('alert')).toContainText('手机号码无效');

  // Step 2 once the number could be one; step 3 once the code is out. The number it went to is
  // then shown as sent, not as a field whose edits would go nowhere; the binding window counts
  // down; resend waits its minute.
  await phone.fill('139 1234 5678');
  await expect(currentStep).toContainText('获取系统验证码');
  await sms.getByRole('button', { name: '获取验证码' }).click();
  await expect(currentStep).toContainText('输入验证码进行绑定');
  await expect(phone).toHaveAttribute('readonly', '');
  await expect(sms.getByRole('button', { name: '更换号码' })).toBeVisible();
  const timer = sms.getByRole('timer');
  await expect(timer).toHaveText(/^距离绑定超时: 0(5:00|4:5\d)$/);
  const waiting = sms.getByRole('button', { name: /^(\d+秒钟|1分钟)后可重新获取$/ });
  await expect(waiting).toBeDisabled();
  await expect(waiting).toHaveText(/^(1分钟|5[89]秒钟)后可重新获取$/);
  const delivery = sms.getByRole('region', { name: '测试投递（本机发件箱）' });
  await expect(delivery).toContainText('139****5678');
  const code = await codeFromTestDelivery(delivery);
  await saveScreenshot(page, 'binding-zh-CN', { docs: true });
  await expectNoAxeViolationsInBothThemes(page);

  // The countdown ticks without moving anything around it.
  const before = await timer.boundingBox();
  await page.clock.fastForward('01:30');
  await expect(timer).toHaveText(/^距离绑定超时: 03:[23]\d$/);
  expect((await timer.boundingBox())?.width).toBe(before?.width);

  // The page's minute is up, but the real backend's is not: it says when to try again.
  const resend = sms.getByRole('button', { name: '重新获取验证码' });
  await expect(resend).toBeEnabled();
  await resend.click();
  await expect(sms.getByRole('alert')).toHaveText(/^验证码刚刚发送过，请稍后再获取。请\d+秒钟后再试。$/);
  await expect(sms.getByRole('button', { name: /^(\d+秒钟|1分钟)后可重新获取$/ })).toBeDisabled();

  // Step 3: a wrong code, then the right one from the test delivery.
  const codeInput = sms.getByLabel('验证码', { exact: true });
  await codeInput.fill(anotherCode(code));
  await sms.getByRole('button', { name: '确定' }).click();
  await expect(sms.getByRole('alert')).toHaveText('验证码不正确。还可再试 4 次，之后此验证码失效。');
  await codeInput.fill(code);
  await sms.getByRole('button', { name: '确定' }).click();

  await expect(sms.getByRole('status')).toHaveText('手机号码绑定成功。');
  await expect(sms.getByText('手机号码: 139****5678')).toBeVisible();
  await expect(sms.getByText('已开启短信验证码')).toBeVisible();
  await expect(sms.getByText('若想更换验证方式，请先进行解绑。', { exact: false })).toBeVisible();
  const next = sms.getByRole('link', { name: '设置客户端专用密码' });
  await expect(next).toHaveAttribute('href', '#/client-passwords');
  await expectNoAxeViolationsInBothThemes(page);
  await next.click();
  await expect(page).toHaveURL(/#\/client-passwords$/);
});

test('changes the phone after re-entering the password, then removes it', async ({ page, app }) => {
  await registerMailbox(page, app);
  await bindPhone(page, app, '13912345678');
  await openTwoFactorPage(page, app);
  const sms = page.getByRole('region', { name: '短信验证码' });
  await expect(sms.getByText('手机号码: 139****5678')).toBeVisible();

  await sms.getByRole('button', { name: '更换手机号码' }).click();
  await expect(sms.getByRole('heading', { name: '更换手机号码' })).toBeVisible();
  await sms.getByLabel('新手机号码').fill('+86 138-0013-8000');
  // The backend asks for the password again once the last check is 10 minutes old. This session
  // is seconds old, so the host answers the first request as it would then; the rest is real.
  await page.route(apiRoute('two-factor:start-phone-change'), (route) => route.fulfill({ json: { ok: false, code: 'password-recheck-required' } }), {
    times: 1,
  });
  await sms.getByRole('button', { name: '获取验证码' }).click();

  const dialog = page.getByRole('dialog', { name: '请再次输入邮箱密码' });
  await expect(dialog).toBeVisible();
  const password = dialog.getByLabel('邮箱密码');
  await expect(password).toBeFocused();
  await expectNoAxeViolationsInBothThemes(page);
  await password.fill('not-my-password');
  await dialog.getByRole('button', { name: '确认' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('密码不正确。');
  await password.fill(testPassword);
  await dialog.getByRole('button', { name: '确认' }).click();
  await expect(dialog).toBeHidden();

  // The request is retried at once, and the code goes at once: the binding's code was used, so
  // this is a new code for a new number, not a resend the 60 s rule spaces.
  await expect(sms.getByRole('alert')).toHaveCount(0);
  await expect(sms.getByRole('timer')).toHaveText(/^距离绑定超时: 0(5:00|4:5\d)$/);
  const delivery = sms.getByRole('region', { name: '测试投递（本机发件箱）' });
  await expect(delivery).toContainText('138****8000');
  await sms.getByLabel('验证码', { exact: true }).fill(await codeFromTestDelivery(delivery));
  await sms.getByRole('button', { name: '确定' }).click();
  await expect(sms.getByRole('status')).toHaveText('手机号码已更换。');
  await expect(sms.getByText('手机号码: 138****8000')).toBeVisible();

  // Remove it: a confirmation names what happens; afterwards the three steps are back.
  await sms.getByRole('button', { name: '解除绑定' }).click();
  const confirm = page.getByRole('dialog', { name: '解除手机绑定？' });
  await expect(confirm).toContainText('138****8000');
  await confirm.getByRole('button', { name: '解除绑定' }).click();
  await expect(confirm).toBeHidden();
  // The outbox panel below may be saying "reading…" at the same moment: its status is its own.
  await expect(sms.getByRole('status').filter({ hasText: '已解除手机绑定。' })).toHaveText('已解除手机绑定。');
  await expect(sms.getByRole('list', { name: '绑定步骤' })).toBeVisible();
  await expect(sms.getByLabel('手机号码')).toBeVisible();
});

test.describe('under a policy that enforces 2FA', () => {
  const policyFile = join(tmpdir(), `mailwarden-e2e-enforce-${process.pid}.json`);
  writeFileSync(policyFile, JSON.stringify({ enforceTwoFactor: true }));
  test.use({ hostArgs: ['--policy', policyFile] });

  test('asks for a method first, and will not remove the only one', async ({ page, app }) => {
    await registerMailbox(page, app);
    await openTwoFactorPage(page, app);
    await expect(page.getByRole('note').filter({ hasText: '您的组织要求开启二次验证' })).toBeVisible();

    await bindPhone(page, app, '13912345678');
    await page.reload();
    const sms = page.getByRole('region', { name: '短信验证码' });
    await expect(sms.getByText('手机号码: 139****5678')).toBeVisible();
    const unbind = sms.getByRole('button', { name: '解除绑定' });
    await expect(unbind).toBeDisabled();
    await expect(unbind).toHaveAccessibleDescription('您的组织要求开启二次验证，不能解除唯一的验证方式。请先开启另一种验证方式。');
  });
});

test.describe('in English', () => {
  test.use({ locale: 'en-GB' });

  test('links a phone through the three steps', async ({ page, app }) => {
    await page.clock.install();
    await registerMailbox(page, app);
    await openTwoFactorPage(page, app, 'Account security: two-factor authentication');

    const sms = page.getByRole('region', { name: 'Text message (SMS) code' });
    const steps = sms.getByRole('list', { name: 'Steps to link a phone' });
    await expect(steps.getByRole('listitem')).toHaveText([/Enter your mobile number/, /Get a code/, /Enter the code to link the phone/]);
    await sms.getByLabel('Mobile number').fill('13912345678');
    await sms.getByRole('button', { name: 'Get code' }).click();
    const timer = sms.getByRole('timer');
    await expect(timer).toHaveText(/^Time left to link: 0(5:00|4:5\d)$/);
    await expect(sms.getByRole('button', { name: /^New code in (\d+ seconds?|1 minute)$/ })).toBeDisabled();
    await page.clock.fastForward('00:30');
    await expect(timer).toHaveText(/^Time left to link: 04:[23]\d$/);

    const delivery = sms.getByRole('region', { name: 'Test delivery (local outbox)' });
    const code = await codeFromTestDelivery(delivery);
    await saveScreenshot(page, 'binding-en');
    const codeInput = sms.getByLabel('Code', { exact: true });
    await codeInput.fill(anotherCode(code));
    await sms.getByRole('button', { name: 'Confirm' }).click();
    await expect(sms.getByRole('alert')).toHaveText('The code is not correct. 4 more tries before this code stops working.');
    await codeInput.fill(code);
    await sms.getByRole('button', { name: 'Confirm' }).click();

    await expect(sms.getByRole('status')).toHaveText('Your phone is linked.');
    await expect(sms.getByText('Mobile number: 139****5678')).toBeVisible();
    await expect(sms.getByRole('link', { name: 'Set up client passwords' })).toHaveAttribute('href', '#/client-passwords');
    await expectNoAxeViolationsInBothThemes(page);
  });
});

test('another number can be chosen after a code went out, and the steps go back to it', async ({ page, app }) => {
  await registerMailbox(page, app);
  await openTwoFactorPage(page, app);
  const sms = page.getByRole('region', { name: '短信验证码' });
  const phone = sms.getByLabel('手机号码');
  await phone.fill('139 1234 5678');
  await sms.getByRole('button', { name: '获取验证码' }).click();
  await expect(phone).toHaveAttribute('readonly', '');
  await sms.getByRole('button', { name: '更换号码' }).click();
  await expect(phone).not.toHaveAttribute('readonly');
  await expect(phone).toBeFocused();
  await expect(sms.locator('[aria-current="step"]')).toContainText('获取系统验证码');
  await expect(sms.getByLabel('验证码', { exact: true })).toHaveCount(0);
  await phone.fill('138 0013 8000');
  // A second code within the minute waits, as any resend does, and says so.
  await expect(sms.getByRole('button', { name: /后可重新获取$/ })).toBeDisabled();
});

test('the test delivery says when the code in it has stopped working, in both languages', async ({ page, app }) => {
  await page.clock.install();
  await registerMailbox(page, app);
  await openTwoFactorPage(page, app);
  const sms = page.getByRole('region', { name: '短信验证码' });
  await sms.getByLabel('手机号码').fill('139 1234 5678');
  await sms.getByRole('button', { name: '获取验证码' }).click();
  const delivery = sms.getByRole('region', { name: '测试投递（本机发件箱）' });
  await codeFromTestDelivery(delivery);
  const lapsed = delivery.getByText(/验证码已于 .+ 失效，请重新获取。$/);
  await expect(lapsed).toHaveCount(0);
  await page.clock.fastForward('04:50');
  await expect(lapsed).toHaveCount(0);
  await page.clock.fastForward('00:15');
  await expect(lapsed).toBeVisible();
  await expect(delivery.locator('samp')).toHaveCSS('text-decoration-line', 'line-through');

  // The same in English: the language changed, the page read again, its clock moved past the end.
  await callApi(page, app, 'settings:update', { locale: 'en' });
  await page.reload();
  await page.clock.fastForward('05:10');
  const english = page.getByRole('region', { name: 'Test delivery (local outbox)' });
  await expect(english.getByText(/^The code in this message stopped working at .+\. Get a new one\.$/)).toBeVisible();
});

test('a number and a code typed in full-width digits, a Chinese keyboard’s default, bind the phone', async ({ page, app }) => {
  await registerMailbox(page, app);
  await openTwoFactorPage(page, app);
  const sms = page.getByRole('region', { name: '短信验证码' });
  await sms.getByLabel('手机号码').fill('１３９ １２３４ ５６７８');
  await sms.getByRole('button', { name: '获取验证码' }).click();
  const delivery = sms.getByRole('region', { name: '测试投递（本机发件箱）' });
  await expect(delivery).toContainText('139****5678');
  const code = await codeFromTestDelivery(delivery);
  const fullWidth = code.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
  await sms.getByLabel('验证码', { exact: true }).fill(fullWidth);
  await expect(sms.getByLabel('验证码', { exact: true })).toHaveValue(code);
  await sms.getByRole('button', { name: '确定' }).click();
  await expect(sms.getByRole('status')).toHaveText('手机号码绑定成功。');
  await expect(sms.getByText('手机号码: 139****5678')).toBeVisible();
});

test('a message about the number goes as soon as the number is edited', async ({ page, app }) => {
  await registerMailbox(page, app);
  await openTwoFactorPage(page, app);
  const sms = page.getByRole('region', { name: '短信验证码' });
  const phone = sms.getByLabel('手机号码');
  await phone.fill('12345');
  await sms.getByRole('button', { name: '获取验证码' }).click();
  await expect(sms.getByRole('alert')).toContainText('手机号码无效');
  await phone.fill('');
  await expect(sms.getByRole('alert')).toHaveCount(0);
  await phone.fill('1391');
  await expect(sms.getByRole('alert')).toHaveCount(0);
});
