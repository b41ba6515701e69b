/**
 * Thunderbird (docs/rules.md §8) on the mail-clients page, in browser mode, against a profile on
 * disk built to the documented formats (test/platform/thunderbird/fixtures.ts: profiles.ini,
 * prefs.js, key4.db, logins.json) that the host finds through --thunderbird-root: this mailbox's
 * account offered the held password, written after a confirmation naming the profile, and read
 * back from logins.json with the adapter's own decryption; and a profile whose saved passwords are
 * behind a primary password refused, with Thunderbird's own steps and the password on the
 * clipboard, and nothing written.
 *
 * It runs the host from the build output (out/main/host.js), so it also shows that sql.js and its
 * .wasm load from there.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyDb } from '../platform/thunderbird/fixtures';
import { expect, test } from './fixtures';
import { clipboardText, expectNoAxeViolationsInBothThemes, openSection } from './helpers';
import { accountRow, address, clientCard, holdNewPassword, signedInWithTwoFactor, workerDir } from './mail-clients-helpers';
import { profileIn, savedLogins, writeThunderbirdProfile } from './thunderbird-profile';

const base = workerDir('mc-thunderbird');
const root = join(base, 'thunderbird');
const profile = profileIn(root);
// A home of its own: the host looks in ~/.thunderbird too, and must not see whoever runs this.
const home = join(base, 'home');
test.use({ hostArgs: ['--thunderbird-root', root], hostEnv: { HOME: home }, permissions: ['clipboard-read', 'clipboard-write'] });

/** Li Si's POP3 account in the profile: another mailbox's. */
const otherAddress = 'li.si@cstnet.cn';

test.beforeEach(async () => {
  await mkdir(home, { recursive: true });
});

/** The profile: this mailbox's IMAP account saving an old password, and a web login. */
function writeProfile(): Promise<void> {
  return writeThunderbirdProfile(root, address, [
    { origin: 'imap://mail.cstnet.cn', username: address, password: 'old-imap-pass' },
    { origin: 'https://example.org', username: 'web', password: 'web-pass' },
  ]);
}

test('puts the held password into this mailbox’s Thunderbird account, encrypted as Thunderbird stores it', async ({ page, app }) => {
  await writeProfile();
  await signedInWithTwoFactor(page, app);
  const password = await holdNewPassword(page, 'Thunderbird 办公室');

  const card = clientCard(page, 'Thunderbird');
  await expect(card.getByRole('heading', { name: `Thunderbird：${root}` })).toBeVisible();
  await expect(card.getByRole('heading', { name: `配置文件“default-release”（默认）：${profile}` })).toBeVisible();
  const row = accountRow(page, 'Thunderbird', address);
  await expect(row).toContainText('IMAP');
  await expect(row).toContainText('mail.cstnet.cn:993，SSL/TLS');
  await expect(row).toContainText('mail.cstnet.cn:994，SSL/TLS');
  await expect(row.getByRole('cell').nth(3)).toHaveText('能');
  const other = accountRow(page, 'Thunderbird', otherAddress);
  await expect(other).toContainText('POP3');
  await expect(other).toContainText('其他邮箱的帐号');
  // Another mailbox's account is never offered the password.
  await expect(other.getByRole('button')).toHaveCount(0);
  await expectNoAxeViolationsInBothThemes(page);
  // For review: test-results/screenshots/.
  await card.screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/mail-clients-thunderbird-zh-CN.png', import.meta.url)) });

  const apply = row.getByRole('button', { name: `把「Thunderbird 办公室」填入 Thunderbird 帐号 ${address}` });
  await apply.click();
  const dialog = page.getByRole('dialog', { name: '把密码保存到这个 Thunderbird 帐号？' });
  await expect(dialog).toContainText(profile);
  // Cancelling changes nothing.
  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(dialog).toBeHidden();
  expect((await savedLogins(profile)).find((l) => l.origin === 'imap://mail.cstnet.cn')?.password).toBe('old-imap-pass');

  await apply.click();
  await dialog.getByRole('button', { name: '保存' }).click();
  await expect(dialog).toBeHidden();
  const done = card.getByRole('status').filter({ hasText: `已把「Thunderbird 办公室」保存到 Thunderbird 帐号 ${address}` });
  await expect(done).toContainText('原来保存的密码已备份到');

  // The file, read back as Thunderbird would: the incoming login replaced, the SMTP login (its
  // server has a user name) added, the web login untouched.
  const saved = await savedLogins(profile);
  expect(saved).toContainEqual({ origin: 'imap://mail.cstnet.cn', username: address, password });
  expect(saved).toContainEqual({ origin: 'smtp://mail.cstnet.cn', username: address, password });
  expect(saved).toContainEqual({ origin: 'https://example.org', username: 'web', password: 'web-pass' });
  expect(saved).toHaveLength(3);
  // The backup sits beside logins.json, named in the notice.
  const backups = (await readdir(profile)).filter((name) => name.startsWith('logins.json') && name !== 'logins.json');
  expect(backups).toHaveLength(1);
  await expect(done).toContainText(join(profile, backups[0]!));

  await openSection(page, '客户端专用密码');
  await expect(page.getByRole('row').filter({ hasText: 'Thunderbird 办公室' })).toContainText('Thunderbird');
});

test('a profile behind a primary password is refused: the page says why, gives Thunderbird’s own steps, and writes nothing', async ({ page, app }) => {
  await writeProfile();
  await signedInWithTwoFactor(page, app);
  const password = await holdNewPassword(page, 'Thunderbird 家里');
  const card = clientCard(page, 'Thunderbird');
  const row = accountRow(page, 'Thunderbird', address);
  await expect(row.getByRole('cell').nth(3)).toHaveText('能');

  // A primary password is set after the scan: the write is refused, not attempted.
  await writeFile(join(profile, 'key4.db'), await keyDb({ primaryPassword: 'her primary password' }));
  const before = await readFile(join(profile, 'logins.json'));
  await row.getByRole('button', { name: `把「Thunderbird 家里」填入 Thunderbird 帐号 ${address}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();

  await expect(card.getByRole('alert')).toContainText('已保存密码受主密码保护');
  await expect(card.getByRole('heading', { name: `请在 Thunderbird 中手动填写 ${address} 的密码` })).toBeVisible();
  await expect(card.locator('.manual')).toContainText('“设置” — “隐私与安全” — “密码” — “已保存的密码…”');
  await expect(card.getByText('已复制到剪贴板（不含空格）。剪贴板将在 60 秒后清除。')).toBeVisible();
  expect(await clipboardText(page)).toBe(password);

  // Looked at again, the profile says why, and the account offers only the steps.
  await expect(card.getByRole('note')).toHaveText('这个配置文件的已保存密码受主密码保护，本应用无法写入。请在 Thunderbird 中手动填写密码。');
  await expect(row.getByRole('cell').nth(3)).toHaveText('只能手动填写');
  await expect(row.getByRole('button', { name: /^把「Thunderbird 家里」填入/ })).toHaveCount(0);
  await row.getByRole('button', { name: `手动把「Thunderbird 家里」填入 Thunderbird 帐号 ${address}` }).click();
  await expect(card.getByRole('heading', { name: `请在 Thunderbird 中手动填写 ${address} 的密码` })).toBeFocused();
  await expectNoAxeViolationsInBothThemes(page);

  // Nothing was written, not even a backup.
  expect((await readFile(join(profile, 'logins.json'))).equals(before)).toBe(true);
  expect((await readdir(profile)).sort()).toEqual(['key4.db', 'logins.json', 'prefs.js']);
});
