/**
 * A desktop against the organisation server (issue 11, item 4): browser mode started with
 * `--server`, as policy server.url starts the desktop app. `mailwarden server` runs on a real
 * PostgreSQL 15 with a mailbox IT imported; the desktop keeps no store of its own. The person
 * binds a phone and makes a client password (rules and records on the server), and remembers it
 * in this computer's keychain (the local part, after the server confirmed the password). Then the
 * server goes away, and the desktop says so instead of showing anything from before. In between,
 * a second mailbox is added in the same window and switched to, the server holding both.
 */
import { readdir } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { postgresSkipReason } from '../factories/postgres';
import { keyringSkipReason, startBrowserMode, type RunningApp } from './fixtures';
import { openSection, pageHeading } from './helpers';
import { holdNewPassword } from './mail-clients-helpers';
import { startOrganisation, type RunningOrganisation } from './organisation-server-helpers';
import { bindPhoneOnPage, codeFromTestDelivery } from './two-factor-helpers';

const address = 'li.na@cstnet.cn';
/** Looked after by Li Na too, in the same window (docs/rules.md §7.4). */
const office = 'office@cstnet.cn';
const password = 'Correct-horse-9';
const skip = postgresSkipReason() || keyringSkipReason;

test.describe('a desktop against the organisation server', () => {
  test.skip(skip !== '', `not run: ${skip}`);
  test.describe.configure({ mode: 'serial' });

  let organisation: RunningOrganisation;
  let origin: string;
  let desktop: { app: RunningApp; stop: () => Promise<void> };

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    organisation = await startOrganisation(
      [
        { address, displayName: '李娜' },
        { address: office, displayName: '办公室' },
      ],
      password,
    );
    origin = organisation.origin;
    desktop = await startBrowserMode(['--server', origin], { keyring: true });
  });

  test.afterAll(async () => {
    await desktop?.stop();
    await organisation?.stop();
  });

  test("signs in, binds a phone and makes a client password on the server, and remembers it in this computer's keychain", async ({ page }) => {
    test.setTimeout(90_000);
    const { app } = desktop;
    expect(app.output.join('\n')).toContain(`Organisation server: ${origin}`);
    await page.goto(app.url);
    await expect(pageHeading(page)).toHaveText('登录邮箱');
    // The organisation's mailboxes come from IT: nothing to register here either.
    await expect(page.getByRole('button', { name: '注册并登录' })).toHaveCount(0);
    await page.getByLabel('邮箱地址').fill(address);
    await page.getByLabel('邮箱密码').fill(password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(pageHeading(page)).toHaveText('概览');

    await bindPhoneOnPage(page);

    await holdNewPassword(page, 'Foxmail 办公室');
    // The phone QR comes from the server, as on its own page (docs/rules.md §8.9): the link is the
    // server's public address, which the phone can reach, not this desktop's.
    const handoff = page.getByRole('region', { name: '用二维码发送到 iPhone 或 iPad' });
    const created = page.waitForResponse((response) => /phone-handoff(:|%3A)create$/i.test(response.url()));
    await handoff.getByRole('button', { name: '显示二维码' }).click();
    await expect(handoff.getByRole('img')).toBeVisible();
    const link = ((await (await created).json()) as { data: { url: string } }).data.url;
    expect(new URL(link).origin).toBe(origin);
    const fetched = await page.request.get(link);
    expect(fetched.status()).toBe(200);
    expect(fetched.headers()['content-type']).toBe('application/x-apple-aspen-config');

    await page.getByRole('button', { name: '记住在系统钥匙串中' }).click();
    await expect(page.getByText('已将「Foxmail 办公室」保存到系统钥匙串。')).toBeVisible();
    // The server noted where it went: the list (the server's) says so.
    await openSection(page, '客户端专用密码');
    await expect(page.getByRole('row').filter({ hasText: 'Foxmail 办公室' })).toContainText('系统钥匙串');
    // Settings › About names the server this desktop works against.
    await openSection(page, '设置');
    const about = page.getByRole('region', { name: '关于本应用' });
    await expect(about.getByRole('definition').filter({ hasText: origin })).toBeVisible();
    await expect(about).toContainText('组织服务器');
    // This computer's data folder holds display settings and nothing of the mailbox's.
    expect((await readdir(app.dataDir)).filter((name) => !/^(settings\.json|logs|home|keyring)$/.test(name))).toEqual([]);
  });

  test("adds a second mailbox in the same window on the server, and each page shows the active one's own", async ({ page }) => {
    await page.goto(desktop.app.url);
    await page.getByLabel('邮箱地址').fill(address);
    await page.getByLabel('邮箱密码').fill(password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    // Li Na bound a phone above: the code the server sent, from its test delivery.
    await page.getByLabel('短信验证码', { exact: true }).fill(await codeFromTestDelivery(page.getByRole('region', { name: /测试投递/ })));
    await page.getByRole('button', { name: '验证并登录' }).click();
    await openSection(page, '客户端专用密码');
    await expect(page.getByRole('main')).toContainText('Foxmail 办公室');

    const banner = page.getByRole('banner');
    await banner.getByRole('button', { name: '切换邮箱' }).click();
    await banner.getByRole('button', { name: '添加其他邮箱' }).click();
    await page.getByLabel('邮箱地址').fill(office);
    await page.getByLabel('邮箱密码').fill(password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(banner).toContainText(office);
    // The office mailbox has no two-factor yet: its page says so, and shows nothing of Li Na's.
    await expect(page.getByRole('heading', { name: '请先开启二次验证' })).toBeVisible();
    await expect(page.getByRole('main')).not.toContainText('Foxmail 办公室');

    await banner.getByRole('button', { name: '切换邮箱' }).click();
    await banner.getByRole('button', { name: `切换到 ${address}` }).click();
    await expect(banner).toContainText(address);
    await expect(page.getByRole('main')).toContainText('Foxmail 办公室');
  });

  test('says plainly when the server cannot be reached, and shows nothing from before', async ({ page }) => {
    const { app } = desktop;
    await organisation.stopServer();
    await page.goto(app.url);
    const status = page.getByRole('alert').filter({ hasText: '无法确认登录状态' });
    await expect(status).toContainText('无法连接组织服务器，没有读取或更改任何内容。');
    await expect(page.getByRole('navigation')).toHaveCount(0);
  });
});
