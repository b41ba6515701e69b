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
import { startOrganisation, type RunningOrganisation } from './organisation-server-helpers';
import { bindPhoneOnPage } from './two-factor-helpers';

const owner = 'gonggong@cstnet.cn';
const colleague = 'li.na@cstnet.cn';
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
