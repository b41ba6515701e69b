/**
 * Two colleagues on the organisation server's own web page (issue 11): `mailwarden server` on a
 * real PostgreSQL 15, its mailboxes imported by IT with `import-mailboxes --database`, two
 * browsers that share nothing but the server. The owner (in Chinese) binds a phone and shares the
 * mailbox send-on-behalf; the colleague (in English) finds it under Shared with me; the owner
 * takes it back and it is gone for the colleague. No mailbox can be registered from the page.
 * One person looking after two mailboxes signs in to both in one tab (the account switcher).
 */
import { expect, test, type Page } from '@playwright/test';
import { postgresSkipReason } from '../factories/postgres';
import { openSection, pageHeading } from './helpers';
import { holdNewPassword } from './mail-clients-helpers';
import { startOrganisation, type RunningOrganisation } from './organisation-server-helpers';
import { bindPhoneOnPage } from './two-factor-helpers';

const owner = 'gonggong@cstnet.cn';
const colleague = 'li.na@cstnet.cn';
const phoneUser = 'wang.fang@cstnet.cn';
/** Looked after by the colleague too, in the same tab (docs/rules.md §7.4). */
const office = 'office@cstnet.cn';
const password = 'Correct-horse-9';
const skip = postgresSkipReason();

test.describe('the organisation server', () => {
  test.skip(skip !== '', `not run: ${skip}`);

  let organisation: RunningOrganisation;
  let origin: string;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    organisation = await startOrganisation(
      [
        { address: owner, displayName: '公共邮箱' },
        { address: colleague, displayName: 'Li Na' },
        { address: office, displayName: '办公室' },
        { address: phoneUser, displayName: '王芳' },
      ],
      password,
    );
    origin = organisation.origin;
  });

  test.afterAll(async () => {
    await organisation?.stop();
  });

  async function signIn(page: Page, address: string, labels: { address: string; password: string; submit: string }): Promise<void> {
    await page.goto(origin);
    await page.getByLabel(labels.address).fill(address);
    await page.getByLabel(labels.password).fill(password);
    await page.getByRole('button', { name: labels.submit, exact: true }).click();
  }

  test('the owner binds a phone and shares the mailbox; the colleague sees it until it is taken back', async ({ browser }) => {
    test.setTimeout(120_000);
    const ownerContext = await browser.newContext({ locale: 'zh-CN' });
    const colleagueContext = await browser.newContext({ locale: 'en-US' });
    const page = await ownerContext.newPage();
    const other = await colleagueContext.newPage();

    // The owner: the organisation's page, no registration offered, sign in with the password IT set.
    await page.goto(origin);
    await expect(pageHeading(page)).toHaveText('登录邮箱');
    await expect(page.getByRole('button', { name: '注册并登录' })).toHaveCount(0);
    await expect(page.getByText('还没有在本机添加邮箱')).toHaveCount(0);
    await signIn(page, owner, { address: '邮箱地址', password: '邮箱密码', submit: '登录' });
    await expect(pageHeading(page)).toHaveText('概览');

    // Binds a phone through the guide's steps, the code from the server's test delivery.
    await bindPhoneOnPage(page);

    // Shares the mailbox with the colleague, send on behalf.
    await openSection(page, '共享邮箱');
    const given = page.getByRole('region', { name: '我共享出去的' });
    await given.getByRole('button', { name: '共享邮箱给同事' }).click();
    const dialog = page.getByRole('dialog', { name: '共享邮箱' });
    await dialog.getByRole('textbox', { name: '共享给' }).fill(colleague);
    await dialog.getByRole('radio', { name: /^代表发送/ }).check();
    await dialog.getByRole('button', { name: '共享', exact: true }).click();
    await expect(dialog).toBeHidden();
    const row = given.getByRole('row').filter({ hasText: colleague });
    await expect(row).toContainText('代表发送');

    // The colleague, in another browser, in English: it is under Shared with me.
    await signIn(other, colleague, { address: 'Email address', password: 'Mailbox password', submit: 'Sign in' });
    await expect(pageHeading(other)).toHaveText('Overview');
    await openSection(other, 'Shared mailboxes');
    const withMe = other.getByRole('region', { name: 'Shared with me' });
    await expect(withMe.getByRole('row').filter({ hasText: owner })).toContainText('Send on behalf');

    // The owner takes it back; the colleague's next look finds nothing.
    await row.getByRole('button', { name: `收回 ${colleague} 的共享` }).click();
    await page.getByRole('dialog', { name: '收回共享？' }).getByRole('button', { name: '收回共享' }).click();
    await expect(given).toContainText('您还没有把本邮箱共享给任何人。');
    await other.reload();
    await expect(other.getByRole('region', { name: 'Shared with me' })).toContainText('Nobody has shared a mailbox with you yet.');

    // What needs the person's own computer says so on this page instead of acting on the server.
    await other.evaluate("window.location.hash = '#/mail-clients'");
    await expect(other.getByRole('button', { name: /keychain/i })).toHaveCount(0);

    // No cookie anywhere: the page's credentials are bearer tokens the server issued.
    expect(await ownerContext.cookies()).toEqual([]);
    expect(await colleagueContext.cookies()).toEqual([]);
    await ownerContext.close();
    await colleagueContext.close();
  });

  test('a client password goes to an iPhone by a one-time QR code (docs/rules.md §8.9)', async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, phoneUser, { address: '邮箱地址', password: '邮箱密码', submit: '登录' });
    await expect(pageHeading(page)).toHaveText('概览');
    // Another phone than the owner's: one phone gets one code a minute.
    await bindPhoneOnPage(page, '139 8765 4321');
    const plain = await holdNewPassword(page, 'iPhone 王芳');

    const card = page.getByRole('region', { name: '用二维码发送到 iPhone 或 iPad' });
    await expect(card).toContainText('链接只能使用一次，十分钟内有效。');
    const created = page.waitForResponse((response) => /\/api\/phone-handoff(:|%3A)create$/i.test(response.url()));
    await card.getByRole('button', { name: '显示二维码' }).click();
    const qr = card.getByRole('img', { name: '二维码：包含“iPhone 王芳”的 iPhone 描述文件的一次性链接' });
    await expect(qr).toBeVisible();
    await expect(card).toContainText('仅可下载一次，有效期至');
    // What the QR holds: the link the server answered with (the test reads it off the wire, as
    // the phone reads it off the screen).
    const { data } = (await (await created).json()) as { data: { url: string } };
    expect(new URL(data.url).origin).toBe(origin);

    // The phone's Safari: the profile once, with the password in it; then nothing.
    const phone = await browser.newContext({
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    });
    const fetched = await phone.request.get(data.url);
    expect(fetched.status()).toBe(200);
    expect(fetched.headers()['content-type']).toBe('application/x-apple-aspen-config');
    expect(await fetched.text()).toContain(`<string>${plain}</string>`);
    const again = await phone.request.get(data.url);
    expect(again.status()).toBe(404);
    expect(await again.text()).toContain('此链接已使用或已过期');

    // A second QR, hidden before the phone takes it: its link no longer works.
    await card.getByRole('button', { name: '隐藏二维码' }).click();
    await expect(qr).toHaveCount(0);
    const second = page.waitForResponse((response) => /\/api\/phone-handoff(:|%3A)create$/i.test(response.url()));
    await card.getByRole('button', { name: '显示二维码' }).click();
    const hidden = ((await (await second).json()) as { data: { url: string } }).data.url;
    await card.getByRole('button', { name: '隐藏二维码' }).click();
    await expect(card.getByRole('status')).toHaveText('二维码已隐藏，其链接已失效。');
    await expect(card.getByRole('img')).toHaveCount(0);
    expect((await phone.request.get(hidden)).status()).toBe(404);
    await phone.close();

    // The security log says when a phone took it.
    await openSection(page, '安全活动');
    await expect(page.getByText('手机已下载包含“iPhone 王芳”的描述文件')).toBeVisible();
    await context.close();
  });

  test('one tab holds two mailboxes on the server: the second added without signing out, switched to, one signed out', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, colleague, { address: '邮箱地址', password: '邮箱密码', submit: '登录' });
    await expect(pageHeading(page)).toHaveText('概览');
    const banner = page.getByRole('banner');
    await banner.getByRole('button', { name: '切换邮箱' }).click();
    await banner.getByRole('group', { name: '本窗口已登录的邮箱' }).getByRole('button', { name: '添加其他邮箱' }).click();
    await expect(page.getByRole('main')).toContainText(`${colleague} 仍保持登录`);
    await page.getByLabel('邮箱地址').fill(office);
    await page.getByLabel('邮箱密码').fill(password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(banner).toContainText(office);

    // The server keeps both on this tab's token: a reload shows the active one, and the other is a click away.
    await page.reload();
    await expect(banner).toContainText(office);
    await banner.getByRole('button', { name: '切换邮箱' }).click();
    await banner.getByRole('button', { name: `切换到 ${colleague}` }).click();
    await expect(banner).toContainText(colleague);

    await banner.getByRole('button', { name: '退出登录' }).click();
    await expect(banner).toContainText(office);
    await expect(pageHeading(page)).toHaveText('概览');
    // Another tab is another token: signed in to neither.
    const otherTab = await context.newPage();
    await otherTab.goto(origin);
    await expect(pageHeading(otherTab)).toHaveText('登录邮箱');
    await context.close();
  });
});
