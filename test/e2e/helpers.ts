/** Small page helpers shared by the browser-mode specs. */
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

export const packageVersion: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The page's main heading. */
export function pageHeading(page: Page): Locator {
  return page.getByRole('main').getByRole('heading', { level: 1 });
}

/** Opens a section through the sidebar, by its visible name. */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
}

/** The value shown for one term of a description list, e.g. "版本" in the About block. */
export function fact(scope: Page | Locator, term: string): Locator {
  const page = 'page' in scope ? scope.page() : scope;
  return scope
    .locator('dl > div')
    .filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }) })
    .getByRole('definition');
}

/** The URL path the API is reached at for a channel, as the renderer encodes it. */
export function apiRoute(channel: string): RegExp {
  return new RegExp(`/api/${encodeURIComponent(channel)}$`);
}

/** The page is told it runs on `platform` (app:info's answer rewritten); all else the host answers. */
export async function pretendPlatform(page: Page, platform: 'win32' | 'darwin'): Promise<void> {
  await page.route(apiRoute('app:info'), async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { ok: boolean; data: { platform: string } };
    body.data.platform = platform;
    await route.fulfill({ response, json: body });
  });
}

/** What the page put on the clipboard (the spec's context grants clipboard-read). */
export function clipboardText(page: Page): Promise<string> {
  // A string: the specs are type-checked without the DOM library.
  return page.evaluate<string>('navigator.clipboard.readText()');
}

/** axe finds nothing on the page as it is now, in the light and the dark theme. */
export async function expectNoAxeViolationsInBothThemes(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
    expect((await new AxeBuilder({ page }).analyze()).violations, colorScheme).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
