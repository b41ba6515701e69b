// Covers electron/platform/policy/managed-preferences.ts on sample plists (XML and binary).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBinary, parse } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../electron/core/policy';
import { silentLogger } from '../../../electron/core/ports';
import { bundleId, managedPreferencesLayers, parseManagedPreferences } from '../../../electron/platform/policy/managed-preferences';

const fixtures = join(import.meta.dirname, '../fixtures/policy');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-mcx-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function place(name: string, user?: string, bytes?: Uint8Array): Promise<void> {
  const folder = user ? join(dir, user) : dir;
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `${bundleId}.plist`), bytes ?? (await readFile(join(fixtures, name))));
}

describe('managed preferences', () => {
  it('enforces the top-level keys and recommends the Recommended dictionary', async () => {
    await place('managed.plist');
    const { policy, sources, problems } = resolvePolicy(await managedPreferencesLayers({ dir, user: 'li.na' }), silentLogger);
    expect(policy.enforceTwoFactor).toBe(true);
    expect(policy.allowedMethods).toEqual(['totp']);
    expect(policy.trustedDeviceDays).toBe(14);
    expect(sources.trustedDeviceDays).toEqual({ source: 'enforced', origin: 'managed-preferences' });
    expect(policy.sms).toMatchObject({ kind: 'webhook', url: 'https://sms.example.cn/send', headers: { Authorization: 'Bearer s3cr3t-token' } });
    expect(policy.clientIntegrations.foxmail).toBe(false);
    expect(sources['clientIntegrations.foxmail']).toEqual({ source: 'recommended', origin: 'managed-preferences' });
    expect(policy.clientPasswordDefaultExpiryDays).toBe(180);
    // Port 70000 is out of range: locked at 993, the host beside it still applies.
    expect(policy.mailServer.imap).toEqual({ host: 'imap.example.edu.cn', port: 993, security: 'tls' });
    expect(sources['mailServer.imap.port'].source).toBe('enforced');
    expect(problems.map((p) => [p.path, p.reason])).toEqual([['mailServer.imap.port', 'above 65535 (allowed 1–65535)']]);
  });

  it('lets the per-user plist win over the computer-wide one, and refuses a string where a boolean belongs', async () => {
    await place('managed.plist');
    await place('managed-user.plist', 'li.na');
    const { policy, sources, problems } = resolvePolicy(await managedPreferencesLayers({ dir, user: 'li.na' }), silentLogger);
    expect(policy.trustedDeviceDays).toBe(3);
    expect(sources.trustedDeviceDays).toEqual({ source: 'enforced', origin: 'managed-preferences-user' });
    expect(policy.updates.enabled).toBe(true);
    expect(sources['updates.enabled']).toEqual({ source: 'enforced', origin: 'managed-preferences-user' });
    expect(problems.map((p) => p.path)).toContain('updates.enabled');
  });

  it('reads a binary plist the same as its XML', async () => {
    const xml = await readFile(join(fixtures, 'managed.plist'), 'utf8');
    const binary = buildBinary(parse(xml) as Parameters<typeof buildBinary>[0]);
    expect(Buffer.from(binary.subarray(0, 8)).toString('latin1')).toBe('bplist00');
    expect(parseManagedPreferences(binary, 'managed-preferences')).toEqual(parseManagedPreferences(Buffer.from(xml), 'managed-preferences'));
  });

  it('is no policy when neither plist exists', async () => {
    expect(await managedPreferencesLayers({ dir, user: 'li.na' })).toEqual([]);
  });

  it('locks every key at its default when a plist is not one', async () => {
    await place('', undefined, Buffer.from('{"enforceTwoFactor": true}'));
    const layers = await managedPreferencesLayers({ dir, user: 'li.na' });
    expect(layers).toHaveLength(1);
    expect(layers[0]!.unreadable).toMatch(/not a property list/);
    expect(resolvePolicy(layers, silentLogger).sources.enforceTwoFactor).toEqual({ source: 'enforced', origin: 'managed-preferences' });
  });

  it('never reads outside the folder for a user name with a path in it', async () => {
    await place('managed-user.plist', 'li.na');
    expect(await managedPreferencesLayers({ dir, user: '../li.na' })).toEqual([]);
  });
});
