/**
 * Mail on a Mac (docs/rules.md §8.11) in browser mode: the profile written to a private temporary
 * file, handed to the OS's opener, and removed when the app quits (or 10 minutes later: the
 * core's test moves that clock) — and at once when the opener refuses it.
 *
 * This runs on Linux, so two things stand in for the Mac: the platform the page is told
 * (app:info's answer is rewritten to `darwin`; the host and everything else are real), and the
 * OS's opener — `xdg-open` here, found first on PATH, is a script that keeps a copy of what it was
 * handed and its mode, and exits as told. The host's temporary folder (TMPDIR) is the test's own.
 */
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'plist';
import { expect, startBrowserMode, test } from './fixtures';
import { apiRoute, expectNoAxeViolationsInBothThemes, openSection, pretendPlatform } from './helpers';
import { address, holdNewPassword, signedInWithTwoFactor, workerDir } from './mail-clients-helpers';

const work = workerDir('mc-mac');
const bin = join(work, 'bin');
const temporary = join(work, 'tmp');
const seen = join(work, 'seen');

/** The stand-in opener: records the path, the mode and the bytes it was handed; exits $MW_OPEN_EXIT. */
const opener = `#!/bin/sh
printf '%s' "$1" > "$MW_SEEN/path"
stat -c %a "$1" > "$MW_SEEN/mode"
cp "$1" "$MW_SEEN/profile"
exit "\${MW_OPEN_EXIT:-0}"
`;

test.beforeEach(async () => {
  for (const dir of [bin, temporary, seen]) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }
  await writeFile(join(bin, 'xdg-open'), opener);
  await chmod(join(bin, 'xdg-open'), 0o755);
});

// What the stand-in opener kept holds a password: it does not outlive the run.
test.afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function hostEnv(exitCode: number): Record<string, string> {
  return { PATH: `${bin}:${process.env.PATH ?? ''}`, TMPDIR: temporary, MW_SEEN: seen, MW_OPEN_EXIT: String(exitCode) };
}

function macCard(page: Page) {
  return page.getByRole('region', { name: '此 Mac 上的“邮件”' });
}

test('opens the profile with the OS, private and with the password, and removes it when the app quits', async ({ page }) => {
  const { app, stop } = await startBrowserMode([], { env: hostEnv(0) });
  try {
    await pretendPlatform(page, 'darwin');
    await signedInWithTwoFactor(page, app);
    const password = await holdNewPassword(page, 'Mac 办公室');
    const card = macCard(page);
    await expect(card.getByRole('listitem')).toHaveText([
      '打开“通用”—“设备管理”（macOS 13 和 14：“隐私与安全性”—“描述文件”）。',
      `双击已下载的描述文件“Mailwarden: ${address}”，核对服务器，然后选择“安装”。`,
      '如有提示，输入客户端专用密码，再输入 Mac 的登录密码以允许安装。',
    ]);
    await card.getByRole('checkbox', { name: '在描述文件中包含密码「Mac 办公室」' }).check();
    await expect(card.getByText('描述文件仅在被删除前保存该密码')).toBeVisible();
    await expectNoAxeViolationsInBothThemes(page);
    await card.getByRole('button', { name: '在“系统设置”中打开' }).click();
    await expect(card.getByRole('status')).toContainText('描述文件已在“系统设置”中打开。文件将于');

    // What the opener was handed: this mailbox's profile with the password, 0600, alone in a
    // fresh folder of the host's temporary folder.
    const path = await readFile(join(seen, 'path'), 'utf8');
    expect(path).toMatch(new RegExp(`^${temporary}/mailwarden-[^/]+/${address.replace('.', '\\.')}\\.mobileconfig$`));
    expect((await readFile(join(seen, 'mode'), 'utf8')).trim()).toBe('600');
    const profile = parse(await readFile(join(seen, 'profile'), 'utf8')) as unknown as {
      PayloadContent: { EmailAddress: string; IncomingPassword?: string }[];
    };
    expect(profile.PayloadContent[0]).toMatchObject({ EmailAddress: address, IncomingPassword: password });
    expect(await readdir(temporary)).toHaveLength(1);
  } finally {
    await stop();
  }
  // The app quit before the ten minutes were up: the file went with it.
  expect(await readdir(temporary)).toEqual([]);
});

test('a profile the OS will not open is removed at once, and the page says so', async ({ page }) => {
  const { app, stop } = await startBrowserMode([], { env: hostEnv(3) });
  try {
    await pretendPlatform(page, 'darwin');
    await signedInWithTwoFactor(page, app);
    await openSection(page, '邮件客户端');
    const card = macCard(page);
    await card.getByRole('button', { name: '在“系统设置”中打开' }).click();
    await expect(card.getByRole('alert')).toHaveText('无法在此电脑上打开描述文件，文件已删除。请改为保存文件后自行打开。');
    // The opener was reached and refused it; nothing is left while the app still runs.
    expect(await readFile(join(seen, 'path'), 'utf8')).toContain(`${address}.mobileconfig`);
    expect(await readdir(temporary)).toEqual([]);
  } finally {
    await stop();
  }
});

test('is not offered where the computer is not a Mac', async ({ page, app }) => {
  await signedInWithTwoFactor(page, app);
  const told = page.waitForResponse(apiRoute('app:info'));
  await holdNewPassword(page, 'Linux 办公室');
  // The page knows the platform, and has drawn what it decided.
  await told;
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(resolve))');
  await expect(page.getByRole('region', { name: 'iPhone / iPad 邮件' })).toBeVisible();
  await expect(macCard(page)).toHaveCount(0);
});
