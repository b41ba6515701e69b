/**
 * The mail-clients page (docs/rules.md §8) as a person meets it: the server settings and the Android
 * card with its QR code, from the policy in force; the password just generated with its ways
 * in; the system keychain, both when none is reachable and (where gnome-keyring is installed)
 * a real one; and axe in both themes. Foxmail, the iPhone profile and the connection test have
 * their own mail-clients-*.spec.ts.
 */
import AxeBuilder from '@axe-core/playwright';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, keyringSkipReason, test } from './fixtures';
import { openSection, pageHeading } from './helpers';
import { address, holdNewPassword, signedInWithTwoFactor, workerDir, writePolicy } from './mail-clients-helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

function card(page: Page, heading: string) {
  return page.getByRole('region', { name: heading, exact: true });
}

test.describe('with a mail server named by the policy', () => {
  const policyFile = join(workerDir('mc-settings'), 'policy.json');
  writePolicy(policyFile, {
    mailServer: {
      imap: { host: 'imap.example.edu.cn', port: 1993, security: 'tls' },
      smtp: { host: 'smtp.example.edu.cn', port: 1587, security: 'starttls' },
      pop3: { host: 'pop.example.edu.cn', port: 1995, security: 'tls' },
    },
  });
  test.use({ hostArgs: ['--policy', policyFile] });

  test('the settings card shows that server, the user name and a QR code of it', async ({ appPage: page }) => {
    await openSection(page, '邮件客户端');
    await expect(pageHeading(page)).toHaveText('邮件客户端');
    await expect(page.getByRole('heading', { name: '还没有要填入的密码' })).toBeVisible();

    const settings = card(page, '服务器设置');
    const row = (name: string) => settings.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await expect(row('收件服务器（IMAP）')).toHaveText(/imap\.example\.edu\.cn\s*1993\s*SSL\/TLS/);
    await expect(row('收件服务器（POP3）')).toHaveText(/pop\.example\.edu\.cn\s*1995\s*SSL\/TLS/);
    await expect(row('发件服务器（SMTP）')).toHaveText(/smtp\.example\.edu\.cn\s*1587\s*STARTTLS/);
    await expect(settings).toContainText(`用户名：完整的邮箱地址 ${address}`);
    await expect(settings).not.toContainText('mail.cstnet.cn');

    const qr = settings.getByRole('img', { name: `设置卡片二维码：${address} 的收件和发件服务器设置` });
    await expect(qr).toBeVisible();
    await expect(qr).toHaveAttribute('src', /^data:image\/svg\+xml;base64,/);
    // Drawn, not a broken image: the CSP lets data: images through.
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

    // The iPhone steps name the same outgoing server, with its own encryption (STARTTLS, not SSL).
    await expect(card(page, 'iPhone / iPad 邮件')).toContainText('主机名 smtp.example.edu.cn，使用 STARTTLS，服务器端口 1587');
    // Nothing is held, so there is nothing to mark as applied.
    await expect(page.getByRole('button', { name: '我已按这张卡片设置好手机' })).toHaveCount(0);
  });
});

test('a held password can be marked as set up on a phone from the settings card', async ({ page, app }) => {
  await signedInWithTwoFactor(page, app);
  await holdNewPassword(page, 'Android 手机');
  await expect(card(page, '服务器设置')).toContainText('mail.cstnet.cn');
  await page.getByRole('button', { name: '我已按这张卡片设置好手机' }).click();
  await expect(page.getByText('已记下「Android 手机」已按设置卡片填入手机。')).toBeVisible();
  // The password stays held: the same password may go into other clients too.
  await expect(page.getByTestId('held-password')).toBeVisible();

  await openSection(page, '客户端专用密码');
  await expect(page.getByRole('row').filter({ hasText: 'Android 手机' })).toContainText('Android 设置卡片');
});

test.describe('when no system keychain can be reached', () => {
  // A session bus address that leads nowhere, whatever the machine running the specs has.
  test.use({ hostEnv: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/mailwarden-no-bus' } });

  test('remembering says so clearly and changes nothing else', async ({ page, app }) => {
    await signedInWithTwoFactor(page, app);
    const password = await holdNewPassword(page, 'Foxmail 办公室');
    const unavailable = '无法访问系统钥匙串';

    const keychain = card(page, '系统钥匙串');
    await expect(keychain.getByRole('alert')).toContainText(unavailable);

    const held = card(page, '要填入的密码：「Foxmail 办公室」');
    // Already known out of reach: the button is no longer the main one, and the card says why.
    await expect(held).toContainText('本机无法访问系统钥匙串：请复制密码，手动填入邮件客户端。');
    await expect(held.getByRole('button', { name: '记住在系统钥匙串中' })).not.toHaveClass(/primary/);
    await held.getByRole('button', { name: '记住在系统钥匙串中' }).click();
    await expect(held.getByRole('alert')).toContainText(unavailable);
    // Everything else as it was: the password still held, the button still there, no list.
    await expect(page.getByTestId('held-password')).toHaveText(/^[a-z2-9 ]{19}$/);
    expect((await page.getByTestId('held-password').textContent())?.replaceAll(' ', '')).toBe(password);
    await expect(held.getByRole('button', { name: '记住在系统钥匙串中' })).toBeEnabled();
    await expect(page.getByText('保存到系统钥匙串。')).toHaveCount(0);
    await expect(keychain.getByRole('list')).toHaveCount(0);
    await expect(card(page, '测试连接').getByRole('radio', { name: '系统钥匙串中保存的密码' })).toHaveCount(0);

    await openSection(page, '客户端专用密码');
    await expect(page.getByRole('row').filter({ hasText: 'Foxmail 办公室' })).not.toContainText('系统钥匙串');
  });
});

test.describe('with a system keychain', () => {
  test.skip(keyringSkipReason !== '', keyringSkipReason);
  test.use({ keyring: true });

  test('remember the held password, find it after a reload, and forget it after confirming', async ({ page, app }) => {
    await signedInWithTwoFactor(page, app);
    await holdNewPassword(page, 'Foxmail 办公室');
    const keychain = card(page, '系统钥匙串');
    await expect(keychain).toContainText('系统钥匙串中还没有这个邮箱的客户端专用密码。');

    await page.getByRole('button', { name: '记住在系统钥匙串中' }).click();
    await expect(page.getByText('已将「Foxmail 办公室」保存到系统钥匙串。')).toBeVisible();
    await expect(keychain.getByRole('listitem')).toHaveText([/Foxmail 办公室/]);

    // Remembered in the keychain, not in the page: a fresh page lists it (and holds no password).
    await page.reload();
    await expect(pageHeading(page)).toHaveText('邮件客户端');
    await expect(page.getByTestId('held-password')).toHaveCount(0);
    await expect(keychain.getByRole('listitem')).toHaveText([/Foxmail 办公室/]);
    await expect(card(page, '测试连接').getByRole('radio', { name: '系统钥匙串中保存的密码' })).toBeVisible();

    await keychain.getByRole('button', { name: '从系统钥匙串中删除「Foxmail 办公室」' }).click();
    const dialog = page.getByRole('dialog', { name: '从系统钥匙串中删除「Foxmail 办公室」？' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: '删除', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText('已从系统钥匙串中删除「Foxmail 办公室」。')).toBeVisible();
    await expect(keychain).toContainText('系统钥匙串中还没有这个邮箱的客户端专用密码。');

    await openSection(page, '客户端专用密码');
    await expect(page.getByRole('row').filter({ hasText: 'Foxmail 办公室' })).toContainText('系统钥匙串');
  });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no axe violations on the mail-clients page in the ${colorScheme} theme`, async ({ page, app }) => {
    await page.emulateMedia({ colorScheme });
    await signedInWithTwoFactor(page, app);
    await openSection(page, '邮件客户端');
    await expect(card(page, '服务器设置')).toBeVisible();
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    await holdNewPassword(page, 'iPhone');
    await expect(card(page, 'Foxmail')).toContainText('这台电脑上没有找到 Foxmail');
    await page.getByRole('checkbox', { name: '在描述文件中包含密码「iPhone」' }).check();
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
}
