/**
 * Changing the mailbox password in Settings (docs/rules.md §6.7; issue 14, item 3), followed as a
 * person: before the change the card says what stops working (the other sessions, the client
 * passwords and where each was put); a wrong current password changes nothing; after the change
 * each revoked client password is offered a replacement under its old name, handed to the
 * mail-clients page and marked done on return, and the other browser is signed out. Both languages.
 */
import { bindPhone, callApi, registerMailbox, testPassword } from './backend';
import { expect, test } from './fixtures';
import { openSection } from './helpers';

const address = 'zhang.wei@cstnet.cn';
const newPassword = 'Battery-staple-42';

test('in Chinese: told first what stops working, refused with a wrong current password, then changed', async ({ browser, page, app }) => {
  await registerMailbox(page, app, address);
  await bindPhone(page, app);
  const created = await callApi<{ id: string }>(page, app, 'client-passwords:create', { name: 'Foxmail 办公室' });
  await callApi(page, app, 'client-passwords:mark-applied', { id: created.id, target: 'keychain' });
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  // Signed in elsewhere with the old password (and a code: the phone is bound).
  expect(await callApi<{ status: string }>(other, app, 'auth:sign-in', { address, password: testPassword })).toMatchObject({ status: 'code-required' });

  await page.goto(app.url);
  await openSection(page, '设置');
  const card = page.getByRole('region', { name: '邮箱密码' });
  await expect(card.getByRole('heading', { name: '更改前请注意：以下内容将失效' })).toBeVisible();
  await expect(card).toContainText('此邮箱在其他地方的登录都会被退出（本次登录保留）。');
  await expect(card).toContainText('全部 1 个客户端专用密码将失效');
  await expect(card.getByRole('listitem').filter({ hasText: /^Foxmail 办公室（在系统钥匙串中）$/ })).toBeVisible();

  const submit = card.getByRole('button', { name: '更改密码' });
  await expect(submit).toBeDisabled();
  await card.getByLabel('当前密码').fill('not my password');
  await card.getByLabel('新密码', { exact: true }).fill(newPassword);
  await card.getByLabel('再次输入新密码').fill(newPassword);
  await submit.click();
  await expect(card.getByRole('alert')).toHaveText('密码不正确。');
  // Nothing changed: the client password is still there.
  await expect(card).toContainText('全部 1 个客户端专用密码将失效');

  await card.getByLabel('当前密码').fill(testPassword);
  await expect(card.getByRole('alert')).toHaveCount(0);
  await submit.click();
  const done = card.getByRole('status').filter({ hasText: '邮箱密码已更改。' });
  await expect(done).toBeVisible();
  await expect(done).toContainText('以下 1 个客户端专用密码已撤销');
  await expect(card.getByLabel('当前密码')).toHaveValue('');
  // Each revoked password is offered a replacement, named where it had been put.
  const replace = card.getByRole('region', { name: '逐个填入新的客户端专用密码' });
  await expect(replace.getByRole('listitem')).toHaveText([/^Foxmail 办公室（在系统钥匙串中）/]);
  await expect(replace.getByRole('link', { name: '生成新的客户端专用密码' })).toHaveAttribute('href', '#/client-passwords');
  await replace.getByRole('button', { name: '替换「Foxmail 办公室」' }).click();
  // A new one under the old name, held on the mail-clients page to put where the old one was.
  await expect(page.getByRole('heading', { level: 1, name: '邮件客户端' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '要填入的密码：「Foxmail 办公室」' })).toBeVisible();
  await expect(page.getByTestId('held-password')).toHaveText(/^[a-z2-9]{4} [a-z2-9]{4} [a-z2-9]{4} [a-z2-9]{4}$/);
  // Back in Settings, it is marked done.
  await openSection(page, '设置');
  await expect(replace.getByRole('listitem')).toHaveText([/已生成新密码/]);
  await expect(replace).toContainText('每个被撤销的客户端专用密码都已有新的。');

  // The old password no longer signs in; the new one does (this session stayed signed in).
  expect(await callApi<{ status: string }>(page, app, 'auth:status')).toMatchObject({ status: 'signed-in' });
  await expect(callApi(other, app, 'auth:sign-in', { address, password: testPassword })).rejects.toThrow('sign-in-failed');
  expect(await callApi<{ status: string }>(other, app, 'auth:sign-in', { address, password: newPassword })).toMatchObject({ status: 'code-required' });
  await elsewhere.close();
});

test('in English: the confirmation must match, and a change signs the other browser out', async ({ browser, page, app }) => {
  await registerMailbox(page, app, address);
  await callApi(page, app, 'settings:update', { locale: 'en' });
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  expect(await callApi<{ status: string }>(other, app, 'auth:sign-in', { address, password: testPassword })).toMatchObject({ status: 'signed-in' });

  await page.goto(app.url);
  await openSection(page, 'Settings');
  const card = page.getByRole('region', { name: 'Mailbox password' });
  await expect(card).toContainText('Every other place this mailbox is signed in is signed out (this one stays).');
  await card.getByLabel('Current password').fill(testPassword);
  await card.getByLabel('New password', { exact: true }).fill(newPassword);
  await card.getByLabel('New password again').fill(`${newPassword}!`);
  await card.getByLabel('New password again').blur();
  await expect(card.getByText('The two passwords do not match.')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Change password' })).toBeDisabled();

  await card.getByLabel('New password again').fill(newPassword);
  await card.getByRole('button', { name: 'Change password' }).click();
  await expect(card.getByRole('status').filter({ hasText: 'The mailbox password was changed.' })).toBeVisible();
  expect(await callApi<{ status: string }>(other, app, 'auth:status')).toEqual({ status: 'signed-out' });
  await elsewhere.close();
});
