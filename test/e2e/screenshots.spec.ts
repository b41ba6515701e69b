/**
 * Screenshots for review and for the docs. `MAILWARDEN_UPDATE_DOCS=1` also refreshes the copy
 * under docs/screenshots that the README shows.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';
import { fact, openSection, packageVersion } from './helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('Settings in zh-CN', async ({ appPage: page }) => {
  await openSection(page, '设置');
  await expect(fact(page, '版本')).toHaveText(packageVersion);
  const image = await page.screenshot({ path: `${root}test-results/screenshots/settings-zh-CN.png`, fullPage: true });
  if (process.env.MAILWARDEN_UPDATE_DOCS === '1') {
    await mkdir(`${root}docs/screenshots`, { recursive: true });
    await writeFile(`${root}docs/screenshots/settings-zh-CN.png`, image);
  }
});
