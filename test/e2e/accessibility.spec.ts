/** axe finds nothing on the app frame and the Settings page, in both themes. */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { apiRoute, fact, openSection, packageVersion } from './helpers';

async function violations(page: Page) {
  return (await new AxeBuilder({ page }).analyze()).violations;
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no axe violations in the ${colorScheme} theme`, async ({ appPage: page }) => {
    await page.emulateMedia({ colorScheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
    expect(await violations(page)).toEqual([]);

    await openSection(page, '设置');
    await expect(fact(page, '版本')).toHaveText(packageVersion);
    expect(await violations(page)).toEqual([]);
  });

  test(`no axe violations on error messages in the ${colorScheme} theme`, async ({ appPage: page }) => {
    await page.emulateMedia({ colorScheme });
    await page.route(apiRoute('app:info'), (route) => route.fulfill({ json: { ok: false, code: 'internal' } }));
    await page.route(apiRoute('settings:update'), (route) => route.fulfill({ json: { ok: false, code: 'storage-failed' } }));
    await openSection(page, '设置');
    await page.getByLabel('外观').selectOption('light');
    await expect(page.getByRole('alert')).toHaveCount(2);
    expect(await violations(page)).toEqual([]);
  });
}
