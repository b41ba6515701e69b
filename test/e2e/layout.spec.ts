/**
 * Layout a person notices (issue 16, item 14; item 15's date), each checked by geometry or by
 * role rather than by eye: whole words and whole buttons at 760 px, dialog buttons on screen at
 * 1280×717, a disabled button that looks it, a read-only value that is not a field, the cursor in
 * the code field, one card width, one column of "Manage" links, and the chosen end date said in
 * the app's language whatever the browser's is.
 */
import type { Locator, Page } from '@playwright/test';
import { bindPhone, callApi, registerMailbox } from './backend';
import { expect, test } from './fixtures';
import { openSection, pageHeading } from './helpers';

const colleague = 'li.na@cstnet.cn';

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox();
  if (!found) throw new Error('not on screen');
  return found;
}

/** How many lines the text inside an element is laid out on. */
async function lines(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const range = el.ownerDocument.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
  });
}

test.describe('at 760 px wide', () => {
  test.use({ viewport: { width: 760, height: 717 } });

  test('client passwords: each name is whole, and Revoke is inside the card, not behind a scroll', async ({ appPage: page, app }) => {
    await bindPhone(page, app);
    await callApi(page, app, 'client-passwords:create', { name: 'iPhone' });
    await callApi(page, app, 'client-passwords:create', { name: 'Thunderbird' });
    await openSection(page, '客户端专用密码');
    const table = page.getByRole('table');
    for (const name of ['iPhone', 'Thunderbird']) {
      const row = table.getByRole('row').filter({ hasText: name });
      await expect(row.getByRole('rowheader')).toBeVisible();
      expect(await lines(row.getByRole('rowheader')), `${name} on one line`).toBe(1);
      const revoke = row.getByRole('button', { name: /撤销/ });
      const [button, scroller] = [await box(revoke), await box(page.locator('.table-scroll').filter({ has: revoke }))];
      expect(button.x + button.width, `${name}: Revoke ends inside its card`).toBeLessThanOrEqual(scroller.x + scroller.width + 0.5);
    }
    // The navigation moved above the page, leaving it the window's width.
    const nav = await box(page.getByRole('navigation'));
    expect(nav.width).toBeGreaterThan(700);
  });

  test('shared mailboxes: addresses and dates stay whole, the Decline button is one line', async ({ browser, appPage: page, app }) => {
    const other = await browser.newContext();
    const theirs = await other.newPage();
    await registerMailbox(theirs, app, colleague);
    await callApi(theirs, app, 'grants:add', { grantee: 'zhang.wei@cstnet.cn', level: 'read-only' });
    await callApi(page, app, 'grants:add', { grantee: colleague, level: 'send-on-behalf' });
    await openSection(page, '共享邮箱');
    const given = page.getByRole('region', { name: '我共享出去的' }).getByRole('row').filter({ hasText: colleague });
    expect(await lines(given.getByText(colleague, { exact: true }))).toBe(1);
    expect(await lines(given.locator('time'))).toBe(1);
    expect(await lines(page.getByRole('columnheader', { name: '结束日期' }).first())).toBe(1);
    const decline = page.getByRole('button', { name: /^拒绝/ });
    expect(await lines(decline)).toBe(1);
    await other.close();
  });
});

test('the share dialog keeps its buttons on screen at 1280×717, with an end date and the preview open', async ({ appPage: page, app, browser }) => {
  await page.setViewportSize({ width: 1280, height: 717 });
  const other = await browser.newContext();
  await registerMailbox(await other.newPage(), app, colleague);
  await openSection(page, '共享邮箱');
  await page.getByRole('button', { name: '共享邮箱给同事' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('共享给').fill(colleague);
  await dialog.getByRole('checkbox', { name: '到期自动结束' }).check();
  await expect(dialog.getByRole('button', { name: '共享', exact: true })).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByRole('button', { name: '取消' })).toBeInViewport({ ratio: 1 });
  await other.close();
});

test('changing the level shows who it is shared with as text, not a field', async ({ appPage: page, app, browser }) => {
  const other = await browser.newContext();
  await registerMailbox(await other.newPage(), app, colleague);
  await callApi(page, app, 'grants:add', { grantee: colleague, level: 'read-only' });
  await openSection(page, '共享邮箱');
  await page.getByRole('button', { name: new RegExp(`^更改.*${colleague.replace('.', '\\.')}`) }).click();
  const dialog = page.getByRole('dialog', { name: '更改共享权限' });
  await expect(dialog.getByRole('definition')).toHaveText(colleague);
  await expect(dialog.getByRole('textbox')).toHaveCount(0);
  await other.close();
});

test('a plain (secondary) button that is disabled looks different from one that is not', async ({ appPage: page }) => {
  // Any page's secondary buttons share the base style: two of them, one disabled, side by side.
  const looks = await page.locator('main').evaluate((main) => {
    const [on, off] = [main.ownerDocument.createElement('button'), main.ownerDocument.createElement('button')];
    on.textContent = off.textContent = 'Look again';
    off.disabled = true;
    main.append(on, off);
    const look = (el: typeof on) => {
      const style = el.ownerDocument.defaultView!.getComputedStyle(el);
      return { color: style.color, background: style.backgroundColor, cursor: style.cursor };
    };
    return { on: look(on), off: look(off) };
  });
  expect(looks.off.color).not.toBe(looks.on.color);
  expect(looks.off.background).not.toBe(looks.on.background);
  expect(looks.off.cursor).toBe('not-allowed');
});

test('every card on a page has one width, and the overview\'s "Manage" links stand in one column', async ({ appPage: page, app }) => {
  await bindPhone(page, app);
  await openSection(page, '邮件客户端');
  await expect(page.getByRole('heading', { name: 'Foxmail' })).toBeVisible();
  const widths = await page.locator('main .card').evaluateAll((cards) => cards.map((c) => Math.round(c.getBoundingClientRect().width)));
  expect(widths.length).toBeGreaterThan(3);
  expect(new Set(widths).size, `card widths ${widths.join(', ')}`).toBe(1);

  await openSection(page, '概览');
  const manage = page.getByRole('link', { name: /^管理/ });
  await expect(manage).toHaveCount(4);
  const xs = await manage.evaluateAll((links) => links.map((l) => Math.round(l.getBoundingClientRect().right)));
  expect(new Set(xs).size, `right edges ${xs.join(', ')}`).toBe(1);
});

async function openEndDate(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: /^(共享邮箱给同事|Share with a colleague)$/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('checkbox').check();
  return dialog;
}

test("the end date is said in the app's language, beside a date field that follows the browser's", async ({ appPage: page, app }) => {
  // The page's day is fixed, so 15 January is always within the 1 day – 6 months allowed.
  await page.clock.setFixedTime(new Date(2026, 11, 4, 10));
  await page.reload();
  await openSection(page, '共享邮箱');
  let dialog = await openEndDate(page);
  await dialog.getByLabel('结束日期').fill('2027-01-15');
  await expect(dialog.getByText('共享到 2027年1月15日星期五（含当天）。')).toBeVisible();
  await page.keyboard.press('Escape');

  await callApi(page, app, 'settings:update', { locale: 'en' });
  await page.reload();
  await expect(pageHeading(page)).toHaveText('Shared mailboxes');
  dialog = await openEndDate(page);
  await dialog.getByLabel('End date').fill('2027-01-15');
  await expect(dialog.getByText('Shared through Friday, January 15, 2027.')).toBeVisible();
});
