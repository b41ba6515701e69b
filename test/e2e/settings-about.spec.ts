/** Settings → About this app shows what app:info reports, and explains a failure. */
import { expect, test } from './fixtures';
import { apiRoute, fact, openSection, packageVersion } from './helpers';

test('shows the real app:info values', async ({ appPage: page, app }) => {
  await openSection(page, '设置');
  const about = page.getByRole('region', { name: '关于本应用' });
  await expect(fact(about, '版本')).toHaveText(packageVersion);
  await expect(fact(about, '产品名称')).toHaveText('Mailwarden');
  await expect(fact(about, '数据文件夹')).toHaveText(app.dataDir);
  await expect(fact(about, '安全服务')).toHaveText('内置（数据保存在本机）');
  await expect(fact(about, '运行方式')).toHaveText('浏览器模式（仅供测试和开发）');
  await expect(fact(about, '演示模式')).toHaveText('关闭');
  await expect(fact(about, '策略来源')).toHaveText('内置默认设置（未应用组织策略）');
  const platforms: Record<string, string> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };
  await expect(fact(about, '操作系统')).toHaveText(platforms[process.platform] ?? process.platform);
});

test('a failed app:info shows a translated error and can be retried', async ({ appPage: page }) => {
  await page.route(apiRoute('app:info'), (route) => route.fulfill({ status: 500, body: 'not json' }));
  await openSection(page, '设置');
  const about = page.getByRole('region', { name: '关于本应用' });
  await expect(about.getByRole('alert')).toHaveText(/^无法读取应用信息。发生意外错误/);

  await page.unroute(apiRoute('app:info'));
  await about.getByRole('button', { name: '重试' }).click();
  await expect(fact(about, '版本')).toHaveText(packageVersion);
});
