/**
 * The mail-clients page on its own (the hand-over of a fresh client password is covered in
 * client-passwords.spec.ts): the guide's manual steps and server settings, and axe in both themes.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { openSection, pageHeading } from './helpers';

test('shows the manual steps for Foxmail, iPhone and Android with the server settings', async ({ appPage: page }) => {
  await openSection(page, '邮件客户端');
  await expect(pageHeading(page)).toHaveText('邮件客户端');
  await expect(page.getByText('还没有要填入的密码')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Foxmail' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('mail.cstnet.cn');
  await expect(page.getByRole('main')).toContainText('993');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no axe violations on the mail-clients page in the ${colorScheme} theme`, async ({ appPage: page }) => {
    await page.emulateMedia({ colorScheme });
    await openSection(page, '邮件客户端');
    await expect(pageHeading(page)).toHaveText('邮件客户端');
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
}
