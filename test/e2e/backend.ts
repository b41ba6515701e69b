/**
 * Talking to the browser-mode backend from a spec, as the page itself would: `page.request`
 * shares the browser context's cookies, so a mailbox registered or signed in here is signed in
 * for the page too. Used to set the scene (a mailbox with a bound phone, client passwords)
 * before the flow under test is driven through the UI.
 */
import type { Page } from '@playwright/test';
import type { RunningApp } from './fixtures';
import { recordSecretsIn } from './secret-record';

export const testPassword = 'Correct-horse-9';

export async function callApi<T = unknown>(page: Page, app: RunningApp, channel: string, request: unknown = {}): Promise<T> {
  const response = await page.request.post(`${app.origin}/api/${encodeURIComponent(channel)}`, {
    headers: { Authorization: `Bearer ${app.token}`, Origin: app.origin, 'Content-Type': 'application/json' },
    data: request,
  });
  const result = (await response.json()) as { ok: boolean; data?: T; code?: string };
  recordSecretsIn(channel, request);
  recordSecretsIn(channel, result);
  if (!result.ok) throw new Error(`${channel} answered ${result.code}`);
  return result.data as T;
}

/** Registers a mailbox on this browser's connection (registering signs in). */
export async function registerMailbox(page: Page, app: RunningApp, address = 'zhang.wei@cstnet.cn', password = testPassword): Promise<void> {
  await callApi(page, app, 'auth:register', { address, password, confirmation: password });
}

/** The newest code the local outbox delivered to this connection's mailbox. */
export async function latestOutboxCode(page: Page, app: RunningApp): Promise<string> {
  const { messages } = await callApi<{ messages: { text: string }[] }>(page, app, 'two-factor:outbox');
  const code = /\b(\d{6})\b/.exec(messages[0]?.text ?? '')?.[1];
  if (!code) throw new Error('the outbox holds no code');
  return code;
}

/** Binds a phone to the signed-in mailbox through the API (the scene, not the flow under test). */
export async function bindPhone(page: Page, app: RunningApp, phone = '13912345678'): Promise<void> {
  await callApi(page, app, 'two-factor:start-phone-binding', { phone });
  await callApi(page, app, 'two-factor:confirm-phone-binding', { code: await latestOutboxCode(page, app) });
}
