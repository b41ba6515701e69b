/**
 * Several mailboxes in one window (docs/rules.md §7.4), as a person who looks after two mailboxes
 * on one phone uses them: signed in to the first, the second added through the ordinary sign-in
 * (password, then the code to the same phone) without signing out, each page showing the active
 * mailbox's own data and nothing of the other's, switching back, signing one out while the other
 * stays; in English, a session ended elsewhere that drops only that mailbox, and the limit.
 */
import type { Page } from '@playwright/test';
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { apiRoute, expectNoAxeViolationsInBothThemes, openSection, pageHeading } from './helpers';
import { codeFromTestDelivery, saveScreenshot } from './two-factor-helpers';

const zhang = 'zhang.wei@cstnet.cn';
const office = 'office@cstnet.cn';
/** Both mailboxes bind this one phone (docs/rules.md §4.3). */
const phone = '13912345678';

/** Each mailbox registered, bound to the shared phone and given a client password of its own; then signed out. */
async function twoMailboxesOnOnePhone(page: Page, app: RunningApp): Promise<void> {
  for (const [address, clientPassword] of [
    [zhang, 'Foxmail 张伟'],
    [office, 'Outlook 办公室'],
  ] as const) {
    await registerMailbox(page, app, address);
    await bindPhone(page, app, phone);
    await callApi(page, app, 'client-passwords:create', { name: clientPassword });
    await callApi(page, app, 'auth:sign-out');
  }
}

/** The sign-in form's two steps on the page, the code read from the test delivery (the shared phone). */
async function signInWithCode(page: Page, address: string): Promise<void> {
  await page.getByLabel('邮箱地址').fill(address);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(pageHeading(page)).toHaveText('输入验证码');
  await expect(page.getByText('验证码已通过短信发送至 139****5678。')).toBeVisible();
  const code = await codeFromTestDelivery(page.getByRole('region', { name: /测试投递/ }));
  await page.getByLabel('短信验证码', { exact: true }).fill(code);
  await page.getByRole('button', { name: '验证并登录' }).click();
}

test('adds a second mailbox on the same phone without signing out, switches between them, and signs one out', async ({ page, app }) => {
  await twoMailboxesOnOnePhone(page, app);
  await page.goto(app.url);
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  await signInWithCode(page, zhang);
  await expect(pageHeading(page)).toHaveText('概览');
  await openSection(page, '客户端专用密码');
  const main = page.getByRole('main');
  await expect(main).toContainText('Foxmail 张伟');

  // The switcher: the one mailbox, active; "add another mailbox" opens the ordinary sign-in.
  const banner = page.getByRole('banner');
  await banner.getByRole('button', { name: '切换邮箱' }).click();
  const menu = banner.getByRole('group', { name: '本窗口已登录的邮箱' });
  await expect(menu.getByRole('listitem')).toHaveCount(1);
  await expect(menu.getByRole('listitem')).toContainText(zhang);
  await expect(menu.getByRole('listitem')).toContainText('当前');
  await menu.getByRole('button', { name: '添加其他邮箱' }).click();
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  await expect(main).toContainText(`${zhang} 仍保持登录`);
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await signInWithCode(page, office);

  // The same page, now the office mailbox's: its own client password and nothing of Zhang Wei's.
  await expect(pageHeading(page)).toHaveText('客户端专用密码');
  await expect(banner).toContainText(office);
  await expect(main).toContainText('Outlook 办公室');
  await expect(main).not.toContainText('Foxmail 张伟');
  await banner.getByRole('button', { name: '切换邮箱' }).click();
  await expect(menu.getByRole('listitem')).toHaveCount(2);
  await expect(menu.getByRole('listitem').filter({ hasText: office })).toContainText('当前');
  await saveScreenshot(page, 'mailbox-switcher-zh-CN');
  await expectNoAxeViolationsInBothThemes(page);

  await menu.getByRole('button', { name: `切换到 ${zhang}` }).click();
  await expect(banner).toContainText(zhang);
  await expect(pageHeading(page)).toHaveText('客户端专用密码');
  await expect(main).toContainText('Foxmail 张伟');
  await expect(main).not.toContainText('Outlook 办公室');

  // Adding one already signed in here is refused with a reason; "cancel" goes back to Zhang Wei.
  await banner.getByRole('button', { name: '切换邮箱' }).click();
  await menu.getByRole('button', { name: '添加其他邮箱' }).click();
  await page.getByLabel('邮箱地址').fill(office);
  await page.getByLabel('邮箱密码').fill(testPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('此邮箱已在本窗口登录，请在切换邮箱菜单中选择它。');
  await page.getByRole('button', { name: `取消，返回 ${zhang}` }).click();
  await expect(banner).toContainText(zhang);
  await expect(main).toContainText('Foxmail 张伟');

  // Signing out signs out Zhang Wei only: the office mailbox stays signed in and is shown.
  await banner.getByRole('button', { name: '退出登录' }).click();
  await expect(pageHeading(page)).toHaveText('概览');
  await expect(banner).toContainText(office);
  await expect(banner).not.toContainText(zhang);
  await openSection(page, '客户端专用密码');
  await expect(main).toContainText('Outlook 办公室');
  expect(await callApi(page, app, 'auth:mailboxes')).toEqual({ mailboxes: [{ mailbox: office, displayName: 'office', active: true }], limit: 5 });
});

test('a call still on its way when the mailbox is switched is answered for the mailbox it was made for', async ({ page, app }) => {
  await registerMailbox(page, app, zhang);
  await registerMailbox(page, app, office);
  await page.goto(app.url);
  await expect(page.getByRole('banner')).toContainText(office);
  // The security log's next answer, and only that one, is held on its way, as on a slow network.
  // (The page redrawn for the other mailbox asks again; that call must neither wait nor count.)
  const order: string[] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    apiRoute('activity:list'),
    async (route) => {
      await held;
      order.push('answer for the page it was asked for');
      await route.continue();
    },
    { times: 1 },
  );
  page.on('request', (request) => {
    if (apiRoute('auth:switch').test(request.url())) order.push('switch');
  });
  await openSection(page, '安全活动');
  await page.getByRole('banner').getByRole('button', { name: '切换邮箱' }).click();
  await page.getByRole('button', { name: `切换到 ${zhang}` }).click();
  // The page is off the screen, and the switch waits for the answer still on its way.
  await expect(page.getByRole('main').getByRole('status')).toHaveText('正在打开页面…');
  release();
  await expect(page.getByRole('banner')).toContainText(zhang);
  await expect(pageHeading(page)).toHaveText('安全活动');
  expect(order).toEqual(['answer for the page it was asked for', 'switch']);
});

test.describe('in English', () => {
  test.use({ locale: 'en-US' });

  test('a session ended elsewhere drops only that mailbox; the limit of five; signing out of all', async ({ browser, page, app }) => {
    await registerMailbox(page, app, zhang);
    await registerMailbox(page, app, office);
    await page.goto(app.url);
    const banner = page.getByRole('banner');
    await expect(banner).toContainText(office);
    await banner.getByRole('button', { name: 'Switch mailbox' }).click();
    await banner
      .getByRole('group', { name: 'Signed in in this window' })
      .getByRole('button', { name: `Switch to ${zhang}` })
      .click();
    await expect(banner).toContainText(zhang);

    // Zhang Wei, in another browser, signs out every other session.
    const elsewhere = await browser.newContext();
    const theirs = await elsewhere.newPage();
    await callApi(theirs, app, 'auth:sign-in', { address: zhang, password: testPassword });
    await callApi(theirs, app, 'devices:sign-out-others');
    await elsewhere.close();

    // The next page asked for finds Zhang Wei signed out here: the office mailbox is shown, and why.
    await openSection(page, 'Client passwords');
    await expect(banner.getByRole('status')).toHaveText(
      `${zhang} was signed out: its session was ended elsewhere or its password changed. You are now in ${office}.`,
    );
    await expect(banner).toContainText(office);
    await expect(pageHeading(page)).toHaveText('Overview');
    await banner.getByRole('button', { name: 'Switch mailbox' }).click();
    const menu = banner.getByRole('group', { name: 'Signed in in this window' });
    await expect(menu.getByRole('listitem')).toHaveCount(1);
    await expect(menu.getByRole('listitem')).toContainText(office);

    // Five in one window at most: the switcher says so and offers no sixth, and the backend refuses one.
    for (const address of ['one@cstnet.cn', 'two@cstnet.cn', 'three@cstnet.cn', 'four@cstnet.cn']) await registerMailbox(page, app, address);
    await expect(callApi(page, app, 'auth:register', { address: 'five@cstnet.cn', password: testPassword, confirmation: testPassword })).rejects.toThrow(
      'mailbox-limit-reached',
    );
    await page.reload();
    await banner.getByRole('button', { name: 'Switch mailbox' }).click();
    await expect(menu.getByRole('listitem')).toHaveCount(5);
    await expect(menu).toContainText('At most 5 mailboxes can be signed in in one window. Sign out of one to add another.');
    await expect(menu.getByRole('button', { name: 'Add another mailbox' })).toHaveCount(0);

    await menu.getByRole('button', { name: 'Sign out of all mailboxes' }).click();
    await expect(pageHeading(page)).toHaveText('Sign in to your mailbox');
    expect(await callApi(page, app, 'auth:status')).toEqual({ status: 'signed-out' });
  });
});
