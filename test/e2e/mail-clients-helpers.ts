/** Setting the scene for the mail-clients specs: a policy file, a mailbox with 2FA, a freshly generated password held. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { bindPhone, registerMailbox } from './backend';
import { expect, type RunningApp } from './fixtures';
import { openSection } from './helpers';

export const address = 'zhang.wei@cstnet.cn';
const groupedPassword = /^[a-z2-9]{4} [a-z2-9]{4} [a-z2-9]{4} [a-z2-9]{4}$/;

/** A folder of this worker's own (specs run in parallel workers, each its own process). */
export function workerDir(name: string): string {
  const dir = join(tmpdir(), `mailwarden-${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a policy file the host reads at start (`--policy`); its path is fixed when the spec is declared. */
export function writePolicy(path: string, policy: Record<string, unknown>): void {
  writeFileSync(path, JSON.stringify(policy));
}

/** A mail server on loopback without TLS, as test servers are. */
export function loopbackServer(ports: { imap: number; smtp: number; pop3?: number }) {
  return {
    imap: { host: '127.0.0.1', port: ports.imap, security: 'none' },
    smtp: { host: '127.0.0.1', port: ports.smtp, security: 'none' },
    pop3: { host: '127.0.0.1', port: ports.pop3 ?? 1, security: 'none' },
  };
}

/** A fresh mailbox with a phone bound (client passwords need 2FA), signed in and the app open. */
export async function signedInWithTwoFactor(page: Page, app: RunningApp): Promise<void> {
  await registerMailbox(page, app);
  await bindPhone(page, app);
  await page.goto(app.url);
  await expect(page.getByRole('navigation')).toBeVisible();
}

/**
 * Generates a client password through the UI and takes it to the mail-clients page, as a person
 * would; answers the 16 characters.
 */
export async function holdNewPassword(page: Page, name: string, { untick = [] as ('IMAP' | 'SMTP' | 'POP3')[] } = {}): Promise<string> {
  await openSection(page, '客户端专用密码');
  await page.getByLabel('密码名称').fill(name);
  for (const protocol of untick) await page.getByRole('checkbox', { name: protocol, exact: true }).uncheck();
  await page.getByRole('button', { name: '生成', exact: true }).click();
  const shown = page.getByTestId('client-password');
  await expect(shown).toHaveText(groupedPassword);
  const plain = ((await shown.textContent()) ?? '').replaceAll(' ', '');
  await page.getByRole('link', { name: '把它填入邮件客户端…' }).click();
  await expect(page.getByTestId('held-password')).toBeVisible();
  return plain;
}

/** A mail client's card on the mail-clients page. */
export function clientCard(page: Page, client: 'Foxmail' | 'Thunderbird') {
  return page.getByRole('region', { name: client, exact: true });
}

/** The row of the card's account for `who` (an address). */
export function accountRow(page: Page, client: 'Foxmail' | 'Thunderbird', who: string) {
  return clientCard(page, client)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${who.replaceAll('.', '\\.')}`) }) });
}
