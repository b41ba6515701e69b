// Covers electron/platform/policy-file.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../electron/core/policy';
import { parseManagedPolicy, parsePolicy, PolicyFileError, readManagedPolicy, readPolicyFile } from '../../electron/platform/policy-file';

describe('parsePolicy', () => {
  it('keeps the defaults for keys left out', () => {
    expect(parsePolicy({})).toEqual(defaultPolicy);
    expect(parsePolicy({ enforceTwoFactor: true, trustedDeviceDays: 14 })).toEqual({ ...defaultPolicy, enforceTwoFactor: true, trustedDeviceDays: 14 });
  });

  it('refuses trusted-device days outside 1–30, naming the key', () => {
    expect(() => parsePolicy({ trustedDeviceDays: 0 })).toThrow(/trustedDeviceDays/);
    expect(() => parsePolicy({ trustedDeviceDays: 31 })).toThrow(/trustedDeviceDays/);
    expect(parsePolicy({ trustedDeviceDays: 30 }).trustedDeviceDays).toBe(30);
    expect(parsePolicy({ trustedDeviceDays: 1 }).trustedDeviceDays).toBe(1);
  });

  it('refuses unknown keys and bad values rather than guessing', () => {
    expect(() => parsePolicy({ enforce2fa: true })).toThrow(PolicyFileError);
    expect(() => parsePolicy({ allowedMethods: [] })).toThrow(/allowedMethods/);
    expect(() => parsePolicy({ sms: { kind: 'webhook', url: 'http://insecure.example', bodyTemplate: '{}' } })).toThrow(/sms/);
    expect(() => parsePolicy([])).toThrow(PolicyFileError);
  });

  it('reads the mail server and the client integrations, refusing a bad port, security or host', () => {
    const mailServer = {
      imap: { host: 'imap.example.cn', port: 143, security: 'starttls' },
      smtp: { host: 'smtp.example.cn', port: 587, security: 'starttls' },
      pop3: { host: 'pop.example.cn', port: 995, security: 'tls' },
    };
    const parsed = parseManagedPolicy({ mailServer, clientIntegrations: { keychain: true, foxmail: false, iphoneProfile: true } });
    expect(parsed.policy.mailServer).toEqual(mailServer);
    expect(parsed.policy.clientIntegrations).toEqual({ keychain: true, foxmail: false, iphoneProfile: true });
    expect(parsed.managedKeys).toEqual(['mailServer', 'clientIntegrations']);
    expect(() => parsePolicy({ mailServer: { ...mailServer, imap: { ...mailServer.imap, port: 70_000 } } })).toThrow(/mailServer\.imap\.port/);
    expect(() => parsePolicy({ mailServer: { ...mailServer, smtp: { ...mailServer.smtp, security: 'ssl' } } })).toThrow(/mailServer\.smtp\.security/);
    expect(() => parsePolicy({ mailServer: { ...mailServer, pop3: { ...mailServer.pop3, host: 'evil host/x' } } })).toThrow(/mailServer\.pop3\.host/);
    expect(() => parsePolicy({ clientIntegrations: { keychain: true } })).toThrow(/clientIntegrations/);
  });

  it('reads a webhook gateway with its defaults', () => {
    expect(parsePolicy({ sms: { kind: 'webhook', url: 'https://sms.example.cn/send', bodyTemplate: '{"to":"{{phone}}"}' } }).sms).toEqual({
      kind: 'webhook',
      url: 'https://sms.example.cn/send',
      headers: {},
      bodyTemplate: '{"to":"{{phone}}"}',
      timeoutMs: 10_000,
    });
  });
});

describe('parseManagedPolicy', () => {
  it('reports the keys the file set, and only those, as managed', () => {
    expect(parseManagedPolicy({})).toEqual({ policy: defaultPolicy, managedKeys: [] });
    const managed = parseManagedPolicy({ trustedDeviceDays: 14, enforceTwoFactor: true, sms: { kind: 'outbox' } });
    expect(managed.policy).toEqual({ ...defaultPolicy, enforceTwoFactor: true, trustedDeviceDays: 14 });
    expect(managed.managedKeys).toEqual(['enforceTwoFactor', 'trustedDeviceDays', 'sms']);
  });

  it('counts a key set to its default value as managed: IT chose it', () => {
    expect(parseManagedPolicy({ clientPasswordLimit: 20 }).managedKeys).toEqual(['clientPasswordLimit']);
  });
});

describe('readPolicyFile', () => {
  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailwarden-policy-'));
    try {
      await writeFile(join(dir, 'good.json'), '{"enforceTwoFactor": true}');
      expect((await readPolicyFile(join(dir, 'good.json'))).enforceTwoFactor).toBe(true);
      expect((await readManagedPolicy(join(dir, 'good.json'))).managedKeys).toEqual(['enforceTwoFactor']);
      await writeFile(join(dir, 'bad.json'), '{"enforceTwoFactor": ');
      await expect(readPolicyFile(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json: not JSON/);
      await expect(readPolicyFile(join(dir, 'missing.json'))).rejects.toThrow(/cannot read .*missing\.json: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
