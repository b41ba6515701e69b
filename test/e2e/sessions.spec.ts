/**
 * Signed-in sessions (issue 16, item 16), followed as a person: signed in here and in a second
 * browser, the trusted-devices page lists both under "where you're signed in" with this one
 * marked; signing the other out sends that browser back to the sign-in screen, saying why, on its
 * next step. Both languages.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { callApi, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { openSection, pageHeading } from './helpers';

const address = 'zhang.wei@cstnet.cn';
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The mailbox signed in here and in `count` more browsers (Firefox 128), each on the overview. */
async function signedInElsewhere(
  browser: Browser,
  page: Page,
  app: RunningApp,
  { count = 1, english = false } = {},
): Promise<{ contexts: BrowserContext[]; pages: Page[] }> {
  await registerMailbox(page, app, address);
  // The language is this computer's setting (one host): every browser here shows it.
  if (english) await callApi(page, app, 'settings:update', { locale: 'en' });
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  for (let i = 0; i < count; i += 1) {
    const context = await browser.newContext({ userAgent: firefox });
    const other = await context.newPage();
    expect(await callApi<{ status: string }>(other, app, 'auth:sign-in', { address, password: testPassword })).toMatchObject({ status: 'signed-in' });
    await other.goto(app.url);
    await expect(other.getByRole('navigation')).toBeVisible();
    contexts.push(context);
    pages.push(other);
  }
  return { contexts, pages };
}

test('lists where the mailbox is signed in, and signing the other browser out sends it to the sign-in screen', async ({ browser, page, app }) => {
  const { contexts, pages } = await signedInElsewhere(browser, page, app);
  await page.goto(app.url);
  await openSection(page, '可信任设备');
  const sessions = page.getByRole('region', { name: '当前登录' });
  const rows = sessions.getByRole('table', { name: '当前登录' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  const here = rows.filter({ hasText: '本次登录' });
  await expect(here).toContainText(/Chrome \d+/);
  await expect(rows.filter({ hasText: 'Firefox 128' })).not.toContainText('本次登录');

  await sessions.getByRole('button', { name: /^退出登录：.*Firefox 128$/ }).click();
  await expect(sessions.getByRole('status')).toHaveText(/^已退出 .*Firefox 128 上的登录。$/);
  await expect(rows).toHaveCount(2);
  await expect(sessions).toContainText('只有本次登录，其他地方都没有登录。');
  await expect(sessions.getByRole('button', { name: '退出其他全部登录' })).toHaveCount(0);

  // The other browser finds out on its next step: back to sign-in, told why, its address kept.
  const other = pages[0]!;
  await openSection(other, '可信任设备');
  await expect(pageHeading(other)).toHaveText('登录邮箱');
  await expect(other.getByRole('alert')).toHaveText('您已退出登录：本次登录已在别处被退出，或邮箱密码已更改。请重新登录。');
  await expect(other.getByLabel('邮箱地址')).toHaveValue(address);
  await expect(other.getByRole('navigation')).toHaveCount(0);

  // The security log says who was signed out, and from where.
  await openSection(page, '安全活动');
  await expect(page.getByRole('main')).toContainText(/退出了 .*Firefox 128 上的登录/);
  for (const context of contexts) await context.close();
});

test('signing out this session from the list is signing out here', async ({ browser, page, app }) => {
  const { contexts } = await signedInElsewhere(browser, page, app);
  await page.goto(app.url);
  await openSection(page, '可信任设备');
  await page.getByRole('button', { name: /^退出登录：.*Chrome \d+$/ }).click();
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(pageHeading(page)).toHaveText('登录邮箱');
  for (const context of contexts) await context.close();
});

test('in English: sign out of all other sessions, asked first; this one stays', async ({ browser, page, app }) => {
  const { contexts, pages } = await signedInElsewhere(browser, page, app, { count: 2, english: true });
  await page.goto(app.url);
  await openSection(page, 'Trusted devices');
  const sessions = page.getByRole('region', { name: 'Where you’re signed in' });
  await expect(sessions.getByRole('table', { name: 'Signed-in sessions' }).getByRole('row')).toHaveCount(4);

  await sessions.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign out of all other sessions?' });
  await expect(dialog).toContainText('The 2 other sessions will be signed out.');
  await page.keyboard.press('Escape');
  await expect(sessions.getByRole('table', { name: 'Signed-in sessions' }).getByRole('row')).toHaveCount(4);

  await sessions.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await dialog.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await expect(dialog).toBeHidden();
  await expect(sessions.getByRole('status')).toHaveText('2 other sessions were signed out.');
  await expect(sessions.getByRole('table', { name: 'Signed-in sessions' }).getByRole('row')).toHaveCount(2);
  await expect(sessions).toContainText('This is the only session');

  for (const other of pages) {
    await openSection(other, 'Security activity');
    await expect(pageHeading(other)).toHaveText('Sign in to your mailbox');
    await expect(other.getByRole('alert')).toContainText('You were signed out: this session was ended from another session');
  }
  for (const context of contexts) await context.close();
});
