// Covers electron/platform/policy/registry.ts on recorded `reg query /s` output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../electron/core/policy';
import { silentLogger } from '../../../electron/core/ports';
import { parseRegQuery, registryLayers, registryPolicyLayers, type CommandRunner } from '../../../electron/platform/policy/registry';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/policy', name), 'utf8');
const missing = { exitCode: 1, stdout: '', stderr: fixture('reg-query-missing.txt') };

/** Replays recorded output per key, and remembers what was asked. */
function replay(answers: Record<string, { exitCode: number; stdout: string; stderr: string }>) {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    return answers[args[1]!] ?? missing;
  };
  return { run, calls };
}

describe('parseRegQuery', () => {
  it('reads each key with its values, REG_SZ, REG_DWORD and REG_MULTI_SZ as printed', () => {
    const keys = parseRegQuery(fixture('reg-query-hklm.txt'));
    expect([...keys.keys()]).toEqual([
      'HKEY_LOCAL_MACHINE\\Software\\Policies\\Mailwarden',
      'HKEY_LOCAL_MACHINE\\Software\\Policies\\Mailwarden\\Recommended',
      'HKEY_LOCAL_MACHINE\\Software\\Policies\\Mailwarden\\SmsWebhookHeaders',
    ]);
    const root = keys.get('HKEY_LOCAL_MACHINE\\Software\\Policies\\Mailwarden')!;
    expect(root.find((v) => v.name === 'AllowedMethods')).toEqual({ name: 'AllowedMethods', type: 'REG_MULTI_SZ', data: 'totp\\0sms' });
    expect(root.find((v) => v.name === 'SmsWebhookBodyTemplate')?.data).toBe('{"to":"{{phone}}","text":"{{text}}"}');
  });
});

describe('registryLayers', () => {
  it('maps value names to schema keys, DWORDs to numbers and booleans, multi-strings to lists, the headers subkey to a map', () => {
    const layers = registryLayers(fixture('reg-query-hklm.txt'), 'registry-hklm');
    expect(layers.map((l) => l.level)).toEqual(['recommended', 'enforced']);
    const enforced = Object.fromEntries(layers[1]!.entries.map((e) => [e.path, e.value]));
    expect(enforced).toMatchObject({
      enforceTwoFactor: true,
      twoFactorGraceDays: 14,
      allowedMethods: ['totp', 'sms'],
      trustedDeviceDays: 31,
      'mailServer.imap.host': 'imap.example.edu.cn',
      'updates.enabled': false,
      'sms.webhook.headers': { Authorization: 'Bearer s3cr3t-token', 'X-Tenant': 'lab' },
      NotAPolicy: 'x',
    });
    expect(Object.fromEntries(layers[0]!.entries.map((e) => [e.path, e.value]))).toEqual({
      'mailServer.smtp.port': 465,
      'clientIntegrations.foxmail': false,
      clientPasswordLimit: 10,
    });
  });

  it('gives nothing for empty output', () => {
    expect(registryLayers('', 'registry-hkcu')).toEqual([]);
  });
});

describe('registryPolicyLayers', () => {
  it('asks reg.exe for the user key, then the machine key, without a shell', async () => {
    const { run, calls } = replay({});
    expect(await registryPolicyLayers(run)).toEqual([]);
    expect(calls).toEqual([
      ['reg', 'query', 'HKCU\\Software\\Policies\\Mailwarden', '/s'],
      ['reg', 'query', 'HKLM\\Software\\Policies\\Mailwarden', '/s'],
    ]);
  });

  it('merges machine over user, enforced over recommended; invalid values stay locked at the default', async () => {
    const { run } = replay({
      'HKLM\\Software\\Policies\\Mailwarden': { exitCode: 0, stdout: fixture('reg-query-hklm.txt'), stderr: '' },
      'HKCU\\Software\\Policies\\Mailwarden': { exitCode: 0, stdout: fixture('reg-query-hkcu.txt'), stderr: '' },
    });
    const { policy, sources, problems } = resolvePolicy(await registryPolicyLayers(run), silentLogger);
    // HKLM sets 31 (out of range): locked at the default 7, not HKCU's 3.
    expect(policy.trustedDeviceDays).toBe(7);
    expect(sources.trustedDeviceDays).toEqual({ source: 'enforced', origin: 'registry-hklm' });
    // Only HKCU sets these: enforced from the user hive.
    expect(policy.clientPasswordLimit).toBe(5);
    expect(sources.clientPasswordLimit).toEqual({ source: 'enforced', origin: 'registry-hkcu' });
    expect(policy.serverHost).toBe('webmail.example.edu.cn');
    // Both recommend an SMTP port: the machine's wins.
    expect(policy.mailServer.smtp.port).toBe(465);
    expect(sources['mailServer.smtp.port']).toEqual({ source: 'recommended', origin: 'registry-hklm' });
    expect(policy.clientPasswordDefaultExpiryDays).toBe(90);
    expect(policy.mailServer.imap).toEqual({ host: 'imap.example.edu.cn', port: 993, security: 'starttls' });
    expect(policy.allowedMethods).toEqual(['totp', 'sms']);
    expect(policy.sms).toMatchObject({ kind: 'webhook', headers: { Authorization: 'Bearer s3cr3t-token', 'X-Tenant': 'lab' } });
    expect(policy.updates.enabled).toBe(false);
    expect(policy.twoFactorGraceDays).toBe(14);
    expect(problems.map((p) => `${p.origin}:${p.path}:${p.reason}`)).toEqual([
      // A limit is enforce-only: HKLM's Recommended value is refused.
      'registry-hklm:clientPasswordLimit:may only be enforced, not recommended',
      'registry-hklm:trustedDeviceDays:above 30 (allowed 1–30)',
      'registry-hklm:NotAPolicy:unknown key',
    ]);
  });

  it('refuses a value of the wrong registry type', async () => {
    const stdout = 'HKEY_LOCAL_MACHINE\\Software\\Policies\\Mailwarden\r\n    EnforceTwoFactor    REG_SZ    true\r\n    TrustedDeviceDays    REG_DWORD    0x2\r\n';
    const { run } = replay({ 'HKLM\\Software\\Policies\\Mailwarden': { exitCode: 0, stdout, stderr: '' } });
    const { policy, sources, problems } = resolvePolicy(await registryPolicyLayers(run), silentLogger);
    expect(policy.enforceTwoFactor).toBe(false);
    expect(sources.enforceTwoFactor.source).toBe('enforced');
    expect(policy.trustedDeviceDays).toBe(2);
    expect(problems.map((p) => [p.path, p.reason])).toEqual([['enforceTwoFactor', 'expected true or false']]);
  });

  it('locks every key at its default when reg.exe fails for another reason than a missing key', async () => {
    const { run } = replay({ 'HKLM\\Software\\Policies\\Mailwarden': { exitCode: 1, stdout: '', stderr: 'ERROR: Access is denied.\r\n' } });
    const layers = await registryPolicyLayers(run);
    expect(layers).toEqual([{ level: 'enforced', origin: 'registry-hklm', entries: [], unreadable: 'reg query HKLM\\Software\\Policies\\Mailwarden failed (exit 1)' }]);
    expect(resolvePolicy(layers, silentLogger).sources.enforceTwoFactor).toEqual({ source: 'enforced', origin: 'registry-hklm' });
  });
});
