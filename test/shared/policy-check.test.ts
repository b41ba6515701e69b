// Covers electron/shared/policy-check.ts: the runtime check of a policy key's value.
import { describe, expect, it } from 'vitest';
import { checkPolicyValue } from '../../electron/shared/policy-check';

describe('checkPolicyValue', () => {
  it.each([
    ['trustedDeviceDays', 0, 'below 1 (allowed 1–30)'],
    ['trustedDeviceDays', 31, 'above 30 (allowed 1–30)'],
    ['trustedDeviceDays', 7.5, 'expected a whole number'],
    ['trustedDeviceDays', '7', 'expected a number'],
    ['enforceTwoFactor', 1, 'expected true or false'],
    ['mailServer.imap.port', 0, 'below 1 (allowed 1–65535)'],
    ['mailServer.imap.host', 'mail server', 'not a host name (letters, digits, dots, hyphens)'],
    ['mailServer.imap.host', '', 'empty'],
    ['mailServer.imap.host', `${'a'.repeat(254)}`, 'longer than 253 characters'],
    ['mailServer.imap.security', 'ssl', 'expected one of tls, starttls, none'],
    ['allowedMethods', [], 'empty list'],
    ['allowedMethods', ['sms', 'sms'], 'repeated items'],
    ['allowedMethods', ['email'], 'items must be among sms, totp'],
    ['allowedMethods', 'sms', 'expected a list'],
    ['sms.webhook.url', 'http://sms.example.cn/', 'not an https:// URL'],
    ['sms.webhook.headers', ['Authorization: x'], 'expected name → value pairs'],
    ['sms.webhook.headers', { 'Bad Name': 'x' }, 'a header name is not an HTTP token'],
    ['sms.webhook.headers', { Authorization: 'x\r\nInjected: y' }, 'a header value holds a line break'],
    ['sms.webhook.bodyTemplate', '{"to": {{phone}}}', 'not JSON once {{phone}} and {{text}} are filled in'],
    ['updates.feedUrl', 'ftp://updates.example.cn/', 'not an https:// URL'],
    ['twoFactorGraceDays', 91, 'above 90 (allowed 0–90)'],
  ] as const)('refuses %s = %j: %s', (path, value, reason) => {
    expect(checkPolicyValue(path, value)).toEqual({ ok: false, reason });
  });

  it('accepts good values', () => {
    expect(checkPolicyValue('sms.webhook.bodyTemplate', '{"to":"{{phone}}","text":"{{text}}"}').ok).toBe(true);
    expect(checkPolicyValue('updates.feedUrl', '').ok).toBe(true);
    expect(checkPolicyValue('updates.feedUrl', 'https://updates.example.cn/mailwarden/').ok).toBe(true);
    expect(checkPolicyValue('sms.webhook.headers', { Authorization: 'Bearer x' })).toEqual({ ok: true, value: { Authorization: 'Bearer x' } });
  });
});
