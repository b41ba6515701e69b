/** The theme follows the OS colour scheme until the user picks one in Settings. */
import { expect, test } from './fixtures';
import { openSection } from './helpers';

// The --bg colour of each theme in renderer/src/app.css.
const lightBackground = 'rgb(244, 246, 249)';
const darkBackground = 'rgb(20, 23, 28)';

test('follows prefers-color-scheme live', async ({ appPage: page }) => {
  const html = page.locator('html');
  const body = page.locator('body');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect(body).toHaveCSS('background-color', lightBackground);

  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(body).toHaveCSS('background-color', darkBackground);

  await page.emulateMedia({ colorScheme: 'light' });
  await expect(body).toHaveCSS('background-color', lightBackground);
});

test('an explicit choice overrides the system scheme and is kept', async ({ appPage: page }) => {
  const body = page.locator('body');
  await page.emulateMedia({ colorScheme: 'dark' });
  await openSection(page, '设置');
  await page.getByLabel('外观').selectOption('light');
  await expect(body).toHaveCSS('background-color', lightBackground);

  await page.reload();
  await expect(page.getByLabel('外观')).toHaveValue('light');
  await expect(body).toHaveCSS('background-color', lightBackground);

  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByLabel('外观').selectOption('dark');
  await expect(body).toHaveCSS('background-color', darkBackground);

  await page.getByLabel('外观').selectOption('system');
  await expect(body).toHaveCSS('background-color', lightBackground);
});
