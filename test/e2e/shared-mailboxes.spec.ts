/**
 * Shared mailboxes (共享邮箱, docs/rules.md §9), followed as a person: the owner of a public mailbox
 * reads why to share it rather than its password, checks the level table, shares it with a
 * colleague through the + dialog while the preview shows what recipients will see, changes the
 * level, and takes it back; the colleague sees it under 共享邮箱 meanwhile.
 */
import AxeBuilder from '@axe-core/playwright';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { grantActions, grantLevels, may } from '../../electron/shared/grant-rules';
import { callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { openSection, pageHeading } from './helpers';

const owner = 'gonggong@cstnet.cn';
const colleague = 'li.na@cstnet.cn';
const root = new URL('../../', import.meta.url).pathname;
/** The shell's messages, where the error texts live. */
const zh = JSON.parse(readFileSync(`${root}messages/zh-CN.json`, 'utf8')) as Record<string, string>;
const levelNames = { 'read-only': '只读', 'send-on-behalf': '代表发送', 'send-as': '代理发送' } as const;
const actionNames = { view: '查看邮件', 'change-unread': '更改已读/未读状态', delete: '删除邮件', compose: '转发、回复、写新邮件' } as const;

async function saveScreenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ path: `${root}test-results/screenshots/${name}.png` });
  if (process.env.MAILWARDEN_UPDATE_DOCS === '1') {
    await mkdir(`${root}docs/screenshots`, { recursive: true });
    await writeFile(`${root}docs/screenshots/${name}.png`, image);
  }
}

async function openSharedMailboxes(page: Page, app: RunningApp): Promise<void> {
  await page.goto(app.url);
  await openSection(page, '共享邮箱');
  await expect(pageHeading(page)).toHaveText('共享邮箱');
}

/** The colleague's own browser: registered (and so signed in) there, on the shared page. */
async function colleagueBrowser(browser: Browser, app: RunningApp): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await registerMailbox(page, app, colleague);
  await openSharedMailboxes(page, app);
  return page;
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
}

test('share a public mailbox, change the level, revoke it; the colleague sees it meanwhile', async ({ browser, page, app }) => {
  await page.setViewportSize({ width: 1280, height: 960 });
  await registerMailbox(page, app, owner);
  const other = await colleagueBrowser(browser, app);
  await openSharedMailboxes(page, app);

  await expect(page.getByRole('region', { name: '为什么要共享，而不是告诉别人密码' })).toContainText('一个邮箱只能绑定一个手机号码');
  const given = page.getByRole('region', { name: '我共享出去的' });
  await expect(given).toContainText('您还没有把本邮箱共享给任何人。');

  // The + dialog: the preview follows the level.
  await given.getByRole('button', { name: '共享邮箱给同事' }).click();
  const dialog = page.getByRole('dialog', { name: '共享邮箱' });
  await expect(dialog.getByRole('textbox', { name: '共享给' })).toBeFocused();
  await dialog.getByRole('textbox', { name: '共享给' }).fill(colleague);
  const preview = dialog.getByRole('region', { name: '收件人看到的' });
  await expect(dialog.getByRole('radio', { name: /^只读/ })).toBeChecked();
  await expect(preview).toContainText('被共享人不能用本邮箱发信');

  await dialog.getByRole('radio', { name: /^代表发送/ }).check();
  await expect(preview.locator('[data-header="from"]')).toHaveText(owner);
  await expect(preview.locator('[data-header="sender"]')).toHaveText(colleague);
  await expect(preview).toContainText(`${colleague} 代表 ${owner} 发送`);
  await saveScreenshot(page, 'share-zh-CN');
  await expectNoAxeViolations(page);

  await dialog.getByRole('radio', { name: /^代理发送/ }).check();
  await expect(preview.locator('[data-header="from"]')).toHaveText(owner);
  await expect(preview.locator('[data-header="sender"]')).toHaveText('无');
  await expect(preview).toContainText('看不出邮件是别人发的');

  await dialog.getByRole('radio', { name: /^代表发送/ }).check();
  await dialog.getByRole('button', { name: '共享', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `已把本邮箱共享给 ${colleague}。` })).toBeVisible();
  const row = given.getByRole('row').filter({ hasText: colleague });
  await expect(row).toContainText('代表发送');
  await expect(row).toContainText('不自动结束');

  // The colleague finds it under 共享邮箱 with its level.
  await other.reload();
  const withMe = other.getByRole('region', { name: '共享邮箱' });
  await expect(withMe.getByRole('row').filter({ hasText: owner })).toContainText('代表发送');

  // Change: to send-as, ending on the first day offered.
  await row.getByRole('button', { name: `更改 ${colleague} 的权限` }).click();
  const change = page.getByRole('dialog', { name: '更改共享权限' });
  await expect(change.getByRole('radio', { name: /^代表发送/ })).toBeChecked();
  await expect(change.getByRole('radio', { name: /^代表发送/ })).toBeFocused();
  await change.getByRole('radio', { name: /^代理发送/ }).check();
  await change.getByRole('checkbox', { name: '到期自动结束' }).check();
  await expect(change.getByLabel('结束日期')).not.toHaveValue('');
  await change.getByRole('button', { name: '保存' }).click();
  await expect(change).toBeHidden();
  await expect(row).toContainText('代理发送');
  await expect(row).toContainText('结束');
  await expect(row).not.toContainText('不自动结束');
  await other.reload();
  await expect(withMe.getByRole('row').filter({ hasText: owner })).toContainText('代理发送');

  // Revoke: asked first; cancelling keeps it, confirming ends it for the colleague at once.
  await row.getByRole('button', { name: `收回 ${colleague} 的共享` }).click();
  const confirm = page.getByRole('dialog', { name: '收回共享？' });
  await expect(confirm).toContainText(`${colleague} 将立即无法再打开本邮箱`);
  await expect(confirm.getByRole('button', { name: '取消' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: `收回 ${colleague} 的共享` }).click();
  await confirm.getByRole('button', { name: '收回共享' }).click();
  await expect(confirm).toBeHidden();
  await expect(given).toContainText('您还没有把本邮箱共享给任何人。');
  await other.reload();
  await expect(withMe).toContainText('还没有人把邮箱共享给您。');
  await other.context().close();
});

test('the colleague is told on their overview, sees it as new once, and can decline it; the owner sees why it ended', async ({ browser, page, app }) => {
  await registerMailbox(page, app, owner);
  const context = await browser.newContext({ locale: 'zh-CN' });
  const other = await context.newPage();
  await registerMailbox(other, app, colleague);
  await callApi(page, app, 'grants:add', { grantee: colleague, level: 'send-on-behalf' });

  // Told where they land.
  await other.goto(app.url);
  await expect(pageHeading(other)).toHaveText('概览');
  const note = other.getByRole('note').filter({ hasText: '与您共享了邮箱' });
  await expect(note).toContainText(`gonggong (${owner}) 与您共享了邮箱：代表发送。`);
  await expectNoAxeViolations(other);
  await note.getByRole('link', { name: '查看共享邮箱' }).click();
  await expect(pageHeading(other)).toHaveText('共享邮箱');
  const withMe = other.getByRole('region', { name: '共享邮箱', exact: true });
  const row = withMe.getByRole('row').filter({ hasText: owner });
  await expect(row).toContainText('新');
  await expectNoAxeViolations(other);

  // Seen: not announced again.
  await other.reload();
  await expect(row).toBeVisible();
  await expect(row).not.toContainText('新');
  await openSection(other, '概览');
  await expect(pageHeading(other)).toHaveText('概览');
  await expect(other.getByRole('note').filter({ hasText: '与您共享了邮箱' })).toHaveCount(0);

  // Decline: asked first, then gone for both; the owner's log says the colleague declined.
  await openSharedMailboxes(other, app);
  await row.getByRole('button', { name: `拒绝对 ${owner} 的访问` }).click();
  const confirm = other.getByRole('dialog', { name: '拒绝这个共享邮箱？' });
  await expect(confirm).toContainText(`您将无法再打开 ${owner}`);
  await confirm.getByRole('button', { name: '拒绝' }).click();
  await expect(confirm).toBeHidden();
  await expect(other.getByRole('status').filter({ hasText: '您已拒绝' })).toHaveText(`您已拒绝对 ${owner} 的访问。`);
  await expect(withMe).toContainText('还没有人把邮箱共享给您。');
  const log = await callApi<{ events: { kind: string; detail: Record<string, string> }[] }>(page, app, 'activity:list', { kind: 'grant-removed' });
  expect(log.events[0]).toMatchObject({ detail: { grantee: colleague, reason: 'declined' } });
  await context.close();
});

test('sharing with an unknown address or with oneself is refused with a clear message', async ({ page, app }) => {
  await registerMailbox(page, app, owner);
  await openSharedMailboxes(page, app);
  await page.getByRole('button', { name: '共享邮箱给同事' }).click();
  const dialog = page.getByRole('dialog', { name: '共享邮箱' });
  const address = dialog.getByRole('textbox', { name: '共享给' });
  const share = dialog.getByRole('button', { name: '共享', exact: true });

  await expect(share).toBeDisabled();
  await address.fill('nobody@cstnet.cn');
  await share.click();
  await expect(dialog.getByRole('alert')).toHaveText(zh['error_mailbox_unknown']!);

  await address.fill(owner);
  await share.click();
  await expect(dialog.getByRole('alert')).toHaveText(zh['error_grant_self']!);
  await expect(dialog).toBeVisible();
  // The message was about the address typed before: it goes as soon as the address changes.
  await address.fill('someone.else@cstnet.cn');
  await expect(dialog.getByRole('alert')).toHaveCount(0);

  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: '共享邮箱给同事' })).toBeFocused();
});

test('the level table says exactly what the shared rule allows', async ({ page, app }) => {
  await registerMailbox(page, app, owner);
  await openSharedMailboxes(page, app);
  const table = page.getByRole('table', { name: /共享邮箱的权限级别/ });
  const headers = table.getByRole('columnheader');
  await expect(headers).toHaveCount(1 + grantLevels.length);
  for (const [index, level] of grantLevels.entries()) await expect(headers.nth(index + 1)).toContainText(levelNames[level]);
  for (const action of grantActions) {
    const cells = table
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: actionNames[action], exact: true }) })
      .getByRole('cell');
    for (const [index, level] of grantLevels.entries()) await expect(cells.nth(index)).toContainText(may(level, action) ? '可以' : '不可以');
  }
  const sent = table
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: '发出的邮件在收件人处如何显示' }) })
    .getByRole('cell');
  await expect(sent.nth(0)).toHaveText('不能发信');
  await expect(sent.nth(1)).toContainText('Sender 是被共享人');
  await expect(sent.nth(2)).toContainText('没有 Sender');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the page has no accessibility violations (${colorScheme})`, async ({ browser, page, app }) => {
    await page.emulateMedia({ colorScheme });
    await registerMailbox(page, app, owner);
    const other = await colleagueBrowser(browser, app);
    // Something in every list: a grant given here, one received from the colleague.
    await other.request.post(`${app.origin}/api/grants%3Aadd`, {
      headers: { Authorization: `Bearer ${app.token}`, Origin: app.origin, 'Content-Type': 'application/json' },
      data: { grantee: owner, level: 'read-only' },
    });
    await openSharedMailboxes(page, app);
    await page.getByRole('button', { name: '共享邮箱给同事' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: '共享给' }).fill(colleague);
    await page.getByRole('dialog').getByRole('button', { name: '共享', exact: true }).click();
    await expect(page.getByRole('region', { name: '我共享出去的' }).getByRole('row')).toHaveCount(2);
    await expect(page.getByRole('region', { name: '共享邮箱' }).getByRole('row')).toHaveCount(2);
    await expectNoAxeViolations(page);
    await other.context().close();
  });
}

test.describe('when the mail server opens shared mailboxes (policy mailServer.sharedMailboxes)', () => {
  const policyFile = join(tmpdir(), `mailwarden-shared-acl-policy-${process.pid}.json`);
  writeFileSync(policyFile, JSON.stringify({ mailServer: { sharedMailboxes: true } }));
  test.use({ hostArgs: ['--policy', policyFile] });

  test('a new grant says it is not on the mail server yet, for the owner and the colleague, in both languages', async ({ browser, page, app }) => {
    await registerMailbox(page, app, owner);
    const other = await colleagueBrowser(browser, app);
    await callApi(page, app, 'grants:add', { grantee: colleague, level: 'read-only' });
    await openSharedMailboxes(page, app);
    // Nothing has told the mail server (no serve --imap-acl here): the page must not call it shared in mail clients.
    const row = page.getByRole('region', { name: '我共享出去的' }).getByRole('row').filter({ hasText: colleague });
    await expect(row).toContainText('尚未在邮件服务器上生效：正在写入');
    await expect(row).not.toContainText('已可在邮件客户端中打开');
    await other.reload();
    await expect(other.getByRole('region', { name: '共享邮箱', exact: true }).getByRole('row').filter({ hasText: owner })).toContainText(
      '尚未在邮件服务器上生效：正在写入',
    );

    const english = await browser.newContext({ locale: 'en-US' });
    const ownerInEnglish = await english.newPage();
    await callApi(ownerInEnglish, app, 'auth:sign-in', { address: owner, password: testPassword });
    await callApi(ownerInEnglish, app, 'settings:update', { locale: 'en' });
    await ownerInEnglish.goto(app.url);
    await openSection(ownerInEnglish, 'Shared mailboxes');
    await expect(ownerInEnglish.getByRole('region', { name: 'Shared by me' }).getByRole('row').filter({ hasText: colleague })).toContainText(
      'Not on the mail server yet: being applied',
    );
    await callApi(ownerInEnglish, app, 'settings:update', { locale: 'zh-CN' });
    await english.close();
  });
});
