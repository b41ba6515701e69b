/**
 * Foxmail (docs/rules.md §8) on the mail-clients page and the two-factor page, against profiles on
 * disk (test/factories/foxmail.ts) that the host finds through --foxmail-root: the accounts
 * listed with what each stores; the held password written into this mailbox's account after a
 * confirmation naming the profile; the guide's manual steps, with the password on the clipboard,
 * where the app may not write; and, before 2FA is on, the accounts it would break, fixed one by
 * one once the phone is bound.
 */
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { callApi, latestOutboxCode, registerMailbox, testPassword } from './backend';
import { expect, test, type RunningApp } from './fixtures';
import { clipboardText, expectNoAxeViolationsInBothThemes, openSection } from './helpers';
import { accountRow, address, clientCard, holdNewPassword, signedInWithTwoFactor, workerDir } from './mail-clients-helpers';
import { fixtureProfilePath, readFoxmailPassword, v7ProfileBytes, writeFoxmailInstallation, type FixtureAccount } from '../factories/foxmail';
import { openTwoFactorPage } from './two-factor-helpers';

const root = join(workerDir('mc-foxmail'), 'Foxmail 7.2');
test.use({ hostArgs: ['--foxmail-root', root], permissions: ['clipboard-read', 'clipboard-write'] });

const mine: FixtureAccount = { address, displayName: '张伟', password: testPassword, incomingHost: 'imap.cstnet.cn', incomingPort: 993 };
const someoneElse: FixtureAccount = { address: 'li.na@cstnet.cn', displayName: '李娜', password: 'her-own-secret', protocol: 'pop3' };

test.beforeEach(async () => {
  await rm(root, { recursive: true, force: true });
});

test('lists the accounts and puts the held password into this mailbox’s account', async ({ page, app }) => {
  await writeFoxmailInstallation(root, [mine, someoneElse]);
  await signedInWithTwoFactor(page, app);
  const password = await holdNewPassword(page, 'Foxmail 办公室');

  const card = clientCard(page, 'Foxmail');
  await expect(card.getByRole('heading', { name: `Foxmail 7.2：${root}` })).toBeVisible();
  const row = accountRow(page, 'Foxmail', address);
  await expect(row).toContainText('张伟');
  await expect(row).toContainText('IMAP');
  await expect(row).toContainText('imap.cstnet.cn:993，SSL/TLS');
  await expect(row).toContainText('mail.cstnet.cn:994，SSL/TLS');
  await expect(row).toContainText(fixtureProfilePath(root, mine));
  await expect(row).toContainText('邮箱密码（开启二次验证后将失效）');
  const other = accountRow(page, 'Foxmail', 'li.na@cstnet.cn');
  await expect(other).toContainText('POP3');
  await expect(other).toContainText('其他邮箱的帐号');
  // Another mailbox's account is never offered the password.
  await expect(other.getByRole('button')).toHaveCount(0);
  await expectNoAxeViolationsInBothThemes(page);
  // For review (the README shows none of this page): test-results/screenshots/.
  await page.screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/mail-clients-zh-CN.png', import.meta.url)), fullPage: true });

  await row.getByRole('button', { name: `把「Foxmail 办公室」填入 Foxmail 帐号 ${address}` }).click();
  const dialog = page.getByRole('dialog', { name: '把密码写入这个 Foxmail 帐号？' });
  await expect(dialog).toContainText(fixtureProfilePath(root, mine));
  // Cancelling changes nothing.
  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(dialog).toBeHidden();
  expect(await readFoxmailPassword(root, address)).toBe(testPassword);

  await row.getByRole('button', { name: `把「Foxmail 办公室」填入 Foxmail 帐号 ${address}` }).click();
  await dialog.getByRole('button', { name: '写入' }).click();
  await expect(dialog).toBeHidden();
  await expect(card.getByRole('status').filter({ hasText: '已把「Foxmail 办公室」写入 Foxmail 帐号' })).toContainText('原配置文件已备份到');
  expect(await readFoxmailPassword(root, address)).toBe(password);
  // The backup sits beside the profile and still holds what was there.
  const folder = join(fixtureProfilePath(root, mine), '..');
  const backups = (await readdir(folder)).filter((name) => name !== 'Account.rec0');
  expect(backups).toHaveLength(1);
  await expect(card).toContainText(join(folder, backups[0]!));
  await expect(row).toContainText('客户端专用密码');
  expect(await readFoxmailPassword(root, someoneElse.address)).toBe('her-own-secret');

  await openSection(page, '客户端专用密码');
  await expect(page.getByRole('row').filter({ hasText: 'Foxmail 办公室' })).toContainText('Foxmail');
});

test('where the app may not write, the guide’s steps with the password on the clipboard', async ({ page, app }) => {
  await writeFoxmailInstallation(root, [mine]);
  await signedInWithTwoFactor(page, app);
  const password = await holdNewPassword(page, 'Foxmail 家里');
  const card = clientCard(page, 'Foxmail');
  const row = accountRow(page, 'Foxmail', address);
  await expect(row).toContainText('邮箱密码（开启二次验证后将失效）');

  // The profile changes after the scan into something the app does not fully understand.
  const profile = fixtureProfilePath(root, mine);
  await appendFile(profile, Buffer.from([0x09, 0x00, 0x00, 0x00, 0x55]));
  const before = await readFile(profile);
  await row.getByRole('button', { name: `把「Foxmail 家里」填入 Foxmail 帐号 ${address}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: '写入' }).click();

  await expect(card.getByRole('alert')).toContainText('配置文件的格式无法完全识别');
  await expect(card.getByRole('heading', { name: `请在 Foxmail 中手动填写 ${address} 的密码` })).toBeVisible();
  await expect(card).toContainText('Foxmail 会直接弹出“密码错误”提示，在提示框中输入客户端专用密码即可。');
  await expect(card.getByText('已复制到剪贴板（不含空格）。剪贴板将在 60 秒后清除。')).toBeVisible();
  expect(await clipboardText(page)).toBe(password);
  await expectNoAxeViolationsInBothThemes(page);
  // Nothing was written, not even a backup.
  expect((await readFile(profile)).equals(before)).toBe(true);
  expect(await readdir(join(profile, '..'))).toEqual(['Account.rec0']);
});

test('an older profile (Foxmail 6) is offered the manual steps straight away', async ({ page, app }) => {
  await writeFoxmailInstallation(root, [{ ...mine, version: 6 }]);
  await signedInWithTwoFactor(page, app);
  const password = await holdNewPassword(page, 'Foxmail 6');
  const row = accountRow(page, 'Foxmail', address);
  await expect(row).toContainText('配置文件格式未能完全识别，只能手动填写。');
  await expect(row.getByRole('button', { name: /^把「Foxmail 6」填入/ })).toHaveCount(0);
  await row.getByRole('button', { name: `手动把「Foxmail 6」填入 Foxmail 帐号 ${address}` }).click();
  await expect(clientCard(page, 'Foxmail').getByRole('heading', { name: `请在 Foxmail 中手动填写 ${address} 的密码` })).toBeFocused();
  await expect(clientCard(page, 'Foxmail').getByText('已复制到剪贴板（不含空格）。剪贴板将在 60 秒后清除。')).toBeVisible();
  expect(await clipboardText(page)).toBe(password);
});

test('account folders it could not read are named, not hidden behind "no accounts"', async ({ page, app }) => {
  await writeFoxmailInstallation(root, []);
  await mkdir(join(root, 'Storage', address, 'Accounts'), { recursive: true });
  await writeFile(join(root, 'Storage', address, 'Accounts', 'Account.rec0'), 'not a Foxmail profile');
  await signedInWithTwoFactor(page, app);
  await holdNewPassword(page, 'Foxmail 办公室');
  const card = clientCard(page, 'Foxmail');
  await expect(card.getByRole('note')).toHaveText(
    `找到 1 个无法读取设置的帐号，因此未列出：${address}。可能是本应用不认识的 Foxmail 版本，或文件被占用、已损坏；请手动设置其密码。`,
  );
  await expect(card.getByText('这个 Foxmail 中没有帐号。')).toHaveCount(0);
  await expectNoAxeViolationsInBothThemes(page);
});

/** Binds a phone through the two-factor page, as a person would. */
async function bindPhoneOnPage(page: Page, app: RunningApp): Promise<void> {
  const sms = page.getByRole('region', { name: '短信验证码' });
  await sms.getByLabel('手机号码').fill('13912345678');
  await sms.getByRole('button', { name: '获取验证码' }).click();
  // The binding countdown shows once the code has gone out: only then is it in the outbox.
  await expect(sms.getByRole('timer')).toHaveText(/^距离绑定超时: /);
  await sms.getByLabel('验证码', { exact: true }).fill(await latestOutboxCode(page, app));
  await sms.getByRole('button', { name: '确定' }).click();
  await expect(sms.getByRole('status')).toHaveText('手机号码绑定成功。');
}

test('before 2FA the two-factor page lists what will break, and after binding fixes each in turn', async ({ page, app }) => {
  // Two accounts of this mailbox (office and home) still on the main password, and someone else's.
  await writeFoxmailInstallation(root, [mine, someoneElse]);
  const home = join(root, 'Storage', 'zhang.wei-home', 'Accounts');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'Account.rec0'), v7ProfileBytes({ ...mine, displayName: '张伟（家）' }));

  await registerMailbox(page, app);
  await openTwoFactorPage(page, app);
  const card = page.getByRole('region', { name: '开启二次验证后，这些 Foxmail 帐号将无法收发邮件' });
  // The scan checks each stored password against the main password's scrypt hash: on a loaded
  // 2-core runner that takes seconds, so this one wait is longer than the default.
  await expect(card).toContainText('这些 Foxmail 帐号还保存着您的邮箱密码', { timeout: 20_000 });
  await expect(card.getByRole('listitem')).toHaveText([new RegExp(`${address}（张伟(（家）)?）：`), new RegExp(`${address}（张伟(（家）)?）：`)]);
  await expect(card).toContainText(fixtureProfilePath(root, mine));
  await expect(card).toContainText(join(home, 'Account.rec0'));
  await expect(card).not.toContainText('li.na@cstnet.cn');
  await expectNoAxeViolationsInBothThemes(page);

  await bindPhoneOnPage(page, app);
  const fix = page.getByRole('region', { name: '修复 Foxmail 帐号' });
  await expect(fix).toContainText('二次验证已开启');
  // The first name is taken already: the fix numbers its passwords instead of failing.
  await callApi(page, app, 'client-passwords:create', { name: `Foxmail ${address}` });

  await fix.getByRole('button', { name: '逐个修复' }).click();
  // Three client passwords made (one name taken) and two verified, each a full-cost scrypt, then two
  // careful writes: seconds of work on a busy two-core machine, more than the 5 s default wait.
  await expect(fix.getByRole('status')).toHaveText('已处理完毕：2 个帐号中 2 个已修复。', { timeout: 20_000 });
  await expect(fix.getByRole('status')).toBeFocused();
  const steps = fix.getByTestId('fix-step');
  await expect(steps).toHaveText([
    new RegExp(`已修复：已填入「Foxmail ${address} [23]」，原配置文件备份在 .+`),
    new RegExp(`已修复：已填入「Foxmail ${address} [23]」，原配置文件备份在 .+`),
  ]);
  await expect(fix.getByRole('button', { name: '逐个修复' })).toHaveCount(0);
  await expectNoAxeViolationsInBothThemes(page);
  expect(await readFoxmailPassword(root, address)).toMatch(/^[a-z2-9]{16}$/);
  expect(await readFoxmailPassword(root, someoneElse.address)).toBe('her-own-secret');

  // Both accounts now hold a client password of this mailbox, and the list says where each went.
  await openSection(page, '邮件客户端');
  await expect(clientCard(page, 'Foxmail').getByRole('row').filter({ hasText: '客户端专用密码' })).toHaveCount(2);
  await openSection(page, '客户端专用密码');
  for (const n of [2, 3]) await expect(page.getByRole('row').filter({ hasText: `Foxmail ${address} ${n}` })).toContainText('Foxmail');
});

test('with 2FA already on, the two-factor page shows no what-will-break card', async ({ page, app }) => {
  await writeFoxmailInstallation(root, [mine]);
  await signedInWithTwoFactor(page, app);
  await openTwoFactorPage(page, app);
  await expect(page.getByRole('region', { name: '短信验证码' })).toContainText('已开启短信验证码');
  await expect(page.getByRole('region', { name: /Foxmail/ })).toHaveCount(0);
});
