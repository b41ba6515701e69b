/**
 * Covers renderer/src/lib/components/activity/{describe,kinds,format}.ts: every activity kind the
 * core writes reads as plain words in both languages, and the filter offers exactly those kinds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeDevice, describeEvent } from '../../renderer/src/lib/components/activity/describe';
import { relativeTo } from '../../renderer/src/lib/i18n/dates';
import { activityKindLabels, activityKindNames } from '../../renderer/src/lib/components/activity/kinds';
import { baseLocale, overwriteGetLocale } from '../../renderer/src/lib/paraglide/runtime.js';

// The core's list, read as text: the core is Node code outside the renderer's type-check project.
const coreSource = Object.values(import.meta.glob<string>('../../electron/core/activity.ts', { query: '?raw', import: 'default', eager: true }))[0]!;
const activityKinds = [.../export const activityKinds = \[([^\]]*)\]/.exec(coreSource)![1]!.matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]!);

const device = 'Windows · LAB-PC-07 / Chrome 131';

function event(kind: string, detail: Record<string, string | number> = {}, outcome: 'success' | 'failure' = 'success') {
  return { kind, outcome, device, detail };
}

afterEach(() => overwriteGetLocale(() => baseLocale));

describe('activity kinds', () => {
  it('the filter offers exactly the kinds the core writes', () => {
    expect([...activityKindNames].sort()).toEqual([...activityKinds].sort());
  });

  it.each(['zh-CN', 'en'] as const)('every kind has its own label and sentence in %s', (locale) => {
    overwriteGetLocale(() => locale);
    const labels = activityKindNames.map((kind) => activityKindLabels[kind]());
    expect(new Set(labels).size).toBe(labels.length);
    for (const kind of activityKinds) {
      const text = describeEvent(event(kind));
      expect(text, kind).not.toMatch(/\{|\}|undefined/);
      expect(text, kind).not.toContain(kind);
    }
  });
});

describe('describeEvent', () => {
  it('reads as the guide would say it, in Chinese', () => {
    overwriteGetLocale(() => 'zh-CN');
    expect(describeEvent(event('sign-in', { method: 'sms' }))).toBe('在 Windows · LAB-PC-07 / Chrome 131 上登录成功（短信验证码）');
    expect(describeEvent(event('client-password-created', { name: 'Foxmail 办公室', scopes: 'imap,smtp,pop3' }))).toBe(
      '生成了客户端专用密码「Foxmail 办公室」',
    );
    expect(describeEvent(event('phone-changed', { from: '139****1234', to: '138****5678' }))).toBe('将手机号码从 139****1234 更换为 138****5678');
    expect(describeEvent(event('grant-added', { grantee: 'li.na@cstnet.cn', level: 'send-on-behalf' }))).toBe('将此邮箱共享给 li.na@cstnet.cn（代表发送）');
    expect(describeEvent(event('grant-added', { owner: 'office@cstnet.cn', level: 'send-as' }))).toBe('office@cstnet.cn 将邮箱共享给您（代理发送）');
    expect(describeEvent(event('device-removed', { count: 3 }))).toBe('取消了全部 3 台可信任设备');
    expect(describeEvent(event('sessions-ended', { count: 2 }))).toBe('退出了其他全部 2 处登录');
    expect(describeEvent(event('sessions-ended', { label: 'Windows · HOME-PC', client: 'Firefox 128', address: '198.51.100.4' }))).toBe(
      '退出了 Windows · HOME-PC / Firefox 128 (198.51.100.4) 上的登录',
    );
    expect(describeEvent(event('helpdesk-action', { action: 'unlock', by: 'wang.it' }))).toBe('服务台（wang.it）解锁了邮箱');
  });

  it('reads in English, with the detail that matters', () => {
    overwriteGetLocale(() => 'en');
    expect(describeEvent(event('sign-in-failed', { step: 'password' }, 'failure'))).toBe(`Sign-in on ${device} failed: wrong password`);
    expect(describeEvent(event('client-password-rejected', { reason: 'main-password-with-2fa', protocol: 'imap' }, 'failure'))).toMatch(
      /^A mail client was refused over IMAP: it used the mailbox password/,
    );
    expect(describeEvent(event('device-removed', { label: 'Linux · box', client: 'Firefox 128' }))).toBe('Trust in Linux · box / Firefox 128 was removed');
    expect(describeEvent(event('sessions-ended', { label: 'Linux · box', client: 'Firefox 128' }))).toBe(
      'The session on Linux · box / Firefox 128 was signed out',
    );
    expect(describeEvent(event('sessions-ended', { count: 1 }))).toBe('The one other session was signed out');
    expect(describeEvent(event('grant-removed', { grantee: 'li.na@cstnet.cn', level: 'read-only', reason: 'lapsed' }))).toBe(
      'The sharing with li.na@cstnet.cn reached its end date',
    );
    expect(describeEvent(event('helpdesk-action', { action: 'reset-two-factor', by: 'wang.it' }))).toMatch(
      /^The help desk \(wang\.it\) reset two-factor authentication/,
    );
    expect(describeEvent(event('helpdesk-action', { action: 'issue-access-pass', by: 'wang.it', expiresAt: Date.UTC(2026, 11, 4, 12) }))).toMatch(
      /^The help desk \(wang\.it\) issued a temporary access pass for one sign-in, valid until .*2026/,
    );
    expect(describeEvent(event('sign-in', { method: 'access-pass' }))).toContain('temporary access pass');
  });

  it('still reads a kind from a newer backend', () => {
    overwriteGetLocale(() => 'en');
    expect(describeEvent(event('future-thing', {}, 'failure'))).toBe('Security event (failed): future-thing');
  });

  it('puts a mail client address into words', () => {
    overwriteGetLocale(() => 'zh-CN');
    expect(describeDevice('IMAP from 203.0.113.5')).toBe('IMAP 邮件客户端（203.0.113.5）');
    expect(describeDevice(device)).toBe(device);
  });
});

describe('relativeTo', () => {
  const now = Date.UTC(2025, 2, 4, 12);
  it('counts whole days, rounded, so a fresh 7-day trust reads as 7 days', () => {
    expect(relativeTo(now + 7 * 86_400_000 - 5_000, now, 'en')).toBe('in 7 days');
    expect(relativeTo(now + 7 * 86_400_000 - 5_000, now, 'zh-CN')).toBe('7天后');
    expect(relativeTo(now + 5 * 3_600_000, now, 'en')).toBe('in 5 hours');
    expect(relativeTo(now + 20_000, now, 'en')).toBe('in 1 minute');
  });
});
